"""Second opinions for a page the main extractor all but missed.

trafilatura's cascade (its own extractor, then readability and jusText when it judges its
result short) still returns nothing, or a scrap, on some layouts: older sites built of
tables, `<font>` and `<br>`, sports pages with the report between score tables, a story
inside an element it prunes as furniture. Those pages do hold their story in their visible
text blocks. This module measures that visible prose on the tree already parsed and, when
the main body holds far less of it, asks the two generic algorithms trafilatura ships with
directly, on that same tree, without trafilatura's gates:

- readability (trafilatura's maintained fork of readability-lxml): scores the page's
  containers by their paragraphs' text and commas and keeps the best one and its siblings;
- jusText: classifies every block by length, link density and stop-word density, with the
  stop words of all the languages it knows (a page's language is not known here).

Each candidate comes back as `Block`s, so the caller judges its furniture exactly as it
judges trafilatura's. Pure: a tree in, blocks out; never raises.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from copy import deepcopy
from functools import cache

from justext.core import ParagraphMaker, classify_paragraphs, revise_paragraph_classification
from justext.utils import get_stoplist, get_stoplists
from lxml import etree
from lxml.html import HtmlElement, fromstring
from trafilatura.readability_lxml import Document

from transforms.blocks import Block
from transforms.paragraphs import collapse, is_prose, text_words

# The main body holds "far less" of the page's story than its visible prose when it has
# under this share of it (a page's visible prose also counts teasers, comments and sidebars,
# so a good body of a busy page may hold a third of it; a missed story holds next to none).
FAR_LESS_SHARE = 0.25
# A candidate replaces the main body only when it is this many times longer: trafilatura's
# own rule for preferring readability over its extraction ("readability much longer").
_LONGER_FACTOR = 2
# Elements a reader never sees, and elements that start a new line of text.
_INVISIBLE = frozenset({"script", "style", "noscript", "template", "head", "svg", "title"})
_BLOCK_TAGS = frozenset(
    {
        *("address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt"),
        *("figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6"),
        *("header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table"),
        *("td", "th", "tr", "ul", "center", "font"),
    }
)
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_LINK = "a"
# jusText's defaults (length_low, length_high, stopwords_low, stopwords_high,
# max_link_density, max_heading_distance), as trafilatura passes them.
_JUSTEXT_LENGTHS = (50, 150)
_JUSTEXT_STOPWORDS = (0.1, 0.2)
_JUSTEXT_LINK_DENSITY = 0.25
_JUSTEXT_HEADING_DISTANCE = 150


def visible_lines(root: HtmlElement) -> Iterator[tuple[str, str, float]]:
    """(text, kind, link share) of each visible line of `root`, as a browser breaks them:
    a new line at every block element, scripts and styles unseen. Iterative: any depth."""
    parts: list[str] = []
    link_chars = 0
    kind = "p"
    hidden = links = 0

    def flush() -> Iterator[tuple[str, str, float]]:
        nonlocal parts, link_chars
        text = collapse("".join(parts))
        if text:
            yield text, kind, min(1.0, link_chars / len(text))
        parts, link_chars = [], 0

    for event, node in etree.iterwalk(root, events=("start", "end")):
        tag = node.tag if isinstance(node.tag, str) else ""
        if event == "start":
            hidden += tag in _INVISIBLE
            links += tag == _LINK
            if tag in _BLOCK_TAGS:
                yield from flush()
                kind = "head" if tag in _HEADINGS else "p"
            if not hidden and tag and node.text:
                parts.append(node.text)
                link_chars += len(node.text.strip()) if links else 0
            continue
        hidden -= tag in _INVISIBLE
        links -= tag == _LINK
        if tag in _BLOCK_TAGS:
            yield from flush()
            kind = "p"
        if not hidden and node.tail and node is not root:
            parts.append(node.tail)
            link_chars += len(node.tail.strip()) if links else 0
    yield from flush()


def prose_words(root: HtmlElement) -> int:
    """Words of the visible lines of `root` that are running prose and not mostly links."""
    return sum(
        text_words(text)
        for text, _, share in visible_lines(root)
        if share <= 0.5 and is_prose(text)
    )


def needs_fallback(body_words: int, page_prose_words: int) -> bool:
    """True when the main body is empty or holds far less than the page's visible prose."""
    return body_words == 0 or body_words < FAR_LESS_SHARE * page_prose_words


# The text nodes `visible_lines` may read are all but a script's or a style's own text (the
# other invisible elements hold little text; counting it only loosens the bound). They are
# found as all the page's text nodes less those of its scripts and styles: two XPath calls
# without a predicate cost less than one that tests every text node's parent.
_TEXT = etree.XPath("//text()", smart_strings=False)
_SCRIPT_TEXT = etree.XPath("//script/text() | //style/text()", smart_strings=False)


def prose_words_bound(root: HtmlElement) -> int:
    """An upper bound of `prose_words(root)`, read in XPath calls instead of a walk of
    every element in Python: all words of the text nodes `visible_lines` may read. A line
    joins text nodes, which never makes more words than the nodes hold apart, and
    `prose_words` counts only some of the lines. A count of words does not depend on the
    order of the nodes, so a script's text is taken out as one of the equal strings."""
    hidden = Counter(_SCRIPT_TEXT(root))
    visible = []
    for text in _TEXT(root):
        if hidden[text]:
            hidden[text] -= 1
        else:
            visible.append(text)
    return text_words(" ".join(visible))


def wanted(body_words: int, root: HtmlElement) -> bool:
    """`needs_fallback` for a body of `body_words` on the page `root`. The page's visible
    prose is measured only when its cheap upper bound leaves the answer open: a body that
    holds a fair share of the bound holds at least that share of the prose, and most
    bodies do, so most pages are never walked."""
    if not needs_fallback(body_words, prose_words_bound(root)):
        return False
    return needs_fallback(body_words, prose_words(root))


def accepts(name: str, candidate: list[Block], body_words: int) -> bool:
    """A candidate must hold a sentence of prose (a story has one; a player page's "No live
    stream available" is no story). It replaces an empty body; a short one only when it is
    much longer and comes from readability, which keeps one region of the page: jusText
    keeps every good-looking block page-wide, reader comments and teasers included."""
    if not any(is_prose(b.text) for b in candidate):
        return False
    if body_words == 0:
        return True
    words = sum(text_words(b.text) for b in candidate)
    return name == READABILITY and words > _LONGER_FACTOR * body_words


def _separated(tree: HtmlElement) -> HtmlElement:
    """A copy of `tree` where every block element's tail starts with a space: readability
    drops whole elements (an aside inside a paragraph), and lxml then joins the text on
    either side of the dropped element, fusing two words into one."""
    root = deepcopy(tree)
    for element in root.iter(*_BLOCK_TAGS):
        element.tail = " " + (element.tail or "")
    return root


def _readability(tree: HtmlElement) -> list[Block]:
    summary = Document(_separated(tree), min_text_length=25).summary()
    if not summary.strip():
        return []
    return [Block(t, k, s, teaser=False) for t, k, s in visible_lines(fromstring(summary))]


@cache
def _all_stop_words() -> frozenset[str]:
    return frozenset(word for lang in get_stoplists() for word in get_stoplist(lang))


def _justext(tree: HtmlElement) -> list[Block]:
    root = _separated(tree)
    for element in list(root.iter(*_INVISIBLE)):
        if element.getparent() is not None:
            element.drop_tree()
    paragraphs = ParagraphMaker.make_paragraphs(root)
    classify_paragraphs(
        paragraphs,
        _all_stop_words(),
        *_JUSTEXT_LENGTHS,
        *_JUSTEXT_STOPWORDS,
        _JUSTEXT_LINK_DENSITY,
        True,  # no_headings: headings are judged like any block, as trafilatura asks
    )
    revise_paragraph_classification(paragraphs, _JUSTEXT_HEADING_DISTANCE)
    return [
        Block(text, "head" if p.is_heading else "p", min(1.0, p.links_density()), teaser=False)
        for p in paragraphs
        if not p.is_boilerplate and (text := collapse(p.text))
    ]


READABILITY = "readability"
FALLBACKS: tuple[tuple[str, Callable[[HtmlElement], list[Block]]], ...] = (
    (READABILITY, _readability),
    ("justext", _justext),
)


def candidates(tree: HtmlElement, *, body_words: int) -> Iterator[tuple[str, list[Block]]]:
    """Each fallback's blocks for the page, best algorithm first (readability scored 0.92
    F1 on the article-extraction benchmark, jusText 0.88); a failing one yields nothing.
    jusText is only asked when the body is empty (see `accepts`): it costs 120 ms a page."""
    for name, extract in FALLBACKS:
        if body_words and name != READABILITY:
            continue
        try:
            blocks = extract(tree)
        except Exception:  # third-party code on hostile trees: a failure is "no candidate"
            continue
        if blocks:
            yield name, blocks
