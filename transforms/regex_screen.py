"""Cheap necessary conditions for a regular expression's full match, read from the pattern.

Trying ninety boilerplate patterns on every paragraph is a tenth of a wire story's transform
(`transforms.boilerplate`): each `fullmatch` is a call, and the patterns that open with
`.*` or `.{0,300}` scan the whole paragraph before failing. Most of them cannot match most
paragraphs for a reason visible in the pattern itself: a match must start with one of a few
words ("share", "by "), or contain one ("click to tweet", "all rights reserved"). `screen`
reads those words out of the parsed pattern (Python's own parser, so the reading is the
engine's), and `Screen.admits` tests them on the text with plain string operations, before
the pattern is tried. It never rules out a text the pattern matches:

- only literal characters that every match must contain, consecutively, are read;
  anything the reading is unsure of (an optional part, a class, a change of case flags)
  gives no condition at all rather than a wrong one;
- the test is made on ASCII text only, lower-cased, with each of the pattern's characters
  replaced by the ASCII character case-insensitive matching equates it with (found by asking
  the engine itself); a character that matches no ASCII character cannot occur. Other text
  is admitted as it is, and the pattern decides.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

# The parser and compiler of the `re` module (`sre_parse`, `sre_compile` before Python
# 3.11): the same reading of a pattern as the engine's.
from re import _compiler, _parser  # type: ignore[attr-defined]
from re._constants import (
    ANY,
    ASSERT,
    ASSERT_NOT,
    AT,
    BRANCH,
    IN,
    LITERAL,
    MAX_REPEAT,
    MIN_REPEAT,
    NOT_LITERAL,
    POSSESSIVE_REPEAT,
    SUBPATTERN,
)
from typing import Any

_REPEATS = (MAX_REPEAT, MIN_REPEAT, POSSESSIVE_REPEAT)
_ONE_CHARACTER = (LITERAL, NOT_LITERAL, IN, ANY)
# Lookarounds and anchors consume nothing: what follows them starts the match.
_ZERO_WIDTH = (AT, ASSERT, ASSERT_NOT)
_ASCII = tuple(map(chr, range(128)))

Needles = frozenset[str]


@dataclass(frozen=True)
class Screen:
    """What a full match of one pattern needs: to start with one of `starts` and to contain
    one of `contains` (lower-case ASCII; None: no such condition known). `impossible`: no
    ASCII text can match (a needed character has no ASCII equivalent)."""

    starts: tuple[str, ...] | None
    contains: tuple[str, ...] | None
    impossible: bool = False
    # the lower-cased ASCII characters a non-empty match can start with (None: any)
    firsts: frozenset[str] | None = None
    # the most characters a match can span (the engine's own reading of the pattern;
    # case-insensitive matching equates single characters, so text length is match length)
    longest: int = _parser.MAXWIDTH


def screen(pattern: re.Pattern[str]) -> Screen:
    """The conditions a full match of `pattern` needs (see the module)."""
    items = _parser.parse(pattern.pattern, pattern.flags)
    caseless = bool(pattern.flags & re.IGNORECASE)
    starts = _ascii(_prefixes(items), caseless)
    contains = _ascii(_required(items), caseless)
    impossible = starts == () or contains == ()
    firsts, _ = _firsts(items, items.state, pattern.flags)
    longest = items.getwidth()[1]
    return Screen(starts or None, contains or None, impossible, firsts, longest)


class PatternSet:
    """Patterns tried in turn for a full match, each only on the texts no longer than its
    longest match and, for ASCII text, only those its `Screen` admits: found by the text's
    first character, then tested for the words the match starts with and contains. Other
    text (and the empty one) tries every pattern short enough for it."""

    def __init__(self, patterns: Iterable[re.Pattern[str]]) -> None:
        self.patterns = tuple(patterns)
        by_first: list[list[_Entry]] = [[] for _ in _ASCII]
        every: list[tuple[int, re.Pattern[str]]] = []
        for pattern in self.patterns:
            needs = screen(pattern)
            every.append((needs.longest, pattern))
            if needs.impossible:
                continue
            entry = (pattern, needs.longest, needs.starts, *_contains_test(needs.contains))
            for char in _ASCII:
                if needs.firsts is None or char in needs.firsts:
                    by_first[ord(char)].append(entry)
        self._by_first = tuple(map(tuple, by_first))
        self._every = tuple(every)

    def fullmatch_any(self, text: str) -> bool:
        """True when one of the patterns matches the whole of `text`."""
        size = len(text)
        if not text or not text.isascii():
            return any(size <= longest and p.fullmatch(text) for longest, p in self._every)
        lowered = text.lower()
        for pattern, longest, starts, needle, needles in self._by_first[ord(lowered[0])]:
            if (
                size <= longest
                and (starts is None or lowered.startswith(starts))
                and (needle is None or needle in lowered)
                and (needles is None or any(map(lowered.__contains__, needles)))
                and pattern.fullmatch(text)
            ):
                return True
        return False


# A pattern, its longest match, the starts it needs, and the needle or the needles (one of
# which) a match contains.
_Entry = tuple[re.Pattern[str], int, tuple[str, ...] | None, str | None, tuple[str, ...] | None]


def _contains_test(needles: tuple[str, ...] | None) -> tuple[str | None, tuple[str, ...] | None]:
    """The needle, or the needles, to look for: a needle holding another one is dropped
    ("ads" occurs only where "ad" does). Each is looked for with `in`, which scans for one
    string several times faster than a search of their alternation scans for any."""
    if needles is None:
        return None, None
    fewest = tuple(n for n in needles if not any(o != n and o in n for o in needles))
    if len(fewest) == 1:
        return fewest[0], None
    return None, fewest


def _ascii(needles: Needles | None, caseless: bool) -> tuple[str, ...] | None:
    """Needles as they read in lower-cased ASCII text (dropping those that cannot occur in
    ASCII text), or None when a character's reading is unclear."""
    if needles is None:
        return None
    readable: list[str] = []
    for needle in sorted(needles):
        chars = [_ascii_char(c, caseless) for c in needle]
        if any(c is None for c in chars):
            return None
        if all(chars):
            readable.append("".join(c for c in chars if c))
    return tuple(readable)


@cache
def _ascii_char(char: str, caseless: bool) -> str | None:
    """The lower-case ASCII character `char` matches in the engine ("" for none, None when
    it matches several that lower-casing does not make one)."""
    found = {a.lower() for a in _ASCII if re.fullmatch(re.escape(char), a, re.I if caseless else 0)}
    if len(found) > 1:
        return None
    return found.pop() if found else ""


def _case_changes(flags: tuple[int, int]) -> bool:
    return bool((flags[0] | flags[1]) & re.IGNORECASE)


def _prefixes(items: Any) -> Needles | None:
    """Strings one of which every match of the sequence `items` starts with."""
    run: list[str] = []
    for op, av in items:
        if op is LITERAL:
            run.append(chr(av))
            continue
        if run:
            break
        if op is SUBPATTERN:
            _, add, remove, sub = av
            return None if _case_changes((add, remove)) else _prefixes(sub)
        if op is BRANCH:
            starts: set[str] = set()
            for branch in av[1]:
                if (found := _prefixes(branch)) is None:
                    return None
                starts |= found
            return frozenset(starts)
        return None
    return frozenset(["".join(run)]) if run else None


def _required(items: Any) -> Needles | None:
    """Strings one of which every match of the sequence `items` contains: of the conditions
    its parts give, the one with the longest shortest needle. A set of listed characters
    (which the parser makes of an alternation of single characters) needs one of them."""
    conditions: list[Needles] = []
    run: list[str] = []
    for op, av in items:
        if op is LITERAL:
            run.append(chr(av))
            continue
        if run:
            conditions.append(frozenset(["".join(run)]))
            run = []
        found: Needles | None = None
        if op is SUBPATTERN:
            _, add, remove, sub = av
            found = None if _case_changes((add, remove)) else _required(sub)
        elif op is BRANCH:
            either: set[str] | None = set()
            for branch in av[1]:
                needed = _required(branch)
                either = None if needed is None or either is None else either | needed
            found = None if either is None else frozenset(either)
        elif op in _REPEATS:
            low, _, sub = av
            found = _required(sub) if low >= 1 else None
        elif op is IN and all(kind is LITERAL for kind, _ in av):
            found = frozenset(chr(code) for _, code in av)  # "(©|ⓒ)", "[/|]": one of these
        if found is not None:
            conditions.append(found)
    if run:
        conditions.append(frozenset(["".join(run)]))
    if not conditions:
        return None
    return max(conditions, key=lambda c: (min(map(len, c)), -len(c)))


def _firsts(items: Any, state: Any, flags: int) -> tuple[frozenset[str] | None, bool]:
    """(The lower-cased ASCII characters a match of the sequence `items` can start with,
    None when it may start with any; whether it can match the empty string). A one-character
    item's characters are found by asking the engine about each ASCII character."""
    found: set[str] = set()
    for item in items:
        op, av = item
        if op in _ONE_CHARACTER:
            chars: frozenset[str] | None = _matching(state, item, flags)
            empty = False
        elif op in _ZERO_WIDTH:
            chars, empty = frozenset(), True
        elif op is SUBPATTERN:
            _, add, remove, sub = av
            chars, empty = _firsts(sub, state, (flags | add) & ~remove)
        elif op is BRANCH:
            chars, empty = frozenset(), False
            for branch in av[1]:
                some, can_be_empty = _firsts(branch, state, flags)
                chars = None if some is None or chars is None else chars | some
                empty = empty or can_be_empty
        elif op in _REPEATS:
            low, _, sub = av
            chars, empty = _firsts(sub, state, flags)
            empty = empty or low == 0
        else:
            return None, False
        if chars is None:
            return None, False
        found |= chars
        if not empty:
            return frozenset(found), False
    return frozenset(found), True


def _matching(state: Any, item: tuple[Any, Any], flags: int) -> frozenset[str]:
    """The lower-cased ASCII characters the one-character `item` matches, as compiled."""
    single = _compiler.compile(_parser.SubPattern(state, [item]), flags)
    return frozenset(c.lower() for c in _ASCII if single.fullmatch(c))
