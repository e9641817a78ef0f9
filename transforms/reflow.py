"""Reflow hard-wrapped text: wrapped lines joined back into the paragraphs they came from.

Wire feeds, e-mail alerts and archive dumps break every line at a fixed width (60 to 80
columns) and mark paragraphs by an indent, a blank line or a short last line. Read line by
line, such a text cuts its sentences into fragments that look like labels ("TOKYO, April 8 -
The Ministry of International Trade and"), and the cleaner drops fragments as it drops
menus: the lede and its dateline went first. So the layout is undone before paragraphs are
split (`transforms.paragraphs`), for the cleaner and the boilerplate learner alike.

Evidence, not guesses, decides that a text is wrapped: a greedy wrapper breaks a line only
when the next word would not fit, so in a wrapped text most lines are *full*: the line, a
space and the next line's first word run past one common width. Scrapers' dumps (one block per
line), JSON text fields and the like have lines of every length, or longer than any terminal,
and are returned unchanged, byte for byte. Within a wrapped text a line break is a wrap
unless the next line is indented deeper than the text's continuation lines (indent-marked
paragraphs), or the line is short and ends a sentence (paragraphs marked by a short last
line). A break is never made where a sentence goes on, and only whitespace changes: no word is
dropped, joined or invented.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise
from typing import NamedTuple

from transforms.sentences import ends_clause, ends_sentence, starts_lowercase

# Fixed-width layouts in use: 50-column alerts up to 100-column feeds; longer lines are
# paragraphs written out whole, never wrapped, and narrower "wraps" are columns of figures.
_MIN_WIDTH = 50
_MAX_WIDTH = 100
# Wrappers differ by a column or two in what they count (the newline, a trailing space).
_TOLERANCE = 2
# "Most lines end near a common width": a share of the lines that could be wraps, and at
# least two of them, since one full line is what any two-line text shows.
_MIN_FULL_LINES = 2
_MIN_FULL_SHARE = 0.6
# Widths tried as the wrap width, from the widest line down, and the share of lines that may
# run past it.
_WIDTH_CANDIDATES = 3
_MAX_OVER_SHARE = 0.1
_TAB = 8
# White space this wide inside a line aligns columns (a table row, a price list): no wrap.
_COLUMN_GAP = re.compile(r"\S {3,}\S")
_BLANK_LINE = re.compile(r"\n[ \t]*(?:\n[ \t]*)*\n")


class _Line(NamedTuple):
    """One line as the layout reads it (a tuple: a text has many lines, each made once)."""

    text: str  # without its indent and trailing space
    indent: int  # columns of leading white space
    width: int  # columns up to the last character
    # aligned columns inside the line (`_COLUMN_GAP`): read once, asked of each break
    columns: bool
    first: int  # the length of its first word: what a wrap of the line before would move


def _line(raw: str) -> _Line:
    expanded = raw.expandtabs(_TAB).rstrip()
    text = expanded.lstrip()
    return _Line(
        text,
        len(expanded) - len(text),
        len(expanded),
        _COLUMN_GAP.search(text) is not None,
        len(text.split(maxsplit=1)[0]) if text else 0,
    )


def _blocks(text: str) -> list[list[_Line]]:
    """Runs of non-blank lines, as blank lines separate them."""
    blocks = []
    for chunk in _BLANK_LINE.split(text):
        lines = [_line(raw) for raw in chunk.split("\n") if raw.strip()]
        if lines:
            blocks.append(lines)
    return blocks


def _full(line: _Line, following: _Line, width: int) -> bool:
    """The next line's first word would not have fitted on this line: a wrap, not a break.
    A row of aligned columns is never one."""
    if line.columns or following.columns:
        return False
    return line.width + 1 + following.first > width - _TOLERANCE


@dataclass(frozen=True)
class Layout:
    """How a wrapped text is laid out: its wrap width and its continuation lines' indent."""

    width: int
    indent: int
    indented_paragraphs: bool  # paragraphs start with a deeper indent


def wrap_layout(text: str) -> Layout | None:
    """The layout of a hard-wrapped `text`, or None when its lines are not wrapped."""
    return _layout(_blocks(text))


def _layout(blocks: list[list[_Line]]) -> Layout | None:
    pairs = [(a, b) for block in blocks for a, b in pairwise(block)]
    if not pairs:
        return None
    indent = min(line.indent for block in blocks for line in block)
    # A line followed by a deeper-indented one ends its paragraph; the others could be wraps,
    # except that a line ending a sentence proves nothing (paragraphs of one line each).
    candidates = [(a, b) for a, b in pairs if b.indent <= indent and not ends_sentence(a.text)]
    widths = sorted({line.width for block in blocks if len(block) > 1 for line in block})
    lines = [line.width for block in blocks if len(block) > 1 for line in block]
    best: tuple[int, int] | None = None  # (full lines, width)
    # The widest line may overshoot the wrap width (an unbreakable word, a stray control
    # character): the common width is the one the most lines fill, with few lines past it.
    for width in widths[-_WIDTH_CANDIDATES:]:
        over = sum(w > width for w in lines)
        if not _MIN_WIDTH <= width <= _MAX_WIDTH or over > _MAX_OVER_SHARE * len(lines):
            continue
        full = sum(_full(a, b, width) for a, b in candidates)
        if best is None or full > best[0]:
            best = (full, width)
    if best is None:
        return None
    full, width = best
    indented = any(b.indent > indent for _, b in pairs)
    if full < _MIN_FULL_SHARE * len(candidates):
        return None
    if full < _MIN_FULL_LINES and not (indented and _sentence_wraps(candidates, width)):
        return None
    return Layout(width, indent, indented)


def _sentence_wraps(candidates: list[tuple[_Line, _Line]], width: int) -> bool:
    """Too few lines to show a common width, sentence ends decide: in an indented paragraph,
    a full line stopping mid-clause whose next line ends the sentence (a one-sentence wire
    item wrapped once). A headline above a byline, or two labels, are not that."""
    return bool(candidates) and all(
        _full(a, b, width) and not ends_clause(a.text) and ends_sentence(b.text)
        for a, b in candidates
    )


def _joins(line: _Line, following: _Line, layout: Layout, *, last: bool = False) -> bool:
    """True when the break between `line` and `following` is a wrap inside a paragraph.
    `last`: `following` closes the text."""
    if line.columns or following.columns:
        return False  # rows of a table stay rows
    if following.indent > layout.indent:  # an indented paragraph start
        return not ends_clause(line.text) and starts_lowercase(following.text)
    if (
        last
        and ends_sentence(line.text)
        and (not ends_sentence(following.text) or len(following.text.split()) == 1)
        and not starts_lowercase(following.text)
    ):
        # A lone word or unpunctuated tail after the last sentence: a sign-off (a name, so
        # not lowercase: "the." after "... the u.s." is the sentence's wrapped end).
        return False
    if layout.indented_paragraphs or _full(line, following, layout.width):
        return True  # indents mark the paragraphs, so a short line is no paragraph end
    return not ends_sentence(line.text)  # a short last line ends a paragraph


def reflow(text: str) -> str:
    """`text` with wrapped lines joined into paragraphs, one blank line between paragraphs;
    `text` itself, unchanged, when it is not hard-wrapped. Idempotent."""
    blocks = _blocks(text)
    layout = _layout(blocks)
    if layout is None:
        return text
    paragraphs: list[list[str]] = []
    previous: _Line | None = None
    final = blocks[-1][-1]
    for block in blocks:
        # A blank line separates paragraphs, except a stray one where a sentence goes on.
        if previous is None or ends_clause(previous.text) or not starts_lowercase(block[0].text):
            paragraphs.append([])
        paragraphs[-1].append(block[0].text)
        for line, following in pairwise(block):
            if not _joins(line, following, layout, last=following is final):
                paragraphs.append([])
            paragraphs[-1].append(following.text)
        previous = block[-1]
    return "\n\n".join(" ".join(lines) for lines in paragraphs)
