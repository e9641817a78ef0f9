"""`collapse` is the whitespace substitution it replaced, on any text."""

from __future__ import annotations

import re
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.paragraphs import collapse

_SPACE = re.compile(r"\s+")
_WHITE = [chr(c) for c in range(sys.maxunicode + 1) if _SPACE.fullmatch(chr(c))]


def _substituted(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_WHITE), st.text(max_size=5))).map("".join))
def test_collapse_equals_the_substitution(text: str) -> None:
    assert collapse(text) == _substituted(text)


def test_every_space_character_collapses() -> None:
    for white in _WHITE:
        assert collapse(f"{white}a{white}{white}b{white}") == "a b" == _substituted(
            f"{white}a{white}{white}b{white}"
        )
