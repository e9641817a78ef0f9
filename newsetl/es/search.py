"""Searching the alias: free text that never breaks the query, ranked hits with snippets."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from elasticsearch import Elasticsearch

SNIPPET_CHARS = 180


@dataclass(frozen=True)
class Hit:
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
    snippet: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def build_query(text: str) -> dict[str, Any]:
    """`simple_query_string` never raises on user syntax: stray quotes or brackets are words."""
    if not text.strip():
        return {"match_all": {}}
    return {
        "simple_query_string": {
            "query": text,
            "fields": ["title^3", "body"],
            "default_operator": "and",
            "flags": "AND|OR|NOT|PHRASE|PRECEDENCE|WHITESPACE",
        }
    }


def _hit(raw: dict[str, Any]) -> Hit:
    src = raw["_source"]
    dateline = src.get("dateline") or {}
    source = src.get("source") or {}
    fragments = raw.get("highlight", {}).get("body") or [src.get("body", "")[:SNIPPET_CHARS]]
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
        snippet=" … ".join(fragments),
    )


def search(client: Elasticsearch, alias: str, text: str, *, size: int = 10) -> list[Hit]:
    resp = client.search(
        index=alias,
        query=build_query(text),
        size=size,
        source_excludes=["removed"],
        highlight={
            "fields": {"body": {}},
            "fragment_size": SNIPPET_CHARS,
            "number_of_fragments": 1,
            "no_match_size": SNIPPET_CHARS,
            "pre_tags": ["<em>"],
            "post_tags": ["</em>"],
        },
    )
    return [_hit(h) for h in resp["hits"]["hits"]]
