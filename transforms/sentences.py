"""Where a sentence or clause ends, and whether a line carries one on: the punctuation tests
that paragraph splitting and reflowing share, so both read a line the same way."""

from __future__ import annotations

import re

# A line ending like this is finished; one that doesn't, followed by a line starting in
# lower case, is a hard-wrapped paragraph ("... said the\nminister on Tuesday").
_ENDS_CLAUSE = re.compile(r"[.!?:;…][\"”’'»)\]]*$")
# A sentence ends with terminal punctuation, possibly followed by closing quotes/brackets.
_ENDS_SENTENCE = re.compile(r"[.!?…。！？][\"”’'»)\]]*$")
_STARTS_LOWER = re.compile(r"^[^\W\d_A-Z]", re.UNICODE)


def ends_clause(text: str) -> bool:
    """True when `text` stops at punctuation (or a closing quote/bracket), not mid-clause."""
    return bool(_ENDS_CLAUSE.search(text))


def ends_sentence(text: str) -> bool:
    """True when `text` stops at a sentence's final punctuation."""
    return bool(_ENDS_SENTENCE.search(text))


def starts_lowercase(text: str) -> bool:
    """True when `text` starts with a lower-case letter (it continues a sentence)."""
    return bool(_STARTS_LOWER.match(text))
