"""Publication dates on htmldate's MediaCloud sample, through the user's path, against every anchor.

Each page of ``../shared/corpora/htmldate-mediacloud`` with a gold date (``gold.json``;
five dates are the token NaN and are skipped) is written as a ``.html`` file into a folder and
run through ``newsetl.pipeline.transform_paths``, what ``newsetl transform`` runs:

- row "newsetl, no URL": the folder holds the pages alone, as a scraper leaves them;
- row "newsetl, URL in sidecar": each page has a ``.json`` sidecar holding its URL.

newsetl's answer is the calendar day the page itself shows: the UTC ``published_at`` moved
back by ``published_at_offset``. The anchors run in the same process on the same HTML strings,
without the URL (and htmldate also with it): htmldate's ``find_date`` in extensive mode with
``original_date`` False and True, trafilatura's metadata date, newspaper4k's publish date
(parsed from the HTML string, offline).

    .venv/bin/python benchmarks/dates.py [--limit N] [--json]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from anchors import htmldate_day, newspaper_meta, trafilatura_meta, versions  # noqa: E402
from metadata import local_day  # noqa: E402

from newsetl.pipeline import transform_paths  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpora" / "htmldate-mediacloud"


def load(limit: int | None) -> tuple[list[tuple[str, str, str]], int]:
    gold = json.loads((CORPUS / "gold.json").read_text("utf-8"))  # NaN tokens: Python reads them
    pages = [
        (url, (CORPUS / "pages" / spec["file"]).read_text("utf-8", errors="replace"), spec["date"])
        for url, spec in gold.items()
        if isinstance(spec["date"], str)
    ]
    skipped = sum(1 for spec in gold.values() if not isinstance(spec["date"], str))
    return (pages[:limit] if limit else pages), skipped


def newsetl_days(
    pages: list[tuple[str, str, str]], *, with_url: bool
) -> tuple[list[str | None], Counter[str], float]:
    """newsetl's day for each page, from a folder of .html files (and sidecars)."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        paths = []
        for i, (url, page, _) in enumerate(pages):
            path = root / f"{i:04d}.html"
            path.write_text(page, "utf-8")
            if with_url:
                (root / f"{i:04d}.json").write_text(json.dumps({"url": url}), "utf-8")
            paths.append(path)
        started = time.perf_counter()
        batch = transform_paths(paths, root, now=datetime.now(UTC))
        elapsed = time.perf_counter() - started
    by_path = {doc["source"]["path"]: doc for doc in batch.docs}
    days: list[str | None] = []
    sources: Counter[str] = Counter()
    for i in range(len(pages)):
        doc = by_path.get(f"{i:04d}.html")
        sources[doc["published_at_source"] if doc else "quarantined"] += 1
        days.append(local_day(doc["published_at"], doc["published_at_offset"]) if doc else None)
    return days, sources, elapsed / max(len(pages), 1)


def _figures(days: list[str | None], gold: list[str], seconds: float) -> dict[str, float]:
    correct = sum(d == g for d, g in zip(days, gold, strict=True))
    found = sum(d is not None for d in days)
    return {
        "day_accuracy": correct / len(gold),
        "coverage": found / len(gold),
        "precision": correct / found if found else math.nan,
        "ms_per_doc": seconds * 1000,
    }


def run(limit: int | None) -> dict[str, Any]:
    pages, skipped = load(limit)
    gold = [day for _, _, day in pages]
    systems: dict[str, dict[str, float]] = {}
    sources: dict[str, dict[str, int]] = {}
    for with_url, name in ((False, "newsetl, no URL"), (True, "newsetl, URL in sidecar")):
        days, used, seconds = newsetl_days(pages, with_url=with_url)
        systems[name] = _figures(days, gold, seconds)
        sources[name] = dict(used)
    anchors: dict[str, Callable[[str, str], str | None]] = {
        "htmldate original_date=False, no URL": lambda u, p: htmldate_day(p, None, original=False),
        "htmldate original_date=True, no URL": lambda u, p: htmldate_day(p, None, original=True),
        "trafilatura, no URL": lambda u, p: trafilatura_meta(p, None).get("date"),
        "newspaper4k, no URL": lambda u, p: newspaper_meta(p, None).get("date"),
        "htmldate original_date=False, URL": lambda u, p: htmldate_day(p, u, original=False),
        "htmldate original_date=True, URL": lambda u, p: htmldate_day(p, u, original=True),
    }
    for name, anchor in anchors.items():
        started = time.perf_counter()
        days = [anchor(url, page) for url, page, _ in pages]
        systems[name] = _figures(days, gold, (time.perf_counter() - started) / len(pages))
    return {
        "corpus": "htmldate-mediacloud",
        "pages": len(pages),
        "skipped_nan_gold": skipped,
        "systems": systems,
        "newsetl_sources": sources,
        "versions": versions("htmldate", "trafilatura", "newspaper4k", "lxml"),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, default=None, help="first N pages only")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        print(f"corpus not found: {CORPUS}", file=sys.stderr)
        return 2
    figures = run(args.limit)
    if args.json:
        print(json.dumps(figures))
        return 0
    print(
        f"htmldate-mediacloud: {figures['pages']} pages with a gold date "
        f"({figures['skipped_nan_gold']} NaN skipped); day as the page writes it"
    )
    print("| system | day accuracy | coverage | precision | ms/doc |")
    print("| --- | --- | --- | --- | --- |")
    for name, f in figures["systems"].items():
        print(
            f"| {name} | {f['day_accuracy']:.3f} | {f['coverage']:.3f} | "
            f"{f['precision']:.3f} | {f['ms_per_doc']:.0f} |"
        )
    for name, used in figures["newsetl_sources"].items():
        print(f"{name} sources: " + ", ".join(f"{k} {v}" for k, v in sorted(used.items())))
    print("versions: " + ", ".join(f"{k} {v}" for k, v in figures["versions"].items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
