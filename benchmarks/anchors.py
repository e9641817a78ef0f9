"""The reference tools newsetl's metadata is measured against, each on the same HTML string.

Every function takes the page's HTML (and a URL, or None) and answers with what that tool
finds; none fetches anything. Used by `benchmarks/dates.py` and `benchmarks/metadata.py`.
"""

from __future__ import annotations

import platform
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from typing import Any


def htmldate_day(html: str, url: str | None, *, original: bool) -> str | None:
    """htmldate's `find_date` in extensive mode, with `original_date` as given."""
    from htmldate import find_date

    try:
        return find_date(html, url=url, extensive_search=True, original_date=original)
    except Exception:  # a crash on one page counts as no answer
        return None


def trafilatura_meta(html: str, url: str | None) -> dict[str, Any]:
    """trafilatura's metadata (author, date, the page's URL) as `bare_extraction` reports it."""
    import trafilatura

    try:
        doc = trafilatura.bare_extraction(html, url=url, with_metadata=True)
    except Exception:
        return {}
    if doc is None:
        return {}
    data = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    return {"author": data.get("author"), "date": data.get("date"), "url": data.get("url")}


def newspaper_meta(html: str, url: str | None) -> dict[str, Any]:
    """newspaper4k's authors, publish date, language and canonical URL from the HTML, offline."""
    try:
        from newspaper import Article
    except ImportError:
        return {}
    try:
        article = Article(url or "http://example.invalid/", fetch_images=False)
        article.download(input_html=html)
        article.parse()
    except Exception:
        return {}
    published = article.publish_date
    day = published.strftime("%Y-%m-%d") if isinstance(published, datetime) else None
    return {
        "authors": list(article.authors or []),
        "date": day,
        "language": article.meta_lang,
        "url": article.canonical_link or None,
    }


def versions(*packages: str) -> dict[str, str]:
    """The run's date, Python and the versions of `packages`: a figure names what made it."""
    out = {"date": datetime.now(UTC).strftime("%Y-%m-%d"), "python": platform.python_version()}
    for package in packages:
        try:
            out[package] = version(package)
        except PackageNotFoundError:
            out[package] = "absent"
    return out
