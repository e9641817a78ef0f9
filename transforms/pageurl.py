"""The URL a page gives itself: `<link rel="canonical">`, `og:url`, the JSON-LD `url`.

A scraper that saves pages as files often drops the address, yet most pages name themselves.
With the URL back, a page gets a site (facets, per-site boilerplate learning), a URL date and
an id by URL, so two copies of one page collapse into one document.

Only the page's `<head>` is parsed here (a few kilobytes, not the whole page: the full parse
happens once, in the extractor), plus a scan of the JSON-LD scripts. A URL that would merge
different articles is refused: the site's home page or a bare section ("/news/"), which
broken templates declare as every page's canonical address.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml.etree import ParserError

from transforms import jsonld

_HEAD_END = re.compile(r"</head\s*>", re.I)
_MAX_HEAD_CHARS = 300_000
_JSONLD = re.compile(
    r"<script[^>]+application/ld\+json[^>]*>(.*?)</script\s*>", re.I | re.S
)
_MAX_JSONLD_SCRIPTS = 20
# A one-segment path made of letters only ("/news", "/politics/") is a section, not a story.
_SECTION = re.compile(r"^/[A-Za-z]+/?$")
_ARTICLE_TYPES = re.compile(r"article|posting|report|news|blog|webpage", re.I)


def _absolute(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def is_article_url(url: str) -> bool:
    """An absolute http(s) URL whose path can name one article."""
    if not _absolute(url) or any(c.isspace() for c in url.strip()):
        return False
    path = urlsplit(url).path
    return path not in ("", "/") and _SECTION.match(path) is None


def _head(html: str) -> str:
    end = _HEAD_END.search(html, 0, _MAX_HEAD_CHARS)
    return html[: end.end()] if end else html[:_MAX_HEAD_CHARS]


def _head_candidates(html: str) -> Iterator[str]:
    try:
        tree = lxml.html.document_fromstring(_head(html))
    except (ParserError, ValueError):
        return
    for link in tree.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split():
            yield (link.get("href") or "").strip()
    for meta in tree.iter("meta"):
        if (meta.get("property") or meta.get("name") or "").strip().lower() == "og:url":
            yield (meta.get("content") or "").strip()


def _jsonld_urls(html: str) -> Iterator[str]:
    for i, m in enumerate(_JSONLD.finditer(html)):
        if i >= _MAX_JSONLD_SCRIPTS:
            return
        data = jsonld.loads(m.group(1))
        if data is None:
            continue
        yield from _article_urls(data)


def _article_urls(node: Any) -> Iterator[str]:
    if isinstance(node, list):
        for item in node:
            yield from _article_urls(item)
    elif isinstance(node, dict):
        kind = node.get("@type", "")
        kind = " ".join(kind) if isinstance(kind, list) else str(kind)
        if _ARTICLE_TYPES.search(kind):
            for key in ("url", "mainEntityOfPage", "@id"):
                value = node.get(key)
                if isinstance(value, dict):
                    value = value.get("@id") or value.get("url")
                if isinstance(value, str):
                    yield value.strip()
        if isinstance(node.get("@graph"), list):
            yield from _article_urls(node["@graph"])


def page_url(html: str) -> str | None:
    """The page's own article URL, most deliberate declaration first, or None.

    A relative canonical link is resolved against the page's `og:url` when that names the
    site; with no absolute address to resolve against it is left unused.
    """
    if not html:
        return None
    candidates = [c for c in _head_candidates(html) if c]
    candidates.extend(_jsonld_urls(html))
    base = next((c for c in candidates if _absolute(c)), None)
    for candidate in candidates:
        url = candidate if _absolute(candidate) else (urljoin(base, candidate) if base else "")
        if url and is_article_url(url):
            return url.split("#", 1)[0]
    return None
