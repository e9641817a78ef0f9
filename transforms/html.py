"""Main-content extraction: a whole HTML page in, its headline and article body out.

trafilatura finds the content region well, but it keeps furniture that sits inside it (the
headline and deck above the story, teaser cards, "Read more" links, newsletter pitches,
copyright lines), misses the rest of a story that a site split into several containers, and
can fuse words across the whitespace it trims. newsetl's steps around it:

1. pin edge whitespace of text nodes, so no words are fused (`_pin_edge_spaces`);
2. ask trafilatura for XML, which keeps link text and list cards visible (`blocks`);
3. add back same-container sections it skipped (`sections`);
4. drop furniture blocks, recording each in `Extracted.removed` (`_keep_flags`);
5. when that leaves nothing, or far less than the page's visible prose, ask the generic
   algorithms trafilatura ships with, directly on the same tree (`transforms.fallback`),
   and judge their blocks by the same furniture rules.

`Extracted.extracted_by` names the step that produced the body, so a user can audit it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from contextlib import suppress
from dataclasses import dataclass, field, replace
from functools import cache

import lxml.html
import trafilatura
from lxml import etree
from lxml.html import HtmlElement
from trafilatura.core import determine_returnstring
from trafilatura.settings import Document, Extractor
from trafilatura.utils import is_dubious_html, repair_faulty_html

from transforms import fallback
from transforms.blocks import Block, blocks_from_xml
from transforms.boilerplate import is_boilerplate
from transforms.paragraphs import collapse, is_prose, text_words
from transforms.repair import repair_text
from transforms.sections import recover_sections
from transforms.teasers import teaser_runs
from transforms.title import page_title

# libxml2 silently drops control characters, fusing the words around them; a form feed or
# a stray \x1f between words is a separator.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# trafilatura trims each text node and may concatenate neighbours without a space ("<div>
# Gaza </div> Gaza" -> "GazaGaza"). Edge whitespace is pinned with this rare printable mark,
# which trafilatura keeps, and turned back into a space afterwards.
_SPACE_MARK = "\u2e3b"
# A block mostly made of link text, that is not running prose, points elsewhere.
_LINK_SHARE_MAX = 0.5
_STORY_KINDS = frozenset({"p", "quote", "item"})


# `Extracted.extracted_by` values: trafilatura's content alone, with sections newsetl added
# back, or one of the fallbacks ("fallback:readability", "fallback:justext").
BY_TRAFILATURA = "trafilatura"
BY_SECTIONS = "trafilatura+sections"
FALLBACK_PREFIX = "fallback:"


@dataclass(frozen=True)
class Extracted:
    """Headline (None if the page states none), body paragraphs joined by one blank line,
    the paragraphs newsetl's own steps removed from the extractor's output, and which
    extractor produced the body."""

    title: str | None
    body: str
    removed: tuple[str, ...]
    extracted_by: str = BY_TRAFILATURA
    # The page's one parse, as parsed (extraction's own marks taken out again), for the
    # steps after extraction that read the page (its dates): a page is parsed once.
    tree: HtmlElement | None = field(default=None, compare=False, repr=False)


def _parse(html: str) -> HtmlElement | None:
    try:
        tree = _load_html(_CONTROLS.sub(" ", html))
    except Exception:  # third-party parser: broken input must yield "nothing", not a crash
        return None
    return tree if isinstance(tree, HtmlElement) else None


@cache
def _html_parser() -> lxml.html.HTMLParser:
    """trafilatura's HTML parser (same options), whose elements get lxml.html's classes
    from a lookup table in C instead of lxml.html's Python lookup method: every element
    object the extractor, trafilatura and the metadata readers touch is created through it,
    and that method was the largest single cost of a page after trafilatura itself."""
    parser = lxml.html.HTMLParser(
        collect_ids=False,
        default_doctype=False,
        encoding="utf-8",
        remove_comments=True,
        remove_pis=True,
    )
    lookup = etree.ElementNamespaceClassLookup(
        etree.ElementDefaultClassLookup(
            element=HtmlElement,
            comment=lxml.html.HtmlComment,
            pi=lxml.html.HtmlProcessingInstruction,
            entity=lxml.html.HtmlEntity,
        )
    )
    by_tag = lookup.get_namespace(None)
    for tag, element_class in lxml.html.HtmlElementClassLookup._default_element_classes.items():
        by_tag[tag] = element_class  # form, input, select, textarea, label
    parser.set_element_class_lookup(lookup)
    return parser


def _load_html(html: str) -> HtmlElement | None:
    """`trafilatura.load_html` for a decoded page, with `_html_parser`: the same repairs,
    the same retry from bytes, the same refusal of a page that is no HTML."""
    beginning = html[:50].lower()
    dubious = is_dubious_html(beginning)
    html = repair_faulty_html(html, beginning)
    parser = _html_parser()
    tree: HtmlElement | None = None
    from_bytes = False
    try:
        tree = lxml.html.fromstring(html, parser=parser)
    except ValueError:  # "Unicode strings with encoding declaration are not supported."
        tree, from_bytes = _from_bytes(html, parser), True
    except Exception:  # lxml on broken input: tried again from bytes below
        tree = None
    if (tree is None or len(tree) < 1) and not from_bytes:
        tree = _from_bytes(html, parser)
    if tree is not None and dubious and len(tree) < 2:
        return None  # not (well-formed) HTML at all
    return tree


def _from_bytes(html: str, parser: lxml.html.HTMLParser) -> HtmlElement | None:
    try:
        return lxml.html.fromstring(html.encode("utf8", "surrogatepass"), parser=parser)
    except Exception:  # lxml on broken input: no tree
        return None


_Pinned = list[tuple[HtmlElement, str | None, str | None]]


def _pin_edge_spaces(tree: HtmlElement, changed: _Pinned) -> None:
    """Replace leading/trailing whitespace of every text node by `_SPACE_MARK`; `changed`
    receives each element with its text and tail as parsed, before it is changed.

    Each edge's run of whitespace becomes one mark around the node's stripped text (what
    substituting `^\\s+|\\s+$` gives: `str.strip` and the pattern's `\\s` are the same
    characters), built by concatenation: this walk visits every element of the page."""
    for element in tree.iter():
        text = element.text if isinstance(element.tag, str) else None
        tail = element.tail
        inner_text = text.strip() if text else None
        inner_tail = tail.strip() if tail else None
        pinned_text = text and inner_text and len(inner_text) != len(text)
        pinned_tail = tail and inner_tail and len(inner_tail) != len(tail)
        if not (pinned_text or pinned_tail):
            continue
        changed.append((element, text, tail))
        if pinned_text and text and inner_text:
            element.text = _pinned(text, inner_text)
        if pinned_tail and tail and inner_tail:
            element.tail = _pinned(tail, inner_tail)


def _pinned(text: str, inner: str) -> str:
    """`text` (`inner` once stripped) with each edge's whitespace run made one mark."""
    head = _SPACE_MARK if text[0].isspace() else ""
    return head + inner + (_SPACE_MARK if text[-1].isspace() else "")


def _unpin(changed: _Pinned) -> None:
    """The tree as parsed again, for the steps that read it after extraction (dates)."""
    for element, text, tail in reversed(changed):
        if isinstance(element.tag, str):
            element.text = text
        element.tail = tail


def _content_xml(tree: HtmlElement) -> str:
    """trafilatura's XML for the page, as `trafilatura.extract(output_format="xml")` gives
    it, without the metadata (title, date, fingerprint) `extract` always computes: newsetl
    reads only the `<main>` element, and finds headline, dates and authors itself.

    No URL is given: trafilatura uses it only to make each link's address absolute (the
    `target` attribute of a `<ref>`, resolved link by link), and the blocks read a link's
    text, never its address."""
    options = Extractor(
        output_format="xml",
        comments=True,  # lets trafilatura set comments apart; only <main> is read
        links=True,
        tables=True,
        images=False,
        dedup=False,
    )
    try:
        document = trafilatura.bare_extraction(tree, options=options)
        if not isinstance(document, Document):
            return ""
        return determine_returnstring(document, options)
    except Exception:  # trafilatura on pathological pages (e.g. extreme nesting)
        return ""


def _keep_flags(
    blocks: list[Block], title: str | None, site_boilerplate: Collection[str]
) -> list[bool]:
    """Decide per block: story (True) or furniture (False).

    Furniture: known boilerplate; teaser cards and teaser lists; headings above the first
    prose paragraph (headline, deck, kicker); repeats of the headline; the site's learned
    boilerplate; and link-text blocks that are not prose (related links, tag lists, "more" buttons).
    Repeated paragraphs are kept: recipes, schedules and tables legitimately repeat lines.
    """
    first_story = next(
        (i for i, b in enumerate(blocks) if b.kind in _STORY_KINDS and is_prose(b.text)),
        len(blocks),
    )
    title_key = (title or "").casefold()
    teasers = teaser_runs([b.text for b in blocks])
    keep = []
    for i, block in enumerate(blocks):
        # The pattern file's test last: it costs the most, and any one reason is enough.
        furniture = (
            block.text.casefold() == title_key
            or block.teaser
            or teasers[i]
            or (i < first_story and block.kind == "head")
            or (block.link_share > _LINK_SHARE_MAX and not is_prose(block.text))
            or is_boilerplate(block.text, site_boilerplate)
        )
        keep.append(not furniture)
    return keep


def extract_html(
    html: str,
    url: str | None = None,
    *,
    site_boilerplate: Collection[str] = (),
    inspect: Callable[[HtmlElement], None] | None = None,
) -> Extracted:
    """Extract headline and article body from a whole page. Never raises.

    `site_boilerplate`: `line_key` keys learned for the page's site, as for `clean_text`.
    The body is already cleaned; running `clean_text` over it again would cost recall.
    `inspect` sees the parsed page before extraction changes it, so metadata readers
    (authors, language) share this one parse instead of parsing the page again.
    """
    tree = _parse(html)
    if tree is None:
        return Extracted(title=None, body="", removed=())
    if inspect is not None:
        inspect(tree)
    try:
        title = page_title(tree, url)
    except Exception:  # malformed attribute values or trees lxml half-built
        title = None
    title = repair_text(title) if title else None
    pinned: _Pinned = []
    with suppress(ValueError):  # lxml refuses some text it parsed itself (lone surrogates)
        _pin_edge_spaces(tree, pinned)
    extracted = _extract(tree, title, site_boilerplate)
    try:
        _unpin(pinned)
    except ValueError:  # not as parsed: later steps parse the page themselves
        return replace(extracted, tree=None)
    return extracted


def _extract(tree: HtmlElement, title: str | None, site_boilerplate: Collection[str]) -> Extracted:
    found = blocks_from_xml(_content_xml(tree))
    originals = {id(b) for b in found}
    merged = recover_sections(tree, found)
    blocks = _repaired(merged)
    keep = _keep_flags(blocks, title, site_boilerplate)
    # Blocks keep their order through repair; those not in trafilatura's output are sections.
    recovered = [id(b) not in originals for b in merged if _repair(b.text)]
    by = BY_SECTIONS if any(k and r for k, r in zip(keep, recovered, strict=True)) else None
    body_words = sum(text_words(b.text) for b, k in zip(blocks, keep, strict=True) if k)
    with suppress(ValueError, RecursionError):  # the same lxml refusals as above
        if fallback.wanted(body_words, tree):
            for name, found_blocks in fallback.candidates(tree, body_words=body_words):
                candidate = _repaired(found_blocks)
                flags = _keep_flags(candidate, title, site_boilerplate)
                kept = [b for b, k in zip(candidate, flags, strict=True) if k]
                if fallback.accepts(name, kept, body_words):
                    blocks, keep, by = candidate, flags, FALLBACK_PREFIX + name
                    break
    body = "\n\n".join(b.text for b, k in zip(blocks, keep, strict=True) if k)
    removed = tuple(b.text for b, k in zip(blocks, keep, strict=True) if not k)
    return Extracted(
        title=title, body=body, removed=removed, extracted_by=by or BY_TRAFILATURA, tree=tree
    )


def _repaired(blocks: list[Block]) -> list[Block]:
    """Blocks with their text repaired and the edge-space marks turned back into spaces;
    blocks left empty are dropped."""
    return [
        Block(text, b.kind, b.link_share, b.teaser) for b in blocks if (text := _repair(b.text))
    ]


def _repair(text: str) -> str:
    return collapse(repair_text(text.replace(_SPACE_MARK, " ")))
