"""Story grouping against the index: near-duplicates of a batch found without rescanning.

Every indexed document carries its LSH band keys (`story_bands`, indexed), its MinHash
signature (`story_minhash`, binary, not indexed) and the hash of its normalized text
(`story_text`). A batch about to be loaded is matched with one `terms` query on its band keys,
plus the current members of every story that query touches; `transforms.shingles.group`
regroups that closed set in memory. Stories are connected groups, so the result is the grouping
the whole collection would get at once, whatever the order documents arrived in; stored members
whose story fields change get partial updates. Nothing is kept outside Elasticsearch.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Mapping, MutableMapping, Sequence
from typing import Any

from elasticsearch import Elasticsearch, helpers

from newsetl.es.indices import index_body
from newsetl.es.load import write_all
from newsetl.progress import timed
from transforms.shingles import DEFAULT, DupParams, Fingerprint, Member, Story, fingerprint, group

STORY_FIELDS = ("story_id", "story_size", "story_canonical", "story_exact")
FINGERPRINT_FIELDS = ("story_bands", "story_minhash", "story_text")
# index.max_terms_count defaults to 65,536; a batch of 10,000 documents has 370,000 band keys.
TERMS_PER_QUERY = 50_000
_SOURCE = [
    "source.site",
    "published_at",
    "word_count",
    "story_minhash",
    "story_text",
    *STORY_FIELDS,
]


def assign_stories(
    client: Elasticsearch,
    alias: str,
    docs: Sequence[dict[str, Any]],
    params: DupParams = DEFAULT,
    fingerprints: Mapping[str, Fingerprint] | None = None,
    seconds: MutableMapping[str, float] | None = None,
) -> None:
    """Set `story_*` fields on `docs` in place, before they are bulk-indexed into `alias`.

    `fingerprints` are the documents' own, when the transform stage computed them already.
    `seconds` adds up the time of each step (fetching stored members, regrouping, updating
    them): the run report shows which one a large collection pays for.

    Stored documents whose story changes (a new member joins, two stories merge, a re-indexed
    member no longer matches) are partially updated here; so are stored copies of documents in
    `docs` that the loader will skip as unchanged.
    """
    if not docs:
        return
    batch: dict[str, Member] = {}
    for doc in docs:
        fp = (fingerprints or {}).get(doc["id"]) or fingerprint(doc.get("body") or "", params)
        doc["story_bands"] = fp.band_keys(params)
        doc["story_minhash"] = fp.encode() if fp.size else None
        doc["story_text"] = fp.text_hash or None
        batch[doc["id"]] = _member(doc["id"], doc, fp)
    seconds = {} if seconds is None else seconds
    with timed(seconds, "load: story refresh"):
        client.indices.refresh(index=alias)  # the previous batch must be searchable
    with timed(seconds, "load: story fetch"):
        bands = sorted({key for doc in docs for key in doc["story_bands"]})
        stored = _fetch(client, alias, "story_bands", bands, ids=list(batch))
        stored.update(_fetch(client, alias, "story_id", _incomplete_stories(stored.values())))
    with timed(seconds, "load: story regroup"):
        members = [
            *batch.values(),
            *(_stored_member(i, s) for i, s in stored.items() if i not in batch),
        ]
        stories = group(members, params)
        for doc in docs:
            doc.update(stories[doc["id"]].fields())
    with timed(seconds, "load: story updates"):
        _update_changed(client, alias, stored, stories, {d["id"]: d for d in docs})


def ensure_story_fields(client: Elasticsearch, alias: str) -> None:
    """Add the fields of `mapping.json` that an index created before them lacks (the
    `story_*` fields, `dateline.city_gazetteer`, `authors`, `language`, `extracted_by`,
    `first_seen_at`, ...).

    The mapping is strict, so without them every document would be rejected; adding fields to
    a mapping is allowed in place (no reindex), and a no-op when they are already there. New
    sub-fields of an existing text field (another analyzer) take `newsetl reindex`.
    """
    properties = index_body()["mappings"]["properties"]
    current = client.indices.get_mapping(index=alias)
    present: set[str] = set()
    for mapping in current.body.values():
        present.update(mapping.get("mappings", {}).get("properties", {}))
    fields = {name: spec for name, spec in properties.items() if name not in present}
    fields["dateline"] = properties["dateline"]
    fields["source"] = properties["source"]  # `source.name`, since sources (newsetl.sources)
    client.indices.put_mapping(index=alias, properties=fields)


def forget_stories(
    client: Elasticsearch, alias: str, ids: Collection[str], params: DupParams = DEFAULT
) -> None:
    """Regroup the stories of documents about to be deleted, without them (call before delete).

    A story that loses a member may shrink, change canonical, or split in two.
    """
    if not ids:
        return
    client.indices.refresh(index=alias)
    leaving = _fetch(client, alias, "_id", sorted(ids))
    story_ids = sorted({s["story_id"] for s in leaving.values() if s.get("story_id")})
    stored = {
        i: s for i, s in _fetch(client, alias, "story_id", story_ids).items() if i not in leaving
    }
    members = [_stored_member(i, s) for i, s in stored.items()]
    _update_changed(client, alias, stored, group(members, params))


def other_outlets(hit: Mapping[str, Any]) -> int:
    """How many other documents carry a search hit's story ("and N other outlets")."""
    size = hit.get("_source", {}).get("story_size") or 1
    return max(int(size) - 1, 0)


def collapse_clause(inner_hits: int = 3) -> dict[str, Any]:
    """The search body's `collapse`: one hit per story, with up to `inner_hits` other members.

    Field collapsing on a keyword exists in Elasticsearch 7.x, 8.x and 9.x alike.
    """
    return {
        "field": "story_id",
        "inner_hits": {
            "name": "story",
            "size": inner_hits,
            "sort": [{"story_canonical": "desc"}, {"published_at": "asc"}],
            "_source": ["title", "source.site", "source.url", "published_at"],
        },
    }


def _member(doc_id: str, doc: Mapping[str, Any], fp: Fingerprint) -> Member:
    return Member(
        id=doc_id,
        fingerprint=fp,
        site=(doc.get("source") or {}).get("site"),
        published_at=doc.get("published_at"),
        length=int(doc.get("word_count") or len((doc.get("body") or "").split())),
    )


def _incomplete_stories(sources: Iterable[Mapping[str, Any]]) -> list[str]:
    """Stories with members not among `sources` (by their stored size): only those are fetched."""
    seen: Counter[str] = Counter()
    sizes: dict[str, int] = {}
    for source in sources:
        if story_id := source.get("story_id"):
            seen[story_id] += 1
            sizes[story_id] = max(sizes.get(story_id, 0), int(source.get("story_size") or 0))
    return sorted(story_id for story_id, size in sizes.items() if seen[story_id] < size)


def _stored_member(doc_id: str, source: Mapping[str, Any]) -> Member:
    fp = Fingerprint.decode(source.get("story_minhash"), source.get("story_text"))
    return _member(doc_id, source, fp)


def _chunks(values: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(values), TERMS_PER_QUERY):
        yield values[start : start + TERMS_PER_QUERY]


def _fetch(
    client: Elasticsearch,
    alias: str,
    field: str,
    values: Sequence[str],
    *,
    ids: Sequence[str] = (),
) -> dict[str, dict[str, Any]]:
    """Stored documents whose `field` has any of `values`, or whose id is in `ids` (scrolled)."""
    found: dict[str, dict[str, Any]] = {}
    clauses = [{"terms": {field: list(chunk)}} for chunk in _chunks(values)]
    clauses += [{"ids": {"values": list(chunk)}} for chunk in _chunks(ids)]
    for clause in clauses:
        query = {"bool": {"filter": [clause]}}
        for hit in helpers.scan(
            client, index=alias, query={"query": query, "_source": _SOURCE}, size=1000
        ):
            found[hit["_id"]] = hit["_source"]
    return found


def _update_changed(
    client: Elasticsearch,
    alias: str,
    stored: Mapping[str, Mapping[str, Any]],
    stories: Mapping[str, Story],
    batch: Mapping[str, Mapping[str, Any]] | None = None,
) -> None:
    """Partial updates of the stored documents whose story fields differ from `stories`.

    A stored copy of a `batch` document also gets the batch's fingerprint when its own differs:
    the loader skips unchanged content, and documents indexed before story grouping existed
    have none, so re-running the pipeline over them is what backfills it.
    """
    actions = []
    for doc_id, source in stored.items():
        fields = stories[doc_id].fields()
        doc = (batch or {}).get(doc_id)
        if doc and any(doc[k] != source.get(k) for k in ("story_minhash", "story_text")):
            fields.update({k: doc[k] for k in FINGERPRINT_FIELDS})
        if fields != {k: source.get(k) for k in fields}:
            actions.append({"_op_type": "update", "_index": alias, "_id": doc_id, "doc": fields})
    write_all(client, actions, alias)
