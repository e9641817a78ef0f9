"""Recover body sections the extractor skipped.

Many sites cut one story into several sibling containers of the same tag and class (to put
ads or embeds between them); extractors tend to keep only the first. Once we know which
container held the extracted paragraphs, its namesakes elsewhere on the page are the rest
of the story, and their prose paragraphs are added back in page order.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

from lxml.html import HtmlElement

from transforms.blocks import Block
from transforms.boilerplate import matches_pattern
from transforms.paragraphs import collapse, is_prose

_PARAGRAPH = "p"
_WORD = re.compile(r"\w+")
# Script, style or markup leaking into a paragraph's text: never article prose.
_CODE_CHARS = re.compile(r"[{}<>=;]")
_CODE_SHARE_MAX = 0.02
# Paragraphs whose word 4-grams were mostly extracted already are duplicates, not sections.
_GRAM = 4
_SEEN_SHARE = 0.5
_NON_TEXT = ("script", "style", "noscript", "template")
# A recovered paragraph must be mostly its own words, not a link to another page.
_LINK_SHARE_MAX = 0.3
# The container must hold this many extracted paragraphs to count as the body's container.
_MIN_MATCHED = 2
# Never take a section out of these (comment threads and teaser rails share classes too).
_SKIP_ANCESTOR_HINTS = ("comment", "related", "recommend", "teaser", "sidebar", "footer")


def _signature(element: HtmlElement) -> tuple[str, str] | None:
    classes = collapse(element.get("class") or "")
    return (str(element.tag), classes) if classes else None


def _paragraphs(tree: HtmlElement) -> Iterator[HtmlElement]:
    for element in tree.iter(_PARAGRAPH):
        if isinstance(element, HtmlElement):
            yield element


def _link_share(element: HtmlElement, text: str) -> float:
    link_chars = sum(len(collapse(a.text_content())) for a in element.iter("a"))
    return link_chars / max(1, len(text))


def _visible_text(paragraph: HtmlElement) -> str:
    """Text as a reader sees it: <br> separates words, scripts and styles don't count."""
    if next(paragraph.iter(*_NON_TEXT), None) is not None:
        return ""
    parts: list[str] = []
    for piece in paragraph.xpath(".//text() | .//br"):
        parts.append(" " if isinstance(piece, HtmlElement) else str(piece))
    return collapse("".join(parts))


def _reads_as_text(paragraph: HtmlElement) -> bool:
    """Whether `_visible_text` is the collapsed text content: no line break, script or
    style inside that the two read apart."""
    return next(paragraph.iter("br", *_NON_TEXT), None) is None


def _words(text: str) -> str:
    return " ".join(_WORD.findall(text.casefold()))


def _is_seen(words: str, seen: set[str]) -> bool:
    """True when most of the paragraph's word 4-grams were already extracted."""
    grams = _grams(words)
    return not grams or len(grams & seen) > _SEEN_SHARE * len(grams)


def _grams(words: str) -> set[str]:
    tokens = words.split()
    if not tokens:
        return set()
    return {" ".join(tokens[i : i + _GRAM]) for i in range(max(1, len(tokens) - _GRAM + 1))}


def _looks_like_code(text: str) -> bool:
    return len(_CODE_CHARS.findall(text)) > _CODE_SHARE_MAX * len(text)


def _in_skipped_region(element: HtmlElement) -> bool:
    for ancestor in element.iterancestors():
        names = f"{ancestor.get('class') or ''} {ancestor.get('id') or ''}".casefold().split()
        if any(name.startswith(_SKIP_ANCESTOR_HINTS) for name in names):
            return True
    return False


def recover_sections(tree: HtmlElement, blocks: list[Block]) -> list[Block]:
    """`blocks` plus the prose paragraphs of skipped sibling sections, in page order."""
    extracted = {b.text for b in blocks}
    # Page order of the paragraphs, the only elements placed: numbering every element of
    # the page would cost more than the rest of this step.
    paragraphs = list(_paragraphs(tree))
    order = {paragraph: i for i, paragraph in enumerate(paragraphs)}
    matched: dict[str, int] = {}
    extracted_paragraphs: set[HtmlElement] = set()
    containers: Counter[tuple[str, str]] = Counter()
    for paragraph in paragraphs:
        text = collapse(paragraph.text_content())
        parent = paragraph.getparent()
        if text in extracted and parent is not None:
            extracted_paragraphs.add(paragraph)
            matched.setdefault(text, order[paragraph])
            signature = _signature(parent)
            if signature is not None:
                containers[signature] += 1
    if not containers:
        return blocks
    body_signature, count = containers.most_common(1)[0]
    if count < _MIN_MATCHED:
        return blocks
    # A paragraph of the same words as a block (or as one recovered) has only grams already
    # seen: most of the container's paragraphs are the extracted ones, and their grams are
    # not compared, nor the blocks' grams gathered until a paragraph needs them.
    seen_words = {_words(b.text) for b in blocks}
    seen: set[str] | None = None
    recovered: list[tuple[int, Block]] = []
    for paragraph in paragraphs:
        parent = paragraph.getparent()
        if parent is None or _signature(parent) != body_signature:
            continue
        if paragraph in extracted_paragraphs and _reads_as_text(paragraph):
            continue  # its visible text is its text content, a block's: its words are seen
        text = _visible_text(paragraph)
        words = _words(text)
        if words in seen_words:
            continue
        if seen is None:
            seen = set().union(*(_grams(w) for w in seen_words))
        if (
            _is_seen(words, seen)
            or not is_prose(text)
            or _looks_like_code(text)
            or matches_pattern(text)
            or _link_share(paragraph, text) > _LINK_SHARE_MAX
            or _in_skipped_region(paragraph)
        ):
            continue
        seen |= _grams(words)
        seen_words.add(words)
        recovered.append((order[paragraph], Block(text, "p", 0.0, teaser=False)))
    if not recovered:
        return blocks
    return _merge_in_order(blocks, matched, recovered)


def _merge_in_order(
    blocks: list[Block], matched: dict[str, int], recovered: list[tuple[int, Block]]
) -> list[Block]:
    """Interleave by page position; an unmatched block sits right after its predecessor."""
    positioned: list[tuple[int, int, Block]] = []
    position = -1
    for rank, block in enumerate(blocks):
        position = matched.get(block.text, position)
        positioned.append((position, rank, block))
    positioned.extend((pos, len(blocks), block) for pos, block in recovered)
    positioned.sort(key=lambda item: (item[0], item[1]))
    return [block for _, _, block in positioned]
