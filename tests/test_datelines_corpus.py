"""Dateline accuracy on a slice of Reuters-21578 (skipped without the shared corpora)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.datelines import gold, stories
from transforms import gazetteer
from transforms.normalize import normalize_article

SLICE = 1500  # stories: enough for a stable figure, fast enough for every run


def test_reuters_city_and_date_accuracy(corpora: Path) -> None:
    now = datetime.now(UTC)
    n = city_ok = date_ok = dated = year_ok = 0
    for story in itertools.islice(stories(corpora / "reuters21578-train"), SLICE):
        g = gold(story.dateline)
        text = story.dateline.strip() + " " + story.body
        plain = normalize_article(text, now=now).dateline or {}
        record = normalize_article(text, record_date=story.date, now=now).dateline or {}
        n += 1
        city_ok += gazetteer.fold(str(plain.get("city") or "")) == g.city
        if g.month is not None:
            dated += 1
            date_ok += str(plain.get("date"))[-5:] == f"{g.month:02d}-{g.day:02d}"
            year_ok += record.get("date") == f"1987-{g.month:02d}-{g.day:02d}"
    assert n == SLICE
    assert city_ok / n >= 0.99
    assert date_ok / dated >= 0.99
    assert year_ok / dated >= 0.99
