"""The cheaper forms of the per-page steps give what their plain definitions give.

Each step below was rewritten so a page costs less CPU (one XPath call instead of a Python
walk of every element, a search instead of a lazy pattern); these tests hold each against
its plain definition on generated markup, so a rewrite that changes an answer fails here.
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import lxml.html as lxml_html
import pytest
import trafilatura
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml.html import HtmlElement

from transforms import authors, fallback, guards
from transforms.html import _content_xml, _parse

AEB = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "article-extraction-benchmark"

_FRAGMENTS = [
    *("<div>", "</div>", "<p>", "</p>", "<li>", "</li>", "<b>", "</b>", "<br/>", "<div/>"),
    *("<script>", "</script>", "<SCRIPT type=x>", "</script >", "<style>", "</STYLE>"),
    *("<title>", "</title>", "<textarea>", "</textarea>", "<xmp>", "</xmp>", "<scripts>"),
    *("<a href=x>", "</a>", "<span class=x/>", "<img src=y/>", "</span>"),
    *("Words of a story. ", "more text", " ", "\n", "<", ">", "/"),
]
soup = st.lists(st.sampled_from(_FRAGMENTS), max_size=40).map("".join)

# The definition `_without_raw_text` implements: one lazy pattern over the page.
_RAW_TEXT = re.compile(
    r"<(script|style|textarea|title|xmp)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL
)


@given(soup)
def test_raw_text_elements_are_blanked_as_the_one_pattern_does(html: str) -> None:
    assert guards._without_raw_text(html) == _RAW_TEXT.sub(" ", html)


def test_unclosed_raw_text_element_leaves_its_markup_counted() -> None:
    assert guards.html_depth("<script><div><div>") == 3
    assert guards.html_depth("<script>a</script><script><div>") == 2
    assert guards.html_depth("<style><div></style><style><div>") == 2
    assert guards.html_depth("<div><br/><span/><p>x</p></div>") == 2


# The definition `guards.html_depth` implements: every tag of the plain pattern, its name
# lower-cased, self-closed and void tags skipped.
_PLAIN_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)([^>]*)>")
_TAG_SOUP = [
    *_FRAGMENTS,
    *("<br>", "<IMG src=x>", "<img alt='<b>'>", "<img alt=\"a<b\"/>", "<a / >", "</div/>"),
    *("<li>", "<P>", "</P>", "<brx>", "</br>", "<ul>", "</ul>", "<b/>", "<td>", "<tr>"),
]
tag_soup = st.lists(st.sampled_from(_TAG_SOUP), max_size=60).map("".join)


def _depth_by_plain_pattern(html: str) -> int:
    stack: list[str] = []
    deepest = 0
    for closing, raw_name, rest in _PLAIN_TAG.findall(guards._without_raw_text(html)):
        name = raw_name.lower()
        if rest.endswith("/") or name in guards._VOID:
            continue
        if closing:
            if name in stack:
                while stack and stack.pop() != name:
                    pass
            continue
        if name in guards._IMPLIED_END and stack and stack[-1] == name:
            stack.pop()
        stack.append(name)
        deepest = max(deepest, len(stack))
    return deepest


@settings(max_examples=500, deadline=None)
@given(tag_soup, st.integers(0, 12))
def test_depth_is_the_plain_patterns_and_over_a_limit_only_when_deeper(
    html: str, limit: int
) -> None:
    depth = guards.html_depth(html)
    assert depth == _depth_by_plain_pattern(html)
    assert guards.depth_over(html, limit) == (depth if depth > limit else None)


# ------------------------------------------------------------------ byline candidates

# The definitions `authors._byline_candidates` implements, as XPath 1.0 writes them.
_LOWER = "translate({}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"
_CLASS, _ID = _LOWER.format("@class"), _LOWER.format("@id")
_DEFINITIONS = (
    '//*[@itemprop="author"]',
    '//a[@rel="author"] | //link[@rel="author"]',
    f'//*[contains({_CLASS}, "byline") or contains({_ID}, "byline")]',
    f'//*[contains({_CLASS}, "author") and not(contains({_CLASS}, "bio"))'
    f' and not(contains({_CLASS}, "image")) and not(contains({_CLASS}, "avatar"))'
    f' and not(contains({_CLASS}, "photo"))]',
)
_NAMES = st.sampled_from(
    [
        *("byline", "ByLine", "BYLINE-x", "author", "Post-AUTHOR", "author-bio"),
        *("author-Photo", "x", "story", "İauthor", "by line"),
    ]
)


@st.composite
def _marked_page(draw: st.DrawFn) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 12))):
        tag = draw(st.sampled_from(["div", "span", "a", "p", "h1"]))
        attrs = ""
        if draw(st.booleans()):
            attrs += f' class="{draw(_NAMES)} {draw(_NAMES)}"'
        if draw(st.booleans()):
            attrs += f' id="{draw(_NAMES)}"'
        if draw(st.booleans()):
            attrs += ' itemprop="author"' if tag != "a" else ' rel="author"'
        parts.append(f"<{tag}{attrs}>Jane Roe</{tag}>")
    return "<html><body>" + "".join(parts) + "</body></html>"


def _tree(html: str) -> HtmlElement:
    tree = _parse(html)
    assert tree is not None
    return tree


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(_marked_page())
def test_byline_candidates_are_the_xpath_definitions(html: str) -> None:
    tree = _tree(html)
    found = [list(group) for group in authors._byline_candidates(tree)]
    assert found == [tree.xpath(xpath) for xpath in _DEFINITIONS]


def test_class_and_id_match_in_any_ascii_case_and_bio_is_not_a_byline() -> None:
    tree = _tree(
        '<html><body><h1>Headline</h1><p class="Post-AUTHOR">Jane Roe</p>'
        '<div class="author-Photo">pic</div><span id="BYLINE">By John Doe</span>'
        '<div class="sidebar-author">Far Away</div></body></html>'
    )
    _, _, bylines, found = authors._byline_candidates(tree)
    assert [e.text for e in bylines] == ["By John Doe"]
    assert [e.text for e in found] == ["Jane Roe", "Far Away"]
    # the nearest to the headline first
    assert list(authors.byline_texts(tree)) == ["By John Doe", "Jane Roe", "Far Away"]


# ------------------------------------------------------------------ fallback gate

_PAGE_PARTS = [
    "<p>The board voted to close two libraries next spring, ending a year of hearings.</p>",
    "<p>Short label</p>",
    "<li><a href=/x>A link to another story that runs long enough to be prose here.</a></li>",
    "<script>var words = 'many many many script words that are never seen on the page';</script>",
    "<style>.a { color: red }</style>",
    "<div>Loose text without a full stop but with plenty of words in it to count</div>",
    "<h2>A heading</h2>",
    "<noscript>Enable scripts to read this sentence in full, please.</noscript>",
    "<br>",
]


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_PAGE_PARTS), max_size=25), st.integers(0, 400))
def test_prose_bound_holds_and_the_gate_answers_as_the_exact_measure(
    parts: list[str], body_words: int
) -> None:
    tree = _tree("<html><head><title>t</title></head><body>" + "".join(parts) + "</body></html>")
    exact = fallback.prose_words(tree)
    assert fallback.prose_words_bound(tree) >= exact
    assert fallback.wanted(body_words, tree) == fallback.needs_fallback(body_words, exact)


_SCRIPTED_PARTS = [*_PAGE_PARTS, "<script>1</script>", "<style></style>"]


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_SCRIPTED_PARTS), max_size=25))
def test_prose_bound_is_the_words_of_the_text_nodes_outside_scripts_and_styles(
    parts: list[str],
) -> None:
    from lxml import etree

    from transforms.paragraphs import text_words

    tree = _tree("<html><head><title>t</title></head><body>" + "".join(parts) + "</body></html>")
    visible = etree.XPath("//text()[not(parent::script or parent::style)]")(tree)
    assert fallback.prose_words_bound(tree) == text_words(" ".join(map(str, visible)))


# ------------------------------------------------------------------ trafilatura's XML


def _main(xml: str) -> str:
    """The XML without the <doc> element's metadata attributes."""
    return re.sub(r"<doc\b[^>]*>", "<doc>", xml, count=1)


def _extract_xml(html: str, url: str | None = None) -> str:
    xml = trafilatura.extract(
        _tree(html),
        url=url,
        output_format="xml",
        include_comments=True,
        include_links=True,
        include_tables=True,
        include_images=False,
        deduplicate=False,
    )
    return _main(xml or "")


def _pages() -> list[str]:
    story = "".join(
        f"<p>Paragraph {i} of the story, with a <a href='/l{i}'>link</a> in it and more words.</p>"
        for i in range(8)
    )
    pages = [
        "<html><head><title>Libraries to close</title><meta name=author content='Jane Roe'>"
        f"</head><body><nav><a href=/>Home</a></nav><article><h1>Libraries</h1>{story}"
        "</article><div class=comments><p>A reader's comment on the story.</p></div>"
        "</body></html>"
    ]
    if AEB.is_dir():
        pages += [
            gzip.decompress(p.read_bytes()).decode("utf-8", "replace")
            for p in sorted((AEB / "html").glob("*.html.gz"))[:8]
        ]
    return pages


@pytest.mark.parametrize("html", _pages())
def test_content_xml_is_extracts_xml_without_metadata(html: str) -> None:
    """Leaving out the metadata extract() computes changes nothing in the content."""
    assert _main(_content_xml(_tree(html))) == _extract_xml(html)


@pytest.mark.parametrize("html", _pages())
def test_blocks_are_those_of_the_xml_with_links_resolved_against_the_url(html: str) -> None:
    """The page's URL only makes trafilatura resolve each link's address, which no block
    reads: the blocks are those of the XML extracted with the URL."""
    from transforms.blocks import blocks_from_xml

    with_url = _extract_xml(html, "https://news.example.com/2024/03/05/story.html")
    if "href='/l0'" in html:  # the made-up page's relative links were resolved
        assert 'target="https://news.example.com/l0"' in with_url
    assert blocks_from_xml(_content_xml(_tree(html))) == blocks_from_xml(with_url)


def test_gate_measures_the_prose_when_the_bound_leaves_it_open() -> None:
    """Menus and link lists fill the bound but are no prose: a body a quarter of the page's
    prose is enough, though it is under a quarter of the bound."""
    story = "<p>" + " ".join(["The board voted to close the two branch libraries."] * 4) + "</p>"
    menu = "".join(f"<li><a href=/s{i}>Section name {i}</a></li>" for i in range(60))
    tree = _tree(f"<html><body><ul>{menu}</ul>{story}</body></html>")
    prose, bound = fallback.prose_words(tree), fallback.prose_words_bound(tree)
    body = prose // 2
    assert body < fallback.FAR_LESS_SHARE * bound  # the bound alone would ask the fallback
    assert not fallback.wanted(body, tree)
    assert fallback.wanted(0, tree)


@pytest.mark.parametrize(
    "html",
    [
        "<!DOCTYPE html><html><body><form><input name=a><textarea>x</textarea>"
        "<label>l</label><select><option>o</select></form><p>Text <b>bold</b></p></body></html>",
        '<?xml version="1.0" encoding="utf-8"?><html><body><p>declared bytes</p></body></html>',
        "<p>a fragment, no html element</p>",
        "not markup at all",
        "<html/><body><p>self-closed html</p></body>",
        *_pages()[1:4],
    ],
)
def test_page_parse_is_trafilaturas_with_the_same_element_classes(html: str) -> None:
    ours, theirs = _parse(html), trafilatura.load_html(html)
    if theirs is None:
        assert ours is None
        return
    assert ours is not None
    assert lxml_html.tostring(ours) == lxml_html.tostring(theirs)
    assert [type(e) for e in ours.iter()] == [type(e) for e in theirs.iter()]


# The pieces a page's text can open with or hold that the parse treats apart: declarations
# libxml2 misreads, control characters and non-characters (repaired away), lone surrogates,
# byte order marks and white space other than ASCII (parsed from the str), other scripts.
_PARSE_PARTS = [
    *("<!DOCTYPE html>", '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "x.dtd">'),
    *("<html>", "<html/>", "</html>", "<head>", "<body>", "<p>", "</p>", "<br/>", "<!-- c -->"),
    *("<meta charset=windows-1251>", '<?xml version="1.0" encoding="iso-8859-1"?>'),
    *("\n", "\r\n", " ", "\xa0", "\u3000", "\ufeff", "\x0c", "\x00", "\x1f", "\x85"),
    *("\ufffe", "\uffff", "\ud800", "é", "Привет", "中文", "😀", "words", "&amp;", "&nbsp;"),
]


@settings(max_examples=700, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_PARSE_PARTS), max_size=16).map("".join))
def test_page_parse_is_trafilaturas_str_parse_of_the_page_with_controls_as_spaces(
    html: str,
) -> None:
    """The parse from the page's UTF-8 bytes, with the repairs skipped when the bytes show
    nothing to repair, gives the tree trafilatura's own parse gives."""
    from transforms.html import _CONTROLS

    ours, theirs = _parse(html), trafilatura.load_html(_CONTROLS.sub(" ", html))
    if theirs is None or not isinstance(theirs, HtmlElement):
        assert ours is None
        return
    assert ours is not None
    assert lxml_html.tostring(ours) == lxml_html.tostring(theirs)


# ------------------------------------------------------------------ section recovery

_PARAGRAPH_PARTS = [
    *("word ", "Gaza", " ", "\n", "<b>", "</b>", "<a href=x>", "</a>", "<span>", "</span>"),
    *("<br>", "<script>var a;</script>", "<style>p{}</style>", "<noscript>n</noscript>"),
    *("<template>t</template>", "<em>x</em>", "\xa0", "&amp;"),
]


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(st.sampled_from(_PARAGRAPH_PARTS), max_size=10).map("".join), max_size=6))
def test_a_paragraph_read_as_text_has_the_words_of_its_text_content(bodies: list[str]) -> None:
    """Section recovery skips the extracted paragraphs it can read as text: their visible
    text's words are those of their text content, which a block already holds."""
    from transforms import sections
    from transforms.paragraphs import collapse

    paragraphs = "".join(f"<p>{body}</p>" for body in bodies)
    tree = _tree(f"<html><body><div class=s>{paragraphs}</div></body></html>")
    for paragraph in tree.iter("p"):
        if sections._reads_as_text(paragraph):
            visible = sections._words(sections._visible_text(paragraph))
            assert visible == sections._words(collapse(paragraph.text_content()))


# ------------------------------------------------------------------ headline meta tags

_META_NAMES = ["og:title", "twitter:title", "og:site_name", "OG:TITLE", "description"]


@st.composite
def _meta_page(draw: st.DrawFn) -> str:
    metas = []
    for _ in range(draw(st.integers(0, 8))):
        attrs = [
            f'{attr}="{draw(st.sampled_from(_META_NAMES))}"'
            for attr in ("property", "name")
            if draw(st.booleans())
        ]
        if draw(st.booleans()):
            attrs.append(f'content="{draw(st.sampled_from(["", " ", "A  headline", "Site"]))}"')
        metas.append(f"<meta {' '.join(attrs)}>")
    where = draw(st.sampled_from(["head", "body"]))
    head, body = ("".join(metas), "") if where == "head" else ("", "".join(metas))
    return f"<html><head>{head}</head><body><p>x</p>{body}</body></html>"


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(_meta_page(), st.lists(st.sampled_from(_META_NAMES), min_size=1, max_size=2))
def test_headline_meta_is_the_xpath_definition(html: str, names: list[str]) -> None:
    from transforms.paragraphs import collapse
    from transforms.title import _meta, _metas

    tree = _tree(html)
    definition = next(
        (
            text
            for name in names
            for attr in ("property", "name")
            for value in tree.xpath(f'//meta[@{attr}="{name}"]/@content')
            if (text := collapse(str(value)))
        ),
        "",
    )
    assert _meta(_metas(tree), *names) == definition


# ------------------------------------------------------------------ JSON-LD wrappers

# The definition `jsonld.unwrap` implements: each side's pattern substituted, twice.
_WRAPPER_PARTS = [
    *("<![CDATA[", "]]>", "/*", "*/", "//", "<!--", "-->", "<!", "[", "]", ">", "-", "*"),
    *(" ", "\n", "\t", "\xa0", "\u2003", '{"a": 1}', "[]", "text", "/"),
]


def _unwrap_by_patterns(text: str) -> str:
    from transforms.jsonld import _CLOSING, _OPENING

    for _ in range(2):
        text = _CLOSING.sub("", _OPENING.sub("", text, count=1), count=1)
    return text


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(_WRAPPER_PARTS), max_size=14).map("".join))
def test_jsonld_unwrap_is_the_two_patterns_substituted(text: str) -> None:
    from transforms.jsonld import unwrap

    assert unwrap(text) == _unwrap_by_patterns(text)


def test_a_scripts_json_is_parsed_once_for_every_step_that_reads_it() -> None:
    """The reader (the page's URL), the authors and the dates steps read the same scripts."""
    from transforms import authors, dates
    from transforms.jsonld import loads

    script = '{"@type": "NewsArticle", "author": {"name": "Jane Roe"}, "datePublished": "2024-03"}'
    tree = _tree(f'<html><head><script type="application/ld+json">{script}</script></head></html>')
    value = loads(script)
    assert loads(script) is value
    assert authors._jsonld_author_names(tree) == ["Jane Roe"]
    assert next(dates._markup_candidates(tree)) == ("html:jsonld", "2024-03")
    assert loads(next(tree.iterfind(".//script")).text) is value


# ------------------------------------------------------------------ edge-space pinning

_EDGE_SPACE = re.compile(r"^\s+|\s+$")  # the definition `html._pin_edge_spaces` implements
_SPACED_PARTS = [
    *("<p>", "</p>", "<b>", "</b>", "<a href=x>", "</a>", "<br>", "<div>", "</div>"),
    *(" ", "\n", "\t", "\xa0", "\u2003", "\u3000", "word", "x", "Gaza", "<script>1 </script>"),
]


def _pinned_by_pattern(tree: HtmlElement) -> None:
    from transforms.html import _SPACE_MARK

    for element in tree.iter():
        text = element.text if isinstance(element.tag, str) else None
        tail = element.tail
        if text and text.strip() and text != text.strip():
            element.text = _EDGE_SPACE.sub(_SPACE_MARK, text)
        if tail and tail.strip() and tail != tail.strip():
            element.tail = _EDGE_SPACE.sub(_SPACE_MARK, tail)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_SPACED_PARTS), max_size=30).map("".join))
def test_edge_spaces_are_pinned_as_the_pattern_pins_them_and_unpinned_back(body: str) -> None:
    from lxml import etree

    from transforms.html import _pin_edge_spaces, _unpin

    html = f"<html><body>{body}</body></html>"
    ours, definition = _parse(html), _parse(html)
    assert ours is not None and definition is not None
    parsed = etree.tostring(ours, encoding="unicode")
    changed: list = []
    _pin_edge_spaces(ours, changed)
    _pinned_by_pattern(definition)
    pinned = etree.tostring(ours, encoding="unicode")
    assert pinned == etree.tostring(definition, encoding="unicode")
    _unpin(changed)
    assert etree.tostring(ours, encoding="unicode") == parsed
