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
from trafilatura.utils import DOCTYPE_TAG, FAULTY_HTML, is_dubious_html, repair_faulty_html

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
        tree = _load_html(html)
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


# The control characters `_CONTROLS` matches, as UTF-8 bytes (no byte of a multi-byte
# UTF-8 sequence is below 0x80, so a page holds one exactly when its UTF-8 form does),
# and the two non-characters trafilatura's repair also deletes, in UTF-8.
_CONTROL_BYTES = bytes(c for c in range(0x80) if _CONTROLS.match(chr(c)))
_NONCHARACTERS = ("\ufffe".encode(), "\uffff".encode())
# What `lxml.html.fromstring` skips before it looks for "<html" or "<!doctype": `\s` of a
# str pattern for a str, of a bytes pattern for bytes. Where the two differ (a page opening
# with a no-break space), the page is parsed from its str, as trafilatura does.
_LEADING_SPACE = re.compile(r"\s*")
_LEADING_ASCII_SPACE = re.compile(r"[ \t\n\r\f\v]*")


def _load_html(html: str) -> HtmlElement | None:
    """`trafilatura.load_html` for a decoded page, with `_html_parser` and control
    characters made spaces (`_CONTROLS`): the same repairs, the same refusal of a page that
    is no HTML, the same tree.

    The page is encoded to UTF-8 once and parsed from those bytes, which costs less than
    the str parse and is the bytes parse trafilatura falls back to: a page trafilatura's str
    parse reads gives the same tree from its bytes (`tests/test_page_parse.py`). The bytes
    also tell, with two C scans, that a page holds no control character or non-character:
    then the regular-expression passes over the whole page (trafilatura's and this one's,
    a third of the parse) have nothing to do and are not run.
    """
    data = _utf8(html)
    if data is None or len(data.translate(None, _CONTROL_BYTES)) != len(data):
        html, data = _CONTROLS.sub(" ", html), None
    beginning = html[:50].lower()
    dubious = is_dubious_html(beginning)
    if data is None or any(noncharacter in data for noncharacter in _NONCHARACTERS):
        html, data = repair_faulty_html(html, beginning), None
    else:  # repair_faulty_html, its character deletion left out: nothing to delete
        repaired = _repair_markup(html, beginning)
        if repaired is not html:
            html, data = repaired, None
    parser = _html_parser()
    tree: HtmlElement | None = None
    if data is None:
        data = _utf8(html)
    if data is not None:
        tree, from_bytes = _from_bytes(data, parser), True
    else:  # lone surrogates, or a page opening with other white space
        from_bytes = False
        try:
            tree = lxml.html.fromstring(html, parser=parser)
        except ValueError:  # "Unicode strings with encoding declaration are not supported."
            tree, from_bytes = _from_bytes(_surrogates(html), parser), True
        except Exception:  # lxml on broken input: tried again from bytes below
            tree = None
    if (tree is None or len(tree) < 1) and not from_bytes:
        tree = _from_bytes(_surrogates(html), parser)
    if tree is not None and dubious and len(tree) < 2:
        return None  # not (well-formed) HTML at all
    return tree


def _utf8(html: str) -> bytes | None:
    """The page in UTF-8, or None when the bytes parse would read it otherwise than the str
    parse: it holds lone surrogates, or opens with white space a bytes pattern's `\\s` does
    not match."""
    lead, ascii_lead = _LEADING_SPACE.match(html), _LEADING_ASCII_SPACE.match(html)
    if not (lead and ascii_lead and lead.end() == ascii_lead.end()):
        return None
    try:
        return html.encode("utf-8")
    except UnicodeEncodeError:
        return None


def _surrogates(html: str) -> bytes:
    return html.encode("utf8", "surrogatepass")


def _repair_markup(html: str, beginning: str) -> str:
    """`trafilatura.utils.repair_faulty_html` after its deletion of invalid characters:
    a doctype libxml2 misreads dropped from the first line, a self-closed `<html/>` opened.
    `html` itself when nothing changes."""
    if "doctype" in beginning:
        first, newline, rest = html.partition("\n")
        fixed = DOCTYPE_TAG.sub("", first, count=1)
        if fixed != first or not newline:
            html = fixed + "\n" + rest
    for line in html[:4096].splitlines()[:4]:
        if "<html" in line and line.endswith("/>"):
            return FAULTY_HTML.sub(r"\1>", html, count=1)
    return html


def _from_bytes(data: bytes, parser: lxml.html.HTMLParser) -> HtmlElement | None:
    try:
        return lxml.html.fromstring(data, parser=parser)
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


@cache
def _options() -> Extractor:
    """trafilatura's options for `_content_xml`, built once: trafilatura reads them and
    copies them where it changes one (its recall retry), and building them reads its
    configuration anew each time."""
    return Extractor(
        output_format="xml",
        comments=True,  # lets trafilatura set comments apart; only <main> is read
        links=True,
        tables=True,
        images=False,
        dedup=False,
    )


def _content_xml(tree: HtmlElement) -> str:
    """trafilatura's XML for the page, as `trafilatura.extract(output_format="xml")` gives
    it, without the metadata (title, date, fingerprint) `extract` always computes: newsetl
    reads only the `<main>` element, and finds headline, dates and authors itself.

    No URL is given: trafilatura uses it only to make each link's address absolute (the
    `target` attribute of a `<ref>`, resolved link by link), and the blocks read a link's
    text, never its address."""
    options = _options()
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
