"""Stories in the index: the one module that writes a document's story and reads it back.

Write side. Every indexed document carries its LSH band keys (`story_bands`, indexed), its
MinHash signature (`story_minhash`, binary, not indexed), the hash of its normalized text
(`story_text`), its own canonical rank (`story_rank`: the agency's copy first, then the
earliest, then the longest) and its `story_id`. A batch about to be loaded is matched with a
`terms` query on its texts' hashes, then one on the band keys of the texts not stored yet;
`transforms.shingles.group` groups the batch with the stored candidates in memory, and a new
document takes the `story_id` of the story it joins, written with the document itself: the
earlier members are not touched, so joining the k-th copy of a story costs the engine one
write, not k. Only two rarer events write other members: a document that bridges two stories
merges them (the smaller story's members take the larger's id), and a member that leaves
(deleted, or re-indexed with other words) makes its story regroup without it (a piece that
falls apart takes its own id). The grouping, which documents share a story, is the one the
whole collection would get at once, whatever the order documents arrived in; the id a story
carries is that of a member, the one it was first seen with. Exact copies (the same normalized
text) are marked `story_copy` but one per text: the unmarked one stands for its copies when
candidates are fetched, and a copy of a stored text needs no band query (that text met its band
neighbours when it arrived), so a story republished k times costs a later batch one stored
candidate found by one term, not k found by every band key.

Read side. What depends on the whole story, how many copies it has and which is canonical, is
counted when read: a `terms` aggregation over the stories of a page of hits, with a `top_hits`
by `story_rank`; a search collapses on `story_id` with the canonical copy first among its
inner hits. Both exist alike in Elasticsearch 7.x, 8.x and 9.x. Nothing is kept outside
Elasticsearch but one run-local shortcut: a run that fills an empty index holds a Bloom filter
of the band keys it wrote (`key_filter`, 4 MiB whatever the run's size), so a batch asks only
for keys a stored document may have; the filter can say "maybe" wrongly, never "no", so the
stories are those the full query finds, and it is dropped with the run.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any

from elasticsearch import Elasticsearch, helpers

from newsetl.es.indices import index_body
from newsetl.es.load import write_all
from newsetl.progress import timed
from transforms.shingles import (
    DEFAULT,
    DupParams,
    Fingerprint,
    KeyFilter,
    Member,
    Story,
    fingerprint,
    group,
)

FINGERPRINT_FIELDS = ("story_bands", "story_minhash", "story_text")
# index.max_terms_count defaults to 65,536; a batch of 10,000 documents has 370,000 band keys.
TERMS_PER_QUERY = 50_000
# Hits per page (one search, or a scroll past it): each page seeks every term of the query
# again (Lucene rebuilds a terms filter per request), so few large pages, under the 10,000 of
# index.max_result_window.
FETCH_PAGE = 5000
_SOURCE = [
    "source.site",
    "published_at",
    "word_count",
    "story_minhash",
    "story_text",
    "story_id",
    "story_rank",
    "story_copy",
]
# A story's canonical member first; documents indexed before `story_rank` existed last.
CANONICAL_ORDER: list[dict[str, Any]] = [
    {"story_rank": {"order": "asc", "missing": "_last"}},
    {"published_at": {"order": "asc", "missing": "_last"}},
]


@dataclass(frozen=True)
class StoryFacts:
    """A story as read from the index: its copies (this one included) and its canonical
    member's id."""

    story_id: str
    size: int = 1
    canonical: str | None = None


# ---------------------------------------------------------------------------- write side


def assign_stories(
    client: Elasticsearch,
    alias: str,
    docs: Sequence[dict[str, Any]],
    params: DupParams = DEFAULT,
    fingerprints: Mapping[str, Fingerprint] | None = None,
    seconds: MutableMapping[str, float] | None = None,
    stage: str = "load",
    held: KeyFilter | None = None,
) -> None:
    """Set `story_*` fields on `docs` in place, before they are bulk-indexed into `alias`.

    `fingerprints` are the documents' own, when the transform stage computed them already.
    `held`: the band keys of everything `alias` holds (`key_filter`, for a run that fills it
    from empty): only the keys it may hold are asked for, and the batch's keys join it.
    `seconds` adds up the time of each step (fetching stored candidates, grouping, updating),
    named after `stage`: the run report shows which one a large collection pays for.

    Stored documents are updated here only when their story id changes (a merge), or when
    they are stored copies of `docs` that the loader will skip as unchanged but whose story
    fields differ (documents indexed before story grouping are backfilled this way).
    """
    if not docs:
        return
    batch: dict[str, Member] = {}
    for doc in docs:
        fp = (fingerprints or {}).get(doc["id"]) or fingerprint(doc.get("body") or "", params)
        doc["story_bands"] = fp.band_keys(params)
        doc["story_minhash"] = fp.encode() if fp.size else None
        doc["story_text"] = fp.text_hash or None
        batch[doc["id"]] = member = _member(doc["id"], doc, fp)
        doc["story_rank"] = member.rank_key()
    by_id = {d["id"]: d for d in docs}
    seconds = {} if seconds is None else seconds
    with timed(seconds, f"{stage}: story refresh"):
        client.indices.refresh(index=alias)  # the previous batch must be searchable
    with timed(seconds, f"{stage}: story fetch"):
        texts = sorted({m.fingerprint.text_hash for m in batch.values() if m.fingerprint.size})
        stored = _fetch(client, alias, "story_text", texts, ids=list(batch), copies=False)
        moved = sorted(i for i in batch if i in stored and _words_changed(stored[i], by_id[i]))
        if moved:  # they leave their stories first, which may fall apart without them
            _regroup_without(client, alias, moved, params)
            client.indices.refresh(index=alias)
            stored = _fetch(client, alias, "story_text", texts, ids=list(batch), copies=False)
        # A text already stored was grouped with its band neighbours when it arrived (and
        # every later arrival with it): its copies join its story with no band query.
        standing = _standing(stored, moved)
        bands = sorted(
            {key for doc in docs if doc["story_text"] not in standing for key in doc["story_bands"]}
        )
        if held is not None:  # a key no stored document has finds nothing: not asked
            bands = held.may_hold(bands)
            held.add([key for doc in docs for key in doc["story_bands"]])
        stored.update(_fetch(client, alias, "story_bands", bands, copies=False))
    with timed(seconds, f"{stage}: story regroup"):
        members = [
            *batch.values(),
            *(_stored_member(i, s) for i, s in stored.items() if i not in batch),
        ]
        labels = {i: _label(i, s) for i, s in stored.items() if i not in moved}
        target, merged = _labels(client, alias, group(members, params), labels)
        copies = _exact_copies(batch, standing)
        for doc in docs:
            doc["story_id"] = target[doc["id"]]
            doc.pop("story_copy", None)
            if doc["id"] in copies:
                doc["story_copy"] = True
    with timed(seconds, f"{stage}: story updates"):
        _relabel(client, alias, merged, skip=stored)
        _update_changed(client, alias, stored, target, by_id)


def key_filter(client: Elasticsearch, alias: str) -> KeyFilter | None:
    """A filter of the band keys `alias` holds, for a run about to fill it from empty (None
    when it holds documents: their keys are not known here). The run must give it to every
    `assign_stories` of `alias` that it makes: the filter holds what those calls added."""
    client.indices.refresh(index=alias)
    return None if client.count(index=alias)["count"] else KeyFilter()


def forget_stories(
    client: Elasticsearch, alias: str, ids: Collection[str], params: DupParams = DEFAULT
) -> None:
    """Regroup the stories of documents about to be deleted, without them (call before delete).

    A story that loses a member may split in two: the larger piece keeps the story's id.
    """
    if not ids:
        return
    client.indices.refresh(index=alias)
    _regroup_without(client, alias, sorted(ids), params)


def ensure_story_fields(client: Elasticsearch, alias: str) -> None:
    """Add the fields of `mapping.json` that an index created before them lacks (the
    `story_*` fields, `dateline.city_gazetteer`, `authors`, `language`, `extracted_by`,
    `first_seen_at`, ...).

    The mapping is strict, so without them every document would be rejected; adding fields to
    a mapping is allowed in place (no reindex), and a no-op when they are already there. New
    sub-fields of an existing text field (another analyzer) take `newsetl reindex`; so does a
    `story_rank` on documents indexed before it (the README's upgrade notes).
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


def _label(doc_id: str, source: Mapping[str, Any]) -> str:
    """A stored document's story id; one indexed before stories existed is its own story."""
    return str(source.get("story_id") or doc_id)


def _words_changed(source: Mapping[str, Any], doc: Mapping[str, Any]) -> bool:
    return any(source.get(k) != doc[k] for k in ("story_minhash", "story_text"))


def _labels(
    client: Elasticsearch,
    alias: str,
    grouped: Mapping[str, Story],
    labels: Mapping[str, str],
) -> tuple[dict[str, str], dict[str, str]]:
    """(story id of every grouped member, old id -> new id of the stories merged away).

    A group with no stored member is a new story, named after its smallest id (what grouping
    the batch at once gives); one with stored members takes their story id, and when they
    carry several (a bridge), the id of the largest story (ties: the smallest id), so the
    fewest members are relabelled.
    """
    groups: dict[str, list[str]] = defaultdict(list)
    for doc_id, story in grouped.items():
        groups[story.story_id].append(doc_id)
    found = {f: sorted({labels[i] for i in ids if i in labels}) for f, ids in groups.items()}
    bridged = [label for names in found.values() if len(names) > 1 for label in names]
    sizes = {s: f.size for s, f in story_facts(client, alias, bridged).items()} if bridged else {}
    target: dict[str, str] = {}
    merged: dict[str, str] = {}
    for first, ids in groups.items():
        names = found[first]
        label = min(names, key=lambda s: (-sizes.get(s, 1), s)) if names else first
        merged.update({name: label for name in names if name != label})
        target.update({doc_id: label for doc_id in ids})
    return target, merged


def _standing(
    stored: Mapping[str, Mapping[str, Any]], moved: Collection[str]
) -> dict[str, set[str]]:
    """{text: the stored documents that stand for it}, those leaving it (`moved`) left out."""
    standing: dict[str, set[str]] = defaultdict(set)
    for doc_id, source in stored.items():
        if doc_id not in moved and _stands(source):
            standing[source["story_text"]].add(doc_id)
    return dict(standing)


def _exact_copies(batch: Mapping[str, Member], standing: Mapping[str, Collection[str]]) -> set[str]:
    """The batch documents to mark `story_copy`: exact copies (the same normalized text) of a
    stored document that is not itself marked, or of a batch document with a smaller id.

    One unmarked member per text stands for all its copies: candidates are fetched by band key
    without the marked ones (`_fetch`), and an exact copy is judged the same story as whatever
    its text's representative is (`transforms.shingles.Grouping`), so a story repeated k times
    is read and grouped once per batch, not k times. A stored representative stays one; a
    text whose representative is gone gets the next copy that arrives (or `_regroup_without`
    promotes one). `standing`: `_standing` of the stored candidates.
    """
    first: dict[str, str] = {}  # a text with no stored representative: its smallest batch id
    copies: set[str] = set()
    for doc_id in sorted(batch):
        fp = batch[doc_id].fingerprint
        stored = standing.get(fp.text_hash, ())
        if not fp.size or doc_id in stored:
            continue
        if stored or first.setdefault(fp.text_hash, doc_id) != doc_id:
            copies.add(doc_id)
    return copies


def _stands(source: Mapping[str, Any]) -> bool:
    """A stored document stands for its text: it has one and is not marked a copy."""
    return bool(source.get("story_text")) and not source.get("story_copy")


def _promoted(stored: Mapping[str, Mapping[str, Any]]) -> set[str]:
    """Among `stored` (whole stories), the smallest id of each text whose members are all
    marked copies: its representative left, and one copy must stand for the text again."""
    texts: dict[str, list[str]] = defaultdict(list)
    represented: set[str] = set()
    for doc_id, source in stored.items():
        if text := source.get("story_text"):
            texts[text].append(doc_id)
            if _stands(source):
                represented.add(text)
    return {min(ids) for text, ids in texts.items() if text not in represented}


def _regroup_without(
    client: Elasticsearch, alias: str, ids: Sequence[str], params: DupParams
) -> None:
    """Regroup the stories of `ids` without them; pieces that fall apart get their own ids,
    and a text left with only marked copies has one promoted to stand for it."""
    leaving = _fetch(client, alias, "_id", ids)
    story_ids = sorted({_label(i, s) for i, s in leaving.items()})
    stored = {
        i: s for i, s in _fetch(client, alias, "story_id", story_ids).items() if i not in leaving
    }
    by_story: dict[str, list[Member]] = defaultdict(list)
    for doc_id, source in stored.items():
        by_story[_label(doc_id, source)].append(_stored_member(doc_id, source))
    target: dict[str, str] = {}
    for story_id, members in by_story.items():
        pieces: dict[str, list[str]] = defaultdict(list)
        for doc_id, story in group(members, params).items():
            pieces[story.story_id].append(doc_id)
        ordered = sorted(pieces.items(), key=lambda p: (-len(p[1]), p[0]))
        for n, (first, piece) in enumerate(ordered):
            target.update(dict.fromkeys(piece, story_id if n == 0 else first))
    _update_changed(client, alias, stored, target, promoted=_promoted(stored))


def _relabel(
    client: Elasticsearch, alias: str, merged: Mapping[str, str], skip: Collection[str]
) -> None:
    """Move the members of merged stories (those not in `skip`, updated by the caller) to the
    story they merged into."""
    if not merged:
        return
    query = {"query": {"terms": {"story_id": sorted(merged)}}, "_source": ["story_id"]}
    actions = (
        {
            "_op_type": "update",
            "_index": alias,
            "_id": hit["_id"],
            "doc": {"story_id": merged[hit["_source"]["story_id"]]},
        }
        for hit in helpers.scan(client, index=alias, query=query, size=1000)
        if hit["_id"] not in skip
    )
    write_all(client, actions, alias)


def _update_changed(
    client: Elasticsearch,
    alias: str,
    stored: Mapping[str, Mapping[str, Any]],
    target: Mapping[str, str],
    batch: Mapping[str, Mapping[str, Any]] | None = None,
    promoted: Collection[str] = (),
) -> None:
    """Partial updates of the stored documents whose story id differs from `target`, and of
    the `promoted` ones (no longer marked copies).

    A stored copy of a `batch` document also gets the batch's fingerprint, rank and copy mark
    when its own differ: the loader skips unchanged content, and documents indexed before
    story grouping existed have none, so re-running the pipeline over them is what backfills it.
    """
    actions = []
    for doc_id, source in stored.items():
        fields: dict[str, Any] = {"story_id": target.get(doc_id, _label(doc_id, source))}
        doc = (batch or {}).get(doc_id)
        if doc:
            fields.update({k: doc[k] for k in (*FINGERPRINT_FIELDS, "story_rank")})
        copy = bool(doc.get("story_copy")) if doc else bool(source.get("story_copy"))
        if doc_id in promoted:
            copy = False
        # The bands follow from the signature, so they are not fetched to be compared; a
        # missing mark is no mark.
        if copy != bool(source.get("story_copy")) or any(
            source.get(k) != v for k, v in fields.items() if k != "story_bands"
        ):
            fields["story_copy"] = copy
            actions.append({"_op_type": "update", "_index": alias, "_id": doc_id, "doc": fields})
    write_all(client, actions, alias)


def _member(doc_id: str, doc: Mapping[str, Any], fp: Fingerprint) -> Member:
    return Member(
        id=doc_id,
        fingerprint=fp,
        site=(doc.get("source") or {}).get("site"),
        published_at=doc.get("published_at"),
        length=int(doc.get("word_count") or len((doc.get("body") or "").split())),
    )


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
    copies: bool = True,
) -> dict[str, dict[str, Any]]:
    """Stored documents whose `field` has any of `values` (without those marked `story_copy`
    unless `copies`), or whose id is in `ids` (scrolled)."""
    found: dict[str, dict[str, Any]] = {}
    unmarked = [] if copies else [{"term": {"story_copy": True}}]
    queries = [
        {"bool": {"filter": [{"terms": {field: list(chunk)}}], "must_not": unmarked}}
        for chunk in _chunks(values)
    ]
    queries += [{"bool": {"filter": [{"ids": {"values": list(chunk)}}]}} for chunk in _chunks(ids)]
    for query in queries:
        for hit in _every_hit(client, alias, query):
            found[hit["_id"]] = hit["_source"]
    return found


def _every_hit(client: Elasticsearch, alias: str, query: dict[str, Any]) -> Iterator[Any]:
    """Every hit of `query`: one search when they fit in a page, as a batch's candidates
    almost always do, scrolled when they may not. A scroll costs a search context and two
    more requests (the next page, the clear), each a wait on an engine that shares its cores
    with the transform workers: three requests a query for every batch of a run."""
    page = client.search(index=alias, query=query, source={"includes": _SOURCE}, size=FETCH_PAGE)
    hits = page["hits"]["hits"]
    if len(hits) < FETCH_PAGE:
        yield from hits
        return
    yield from helpers.scan(
        client, index=alias, query={"query": query, "_source": _SOURCE}, size=FETCH_PAGE
    )


# ----------------------------------------------------------------------------- read side


def story_facts(
    client: Elasticsearch, alias: str, story_ids: Iterable[str | None]
) -> dict[str, StoryFacts]:
    """Copies and canonical member of each story, counted now (one request per 10,000).

    A story id missing from the index (a document loaded without grouping names its own
    story) is absent from the answer; readers take it as a story of one.
    """
    wanted = sorted({s for s in story_ids if s})
    facts: dict[str, StoryFacts] = {}
    for start in range(0, len(wanted), _FACTS_PER_REQUEST):
        chunk = wanted[start : start + _FACTS_PER_REQUEST]
        resp = client.search(
            index=alias,
            size=0,
            query={"bool": {"filter": [{"terms": {"story_id": chunk}}]}},
            aggs={
                "stories": {
                    "terms": {"field": "story_id", "size": len(chunk)},
                    "aggs": {
                        "canonical": {
                            "top_hits": {"size": 1, "sort": CANONICAL_ORDER, "_source": False}
                        }
                    },
                }
            },
        )
        for bucket in resp["aggregations"]["stories"]["buckets"]:
            top = bucket["canonical"]["hits"]["hits"]
            facts[bucket["key"]] = StoryFacts(
                bucket["key"], int(bucket["doc_count"]), top[0]["_id"] if top else None
            )
    return facts


# Under the 10,000 buckets a search may return (`search.max_buckets` of Elasticsearch 7.x).
_FACTS_PER_REQUEST = 5000


def exact_copies(client: Elasticsearch, alias: str, source: Mapping[str, Any]) -> int:
    """How many other members of a document's story have the same words (normalized)."""
    if not source.get("story_text") or not source.get("story_id"):
        return 0
    query = {
        "bool": {
            "filter": [
                {"term": {"story_id": source["story_id"]}},
                {"term": {"story_text": source["story_text"]}},
            ]
        }
    }
    return max(int(client.count(index=alias, query=query)["count"]) - 1, 0)


def collapse_clause(inner_hits: int = 3) -> dict[str, Any]:
    """The search body's `collapse`: one hit per story, with up to `inner_hits` of its members
    that match too, the canonical copy first.

    Field collapsing on a keyword exists in Elasticsearch 7.x, 8.x and 9.x alike.
    """
    return {
        "field": "story_id",
        "inner_hits": {
            "name": "story",
            "size": inner_hits,
            "sort": CANONICAL_ORDER,
            "_source": ["title", "source.site", "source.url", "published_at"],
        },
    }
