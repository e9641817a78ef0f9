"""`transforms.regex_screen` and the boilerplate patterns: screened tries give the answer
of trying every pattern in turn, on any text, and every pattern still removes what it
matches (a pattern the screen lost would fail here)."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from transforms.boilerplate import _patterns, matches_pattern
from transforms.paragraphs import collapse, repaired_paragraphs
from transforms.regex_screen import PatternSet, screen


def _one_by_one(paragraph: str) -> bool:
    """The reference: every pattern of the data file, compiled on its own, tried in turn."""
    text = collapse(paragraph)
    return any(pattern.fullmatch(text) for pattern in _patterns())


_WORDS = st.sampled_from(
    ["share", "by", "Jane", "Roe", "AP", "Getty Images", "click", "here", "©", "2024",
     "all rights reserved", "Reuters", "/", "|", ">", "·", "(", ")", ":", "follow", "us",
     "on", "Twitter", "comments", "12", "photo", "credit", "the", "story", ".", "newsletter"]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_WORDS, max_size=12).map(" ".join))
def test_equal_to_one_by_one_on_furniture_like_text(text: str) -> None:
    assert matches_pattern(text) == _one_by_one(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_equal_to_one_by_one_on_any_text(text: str) -> None:
    assert matches_pattern(text) == _one_by_one(text)


@pytest.mark.parametrize("index", range(len(_patterns())))
def test_every_pattern_still_matches_what_it_matches(index: int) -> None:
    """Text drawn from each pattern itself is boilerplate: dropping a pattern, or screening
    out a text it matches, fails this test for that pattern."""
    pattern = _patterns()[index]

    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.from_regex(pattern, fullmatch=True))
    def check(text: str) -> None:
        if collapse(text) != text:  # the cleaner collapses whitespace before matching
            return
        assert matches_pattern(text)

    check()


def test_screen_reads_starts_and_needed_words() -> None:
    found = screen(re.compile(r"share( this)?:?|share on \w+", re.I))
    assert found.starts == ("share",)
    assert screen(re.compile(r".{0,300}click to tweet", re.I)).contains == ("click to tweet",)
    optional = screen(re.compile(r"(please )?wait", re.I))
    assert optional.starts is None and optional.contains == ("wait",)
    # a case-sensitive part, a class of ranges or an optional part gives no condition
    assert screen(re.compile(r"(?-i:[A-Z]+)/x", re.I)).starts is None
    assert screen(re.compile(r"[a-c]d?", re.I)).contains is None
    # a set of listed characters needs one of them; one no ASCII text holds, none at all
    assert screen(re.compile(r"\w+(\s[/|]\s\w+)+", re.I)).contains == ("/", "|")
    credits = screen(re.compile(r".{1,300}(\s(©|ⓒ)|credits?:)\w+", re.I))
    assert credits.contains == ("credit",) and not credits.impossible
    assert screen(re.compile(r"\w+(\s[·•]\s\w+){2,}", re.I)).impossible


def test_screen_reads_the_longest_match() -> None:
    assert screen(re.compile(r"(copyright ?)?© ?.{0,150}", re.I)).longest == 162
    assert screen(re.compile(r"share .*", re.I)).longest > 10**9
    patterns = PatternSet([re.compile(r"share.{0,3}", re.I), re.compile("©.*")])
    assert patterns.fullmatch_any("share it") and not patterns.fullmatch_any("share this")
    assert patterns.fullmatch_any("© 2024 Corp") and not patterns.fullmatch_any("(c) 2024")


def test_screen_reads_first_characters() -> None:
    digits = screen(re.compile(r"\d+ (photos|images)|(previous|next)\b.*", re.I)).firsts
    assert digits == frozenset("0123456789pn")
    assert screen(re.compile(r"\bby (?-i:[A-Z])", re.I)).firsts == frozenset("b")
    assert screen(re.compile(r"(please )?wait", re.I)).firsts == frozenset("pw")
    anything = screen(re.compile(r".{0,30}x", re.I)).firsts
    assert anything is not None and "a" in anything and "\n" not in anything
    assert screen(re.compile(r"(a)\1", re.I)).firsts == frozenset("a")
    assert screen(re.compile(r"(?>a|b)c", re.I)).firsts is None  # not read: any


def test_case_insensitive_letters_the_engine_equates() -> None:
    """The Kelvin sign matches "k" case-insensitively: a pattern written with it must not
    screen out the ASCII text it matches."""
    patterns = PatternSet([re.compile("\u212aelvin", re.I), re.compile("(?-i:Abc)d", re.I)])
    assert patterns.fullmatch_any("kelvin") and patterns.fullmatch_any("KELVIN")
    assert patterns.fullmatch_any("AbcD") and not patterns.fullmatch_any("abcd")


def test_equal_to_one_by_one_on_the_dev_corpora(corpora: Path) -> None:
    from benchmarks.reuters import REUTERS, read_stories

    texts = [s.body for s in itertools.islice(read_stories(REUTERS), 400)]
    pages = corpora / "readability-test-pages" / "pages"
    texts += [
        (page / "expected.html").read_text("utf-8", errors="replace")
        for page in sorted(pages.iterdir())[:60]
        if (page / "expected.html").is_file()
    ]
    seen = 0
    for text in texts:
        for paragraph in repaired_paragraphs(text):
            seen += 1
            assert matches_pattern(paragraph) == _one_by_one(paragraph), paragraph
    assert seen > 1000
