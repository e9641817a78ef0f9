"""Cheap measurements of hostile input, taken before any parser sees it."""

from __future__ import annotations

import re

# A tag that does not close itself: end-tag slash and name, then the rest up to the first
# ">", which must not follow a "/" ("<br/>", "<span/>" are no tags here). A self-closed tag
# holds no other match up to its ">", so this finds the other tags of the plain pattern
# `<(/?)([a-zA-Z][a-zA-Z0-9]*)([^>]*)>`, and only the names are captured. The rest is
# one greedy run and a look behind, not a last character tried after each backtrack: a
# third less time over a page (this search is most of a deep page's guard).
_TAG = re.compile(r"<(/?[a-zA-Z][a-zA-Z0-9]*)[^>]*(?<!/)>")
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


def depth_over(html: str, limit: int) -> int | None:
    """`html_depth(html)` when it is over `limit`, else None. A page with no more opening
    tags than `limit` cannot nest deeper, and most pages have fewer than a depth limit
    allows: they are never walked tag by tag. Every opening tag starts with "<" and no end
    tag's "</" is one, so the count of "<" less that of "</" bounds the opening tags."""
    text = _without_raw_text(html)
    if text.count("<") - text.count("</") <= limit:
        return None
    depth = _depth(text)
    return depth if depth > limit else None


def html_depth(html: str) -> int:
    """The deepest element nesting, counted from the tags alone (a parser would recurse).

    Counted as a parser builds the tree: script and style contents are skipped, an end tag
    closes the elements opened inside its element, and a stray one is ignored."""
    return _depth(_without_raw_text(html))


def _depth(text: str) -> int:
    """`html_depth` of a page whose raw-text elements are blanked. The loop runs once per
    tag of the page, so it keeps to plain dict and list operations."""
    stack: list[str] = []
    open_names: dict[str, int] = {}
    deepest = 0
    void, implied = _VOID, _IMPLIED_END
    for tag in _TAG.findall(text):
        name = tag.lower()
        if name[0] == "/":
            name = name[1:]
            if open_names.get(name) and name not in void:
                while stack:
                    popped = stack.pop()
                    open_names[popped] -= 1
                    if popped == name:
                        break
            continue
        if name in void:
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
