"""Person names out of bylines: the page's markup, a byline line in text, a wire contributor line.

A byline as pages write it carries much more than names: "By", "and", an agency ("By Josef
Federman and Samy Magdy, Associated Press"), the outlet ("BBC News"), a job title ("Staff
Writer"), credentials ("MA"), a timestamp ("Updated 3 hours ago"), an e-mail address, a call to
action ("Email the author"). Extractors that return the string as found put that furniture in
the author facet. Here a byline is split into pieces and each piece must look like a person's
name (capitalized words, no figures, none of the stop words in ``data/authors.json``); agencies
go to their own field, outlets and organisations nowhere. When no source yields a clean name
the answer is no author: a wrong author is worse than none.

Pure: strings and parsed trees in, names out.
"""

from __future__ import annotations

import json
import re
import string
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from lxml import etree
from lxml.html import HtmlElement

from transforms import jsonld
from transforms.agencies import agency_name
from transforms.dates import month_number, weekday_number

# Longest byline piece read as a name, and most words in one name.
_MAX_BYLINE_CHARS = 200
_MAX_NAME_WORDS = 5
_MAX_NAMES = 10
_EMAIL = re.compile(r"\S+@\S+\.\w+")
_URL = re.compile(r"https?://\S+|www\.\S+")
_HANDLE = re.compile(r"\(?@\w+\)?")
_PAREN = re.compile(r"\(([^()]*)\)")
_DIGIT = re.compile(r"\d")
_SPACE = re.compile(r"\s+")
# Scripts written without spaces between words (CJK): a name there is a run of characters.
_UNSPACED = re.compile(r"^[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af·・]{2,6}$")
_LETTER = re.compile(r"[^\W\d_]")
# Word-ish tokens of a name: letters with apostrophes, hyphens and dots ("O'Neil", "J.R.").
# "Written by A Edited by B": each role opens a byline of its own.
_ROLE_BY = re.compile(
    r"\n|\b(?:written|edited|reported|compiled|words|text|story|photos?|illustrations?)\s+by\b",
    re.I,
)
_MIN_OUTLET_CHARS = 4
_TOKEN = re.compile(r"^[^\W\d_][^\W\d_'’.\-]*(?:['’.\-][^\W\d_]*)*\.?$")


@dataclass(frozen=True)
class Byline:
    """Who wrote a story: person names, the agency credited, and reporters named in a
    closing contributor line (who helped, not who wrote)."""

    authors: tuple[str, ...] = ()
    agency: str | None = None
    contributors: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Words:
    prefix: re.Pattern[str]
    separator: re.Pattern[str]
    cut: re.Pattern[str]
    titles: frozenset[str]
    stop: frozenset[str]
    credentials: frozenset[str]
    particles: frozenset[str]
    contributor: re.Pattern[str]


def _alternation(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@cache
def _words() -> _Words:
    text = resources.files("transforms").joinpath("data", "authors.json").read_text("utf-8")
    data: dict[str, list[str]] = json.loads(text)
    return _Words(
        prefix=re.compile(rf"^\s*(?:(?:{_alternation(data['prefixes'])})\b[\s:]*)+", re.I),
        separator=re.compile(
            rf"\s*(?:[,;|/\n•·]|\s(?:{_alternation(data['separators'])})\s|\s-\s|[–—])\s*", re.I
        ),
        cut=re.compile(rf"(?:^|\s|\|)(?:{_alternation(data['cut_words'])})\b.*$", re.I | re.S),
        titles=frozenset(t.casefold() for t in data["titles"]),
        stop=frozenset(w.casefold() for w in data["stop_words"]),
        credentials=frozenset(c.casefold().rstrip(".") for c in data["credentials"]),
        particles=frozenset(p.casefold() for p in data["particles"]),
        contributor=re.compile(rf"\b(?:{_alternation(data['contributor_verbs'])})\b", re.I),
    )


def _squash(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


def _person(piece: str, *, outlets: frozenset[str], single: bool = False) -> str | None:
    """`piece` as a person's name, or None when it is not one. ``single`` accepts a lone
    surname (contributor lines name reporters by surname)."""
    piece = piece.strip(" \t.,:;-–—|'\"“”‘’()[]")
    if not piece or _DIGIT.search(piece) or len(piece) > 60:
        return None
    if _UNSPACED.match(piece):
        return piece
    tokens = piece.split()
    words = _words()
    if not (1 if single else 2) <= len(tokens) <= _MAX_NAME_WORDS:
        return None
    if _squash(piece) in outlets:
        return None
    for token in tokens:
        folded = token.casefold().strip(".,")
        if folded in words.stop or not _TOKEN.match(token):
            return None
        if folded in words.particles:
            continue
        if not token[0].isupper() and _LETTER.match(token[0]):
            return None  # a lower-case word: prose, not a name
    if all(t.casefold().strip(".") in words.particles for t in tokens):
        return None
    if not any(len(t.strip(".")) >= 2 for t in tokens):
        return None  # "J J": initials alone are a comment's signature, not a byline
    if piece.isupper() and any(len(t) > 2 for t in tokens):  # "JOE HILDEBRAND"
        piece = " ".join(
            t if t.casefold() in words.particles else t.capitalize() for t in tokens
        )
    return piece


def _cut_at_date(text: str) -> str:
    """A byline ends where a figure starts ("By Jane Roe March 11, 2015 3:46 PM"), and a
    month or weekday name just before it goes too."""
    digit = _DIGIT.search(text)
    if digit is None:
        return text
    words = text[: digit.start()].split()
    while words and (month_number(words[-1]) or weekday_number(words[-1].rstrip(","))):
        words.pop()
    return " ".join(words)


def _clean(text: str, outlets: Iterable[str] = ()) -> str:
    """Drop what is never part of a name: e-mail, links, handles, the outlet's name, a
    timestamp and what follows it."""
    text = _EMAIL.sub(" ", text)
    text = _URL.sub(" ", text)
    text = _HANDLE.sub(" ", text)
    # A parenthesis holding one token (a handle, a URL) goes; one holding words is a list
    # of further names ("Martin Untersinger (avec Damien Leloup et Morgane Tual)").
    text = _PAREN.sub(lambda m: f", {m[1]}," if len(m[1].split()) > 1 else " ", text)
    text = _words().cut.sub("", text)
    for outlet in sorted(outlets, key=len, reverse=True):
        if len(outlet) >= _MIN_OUTLET_CHARS:
            text = re.sub(rf"(?<!\w){re.escape(outlet)}(?!\w)", " , ", text, flags=re.I)
    return _cut_at_date(text)


def _trim_role(piece: str) -> str:
    """"Benjamin Romano business reporter" -> "Benjamin Romano": a name followed by a
    lower-case description that ends in a job title. Other lower-case tails stay, so that
    prose ("Katie Couric New Yorkers post their feelings") is rejected whole."""
    tokens = piece.split()
    titles, particles = _words().titles, _words().particles
    for i, token in enumerate(tokens):
        if i < 2:
            continue
        if token.casefold() in titles:
            # "Nelson D. Schwartz Staff Writer"; but in "Ben Silverman Games Editor" the
            # name's end is unknown, and a wrong name is worse than none.
            initial = i == 3 and len(tokens[1].rstrip(".")) == 1
            return " ".join(tokens[:i]) if i == 2 or initial else piece
        if token[:1].islower() and token.casefold() not in particles:
            tail = tokens[-1].casefold().strip(".,")
            if tail in titles or " ".join(tokens[-2:]).casefold() in titles:
                return " ".join(tokens[:i])
            return piece
    return piece


def split_byline(text: str, *, outlets: Iterable[str] = ()) -> Byline:
    """Person names and agency of one byline string ("By Jane Doe and John Roe, Reuters").

    Pieces that are an agency become `agency`; pieces that are the outlet, a job title,
    credentials or anything else that does not read as a person's name are dropped.
    """
    words = _words()
    known = frozenset(_squash(o) for o in outlets if o)
    if not text or len(text) > _MAX_BYLINE_CHARS * 4:
        return Byline()
    names: list[str] = []
    agency: str | None = None
    outlet_list = [o for o in outlets if o]
    for line in _ROLE_BY.split(text):
        line = _clean(_SPACE.sub(" ", line).strip(), outlet_list)
        named = False
        for piece in words.separator.split(line):
            piece = words.prefix.sub("", piece).strip(" .,:;")
            if not piece:
                continue
            found = agency_name(piece) or agency_name(re.sub(r"^the\s+", "", piece, flags=re.I))
            if found:
                agency = agency or found
                break  # "By Jane Roe, Reuters": what follows the agency is its credit
            name = _person(_trim_role(piece), outlets=known)
            if name is None:
                if named:
                    break  # "Jane Roe, Senior Technologist, ACLU Speech Project": affiliation
                continue
            named = True
            if name not in names:
                names.append(name)
    return Byline(tuple(names[:_MAX_NAMES]), agency)


# ---------------------------------------------------------------------------- pages

_JSONLD_ARTICLE = re.compile(r"article|posting|report|news|blog|webpage|creativework", re.I)
# A class naming an author that is the author's bio or picture, not the byline.
_AUTHOR_NOT = re.compile(r"bio|image|avatar|photo")
_META_AUTHOR = (
    "author",
    "article:author",
    "og:article:author",
    "parsely-author",
    "sailthru.author",
    "dc.creator",
    "dc:creator",
    "dcterms.creator",
    "dc.creator.name",
    "byl",
    "citation_author",
    "cxenseparse:author",
    "twitter:data1",
)


def _jsonld_nodes(tree: HtmlElement) -> Iterator[dict[str, Any]]:
    for script in tree.iterfind(".//script[@type='application/ld+json']"):
        data = jsonld.loads(script.text)
        if data is None:
            continue
        stack = [data]
        while stack:
            node = stack.pop()
            if isinstance(node, list):
                stack.extend(reversed(node))
            elif isinstance(node, dict):
                yield node
                for key in ("@graph", "mainEntity", "itemListElement"):
                    if isinstance(node.get(key), list | dict):
                        stack.append(node[key])


def _types(node: dict[str, Any]) -> str:
    kind = node.get("@type", "")
    return " ".join(kind) if isinstance(kind, list) else str(kind)


def _jsonld_author_names(tree: HtmlElement) -> list[str]:
    """Names of the Person authors an article's JSON-LD declares (organisations skipped)."""
    found: list[str] = []
    for node in _jsonld_nodes(tree):
        if not _JSONLD_ARTICLE.search(_types(node)):
            continue
        for key in ("author", "creator"):
            value = node.get(key)
            items = value if isinstance(value, list) else [value]
            for item in items:
                if isinstance(item, str):
                    found.append(item)
                elif isinstance(item, dict) and "organization" not in _types(item).lower():
                    name = item.get("name")
                    if isinstance(name, str):
                        found.append(name)
                    elif isinstance(name, list):
                        found.extend(n for n in name if isinstance(n, str))
        if found:
            break
    return found


def outlet_names(tree: HtmlElement, site: str | None) -> set[str]:
    """Names the page gives its outlet: og:site_name, application-name, twitter:site and
    the JSON-LD publisher. `site` is accepted for callers that know it but not used."""
    names: set[str] = set()
    for meta in tree.iter("meta"):
        key = (meta.get("property") or meta.get("name") or "").lower()
        if key in ("og:site_name", "application-name", "twitter:site", "publisher"):
            names.add((meta.get("content") or "").lstrip("@"))
    for node in _jsonld_nodes(tree):
        publisher = node.get("publisher")
        if isinstance(publisher, dict) and isinstance(publisher.get("name"), str):
            names.add(publisher["name"])
        if "organization" in _types(node).lower() and isinstance(node.get("name"), str):
            names.add(node["name"])
    # The site's host is not used: a personal site is named after its author (hakibenita.com).
    return {n for n in names if n.strip()}


def _meta_values(tree: HtmlElement) -> list[str]:
    rank = {key: i for i, key in enumerate(_META_AUTHOR)}
    found: list[tuple[int, str]] = []
    for meta in tree.iter("meta"):
        for attr in ("name", "property", "itemprop"):
            # "dc:creator twitter:site_name": a property may list several names
            keys = [k for k in (meta.get(attr) or "").strip().lower().split() if k in rank]
            key = keys[0] if keys else ""
            if key in rank:
                content = (meta.get("content") or "").strip()
                if key == "twitter:data1" and not _label_is_author(meta, tree):
                    break
                if content and not content.startswith(("http://", "https://", "/")):
                    found.append((rank[key], content))
                break
        if (meta.get("name") or "").lower() == "parsely-page":
            found.extend((rank["parsely-author"], a) for a in _parsely_authors(meta))
    return [value for _, value in sorted(found, key=lambda f: f[0])]


def _label_is_author(meta: HtmlElement, tree: HtmlElement) -> bool:
    """twitter:data1 is a byline only when twitter:label1 says so ("Written by")."""
    for other in tree.iter("meta"):
        if (other.get("name") or "").lower() == "twitter:label1":
            return bool(re.search(r"written|author|by", other.get("content") or "", re.I))
    return False


def _parsely_authors(meta: HtmlElement) -> list[str]:
    try:
        data = json.loads(meta.get("content") or "")
    except ValueError:
        return []
    authors = data.get("authors") or data.get("author") if isinstance(data, dict) else None
    if isinstance(authors, str):
        return [authors]
    return [a for a in authors if isinstance(a, str)] if isinstance(authors, list) else []


def _element_text(element: HtmlElement) -> str:
    if element.tag == "meta":
        return element.get("content") or ""
    if element.tag == "link":
        return element.get("title") or ""
    names = element.xpath('.//*[@itemprop="name"]')
    if names:
        return ", ".join(n.get("content") or n.text_content() for n in names)
    return " ".join(element.itertext())


_COMMENTS = re.compile(r"comment|respon|reply|discussion|disqus", re.I)


def _in_comments(element: HtmlElement) -> bool:
    """Inside a reader-comments section, where every post has an "author"."""
    for ancestor in element.iterancestors():
        marks = f"{ancestor.get('class') or ''} {ancestor.get('id') or ''}"
        if _COMMENTS.search(marks):
            return True
    return False


def byline_texts(tree: HtmlElement) -> Iterator[str]:
    """Texts of the byline elements a page shows, most deliberate markup first; among
    elements of the same kind, the nearest to the headline first (a byline sits by its
    headline, teaser cards and sidebars elsewhere)."""
    h1 = next(tree.iter("h1"), None)
    order: dict[HtmlElement, int] = {}  # document order, numbered only when a sort needs it
    for elements in _byline_candidates(tree):
        if len(elements) > 1 and h1 is not None:
            order = order or {element: i for i, element in enumerate(tree.iter())}
            headline = order.get(h1, 0)
            elements = sorted(elements, key=lambda e: abs(order.get(e, 0) - headline))
        for element in elements:
            if not isinstance(element, HtmlElement) or element.tag in ("body", "html", "article"):
                continue
            if _in_comments(element):
                continue
            text = _SPACE.sub(" ", _element_text(element)).strip()
            if text and len(text) <= _MAX_BYLINE_CHARS:
                yield text


# The attributes that make an element a byline candidate, in document order: one XPath
# walk of the page, each value with its attribute's name and its element (smart strings).
_MARKING_ATTRIBUTES = etree.XPath("//@class | //@id | //@itemprop | //@rel")
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
_AUTHOR_LINKS = ("a", "link")


def _byline_candidates(tree: HtmlElement) -> Iterator[list[Any]]:
    """The elements that hold a byline's text, in document order, by kind: those marked
    itemprop="author", rel="author" (a link), a class or id naming a byline, a class naming
    an author (not the author's bio or picture).

    One XPath call lists the page's class, id, itemprop and rel values in document order,
    each knowing its element; the tests are made in Python, a class value's once per
    distinct value. A predicate per element in XPath (and lower-casing every class there)
    cost several times this walk. Each kind is then picked from the few elements found."""
    byline_classes: set[str] = set()
    author_classes: set[str] = set()
    byline_ids: set[str] = set()
    class_hits: dict[str, bool] = {}
    found: list[Any] = []
    for value in _marking_values(tree):
        name = value.attrname
        if name == "class":
            hit = class_hits.get(value)
            if hit is None:
                hit = class_hits[value] = _class_kind(value, byline_classes, author_classes)
        elif name == "id":
            hit = "byline" in _lower(value)
            if hit:
                byline_ids.add(value)
        elif name == "itemprop":
            hit = value == "author"
        else:
            hit = value == "author" and value.getparent().tag in _AUTHOR_LINKS
        if hit:
            element = value.getparent()
            if not found or found[-1] is not element:  # an element's attributes are adjacent
                found.append(element)
    yield [e for e in found if e.get("itemprop") == "author"]
    yield [e for e in found if e.tag in _AUTHOR_LINKS and e.get("rel") == "author"]
    yield [e for e in found if e.get("class") in byline_classes or e.get("id") in byline_ids]
    yield [e for e in found if e.get("class") in author_classes]


def _class_kind(value: str, byline_classes: set[str], author_classes: set[str]) -> bool:
    """Whether a class value names a byline or an author; it joins the set it names."""
    low = _lower(value)
    if "byline" in low:
        byline_classes.add(value)
    if "author" in low and not _AUTHOR_NOT.search(low):
        author_classes.add(value)
    return value in byline_classes or value in author_classes


def _lower(value: str) -> str:
    """As XPath's translate() lower-cases: ASCII letters only."""
    return value.translate(_ASCII_LOWER)


def _marking_values(tree: HtmlElement) -> list[Any]:
    try:
        found = _MARKING_ATTRIBUTES(tree)
    except Exception:  # lxml on malformed trees
        return []
    return found if isinstance(found, list) else []


@dataclass(frozen=True)
class PageByline:
    """A page's byline: the names, the agency, and the byline text the page shows (which the
    extractor leaves out of the body, so the document can list it as removed)."""

    byline: Byline
    shown: str | None


def page_byline(tree: HtmlElement, *, site: str | None = None) -> PageByline:
    """The authors a page names, from its most trusted source that yields a person: JSON-LD,
    then meta tags, then byline elements. The first visible byline element that yields the
    same names is returned as `shown`."""
    outlets = outlet_names(tree, site)
    shown_texts = list(byline_texts(tree))
    sources: list[list[str]] = [_jsonld_author_names(tree), _meta_values(tree), shown_texts]
    for kind, candidates in enumerate(sources):
        names: list[str] = []
        agency: str | None = None
        for candidate in candidates:
            parsed = split_byline(candidate, outlets=outlets)
            agency = agency or parsed.agency
            names.extend(n for n in parsed.authors if n not in names)
            if names and kind > 0:
                # JSON-LD lists one author per entry; a meta tag or a byline element holds
                # the whole byline, and a second one only repeats it in other words.
                break
        if names or agency:
            keys = {_squash(n) for n in names}
            shown = next(
                (
                    t
                    for t in shown_texts
                    if keys and {_squash(n) for n in split_byline(t, outlets=outlets).authors}
                    == keys
                ),
                None,
            )
            return PageByline(Byline(tuple(names[:_MAX_NAMES]), agency), shown)
    return PageByline(Byline(), None)


# ---------------------------------------------------------------------------- text

_TEXT_BYLINE = re.compile(r"^\s*by\s+\S", re.I)
_HEAD_LINES = 8
_TAIL_PARAGRAPHS = 4
_CONTRIB_PLACE = re.compile(r"\s+(?:reported\s+)?(?:from|in)\s+.*$", re.I | re.S)
_CONTRIB_ROLE = re.compile(
    r"^.*?\b(?:writers?|reporters?|journalists?|correspondents?|staff)\s+", re.I | re.S
)


def text_byline_line(text: str) -> str | None:
    """The "By ..." line near the top of a text, if any."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for line in lines[:_HEAD_LINES]:
        if _TEXT_BYLINE.match(line) and len(line) <= _MAX_BYLINE_CHARS:
            return line
    return None


def contributors(text: str) -> tuple[str, ...]:
    """Reporters a wire story's closing line names: "Jobain reported from Rafah, Gaza Strip,
    and Goldenberg from Tel Aviv." or "AP writers Jane Roe in Cairo and John Doe contributed
    to this report." A lone surname is accepted here: the line's grammar makes it a name."""
    words = _words()
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n|\n", text) if p.strip()]
    found: list[str] = []
    for paragraph in paragraphs[-_TAIL_PARAGRAPHS:]:
        if len(paragraph) > _MAX_BYLINE_CHARS * 2 or not words.contributor.search(paragraph):
            continue
        head = words.contributor.split(paragraph, maxsplit=1)[0]
        reported = re.search(r"reported from", paragraph, re.I) is not None
        # In "X reported from A, and Y from B" the names open each coordinated clause.
        clauses = re.split(r",?\s+and\s+|;\s*", paragraph if reported else head)
        for clause in clauses:
            clause = _CONTRIB_ROLE.sub("", clause.strip())
            clause = words.contributor.split(clause, maxsplit=1)[0]
            clause = _CONTRIB_PLACE.sub("", clause).strip(" ,.")
            for piece in re.split(r",\s*", clause) if not reported else [clause]:
                if agency_name(piece):
                    continue
                name = _person(piece, outlets=frozenset(), single=True)
                if name and name not in found:
                    found.append(name)
    return tuple(found[:_MAX_NAMES])


def text_byline(text: str, *, outlets: Iterable[str] = ()) -> Byline:
    """Authors from a text's "By ..." line, contributors from its closing line."""
    line = text_byline_line(text)
    parsed = split_byline(line, outlets=outlets) if line else Byline()
    return Byline(parsed.authors, parsed.agency, contributors(text))
