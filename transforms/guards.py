"""Cheap measurements of hostile input, taken before any parser sees it."""

from __future__ import annotations

import re

# A tag: end-tag slash, name, and the rest up to the first ">" (ending in "/" when the tag
# closes itself). Greedy, so the rest costs one step per character.
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)([^>]*)>")
# Elements that never take a closing tag, so they don't deepen the tree.
_VOID = frozenset(
    "area base br col embed hr img input link meta param source track wbr".split()  # noqa: SIM905
)
# Elements whose content is raw text, not markup: "<div>" inside a script's string is no tag.
# An opening tag, and per element the end tag that closes it (the first one after it).
_RAW_NAMES = ("script", "style", "textarea", "title", "xmp")
_RAW_OPEN = re.compile(rf"<({'|'.join(_RAW_NAMES)})\b[^>]*>", re.IGNORECASE)
_RAW_CLOSE = {name: re.compile(rf"</{name}\s*>", re.IGNORECASE) for name in _RAW_NAMES}
# Elements whose end tag HTML lets a page omit: the next one of the same name closes them
# ("<li>a<li>b", "<p>a<p>b"), so a list of 500 unclosed items is 1 level deep, not 500.
_IMPLIED_END = frozenset("p li dt dd option tr td th".split())  # noqa: SIM905


def html_depth(html: str) -> int:
    """The deepest element nesting, counted from the tags alone (a parser would recurse).

    Counted as a parser builds the tree: script and style contents are skipped, an end tag
    closes the elements opened inside its element, and a stray one is ignored. The loop
    runs once per tag of every page, so it keeps to plain dict and list operations."""
    stack: list[str] = []
    open_names: dict[str, int] = {}
    deepest = 0
    void, implied = _VOID, _IMPLIED_END
    for closing, raw_name, rest in _TAG.findall(_without_raw_text(html)):
        if rest.endswith("/"):
            continue
        name = raw_name.lower()
        if name in void:
            continue
        if closing:
            if open_names.get(name):
                while stack:
                    popped = stack.pop()
                    open_names[popped] -= 1
                    if popped == name:
                        break
            continue
        if name in implied and stack and stack[-1] == name:
            stack.pop()
            open_names[name] -= 1
        stack.append(name)
        open_names[name] = open_names.get(name, 0) + 1
        if len(stack) > deepest:
            deepest = len(stack)
    return deepest


def _without_raw_text(html: str) -> str:
    """`html` with each raw-text element (script, style, ...), tags included, replaced by a
    space; an opening tag never closed stays. Found with a search for the opening tag and
    one for its end tag, not one lazy pattern that tries the end tag at every character."""
    parts: list[str] = []
    kept = search = 0
    unclosed: set[str] = set()  # names with no end tag after some point: none further on
    while (opening := _RAW_OPEN.search(html, search)) is not None:
        name = opening[1].lower()
        closer = _RAW_CLOSE.get(name) or re.compile(
            rf"</{re.escape(opening[1])}\s*>", re.IGNORECASE
        )
        closing = None if name in unclosed else closer.search(html, opening.end())
        if closing is None:
            unclosed.add(name)
            search = opening.start() + 1
            continue
        parts.append(html[kept : opening.start()])
        parts.append(" ")
        kept = search = closing.end()
    parts.append(html[kept:])
    return "".join(parts)
