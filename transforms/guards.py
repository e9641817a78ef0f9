"""Cheap measurements of hostile input, taken before any parser sees it."""

from __future__ import annotations

import re
from collections import Counter

_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*?(/?)>")
# Elements that never take a closing tag, so they don't deepen the tree.
_VOID = frozenset(
    "area base br col embed hr img input link meta param source track wbr".split()  # noqa: SIM905
)
# Elements whose content is raw text, not markup: "<div>" inside a script's string is no tag.
_RAW_TEXT = re.compile(
    r"<(script|style|textarea|title|xmp)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL
)
# Elements whose end tag HTML lets a page omit: the next one of the same name closes them
# ("<li>a<li>b", "<p>a<p>b"), so a list of 500 unclosed items is 1 level deep, not 500.
_IMPLIED_END = frozenset("p li dt dd option tr td th".split())  # noqa: SIM905


def html_depth(html: str) -> int:
    """The deepest element nesting, counted from the tags alone (a parser would recurse).

    Counted as a parser builds the tree: script and style contents are skipped, an end tag
    closes the elements opened inside its element, and a stray one is ignored."""
    stack: list[str] = []
    open_names: Counter[str] = Counter()
    deepest = 0
    for closing, raw_name, self_closing in _TAG.findall(_RAW_TEXT.sub(" ", html)):
        name = raw_name.lower()
        if name in _VOID or self_closing:
            continue
        if closing:
            if open_names[name]:
                while stack:
                    popped = stack.pop()
                    open_names[popped] -= 1
                    if popped == name:
                        break
            continue
        if name in _IMPLIED_END and stack and stack[-1] == name:
            stack.pop()
            open_names[name] -= 1
        stack.append(name)
        open_names[name] += 1
        deepest = max(deepest, len(stack))
    return deepest
