"""Authors, language and publication date on readability's test pages, through the user's path.

Each page of ``../shared/corpora/readability-test-pages/pages/<name>/source.html`` is written
as ``<name>.html`` into a temporary folder with no URL and no sidecar, as a scraper leaves
pages, and run through ``newsetl.pipeline.transform_paths`` (what ``newsetl transform``
runs). trafilatura (``bare_extraction`` metadata), newspaper4k (``Article`` parsed from the
HTML string, offline) and, for dates, htmldate in both ``original_date`` modes run on the same
HTML strings in the same run.

Gold ``byline`` values are the strings the pages show ("By Dan Goodin", "Martin Untersinger
(avec Damien Leloup et Morgane Tual)"), so names are compared, not strings. One normalizer,
`names`, is applied to the gold and to every system's answer alike:
  - a parenthesis holding one token (a link, a handle) goes; one opening with "avec",
    "with" or "and" lists more names; any other is unwrapped (a middle name);
  - the text is split on commas, semicolons, "&", line breaks and the words and/et/avec;
  - a piece loses a leading "By", "Par", "Written by", "Edited by", and is cut at a figure,
    "Updated" or a month name followed by a figure (a timestamp);
  - pieces of at most three capitals (credentials: "MA") and pieces naming an outlet (with
    the word News, Media, Press, Times, Post, Magazine or Journal) go;
  - the rest is case-folded with spaces collapsed.
A page is right when the two sets of names are equal (no author is right only when the
gold has no name left). Precision is over the pages where a system names someone.

The same run measures the dev pages with whatever gold they have: the page's own URL on
``article-extraction-benchmark`` (gold ``url``) and ``htmldate-mediacloud`` (the gold's
keys), and the publication day on ``htmldate-mediacloud``. Each set's pages go through
``transform_paths`` from a folder with no URL; newsetl's URL is ``source.url`` (what the page
names itself), trafilatura's its metadata ``url``, newspaper4k's ``canonical_link``. URLs are
compared without scheme, ``www.``, fragment and trailing slash.

Languages are compared on the ISO 639-1 part of ``lang`` ("en-US" -> "en"); dates on the day
as written (newsetl's UTC instant moved back by ``published_at_offset``; the gold's own
local date part).

    .venv/bin/python benchmarks/metadata.py [--limit N] [--json] [--no-dev]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from anchors import htmldate_day, newspaper_meta, trafilatura_meta, versions  # noqa: E402

from newsetl.pipeline import transform_paths  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpora" / "readability-test-pages"

_ONE_TOKEN_PAREN = re.compile(r"\(\S*\)")
_PAREN = re.compile(r"\((?!\s*(?:avec|with|and)\b)([^()]*)\)", re.I)
_SPLIT = re.compile(r"\s*(?:,|;|&|\n|\band\b|\bet\b|\bavec\b|\bwith\b|\(|\))\s*", re.I)
_PREFIX = re.compile(r"^(?:written by|edited by|by|par)(?:\s+|$)", re.I)
_CUT = re.compile(
    r"\b(?:last updated|updated)\b|\d|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
    r"[a-z]*\.?\s+\d",
    re.I,
)
_OUTLET = re.compile(r"\b(?:news|media|press|times|post|magazine|journal)\b", re.I)


def names(byline: str | None) -> frozenset[str]:
    """The set of names a byline string holds, normalized the same way for every side."""
    if not byline:
        return frozenset()
    text = _PAREN.sub(r"\1", _ONE_TOKEN_PAREN.sub(" ", byline))
    out = set()
    for piece in _SPLIT.split(text):
        piece = _CUT.split(_PREFIX.sub("", piece.strip()))[0].strip(" .:")
        if not piece or (piece.isupper() and len(piece) <= 3) or _OUTLET.search(piece):
            continue
        out.add(" ".join(piece.casefold().split()))
    return frozenset(out)


def local_day(published_at: str | None, offset: str | None) -> str | None:
    """The day as the page wrote it: the UTC time moved back by its original offset."""
    if published_at is None:
        return None
    stamp = datetime.strptime(published_at, "%Y-%m-%dT%H:%M:%SZ")
    if offset:
        sign = -1 if offset[0] == "-" else 1
        stamp += sign * timedelta(hours=int(offset[1:3]), minutes=int(offset[4:6]))
    return stamp.strftime("%Y-%m-%d")


def _lang(value: str | None) -> str | None:
    m = re.match(r"\s*([A-Za-z]{2,3})\b", value or "")
    return m.group(1).lower() if m else None


def load(limit: int | None) -> list[dict[str, Any]]:
    pages = []
    for folder in sorted((CORPUS / "pages").iterdir()):
        meta_path, source = folder / "expected-metadata.json", folder / "source.html"
        if not (meta_path.is_file() and source.is_file()):
            continue
        meta = json.loads(meta_path.read_text("utf-8"))
        pages.append(
            {
                "name": folder.name,
                "html": source.read_text("utf-8", errors="replace"),
                "byline": meta.get("byline"),
                "lang": _lang(meta.get("lang")),
                "day": (meta.get("publishedTime") or "")[:10] or None,
            }
        )
    return pages[:limit] if limit else pages


def _transformed(pages: list[dict[str, Any]]) -> tuple[dict[str, dict[str, Any]], float]:
    """newsetl's document for each page by name, from a folder of .html files, as the user
    runs it; and the seconds per page."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        paths = []
        for page in pages:
            path = root / f"{page['name']}.html"
            path.write_text(page["html"], "utf-8")
            paths.append(path)
        started = time.perf_counter()
        batch = transform_paths(paths, root, now=datetime.now(UTC))
        elapsed = time.perf_counter() - started
    docs = {doc["source"]["path"].removesuffix(".html"): doc for doc in batch.docs}
    return docs, elapsed / max(len(pages), 1)


def newsetl_answers(pages: list[dict[str, Any]]) -> tuple[dict[str, dict[str, Any]], float]:
    """newsetl's authors, language and day for the readability pages."""
    docs, seconds = _transformed(pages)
    out = {
        name: {
            "authors": ", ".join(doc["authors"]),
            "language": doc["language"],
            "date": local_day(doc["published_at"], doc["published_at_offset"]),
        }
        for name, doc in docs.items()
    }
    return out, seconds


def score(rows: list[tuple[Any, Any]], *, empty_ok: bool) -> dict[str, float]:
    """Accuracy over all rows; precision and coverage over the rows answered."""
    right = sum(g == a for g, a in rows)
    answered = [(g, a) for g, a in rows if a]
    good = sum(g == a for g, a in answered)
    return {
        "n": len(rows),
        "accuracy": right / len(rows) if rows else 0.0,
        "answered": len(answered) / len(rows) if rows else 0.0,
        "precision": good / len(answered) if answered else 0.0,
    }


def run(limit: int | None) -> dict[str, Any]:
    pages = load(limit)
    ours, ours_s = newsetl_answers(pages)
    tools: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
        "trafilatura": lambda p: trafilatura_meta(p["html"], None),
        "newspaper4k": lambda p: newspaper_meta(p["html"], None),
    }
    answers: dict[str, dict[str, dict[str, Any]]] = {"newsetl": ours}
    seconds = {"newsetl": ours_s}
    for name, tool in tools.items():
        started = time.perf_counter()
        answers[name] = {p["name"]: tool(p) for p in pages}
        seconds[name] = (time.perf_counter() - started) / max(len(pages), 1)
    for original in (False, True):
        name = f"htmldate original_date={original}"
        started = time.perf_counter()
        answers[name] = {p["name"]: {"date": htmldate_day(p["html"], None, original=original)}
                         for p in pages}
        seconds[name] = (time.perf_counter() - started) / max(len(pages), 1)

    def author_of(system: str, page: str) -> str | None:
        found = answers[system].get(page, {})
        value = found.get("authors", found.get("author"))
        return ", ".join(value) if isinstance(value, list) else value

    table: dict[str, dict[str, Any]] = {}
    with_byline = [p for p in pages if p["byline"]]
    with_lang = [p for p in pages if p["lang"]]
    with_day = [p for p in pages if p["day"]]
    for system in answers:
        row: dict[str, Any] = {"ms_per_doc": seconds[system] * 1000}
        if system in ("newsetl", "trafilatura", "newspaper4k"):
            row["authors"] = score(
                [(names(p["byline"]), names(author_of(system, p["name"]))) for p in with_byline],
                empty_ok=True,
            )
        if system in ("newsetl", "newspaper4k"):
            row["language"] = score(
                [(p["lang"], _lang(answers[system].get(p["name"], {}).get("language")))
                 for p in with_lang],
                empty_ok=False,
            )
        row["date"] = score(
            [(p["day"], answers[system].get(p["name"], {}).get("date")) for p in with_day],
            empty_ok=False,
        )
        table[system] = row
    return {
        "corpus": "readability-test-pages",
        "pages": len(pages),
        "with_byline": len(with_byline),
        "with_lang": len(with_lang),
        "with_date": len(with_day),
        "systems": table,
        "versions": versions("trafilatura", "htmldate", "newspaper4k", "py3langid"),
    }


def same_url(url: str | None) -> str | None:
    """A URL as compared: host without ``www.``, path without trailing slash, query kept."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").removeprefix("www.")
    if not host:
        return None
    query = f"?{parts.query}" if parts.query else ""
    return f"{host}{parts.path.rstrip('/')}{query}"


def dev_sets(limit: int | None) -> dict[str, list[dict[str, Any]]]:
    """The dev pages with their gold: {set: [{name, html, url, day}]} (day None when unknown)."""
    import dates as date_bench
    import extraction

    sets: dict[str, list[dict[str, Any]]] = {}
    if extraction.CORPUS.is_dir():
        sets["article-extraction-benchmark"] = [
            {"name": key, "html": html, "url": url, "day": None}
            for key, url, html, _ in extraction.load(limit)
        ]
    if date_bench.CORPUS.is_dir():
        pages, _ = date_bench.load(limit)
        sets["htmldate-mediacloud"] = [
            {"name": f"{i:04d}", "html": html, "url": url, "day": day}
            for i, (url, html, day) in enumerate(pages)
        ]
    return sets


def _dev_newsetl(pages: list[dict[str, Any]]) -> tuple[dict[str, dict[str, Any]], float]:
    docs, seconds = _transformed(pages)
    out = {
        name: {
            "url": doc["source"]["url"],
            "date": local_day(doc["published_at"], doc["published_at_offset"]),
        }
        for name, doc in docs.items()
    }
    return out, seconds


def run_dev(limit: int | None) -> dict[str, Any]:
    """Page URL (and day, where known) on each dev set, newsetl and the anchors in one run."""
    out: dict[str, Any] = {}
    for corpus, pages in dev_sets(limit).items():
        answers: dict[str, dict[str, dict[str, Any]]] = {}
        seconds: dict[str, float] = {}
        answers["newsetl"], seconds["newsetl"] = _dev_newsetl(pages)
        tools: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "trafilatura": lambda p: trafilatura_meta(p["html"], None),
            "newspaper4k": lambda p: newspaper_meta(p["html"], None),
        }
        for name, tool in tools.items():
            started = time.perf_counter()
            answers[name] = {p["name"]: tool(p) for p in pages}
            seconds[name] = (time.perf_counter() - started) / max(len(pages), 1)
        dated = [p for p in pages if p["day"]]
        table: dict[str, dict[str, Any]] = {}
        for system, found in answers.items():
            row: dict[str, Any] = {"ms_per_doc": seconds[system] * 1000}
            row["url"] = score(
                [(same_url(p["url"]), same_url(found.get(p["name"], {}).get("url")))
                 for p in pages],
                empty_ok=False,
            )
            if dated:
                row["date"] = score(
                    [(p["day"], found.get(p["name"], {}).get("date")) for p in dated],
                    empty_ok=False,
                )
            table[system] = row
        out[corpus] = {"pages": len(pages), "with_date": len(dated), "systems": table}
    return out


def _print_dev(dev: dict[str, Any]) -> None:
    for corpus, figures in dev.items():
        print()
        print(
            f"{corpus}: {figures['pages']} pages, {figures['with_date']} with a date; "
            "newsetl through transform_paths on a folder of .html files, no URL"
        )
        print("| system | page URL | URL answered | URL precision | date | ms/doc |")
        print("|" + " --- |" * 6)
        for name, row in figures["systems"].items():
            u, d = row["url"], row.get("date")
            cells = [
                f"{u['accuracy']:.3f}",
                f"{u['answered']:.3f}",
                f"{u['precision']:.3f}",
                f"{d['accuracy']:.3f}" if d else "n/a",
                f"{row['ms_per_doc']:.0f}",
            ]
            print(f"| {name} | " + " | ".join(cells) + " |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, default=None, help="first N pages only")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--no-dev", action="store_true", help="readability pages only")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        print(f"corpus not found: {CORPUS}", file=sys.stderr)
        return 2
    figures = run(args.limit)
    dev = {} if args.no_dev else run_dev(args.limit)
    if args.json:
        print(json.dumps({**figures, "dev": dev}))
        return 0
    print(
        f"readability-test-pages: {figures['pages']} pages, {figures['with_byline']} with a "
        f"byline, {figures['with_lang']} with a language, {figures['with_date']} with a date; "
        "newsetl through transform_paths on a folder of .html files, no URL"
    )
    print("| system | authors exact | authors precision | answered | language | date | ms/doc |")
    print("|" + " --- |" * 7)
    for name, row in figures["systems"].items():
        a, lang, d = row.get("authors"), row.get("language"), row["date"]
        cells = [
            f"{a['accuracy']:.3f}" if a else "n/a",
            f"{a['precision']:.3f}" if a else "n/a",
            f"{a['answered']:.3f}" if a else "n/a",
            f"{lang['accuracy']:.3f}" if lang else "n/a",
            f"{d['accuracy']:.3f}",
            f"{row['ms_per_doc']:.0f}",
        ]
        print(f"| {name} | " + " | ".join(cells) + " |")
    _print_dev(dev)
    print("versions: " + ", ".join(f"{k} {v}" for k, v in figures["versions"].items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
