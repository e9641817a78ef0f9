"""Searching the alias: typed results (hits, total, facets, next-page cursor) for one query."""

from __future__ import annotations

import html
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from elasticsearch import Elasticsearch

from newsetl.es.query import (
    FACETS,
    MAX_SIZE,
    SNIPPET_CHARS,
    SearchQuery,
    build_request,
    decode_cursor,
    encode_cursor,
    first_words,
)
from newsetl.es.stories import StoryFacts, story_facts


@dataclass(frozen=True)
class Hit:
    """One article. `snippet` and `title_highlight` are HTML: the text escaped, matched words
    in <em>…</em>."""

    id: str
    score: float | None
    title: str | None
    published_at: str | None
    city: str | None
    country: str | None
    agency: str | None
    site: str | None
    url: str | None
    path: str | None
    snippet: str  # one line: the article's paragraph breaks are spaces here
    title_highlight: str | None = None
    story_id: str | None = None
    other_outlets: int = 0  # other copies of the same story (collapsed away by default)
    other_sites: tuple[str, ...] = ()  # a few of their sites
    region: str | None = None
    country_code: str | None = None
    dateline: str | None = None  # the dateline as written ("CAIRO (AP) —")
    story_size: int = 1  # copies of the story in the index, this one included
    story_canonical: bool = True  # the story's canonical copy (the agency's, else the first)
    authors: tuple[str, ...] = ()
    language: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Facet:
    value: str
    count: int


@dataclass(frozen=True)
class SearchResult:
    """A page of hits; `next` is the cursor of the following page (None on the last one)."""

    hits: tuple[Hit, ...]
    total: int  # what is listed: stories when collapsed (the default), else articles
    facets: Mapping[str, tuple[Facet, ...]] = field(default_factory=dict)
    next: str | None = None
    articles: int = 0  # documents matching, every copy counted (facets count these)
    stories: int = 0  # distinct stories among them

    def to_dict(self) -> dict[str, Any]:
        """The documented `--json` shape: {"total", "stories", "articles", "hits", "facets",
        "next"}."""
        return {
            "total": self.total,
            "stories": self.stories,
            "articles": self.articles,
            "hits": [h.to_dict() for h in self.hits],
            "facets": {name: [asdict(f) for f in buckets] for name, buckets in self.facets.items()},
            "next": self.next,
        }


def _lead(body: str) -> str:
    """The article's opening words, cut at a word boundary, when nothing was highlighted;
    escaped like the highlighter's fragments."""
    if len(body) > SNIPPET_CHARS:
        body = body[:SNIPPET_CHARS].rsplit(maxsplit=1)[0] + " …"
    return html.escape(body)


def one_line(text: str) -> str:
    """A snippet on one line: the body's blank lines and runs of spaces become one space."""
    return " ".join(text.split())


def _hit(raw: dict[str, Any], stories: Mapping[str, StoryFacts]) -> Hit:
    """A hit, with its story's copies and canonical member as counted for this page."""
    src = raw["_source"]
    story = stories.get(src.get("story_id") or "") or StoryFacts(raw["_id"], 1, raw["_id"])
    dateline = src.get("dateline") or {}
    source = src.get("source") or {}
    marked = raw.get("highlight", {})
    fragments = marked.get("body") or marked.get("body.exact") or [_lead(src.get("body") or "")]
    titles = marked.get("title") or marked.get("title.exact")
    return Hit(
        id=raw["_id"],
        score=raw.get("_score"),
        title=src.get("title"),
        published_at=src.get("published_at"),
        city=dateline.get("city"),
        country=dateline.get("country"),
        agency=src.get("agency"),
        site=source.get("site"),
        url=source.get("url"),
        path=source.get("path"),
        snippet=one_line(" … ".join(fragments)),
        title_highlight=titles[0] if titles else None,
        story_id=src.get("story_id"),
        region=dateline.get("region"),
        country_code=dateline.get("country_code"),
        dateline=dateline.get("text"),
        story_size=story.size,
        story_canonical=story.canonical == raw["_id"],
        other_outlets=max(story.size - 1, 0),
        other_sites=tuple(
            site
            for member in raw.get("inner_hits", {}).get("story", {}).get("hits", {}).get("hits", [])
            if member["_id"] != raw["_id"]
            and (site := (member["_source"].get("source") or {}).get("site"))
        )[:3],
        authors=tuple(src.get("authors") or ()),
        language=src.get("language"),
    )


def _hits(client: Elasticsearch, alias: str, raw_hits: list[dict[str, Any]]) -> tuple[Hit, ...]:
    """A page of hits; their stories' sizes are counted in one more request, since no member
    stores its story's size (joining a story writes only the new copy)."""
    stories = story_facts(client, alias, (h["_source"].get("story_id") for h in raw_hits))
    return tuple(_hit(raw, stories) for raw in raw_hits)


def _facets(aggs: dict[str, Any]) -> dict[str, tuple[Facet, ...]]:
    """In the order of `FACETS`, whatever order the server answers in: stable JSON output."""
    return {
        name: tuple(
            Facet(str(b.get("key_as_string", b["key"])), int(b["doc_count"]))
            for b in aggs[name]["buckets"]
        )
        for name in FACETS
        if name in aggs
    }


def search(client: Elasticsearch, alias: str, query: SearchQuery | str) -> SearchResult:
    """Run one search; a plain string is free text with the default options."""
    q = SearchQuery(text=query) if isinstance(query, str) else query
    resp = client.search(index=alias, **build_request(q))
    raw_hits = resp["hits"]["hits"]
    articles = int(resp["hits"]["total"]["value"])
    # Cardinality is exact up to 3,000 stories; never more stories than articles.
    stories = min(int(resp["aggregations"]["stories"]["value"]), articles)
    total = stories if q.collapse else articles
    seen = (decode_cursor(q.after, q.sort)[1] if q.after else 0) + len(raw_hits)
    more = len(raw_hits) == q.size and seen < total
    return SearchResult(
        hits=_hits(client, alias, raw_hits),
        total=total,
        facets=_facets(resp.get("aggregations", {})),
        next=encode_cursor(q.sort, raw_hits[-1]["sort"], seen) if more else None,
        articles=articles,
        stories=stories,
    )


def suggest_titles(client: Elasticsearch, alias: str, prefix: str, *, size: int = 5) -> list[str]:
    """Titles completing what the user has typed so far, from the `title.suggest` field.

    `bool_prefix` on the search_as_you_type subfields: every word but the last must match
    whole, the last may be a prefix ("gaza cease" -> "... Gaza cease-fire talks ...").
    """
    if not prefix.strip():
        return []
    resp = client.search(
        index=alias,
        size=size,
        source_includes=["title"],
        query={
            "multi_match": {
                "query": first_words(prefix),
                "type": "bool_prefix",
                "operator": "and",
                "fields": ["title.suggest", "title.suggest._2gram", "title.suggest._3gram"],
            }
        },
    )
    return [h["_source"]["title"] for h in resp["hits"]["hits"] if h["_source"].get("title")]


EXPORT_PAGE = 1000


def iter_hits(
    client: Elasticsearch, alias: str, query: SearchQuery, *, page: int = EXPORT_PAGE
) -> Iterator[Hit]:
    """Every hit of a query, streamed page by page with `search_after`, so there is no
    10,000-hit window; memory holds one page (and, collapsed, the story ids seen).

    Collapsing cannot be combined with `search_after`, so a story is kept here instead: the
    first copy met in the query's order is its best match, as collapsing would pick.
    """
    q = replace(query, size=min(page, MAX_SIZE), after=None, facets=False, collapse=False)
    request = build_request(q)
    request.pop("aggs", None)
    request["track_total_hits"] = False
    seen_stories: set[str] = set()
    after: list[Any] | None = None
    while True:
        if after is not None:
            request["search_after"] = after
        raw_hits = client.search(index=alias, **request)["hits"]["hits"]
        for hit in _hits(client, alias, raw_hits):
            if query.collapse:
                story = hit.story_id or hit.id
                if story in seen_stories:
                    continue
                seen_stories.add(story)
            yield hit
        if len(raw_hits) < q.size:
            return
        after = raw_hits[-1]["sort"]
