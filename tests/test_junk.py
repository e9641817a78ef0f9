"""Kinds of junk that leaked into bodies, in text dumps and in pages, and story lines that
look like them but stay. Every example is made up: the rules are kinds, not strings."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsetl.readers import RawRecord, read_file
from transforms.clean import clean_text
from transforms.html import extract_html
from transforms.teasers import teaser_runs

STORY = [
    "LISBON, March 4 (Reuters) - Portugal's parliament approved a plan on Thursday to build "
    "a second airport near the capital, ending a debate that has lasted for two decades.",
    "The project will cost about 6 billion euros and is due to open in 2034, the transport "
    "minister told lawmakers after the vote, which passed with a large majority.",
    "Airlines have long complained that the current airport is full at peak hours, and "
    "tourism groups said the delay had cost the country millions of visitors.",
    "Opposition parties said the site chosen would harm a nature reserve and called for an "
    "independent review of the plan's environmental impact.",
]

TEASERS = [
    "The Quiet Valley – Book Review",
    "A Winter In Oslo – Book Review",
    "Letters From The Coast – Book Review",
    "Hidden Rivers – Book Review",
]
TRUST = "Our editorial principles: The Example Media Group Code of Ethics."
PITCH = "Never miss a story: turn on alerts"
SECTION = "LATEST / MORE FROM THE REGION"
CAPTION = (
    "FILE PHOTO: A passenger walks past departure boards at an airport in Lisbon, Portugal, "
    "May 2, 2022. REUTERS/Jane Roe/File Photo"
)
CREDIT_CAPTION = (
    "Travellers queue at a check-in desk in Lisbon, Portugal, May 2, 2022. AFP/John Doe"
)
BREADCRUMB = "Start > Business > Transport > Europe"
JUNK = [TRUST, PITCH, SECTION, CAPTION, CREDIT_CAPTION, BREADCRUMB]


def _dump(*parts: str) -> str:
    return "\n\n".join(parts)


@pytest.mark.parametrize("junk", JUNK)
def test_text_junk_line_removed_and_listed(junk: str) -> None:
    cleaned = clean_text(_dump(junk, *STORY[:2], junk, *STORY[2:]))
    assert cleaned.body == _dump(*STORY)
    assert junk in cleaned.removed


def test_text_teaser_list_removed_and_listed() -> None:
    cleaned = clean_text(_dump(*STORY, *TEASERS))
    assert cleaned.body == _dump(*STORY)
    assert all(t in cleaned.removed for t in TEASERS)


def test_caption_taken_for_the_lede_is_removed() -> None:
    cleaned = clean_text(_dump(CAPTION, *STORY))
    assert cleaned.body.startswith("LISBON, March 4 (Reuters)")


def _page(inside: str) -> str:
    paragraphs = "".join(f"<p>{s}</p>" for s in STORY)
    return (
        "<html><head><title>Lisbon to get second airport</title></head><body>"
        "<nav><a href='/'>Home</a></nav><article><h1>Lisbon to get second airport</h1>"
        f"{paragraphs}{inside}</article></body></html>"
    )


@pytest.mark.parametrize("junk", [TRUST, PITCH, SECTION, CREDIT_CAPTION, BREADCRUMB])
def test_page_junk_paragraph_removed_and_listed(junk: str) -> None:
    extracted = extract_html(_page(f"<p>{junk}</p>"))
    assert extracted.body == _dump(*STORY)
    assert junk in extracted.removed


def test_page_teaser_list_removed_and_listed() -> None:
    extracted = extract_html(_page("".join(f"<p>{t}</p>" for t in TEASERS)))
    assert extracted.body == _dump(*STORY)
    assert all(t in extracted.removed for t in TEASERS)


def test_breadcrumb_first_line_is_not_the_title(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(
        _dump(BREADCRUMB, "Lisbon to get second airport", *STORY), encoding="utf-8"
    )
    [record] = read_file(tmp_path / "a.txt", tmp_path)
    assert isinstance(record, RawRecord)
    assert record.title == "Lisbon to get second airport"
    cleaned = clean_text(record.text or "", title=record.title)
    assert cleaned.body == _dump(*STORY)
    assert BREADCRUMB in cleaned.removed


def test_breadcrumb_then_prose_keeps_every_story_line(tmp_path: Path) -> None:
    """No title line after the breadcrumb: the lede is not taken for a title."""
    (tmp_path / "a.txt").write_text(_dump(BREADCRUMB, *STORY), encoding="utf-8")
    [record] = read_file(tmp_path / "a.txt", tmp_path)
    assert isinstance(record, RawRecord)
    assert record.title is None
    assert clean_text(record.text or "").body == _dump(*STORY)


LOOKALIKES = [
    # story lines that share a shape with a kind of junk, and stay
    "He said the company had broken its own ethics policy.",
    "Be ready for delays, the minister told travellers on Friday.",
    "Photo finishes decided two of the races, officials said.",
    "The board's standards committee will meet again in April to review the findings.",
    "Standards: the new terminal must meet the EU's noise rules, the ministry said.",
    "Lisbon, Porto and Faro / the three airports named in the plan",
    "UPDATE: adds minister's comments in paragraph 2",
]


@pytest.mark.parametrize("line", LOOKALIKES)
def test_story_line_that_looks_like_junk_survives(line: str) -> None:
    cleaned = clean_text(_dump(*STORY[:2], line, *STORY[2:]))
    assert cleaned.body == _dump(*STORY[:2], line, *STORY[2:])


def test_story_lists_are_not_teaser_lists() -> None:
    """Rows that share an ending but are the story's data (a forecast, a results table)."""
    forecast = ["Monday – Rain", "Tuesday – Rain", "Wednesday – Rain"]
    results = ["Porto 2 Benfica 1", "Braga 0 Benfica 1", "Vitoria 3 Benfica 1"]
    quotes = [f"It was {w}, said Ana Costa." for w in ("late", "costly", "needed")]
    for rows in (forecast, results, quotes):
        assert not any(teaser_runs(rows))


_WORD = st.text(alphabet="abcdefghij", min_size=2, max_size=8)


@given(st.lists(st.lists(_WORD, min_size=3, max_size=12), min_size=1, max_size=8))
def test_sentences_are_never_teasers(sentences: list[list[str]]) -> None:
    """A line that ends a sentence is never part of a teaser list, whatever its ending."""
    lines = [" ".join(words).capitalize() + " Book Review." for words in sentences]
    assert not any(teaser_runs(lines))
