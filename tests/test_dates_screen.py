"""`transforms.dates`: the screened date pattern finds exactly the dates the plain one does.

`find_dates` reads text through `screened_dates` (a start test in front of the five
alternatives). The test is only a necessary condition, so every match, its span and every
group, must be the plain alternatives' own: compared here on generated date-like text
(digits of several scripts, month names in any case, separators, every kind of space) and
on Reuters stories.
"""

from __future__ import annotations

import itertools
import re
from functools import cache
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.dates import _calendar, _patterns, date_alternatives, screened_dates

_PIECES = [
    "Feb", "feb.", "FEBRUARY", "March", "may", "Sept.", "février", "de", "of", "Tuesday",
    "2024", "1987", "13", "3", "31st", "2nd", "07", "99", "١٢", "１２", "٣",
    "-", "/", ".", ",", ":", "T", "Z", "+05:30", "12:30", "a", "x", "_", "(", ")",
    " ", "  ", "\n", "\t", "\u00a0", "\u3000",
]


@cache
def _plain() -> re.Pattern[str]:
    return re.compile(date_alternatives(_calendar().month_re))


def _matches(pattern: re.Pattern[str], text: str) -> list[tuple[tuple[int, int], dict]]:
    return [(m.span(), m.groupdict()) for m in pattern.finditer(text)]


def test_find_dates_uses_the_screened_pattern() -> None:
    assert _patterns().date.pattern == screened_dates(_calendar().month_re)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=40))
def test_same_matches_on_date_like_text(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert _matches(_patterns().date, text) == _matches(_plain(), text)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=200))
def test_same_matches_on_any_text(text: str) -> None:
    assert _matches(_patterns().date, text) == _matches(_plain(), text)


def test_same_matches_on_written_dates() -> None:
    text = (
        "On Feb. 13, 2024 at 5 pm, 13 February 2024, 2024-02-13T10:00Z, 2024/2/13, 02/13/2024,"
        " 13.02.24 and March\n 3 1987; not x2024-02-13 or 1/2/3/4."
    )
    found = _matches(_patterns().date, text)
    assert len(found) >= 6  # the comparison is not of empty lists
    assert found == _matches(_plain(), text)


def test_same_matches_on_reuters_stories(corpora: Path) -> None:
    from benchmarks.reuters import REUTERS, read_stories

    for story in itertools.islice(read_stories(REUTERS), 500):
        text = f"{story.dateline} {story.body}"
        assert _matches(_patterns().date, text) == _matches(_plain(), text)
