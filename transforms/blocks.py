"""Blocks of an extracted article: paragraphs with the page structure that judges them.

trafilatura hands back its main content as XML (p, head, list/item, quote, table/row/cell,
ref for links). Flattening that to text loses what tells a related-links card from a
paragraph, so newsetl keeps, per block, its kind, how much of it is link text, and whether
it sits in a list item that is a teaser card (a link and a heading pointing elsewhere).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from transforms.paragraphs import collapse, ends_clause, starts_lowercase

# Elements whose text forms one paragraph; "lb" (a <br>) also ends one. Text sitting directly
# in a container is "loose": trafilatura leaves inline links and text there when it splits a
# paragraph around them, so loose fragments are glued back to the sentence they interrupt.
_PARAGRAPH_TAGS = frozenset({"p", "head", "item", "quote", "row", "code"})
_CONTAINER_TAGS = frozenset({"list", "table", "div", "main"})
_BLOCK_TAGS = _PARAGRAPH_TAGS | _CONTAINER_TAGS
_LOOSE = "loose"
_GLUE_KINDS = frozenset({"p", _LOOSE})
_PUNCTUATION_START = re.compile(r"^[,.;:!?)\]…]")
_PARAGRAPH = "p"
_LINE_BREAK = "lb"
_CELL = "cell"
_LINK = "ref"
_ITEM = "item"
_HEADING = "head"


@dataclass(frozen=True)
class Block:
    """One paragraph of extracted content and the structure around it."""

    text: str
    kind: str
    link_share: float
    teaser: bool


class _Buffer:
    """Text gathered for the block being read, with the share that was link text."""

    def __init__(self, kind: str, teaser: bool) -> None:
        self.kind = kind
        self.teaser = teaser
        self.parts: list[str] = []
        self.link_chars = 0

    def add(self, text: str | None, in_link: bool) -> None:
        if text:
            self.parts.append(text)
            if in_link:
                self.link_chars += len(text.strip())

    def flush(self, out: list[Block]) -> None:
        text = collapse("".join(self.parts))
        if text:
            share = min(1.0, self.link_chars / len(text))
            out.append(Block(text=text, kind=self.kind, link_share=share, teaser=self.teaser))
        self.parts = []
        self.link_chars = 0


def blocks_from_xml(xml: str) -> list[Block]:
    """The blocks of trafilatura's XML output, in document order (no recursion: any depth)."""
    try:
        root = etree.fromstring(xml.encode("utf-8"), etree.XMLParser(huge_tree=True))
    except (etree.XMLSyntaxError, ValueError):
        return []
    main = root.find("main")
    if main is None:
        return []
    teaser_items = {item for item in main.iter(_ITEM) if _is_teaser(item)}
    out: list[Block] = []
    stack = [_Buffer(_LOOSE, teaser=False)]
    links = 0
    for event, element in etree.iterwalk(main, events=("start", "end")):
        tag = element.tag
        if event == "start":
            if tag in _BLOCK_TAGS:
                stack[-1].flush(out)
                teaser = stack[-1].teaser or element in teaser_items
                stack.append(_Buffer(tag if tag in _PARAGRAPH_TAGS else _LOOSE, teaser))
            elif tag == _LINE_BREAK:
                stack[-1].flush(out)
            elif tag == _CELL:
                stack[-1].add(" ", in_link=False)
            links += tag == _LINK
            stack[-1].add(element.text, links > 0)
            continue
        links -= tag == _LINK
        if tag in _BLOCK_TAGS and len(stack) > 1:
            stack.pop().flush(out)
        elif tag == _CELL:  # a cell is bounded on both sides: its tail is not its last word
            stack[-1].add(" ", in_link=False)
        stack[-1].add(element.tail, links > 0)
    stack[-1].flush(out)
    return _glue_fragments(out)


def _is_teaser(item: etree._Element) -> bool:
    """A list item holding a link and its own heading but no paragraph: a card to elsewhere.

    Listicle entries also carry headings, but with the story's paragraphs under them.
    """
    return all(item.find(f".//{tag}") is not None for tag in (_HEADING, _LINK)) and (
        item.find(f".//{_PARAGRAPH}") is None
    )


def _glue_fragments(blocks: list[Block]) -> list[Block]:
    """Rejoin a sentence that was split around inline links into p and loose fragments."""
    glued: list[Block] = []
    for block in blocks:
        previous = glued[-1] if glued else None
        if (
            previous is not None
            and previous.kind in _GLUE_KINDS
            and block.kind in _GLUE_KINDS
            and not ends_clause(previous.text)
            and (block.kind == _LOOSE or _continues(block.text))
        ):
            glued[-1] = _merge(previous, block)
        else:
            glued.append(block)
    return glued


def _continues(text: str) -> bool:
    return bool(_PUNCTUATION_START.search(text)) or starts_lowercase(text)


def _merge(first: Block, second: Block) -> Block:
    separator = "" if _PUNCTUATION_START.search(second.text) else " "
    text = f"{first.text}{separator}{second.text}"
    link_chars = first.link_share * len(first.text) + second.link_share * len(second.text)
    kind = second.kind if first.kind == _LOOSE else first.kind
    return Block(text, kind, min(1.0, link_chars / len(text)), first.teaser or second.teaser)
