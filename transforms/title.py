"""The headline of a page, without the " | Site Name" decoration sites add to it.

Pages state their headline several times (og:title, twitter:title, <h1>, <title>); the
social tags are the most deliberate, <title> the most decorated. The site name is known
from og:site_name or the URL's host, which lets us strip it without guessing.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from lxml.html import HtmlElement

from transforms.paragraphs import collapse, word_count

# Separators between headline and site name: spaced pipes, dashes, colons, bullets.
_SEPARATOR = re.compile(r"\s+(?:[|–—·•:»/]|-{1,2}|::|//)\s+")
# A trailing segment this short next to a much longer headline is a site or section name.
_MAX_SUFFIX_WORDS = 4
_ALNUM = re.compile(r"[^\w]+")


_Metas = dict[tuple[str, str], list[str]]


def _metas(tree: HtmlElement) -> _Metas:
    """The `content` of the page's meta elements (all of the document's, as `//meta` finds
    them) by (attribute, its value) for the `property` and `name` attributes, in page order:
    one walk for every name the headline steps ask about, not one XPath search each."""
    found: _Metas = {}
    for meta in tree.getroottree().iter("meta"):
        content = meta.get("content")
        if content is None:
            continue
        for attr in ("property", "name"):
            value = meta.get(attr)
            if value is not None:
                found.setdefault((attr, value), []).append(content)
    return found


def _meta(metas: _Metas, *names: str) -> str:
    """The first non-blank content of a meta element named one of `names` (in that order),
    by its `property`, then its `name` attribute."""
    for name in names:
        for attr in ("property", "name"):
            for value in metas.get((attr, name), ()):
                text = collapse(value)
                if text:
                    return text
    return ""


def _first_text(tree: HtmlElement, xpath: str) -> str:
    for element in tree.xpath(xpath):
        text = collapse(element.text_content())
        if text:
            return text
    return ""


def _squash(text: str) -> str:
    return _ALNUM.sub("", text.casefold())


def _site_names(metas: _Metas, url: str | None) -> set[str]:
    names = {_squash(_meta(metas, "og:site_name", "application-name"))}
    host = urlsplit(url or "").hostname or ""
    labels = [label for label in host.split(".") if label not in ("www", "m", "amp")]
    names.update(_squash(label) for label in labels[:-1])
    names.update(_squash(".".join(labels[i:])) for i in range(len(labels)))
    names.discard("")
    return names


def _strip_site(title: str, sites: set[str]) -> str:
    segments = _SEPARATOR.split(title)
    while len(segments) > 1 and _is_site(segments[-1], sites, segments[:-1]):
        segments.pop()
    while len(segments) > 1 and _squash(segments[0]) in sites:
        segments.pop(0)
    return _rejoin(title, segments)


def _is_site(segment: str, sites: set[str], rest: list[str]) -> bool:
    squashed = _squash(segment)
    if squashed in sites or any(site and site in squashed for site in sites):
        return True
    words = word_count(segment)
    return words <= _MAX_SUFFIX_WORDS and words < max(word_count(part) for part in rest)


def _rejoin(title: str, segments: list[str]) -> str:
    """The span of `title` from the first to the last kept segment (separators preserved)."""
    start = title.find(segments[0])
    end = title.rfind(segments[-1]) + len(segments[-1])
    return collapse(title[start:end]) if 0 <= start < end else collapse(" ".join(segments))


def page_title(tree: HtmlElement, url: str | None = None) -> str | None:
    """The page's headline, or None when the page states none."""
    heading = _first_text(tree, "//h1")
    metas = _metas(tree)
    stated = _meta(metas, "og:title", "twitter:title") or _first_text(tree, "//title") or heading
    if not stated:
        return None
    if heading and word_count(heading) >= 3 and _squash(heading) in _squash(stated):
        return heading
    return _strip_site(stated, _site_names(metas, url)) or stated
