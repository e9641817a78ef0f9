"""Reflowing hard-wrapped wire text: paragraphs back, nothing else changed."""

from __future__ import annotations

import re
import textwrap

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tests.conftest import SEED
from transforms.clean import clean_text
from transforms.paragraphs import repaired_paragraphs
from transforms.reflow import reflow, wrap_layout

# Reuters-21578 NEWID 1 (first lines), as the wire sent it: indented paragraphs, 64 columns.
REUTERS = """
    TOKYO, April 8 - The Ministry of International Trade and
Industry (MITI) will revise its long-term energy supply/demand
outlook by August to meet a forecast downtrend in Japanese
energy demand, ministry officials said.
    MITI is expected to lower the projection for primary energy
supplies in the year 2000 to 550 mln kilolitres (kl) from 600
mln, they said.
    The decision follows the emergence of structural changes in
Japanese industry following the rise in the value of the yen
and a decline in domestic electric power demand.
 REUTER
"""
LEDE = (
    "TOKYO, April 8 - The Ministry of International Trade and Industry (MITI) will revise its "
    "long-term energy supply/demand outlook by August to meet a forecast downtrend in Japanese "
    "energy demand, ministry officials said."
)


def test_wire_story_reflowed_into_its_paragraphs() -> None:
    paragraphs = reflow(REUTERS).split("\n\n")
    assert paragraphs[0] == LEDE
    assert len(paragraphs) == 4
    assert paragraphs[-1] == "REUTER"  # the sign-off stays a paragraph of its own


def test_lede_and_dateline_kept_by_the_cleaner() -> None:
    cleaned = clean_text(REUTERS)
    assert cleaned.body.startswith(LEDE + "\n\n")
    assert cleaned.removed == ("REUTER",)
    assert cleaned.agency == "Reuters"


def test_short_line_inside_an_indented_paragraph_is_no_paragraph_end() -> None:
    """Reuters NEWID 119: the wire left the dateline line short; the sentence goes on."""
    text = (
        "    SUFFIELD, Conn., Feb 26 - Suffield Financial Corp said  \n"
        "Jon Googel and Benjamin Sisti of Colonial Realty, West\n"
        "Hartford, Conn., purchased 175,900 shares of its stock for\n"
        "3,416,624.\n"
        "    The company said the purchase equals 5.2 pct of its\n"
        "outstanding shares.\n"
        " Reuter\n"
    )
    first = reflow(text).split("\n\n")[0]
    assert first.startswith("SUFFIELD, Conn., Feb 26 - Suffield Financial Corp said Jon Googel")
    assert first.endswith("shares of its stock for 3,416,624.")


def test_blank_line_inside_a_sentence_is_a_stray() -> None:
    text = (
        "    STOCKHOLM, March 13 - Sweden's Nordbanken banking group\n\n"
        "said it would postpone indefinitely its planned auction on\n"
        "Monday of 4.2 mln B free shares deposited as loan collateral by\n"
        "its founder.\n"
    )
    assert reflow(text).startswith("STOCKHOLM, March 13 - Sweden's Nordbanken banking group said")


def test_one_sentence_item_wrapped_once() -> None:
    text = (
        "    NEW YORK, March 2 - Acme Corp said its board declared a quarterly dividend\n"
        "of 10 cts a share, payable April 1 to holders of record March 15.\n"
        " Reuter\n"
    )
    assert repaired_paragraphs(text) == [
        "NEW YORK, March 2 - Acme Corp said its board declared a quarterly dividend of 10 cts "
        "a share, payable April 1 to holders of record March 15.",
        "Reuter",
    ]


def test_sign_off_glued_by_no_indent_stays_apart() -> None:
    text = (
        "    BEIRUT, March 2 - Lebanese President Amin Gemayel has\n"
        "agreed to three key points in a new Syrian-brokered plan aimed\n"
        "at ending civil war in Lebanon, official sources said.\n"
        "REUTER\n"
    )
    assert reflow(text).split("\n\n")[-1] == "REUTER"


def test_blank_line_paragraphs_and_short_last_lines() -> None:
    text = (
        "The council voted on Tuesday to close the old harbour road for\n"
        "repairs over the summer, the mayor said.\n"
        "Traders on the road said they had not been asked.\n"
        "\n"
        "Work starts in June and is due to end before the autumn fair,\n"
        "which draws visitors from across the region each year.\n"
    )
    assert reflow(text).split("\n\n") == [
        "The council voted on Tuesday to close the old harbour road for repairs over the "
        "summer, the mayor said.",
        "Traders on the road said they had not been asked.",
        "Work starts in June and is due to end before the autumn fair, which draws visitors "
        "from across the region each year.",
    ]


def test_seed_is_not_wrapped() -> None:
    text = SEED.read_text(encoding="utf-8")
    assert wrap_layout(text) is None
    assert reflow(text) == text


UNWRAPPED = [
    # L3S-style dump: one paragraph a line, no blank lines.
    "Oil prices rose on Tuesday as traders weighed the chance of supply cuts by producers in "
    "the Middle East and a slowdown in U.S. shale output over the coming months.\n"
    "Brent crude futures were up 1.2 percent at 82 dollars a barrel by midday in London.\n"
    "Analysts said the market remained nervous after weeks of swings driven by shifting "
    "expectations for interest rates in the United States and Europe, and by the war.",
    # A scraper's dump: headline, byline, timestamp, menu, a paragraph.
    "Israel and Hamas are making progress in cease-fire talks\nBy Jane Doe\n"
    "Published 5:32 PM EST, February 13, 2024\nWorld\nSports\nBusiness\n"
    "CAIRO (AP) — Israel and Hamas are making progress toward a deal, officials said.",
    # A JSON text field: paragraphs one blank line apart.
    "CAIRO (AP) — Talks resumed on Tuesday, officials said.\n\nThe talks are in Cairo.\n\nEnds.",
    "Home\nNews\nSports\nContact us",
    "Tour dates:\nJune 9 – Tampa, FL\nJune 11 – Atlanta, GA\nJune 14 – Nashville, TN",
]


def test_unwrapped_texts_come_out_unchanged() -> None:
    for text in UNWRAPPED:
        assert wrap_layout(text) is None, text
        assert reflow(text) == text


_VOCABULARY = (
    "the council said on tuesday that its plan for harbour road would cost about "
    "mln dlrs and take until june officials Acme Corp <ACME> 1987 U.S. 4.2 pct"
)
_WORDS = st.sampled_from(_VOCABULARY.split())
_SENTENCE = st.lists(_WORDS, min_size=4, max_size=18).map(
    lambda words: " ".join(words).capitalize() + "."
)
_PARAGRAPH = st.lists(_SENTENCE, min_size=1, max_size=4).map(" ".join)
_STYLE = st.sampled_from(["indent", "blank"])


def _wrapped(paragraphs: list[str], width: int, style: str) -> str:
    if style == "indent":
        return "".join(
            textwrap.fill(p, width, initial_indent="    ", break_long_words=False) + "\n"
            for p in paragraphs
        )
    return "\n\n".join(textwrap.fill(p, width, break_long_words=False) for p in paragraphs)


@settings(max_examples=200, deadline=None)
@given(st.lists(_PARAGRAPH, min_size=1, max_size=6), st.integers(50, 90), _STYLE)
def test_wrapped_paragraphs_come_back_exactly(
    paragraphs: list[str], width: int, style: str
) -> None:
    text = _wrapped(paragraphs, width, style)
    assume(wrap_layout(text) is not None)
    assert reflow(text) == "\n\n".join(paragraphs)


@settings(max_examples=200, deadline=None)
@given(st.lists(_PARAGRAPH, min_size=1, max_size=6), st.integers(50, 90), _STYLE)
def test_wrapped_text_of_several_lines_is_recognized(
    paragraphs: list[str], width: int, style: str
) -> None:
    """Two wraps inside a sentence are evidence enough (a wrap at a sentence end is none)."""
    text = _wrapped(paragraphs, width, style)
    indent = "    " * (style == "indent")
    wrapped = [
        lines
        for p in paragraphs
        if len(lines := textwrap.wrap(p, width, initial_indent=indent)) > 1
    ]
    wraps = sum(not line.endswith(".") for lines in wrapped for line in lines[:-1])
    widest = max((len(line) for lines in wrapped for line in lines), default=0)
    assume(wraps >= 2 and widest >= 50)  # 50 columns: the narrowest wrap width
    assert wrap_layout(text) is not None


@settings(max_examples=200, deadline=None)
@given(st.lists(_PARAGRAPH, min_size=1, max_size=6), st.integers(50, 90))
def test_breaks_only_at_sentence_ends_with_short_last_lines(
    paragraphs: list[str], width: int
) -> None:
    """Paragraphs marked by nothing but a short last line: paragraphs may merge, but a break
    never falls inside a sentence."""
    text = "\n".join(textwrap.fill(p, width, break_long_words=False) for p in paragraphs)
    out = reflow(text)
    if out != text:
        assert all(p.endswith(".") for p in out.split("\n\n"))


_ANY = st.one_of(
    st.text(max_size=600),
    st.lists(st.one_of(_PARAGRAPH, st.sampled_from(["", "    ", " Reuter", "    Shr 10 cts"]))).map(
        "\n".join
    ),
    st.builds(_wrapped, st.lists(_PARAGRAPH, min_size=1, max_size=5), st.integers(50, 100), _STYLE),
)


@settings(max_examples=300, deadline=None)
@given(_ANY)
def test_reflow_properties(text: str) -> None:
    out = reflow(text)
    assert out.split() == text.split()  # only white space changes: no word dropped or made
    assert reflow(out) == out  # idempotent
    if out != text:
        assert not re.search(r"\n[ \t]*\n[ \t]*\n", out)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(min_size=101, max_size=300).map(lambda s: "x" * 101 + s), max_size=8))
def test_lines_longer_than_any_wrap_are_left_alone(lines: list[str]) -> None:
    text = "\n".join(line.replace("\n", " ") for line in lines)
    assert reflow(text) == text
