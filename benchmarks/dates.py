"""Publication-date accuracy on htmldate's MediaCloud sample: newsetl against htmldate itself.

For each page in ``gold.json`` ({url: {file, date}}, five dates are NaN and skipped) newsetl's
``normalize_article(body, html=page, url=url)`` gives ``published_at``; its calendar day as
written on the page (UTC time shifted back by the recorded offset) is compared with the gold
day. htmldate's ``find_date`` runs on the same HTML string in the same process, in its default
(extensive) mode and its fast mode (``extensive_search=False``), both with the URL. Timings are
of a second pass (steady state, as over a long ingest): one-time costs such as imports, the
gazetteer and dateparser's locale tables are left out, htmldate's memo caches are reset before
each timed pass, and the visible-text extraction is not counted.

    .venv/bin/python benchmarks/dates.py [--json] [--body text|empty]
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from importlib.metadata import version
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import lxml.html  # noqa: E402
from htmldate import find_date  # noqa: E402
from htmldate.meta import reset_caches  # noqa: E402

from transforms import gazetteer  # noqa: E402
from transforms.normalize import normalize_article  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpora" / "htmldate-mediacloud"


def visible_text(html: str) -> str:
    """Rough page text (scripts and styles dropped), standing in for the cleaned body."""
    try:
        tree = lxml.html.document_fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return ""
    for bad in tree.xpath("//script|//style|//noscript"):
        bad.drop_tree()
    lines = (line.strip() for line in tree.text_content().splitlines())
    return "\n".join(line for line in lines if line)


def local_day(published_at: str | None, offset: str | None) -> str | None:
    """The day as the page wrote it: the UTC time moved back by its original offset."""
    if published_at is None:
        return None
    stamp = datetime.strptime(published_at, "%Y-%m-%dT%H:%M:%SZ")
    if offset:
        sign = -1 if offset[0] == "-" else 1
        hours, minutes = int(offset[1:3]), int(offset[4:6])
        stamp += sign * timedelta(hours=hours, minutes=minutes)
    return stamp.strftime("%Y-%m-%d")


def run(body_mode: str) -> dict[str, object]:
    gold = json.loads((CORPUS / "gold.json").read_text("utf-8"))
    pages = [
        (url, (CORPUS / "pages" / spec["file"]).read_text("utf-8", errors="replace"), spec["date"])
        for url, spec in gold.items()
        if isinstance(spec["date"], str)
    ]
    skipped = sum(1 for spec in gold.values() if not isinstance(spec["date"], str))
    now = datetime.now(UTC)
    gazetteer.warm()

    bodies = {url: visible_text(page) if body_mode == "text" else "" for url, page, _ in pages}

    def newsetl(url: str, page: str) -> str | None:
        result = normalize_article(bodies[url], html=page, url=url, now=now)
        sources[result.published_at_source] += 1
        return local_day(result.published_at, result.published_at_offset)

    systems: dict[str, Callable[[str, str], str | None]] = {
        "newsetl": newsetl,
        "htmldate default (extensive)": lambda url, page: find_date(page, url=url),
        "htmldate fast": lambda url, page: find_date(page, url=url, extensive_search=False),
    }
    sources: Counter[str] = Counter()
    figures: dict[str, dict[str, float]] = {}
    for system in systems.values():  # warm-up pass: imports, dateparser's locale tables
        for url, page, _ in pages:
            try:
                system(url, page)
            except Exception:  # counted in the timed pass
                continue
    sources.clear()
    for name, system in systems.items():
        reset_caches()  # htmldate memoizes date expressions: each system starts cold
        correct = found = 0
        started = time.perf_counter()
        for url, page, day in pages:
            try:
                answer = system(url, page)
            except Exception:  # a crash on one page counts as no answer
                answer = None
            found += answer is not None
            correct += answer == day
        elapsed = time.perf_counter() - started
        figures[name] = {
            "day_accuracy": correct / len(pages),
            "coverage": found / len(pages),
            "precision": correct / found if found else math.nan,
            "us_per_doc": elapsed / len(pages) * 1e6,
        }
    return {
        "corpus": "htmldate-mediacloud",
        "pages": len(pages),
        "skipped_nan_gold": skipped,
        "body": body_mode,
        "systems": figures,
        "newsetl_sources": dict(sources),
        "versions": {
            "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "python": platform.python_version(),
            "htmldate": version("htmldate"),
            "lxml": version("lxml"),
        },
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    parser.add_argument(
        "--body",
        choices=("text", "empty"),
        default="text",
        help="body passed to newsetl: the page's visible text, or empty",
    )
    args = parser.parse_args()
    if not CORPUS.is_dir():
        print(f"corpus not found: {CORPUS}", file=sys.stderr)
        return 2
    figures = run(args.body)
    if args.json:
        print(json.dumps(figures))
        return 0
    print(
        f"htmldate-mediacloud: {figures['pages']} pages with a gold date "
        f"({figures['skipped_nan_gold']} NaN skipped), newsetl body = {figures['body']}"
    )
    print(f"{'system':<30}{'day acc':>9}{'coverage':>10}{'precision':>11}{'µs/doc':>10}")
    for name, f in figures["systems"].items():  # type: ignore[attr-defined]
        print(
            f"{name:<30}{f['day_accuracy']:>9.3f}{f['coverage']:>10.3f}"
            f"{f['precision']:>11.3f}{f['us_per_doc']:>10.0f}"
        )
    print(
        "newsetl sources: "
        + ", ".join(f"{k} {v}" for k, v in sorted(figures["newsetl_sources"].items()))
    )  # type: ignore[attr-defined]
    print("versions: " + ", ".join(f"{k} {v}" for k, v in figures["versions"].items()))  # type: ignore[attr-defined]
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
