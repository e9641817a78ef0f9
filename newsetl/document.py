"""A raw record to the document that is indexed: the contract every stage shares.

Pure: record in, document out. `build_document` raises `DocumentError` with a reason for
records that must be quarantined rather than indexed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection
from datetime import datetime
from typing import Any

from lxml.html import HtmlElement

from newsetl.limits import DEFAULT_LIMITS, Limits
from newsetl.readers import RawRecord
from transforms.authors import Byline, page_byline, split_byline, text_byline
from transforms.clean import clean_text
from transforms.guards import depth_over
from transforms.html import extract_html
from transforms.language import declared_language, detect_language
from transforms.normalize import normalize_article
from transforms.repair import repair_text

# Fields that are the document's content; `content_hash` covers exactly these.
CONTENT_FIELDS = (
    "source",
    "title",
    "body",
    "dateline",
    "agency",
    "agency_source",
    "published_at",
    "published_at_source",
    "published_at_offset",
    "published_at_ambiguous",
    "dates_mentioned",
    "word_count",
    "removed",
    # Which extractor produced the body: hashed so that a body a new extractor step produces
    # (even word for word the same) is re-written with its true provenance, not left stale.
    "extracted_by",
    "authors",
    "contributors",
    "language",
)


# `agency_source` of an agency the document's own text does not credit: its site's unsigned
# stories of its dateline form are lent the agency nearly all its credited ones name
# (`transforms.lending`, `lend_agency`).
AGENCY_LENT = "site"

# `extracted_by` of a record that came as text (a dump, a JSON `text` field): the cleaner's.
EXTRACTED_BY_TEXT = "text"


class DocumentError(ValueError):
    """The record cannot become a document (no article text, impossible date, ...)."""


def document_id(record: RawRecord, source: str = "") -> str:
    """Stable across runs and machines: the URL when there is one, else the source (the raw
    folder, `newsetl.sources`) and the path relative to it: the same file name in two
    folders is two documents. No source: the key of the ids from before sources existed."""
    if record.url:
        key = f"url:{record.url}"
    else:
        where = f"{source}/{record.path}" if source else record.path
        key = f"path:{where}#{record.line or 0}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def content_hash(doc: dict[str, Any]) -> str:
    canonical = json.dumps(
        {k: doc.get(k) for k in CONTENT_FIELDS}, sort_keys=True, ensure_ascii=False
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class _PageMeta:
    """What the page's markup says about its authors and language, read from the
    extractor's own parse of the page (`extract_html(inspect=...)`): one parse per page."""

    def __init__(self, site: str | None) -> None:
        self.site = site
        self.byline = Byline()
        self.shown: str | None = None
        self.language: str | None = None

    def read(self, tree: HtmlElement) -> None:
        try:
            found = page_byline(tree, site=self.site)
            self.byline, self.shown = found.byline, found.shown
            self.language = declared_language(tree)
        except (ValueError, TypeError):  # lxml refuses some text it parsed itself
            pass


def _merge(first: Byline, second: Byline) -> Byline:
    """`first`'s names, else `second`'s; contributors from both."""
    contributors = tuple(dict.fromkeys([*first.contributors, *second.contributors]))
    return Byline(
        first.authors or second.authors, first.agency or second.agency, contributors
    )


def build_document(
    record: RawRecord,
    *,
    now: datetime,
    site_boilerplate: Collection[str] = (),
    limits: Limits = DEFAULT_LIMITS,
    source: str = "",
) -> dict[str, Any]:
    """Clean, normalize and assemble one article of the raw folder named `source`."""
    title = repair_text(record.title).strip() if record.title else None
    if record.html and (depth := depth_over(record.html, limits.max_html_depth)) is not None:
        raise DocumentError(
            f"HTML nested {depth} levels deep, over the {limits.max_html_depth} limit"
        )
    page = _PageMeta(record.site)
    signed_by = None  # the agency a wire sign-off credits ("REUTER"), which leaves the body
    tree = None  # the page's one parse, shared by the extractor, metadata and dates
    if record.html:
        extracted = extract_html(
            record.html, record.url, site_boilerplate=site_boilerplate, inspect=page.read
        )
        title = title or extracted.title
        body, removed = extracted.body, list(extracted.removed)
        extracted_by, tree = extracted.extracted_by, extracted.tree
        byline = page.byline
        shown = page.shown and repair_text(page.shown)
        if shown and shown not in body and shown not in removed:
            removed.append(shown)  # the extractor leaves the byline out: list it, as removed
        if not byline.authors:  # a byline written as text ("By Jane Roe") in the story
            byline = _merge(byline, text_byline("\n".join([*removed, body])))
        else:
            byline = _merge(byline, Byline(contributors=text_byline(body).contributors))
    else:
        text = repair_text(record.text or "")
        cleaned = clean_text(text, site_boilerplate=site_boilerplate, title=title)
        body, removed, signed_by = cleaned.body, list(cleaned.removed), cleaned.agency
        extracted_by = EXTRACTED_BY_TEXT
        byline = text_byline(text)
    given = split_byline(record.authors) if record.authors else Byline()
    if given.authors:  # the crawler's own field wins when it names someone
        byline = _merge(given, Byline(agency=byline.agency, contributors=byline.contributors))
    if not body.strip():
        raise DocumentError("no article text found after cleaning")
    if len(body) > limits.max_body_chars:
        raise DocumentError(
            f"body of {len(body)} characters, over the {limits.max_body_chars} limit"
        )
    norm = normalize_article(
        body, record_date=record.date, html=record.html, url=record.url, now=now, page=tree
    )
    doc: dict[str, Any] = {
        "id": document_id(record, source),
        "source": {
            "name": source or None,
            "path": record.path if record.line is None else f"{record.path}:{record.line}",
            "url": record.url,
            "site": record.site,
            "format": record.format,
        },
        "title": title or None,
        "body": body,
        "dateline": norm.dateline,
        "agency": norm.agency or signed_by or byline.agency,
        "agency_source": (
            norm.agency_source
            or (signed_by and "signoff")
            or (byline.agency and "byline")
            or None
        ),
        "published_at": norm.published_at,
        "published_at_source": norm.published_at_source,
        "published_at_offset": norm.published_at_offset,
        "published_at_ambiguous": norm.published_at_ambiguous,
        "dates_mentioned": norm.dates_mentioned,
        "word_count": len(body.split()),
        "removed": removed,
        "extracted_by": extracted_by,
        "authors": list(byline.authors),
        "contributors": [c for c in byline.contributors if c not in byline.authors],
        "language": detect_language(body, page.language),
    }
    doc["content_hash"] = content_hash(doc)
    return doc


def lend_agency(doc: dict[str, Any], agency: str) -> None:
    """Give a document whose text credits no agency the one its site's evidence lends it
    (`newsetl.learned.lend`), marked as lent, and hash it again."""
    doc["agency"], doc["agency_source"] = agency, AGENCY_LENT
    doc["content_hash"] = content_hash(doc)
