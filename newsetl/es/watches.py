"""Saved searches ("watches") kept in Elasticsearch's percolator, and the matches they found.

A watch is a search's query clause (`query.build_query`, the very code `newsetl search` uses,
so a filter means the same in both) stored in the `percolator` field of
`newsetl-watch-<alias>`. That index mirrors the documents' mapping, so a stored query is parsed
against the same fields, analyzers and normalizers as the documents it will meet. Each batch a
run loads is percolated in one request (`percolate` with `documents: [...]`): the engine tells
which watches match which documents of the batch, without re-searching the index.

A match is stored once per (watch, document) in `newsetl-matches-<alias>` with a `create`
write: a document that is re-indexed because it changed, and still matches, conflicts with its
existing match and is not reported again; only a match that is new is. Everything here works
on Elasticsearch 7.9 and 8/9 alike (percolator, `documents`, `_percolator_document_slot`).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from elasticsearch import Elasticsearch, NotFoundError

from newsetl.es import query as query_module
from newsetl.es.indices import index_body
from newsetl.es.load import written
from newsetl.es.query import SearchInputError, SearchQuery, build_query

WATCH_PREFIX = "newsetl-watch-"
MATCH_PREFIX = "newsetl-matches-"
# What a watch keeps of a SearchQuery: the question, not how a page of answers is shown.
_NOT_SAVED = {"sort", "size", "after", "facets", "collapse"}
# Fingerprints and removed lines are large and no query reads them: not sent to percolate.
_NOT_PERCOLATED = {"removed", "story_bands", "story_minhash", "story_text"}
_NAME = re.compile(r"^\w[\w .:-]{0,63}$")
PERCOLATE_DOCS = 500  # documents per percolate request, and at most this many bytes:
PERCOLATE_BYTES = 10 * 1024 * 1024  # well under http.max_content_length (100 MB)
PAGE = 1000
PERCOLATE_STATS = "newsetl-percolate"  # the statistics group of percolate requests


def watch_index(alias: str) -> str:
    return f"{WATCH_PREFIX}{alias}"


def matches_index(alias: str) -> str:
    return f"{MATCH_PREFIX}{alias}"


def saved_fields() -> tuple[str, ...]:
    """The SearchQuery fields a watch stores: every filter search has, present and future."""
    return tuple(f.name for f in fields(SearchQuery) if f.name not in _NOT_SAVED)


@dataclass(frozen=True)
class Watch:
    """A saved search: its name, what it asks (text and filters) and when it was saved."""

    name: str
    spec: Mapping[str, Any]  # SearchQuery keyword arguments, the filters as typed
    created_at: str

    @property
    def query(self) -> SearchQuery:
        return SearchQuery(**self.spec)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "query": dict(self.spec), "created_at": self.created_at}


@dataclass(frozen=True)
class Match:
    """A document a watch matched, first found in run `run` at `found_at`."""

    watch: str
    doc_id: str
    run: str
    found_at: str
    title: str | None = None
    published_at: str | None = None
    site: str | None = None
    url: str | None = None
    path: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def spec_of(q: SearchQuery) -> dict[str, Any]:
    """The saved part of a query as JSON values, only what differs from the defaults."""
    default = SearchQuery()
    spec: dict[str, Any] = {}
    for name in saved_fields():
        value = getattr(q, name)
        if value == getattr(default, name):
            continue
        if isinstance(value, tuple):
            value = list(value)
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        spec[name] = value
    return spec


def check_name(name: str) -> str:
    if not _NAME.match(name):
        raise SearchInputError(
            f"invalid watch name {name!r}: up to 64 letters, digits, spaces or . _ : -, "
            "starting with a letter or digit"
        )
    return name


@cache
def _digest() -> str:
    """Of what a stored query depends on: the documents' mapping and the query builder. When
    either changes, the stored queries are parsed again (`ensure_watch_index`)."""
    parts = (
        json.dumps(index_body(), sort_keys=True).encode() + Path(query_module.__file__).read_bytes()
    )
    return hashlib.sha256(parts).hexdigest()[:16]


def _watch_mapping() -> dict[str, Any]:
    properties = dict(index_body()["mappings"]["properties"])
    properties["query"] = {"type": "percolator"}
    properties["watch"] = {
        "properties": {
            "name": {"type": "keyword"},
            "spec": {"type": "object", "enabled": False},
            "created_at": {"type": "date"},
        }
    }
    return {"dynamic": "strict", "_meta": {"newsetl_digest": _digest()}, "properties": properties}


MATCH_MAPPING: dict[str, Any] = {
    "dynamic": "strict",
    "properties": {
        "watch": {"type": "keyword"},
        "doc_id": {"type": "keyword"},
        "run": {"type": "keyword"},
        "found_at": {"type": "date"},
        "title": {"type": "keyword", "index": False, "doc_values": False},
        "published_at": {"type": "date"},
        "site": {"type": "keyword"},
        "url": {"type": "keyword", "index": False, "doc_values": False},
        "path": {"type": "keyword", "index": False, "doc_values": False},
    },
}


def ensure_watch_index(client: Elasticsearch, alias: str) -> None:
    """Create the watch and match indices; re-store every watch when the documents' mapping
    or the query builder changed since they were saved (a percolator query is parsed when
    stored, so it must be stored again to see a new field or analyzer)."""
    name = watch_index(alias)
    body = index_body()
    if not client.indices.exists(index=name):
        client.indices.create(
            index=name,
            settings={
                "number_of_shards": 1,
                "number_of_replicas": 0,
                "analysis": body["settings"]["analysis"],
            },
            mappings=_watch_mapping(),
        )
    else:
        meta = client.indices.get_mapping(index=name)[name]["mappings"].get("_meta", {})
        if meta.get("newsetl_digest") != _digest():
            mapping = _watch_mapping()
            client.indices.put_mapping(
                index=name, properties=mapping["properties"], meta=mapping["_meta"]
            )
            for watch in list_watches(client, alias):
                _store(client, alias, watch, refresh=False)
            client.indices.refresh(index=name)
    if not client.indices.exists(index=matches_index(alias)):
        client.indices.create(
            index=matches_index(alias),
            settings={"number_of_shards": 1, "number_of_replicas": 0},
            mappings=MATCH_MAPPING,
        )


def _store(client: Elasticsearch, alias: str, watch: Watch, *, refresh: bool = True) -> None:
    client.index(
        index=watch_index(alias),
        id=watch.name,
        document={
            "query": build_query(watch.query),
            "watch": {"name": watch.name, "spec": dict(watch.spec), "created_at": watch.created_at},
        },
        refresh=refresh,
    )


def add_watch(
    client: Elasticsearch, alias: str, name: str, query: SearchQuery, *, replace: bool = False
) -> Watch:
    """Save `query` as watch `name`; an existing name is an error unless `replace`.

    The query is built here, so a bad filter (an unknown place, a wrong date) is refused now,
    with the same message search gives, not at the next run.
    """
    check_name(name)
    build_query(query)  # validates
    ensure_watch_index(client, alias)
    if not replace and client.exists(index=watch_index(alias), id=name):
        raise SearchInputError(f"a watch named {name!r} exists; remove it or pass --replace")
    watch = Watch(name, spec_of(query), datetime.now(UTC).isoformat(timespec="seconds"))
    _store(client, alias, watch)
    return watch


def remove_watch(client: Elasticsearch, alias: str, name: str) -> int:
    """Delete the watch and the matches it found; returns how many matches went with it."""
    try:
        client.delete(index=watch_index(alias), id=name, refresh=True)
    except NotFoundError:
        raise SearchInputError(f"no watch named {name!r} (see `newsetl watch list`)") from None
    if not client.indices.exists(index=matches_index(alias)):
        return 0
    resp = client.delete_by_query(
        index=matches_index(alias),
        query={"term": {"watch": name}},
        refresh=True,
        conflicts="proceed",
    )
    return int(resp.get("deleted", 0))


def list_watches(client: Elasticsearch, alias: str) -> list[Watch]:
    """Every watch, by name."""
    if not client.indices.exists(index=watch_index(alias)):
        return []
    found = []
    for hit in _paged(client, watch_index(alias), {"match_all": {}}, [{"watch.name": "asc"}]):
        meta = hit["_source"]["watch"]
        found.append(Watch(meta["name"], meta.get("spec") or {}, meta.get("created_at", "")))
    return found


def count_watches(client: Elasticsearch, alias: str) -> int:
    if not client.indices.exists(index=watch_index(alias)):
        return 0
    return int(client.count(index=watch_index(alias))["count"])


def _paged(
    client: Elasticsearch,
    index: str,
    query: dict[str, Any],
    sort: list[dict[str, Any]],
    source: list[str] | None = None,
    stats: str | None = None,
) -> Iterator[dict[str, Any]]:
    """Every hit, page by page with `search_after` (no 10,000-hit window). `stats` names the
    search's statistics group, which the engine counts apart (`indices.stats(groups=...)`)."""
    after: list[Any] | None = None
    while True:
        kwargs: dict[str, Any] = {"search_after": after} if after else {}
        if stats:
            kwargs["stats"] = [stats]
        resp = client.search(
            index=index, query=query, sort=sort, size=PAGE, source_includes=source, **kwargs
        )
        hits = resp["hits"]["hits"]
        yield from hits
        if len(hits) < PAGE:
            return
        after = hits[-1]["sort"]


def _percolated(doc: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k not in _NOT_PERCOLATED}


def _chunks(docs: Sequence[Mapping[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    size = 0
    for doc in docs:
        item = _percolated(doc)
        weight = len(json.dumps(item, ensure_ascii=False))
        if chunk and (len(chunk) >= PERCOLATE_DOCS or size + weight > PERCOLATE_BYTES):
            yield chunk
            chunk, size = [], 0
        chunk.append(item)
        size += weight
    if chunk:
        yield chunk


def percolate(
    client: Elasticsearch, alias: str, docs: Sequence[Mapping[str, Any]]
) -> list[tuple[str, Mapping[str, Any]]]:
    """(watch name, document) for every watch each document matches: one `percolate` request
    per batch (per 500 documents / 10 MB of one), never one per document."""
    if not docs:
        return []
    found: list[tuple[str, Mapping[str, Any]]] = []
    for chunk in _chunks(docs):
        for hit in _paged(
            client,
            watch_index(alias),
            {"percolate": {"field": "query", "documents": chunk}},
            [{"watch.name": "asc"}],
            source=["watch.name"],
            stats=PERCOLATE_STATS,
        ):
            for slot in hit.get("fields", {}).get("_percolator_document_slot", []):
                found.append((hit["_source"]["watch"]["name"], chunk[int(slot)]))
    return found


def match_id(watch: str, doc_id: str) -> str:
    return hashlib.sha256(f"{watch}\x1f{doc_id}".encode()).hexdigest()[:32]


def record_matches(
    client: Elasticsearch,
    alias: str,
    docs: Sequence[Mapping[str, Any]],
    run: str,
    now: datetime | None = None,
) -> list[Match]:
    """Percolate a loaded batch and store its matches; returns the matches that are new.

    A (watch, document) pair already stored, from an earlier run or an earlier try of this
    batch, is a conflict of the `create` write and is not new: a changed document that still
    matches is not reported twice, and a retried batch reports nothing twice.
    """
    if not docs:
        return []
    stamp = (now or datetime.now(UTC)).isoformat(timespec="seconds")
    candidates = {}
    for watch, doc in percolate(client, alias, docs):
        source = doc.get("source") or {}
        candidates[match_id(watch, doc["id"])] = Match(
            watch=watch,
            doc_id=doc["id"],
            run=run,
            found_at=stamp,
            title=doc.get("title"),
            published_at=doc.get("published_at"),
            site=source.get("site"),
            url=source.get("url"),
            path=source.get("path"),
        )
    return _create(client, matches_index(alias), candidates)


def _create(client: Elasticsearch, index: str, candidates: Mapping[str, Match]) -> list[Match]:
    actions = (
        {"_op_type": "create", "_index": index, "_id": key, "_source": m.to_dict()}
        for key, m in candidates.items()
    )
    # A match that exists (409) was found before: not new.
    return [
        candidates[str(info["_id"])]
        for ok, info in written(client, actions, index, settled=(409,))
        if ok
    ]


def stored_matches(
    client: Elasticsearch, alias: str, name: str | None = None, since: str | None = None
) -> list[Match]:
    """The matches found, newest first; of one watch, and found at or after `since`
    (an Elasticsearch date or date math)."""
    if not client.indices.exists(index=matches_index(alias)):
        return []
    clauses: list[dict[str, Any]] = []
    if name is not None:
        clauses.append({"term": {"watch": name}})
    if since:
        clauses.append({"range": {"found_at": {"gte": since}}})
    hits = _paged(
        client,
        matches_index(alias),
        {"bool": {"filter": clauses}},
        [{"found_at": "desc"}, {"doc_id": "asc"}, {"watch": "asc"}],
    )
    return [Match(**h["_source"]) for h in hits]


def match_counts(client: Elasticsearch, alias: str) -> dict[str, int]:
    """How many matches each watch has found (one terms aggregation)."""
    if not client.indices.exists(index=matches_index(alias)):
        return {}
    resp = client.search(
        index=matches_index(alias),
        size=0,
        aggs={"watches": {"terms": {"field": "watch", "size": 10_000}}},
    )
    return {b["key"]: int(b["doc_count"]) for b in resp["aggregations"]["watches"]["buckets"]}


def by_watch(found: Iterable[Match]) -> dict[str, list[Match]]:
    grouped: dict[str, list[Match]] = {}
    for match in found:
        grouped.setdefault(match.watch, []).append(match)
    return dict(sorted(grouped.items()))
