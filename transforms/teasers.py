"""Teaser lists: runs of other stories' headlines that all end in the same label.

Sites list their other stories as headline lines that carry one section label each
("Oppenheimer – Movie Review", "Barbie – Movie Review", ...; "Storm hits the coast VIDEO").
Each line alone looks like a subheading, and lines built alike look like the story's own
list, so neither rule removes them; the shared label is what gives them away. A story's own
list does not end each of its lines with the same capitalized label, and its sentences end
in punctuation, which teaser lines never do. Two kinds of run are the story's own even so: a
list its text announces with a colon ("The meetings scheduled are:"), and a table, most of
whose rows hold figures ("ZINC 8-12 20-23 UNQUOTED": a unit or a status ends each row).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# So many lines in a row with one label make a list of elsewhere (as for other label runs).
MIN_RUN = 3
_LABEL_MAX_WORDS = 4
_WORD = re.compile(r"[^\W_][\w’'-]*")
_SENTENCE_END = re.compile(r"[.!?…][\"”’'»)\]]*$")
# An all-caps single label ("VIDEO", "PHOTOS") must be a word, not an initial.
_CAPS_MIN_LETTERS = 3
# Headlines hold a figure now and then (a year, a count); rows of a table mostly do.
_TABLE_SHARE = 0.5
_DIGIT = re.compile(r"\d")


def _qualifies(label: tuple[str, ...]) -> bool:
    """Two or more capitalized words ("Movie Review"), or one all-caps word ("VIDEO")."""
    if len(label) == 1:
        word = label[0]
        return word.isupper() and len(word) >= _CAPS_MIN_LETTERS and word.isalpha()
    return all(word[0].isupper() and not word.isdigit() for word in label)


def _labels(line: str) -> frozenset[tuple[str, ...]]:
    """The trailing word sequences of a line that could be a teaser's label."""
    if _SENTENCE_END.search(line):
        return frozenset()
    words = _WORD.findall(line)
    return frozenset(
        label
        for k in range(1, min(_LABEL_MAX_WORDS, len(words) - 1) + 1)
        if _qualifies(label := tuple(words[-k:]))
    )


def teaser_runs(paragraphs: Sequence[str]) -> list[bool]:
    """True for each paragraph in a run of `MIN_RUN`+ consecutive paragraphs that end in a
    common label, a headline before it on each line."""
    flags = [False] * len(paragraphs)
    start = 0
    common: frozenset[tuple[str, ...]] = frozenset()
    for i, paragraph in enumerate([*paragraphs, ""]):
        labels = _labels(paragraph) if i < len(paragraphs) else frozenset()
        shared = common & labels
        if i > start and shared:
            common = shared
            continue
        if i - start >= MIN_RUN and common and not _own_list(paragraphs, start, i):
            flags[start:i] = [True] * (i - start)
        start, common = i, labels
    return flags


def _own_list(paragraphs: Sequence[str], start: int, end: int) -> bool:
    """The run `paragraphs[start:end]` is announced by a colon, or is a table."""
    if start and paragraphs[start - 1].rstrip().endswith(":"):
        return True
    figures = sum(bool(_DIGIT.search(p)) for p in paragraphs[start:end])
    return figures >= _TABLE_SHARE * (end - start)
