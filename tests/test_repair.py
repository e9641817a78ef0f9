from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.repair import repair_text


@pytest.mark.parametrize(
    ("broken", "fixed"),
    [
        ("Israelâ€™s offensive", "Israel’s offensive"),  # UTF-8 read as Windows-1252
        ("â€œTotal victoryâ€\x9d", "“Total victory”"),
        ("Hamas&#8217; leaders &amp; aides", "Hamas’ leaders & aides"),
        ("double &amp;#8217; escaped", "double ’ escaped"),
        ("caf&eacute; &lt;b&gt;", "café <b>"),
        ("a\u00a0b\u2009c\u202fd\u3000e", "a b c d e"),
        ("zero\u200bwidth\ufeff and soft\u00adhyphen", "zerowidth and softhyphen"),
        ("bell\x07 and nul\x00 gone", "bell and nul gone"),
        ("windows\r\nmac\rend", "windows\nmac\nend"),
        ("line\u2028sep", "line\nsep"),
    ],
)
def test_repairs(broken: str, fixed: str) -> None:
    assert repair_text(broken) == fixed


def test_keeps_typography_tabs_and_newlines() -> None:
    text = "“Quoted” — dash – en ‘single’ …\tTab\nNew line"
    assert repair_text(text) == text


def test_keeps_joiners_that_carry_spelling() -> None:
    persian = "می\u200cخواهم"  # ZWNJ is orthographic in Persian
    assert repair_text(persian) == persian


def test_leaves_unterminated_ampersands_alone() -> None:
    assert repair_text("?a=1&copy=2 AT&T") == "?a=1&copy=2 AT&T"


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_idempotent_and_total(text: str) -> None:
    once = repair_text(text)
    assert repair_text(once) == once
    assert "\r" not in once
