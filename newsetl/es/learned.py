"""Learned-boilerplate evidence in Elasticsearch, beside the ledger: `newsetl-learned-<index>`.

One document per text record (id: a hash of `path#line`) with its site, file, learnable line
keys and story fields. Records are grouped into stories incrementally exactly as indexed
documents are (`newsetl.es.stories`: LSH band-key candidates, connected groups, the same
result whatever the order), so a line's count is the number of distinct `story_id`s among its
site's records: an aggregation, with no scan of the evidence. Evidence is membership, not
counters: a re-read file's records replace what it said before, a pruned file's are deleted
(its stories regrouped without it), so nothing is counted twice and a gone file teaches
nothing. Every machine reads the same evidence, so a second worker, a Dask cluster or a fresh
checkout cleans exactly as the first machine did. One set of evidence per concrete index, as
for the ledger: a reindex learns again from the raw files into its own.

A record's dateline `form` and the `agency` its own text credits sit beside its keys; the
agency a site lends each form (`lent`) is counted the same way, distinct `story_id`s per
site, form and agency, and decided by the same pure rule `newsetl transform` applies.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, MutableMapping, Sequence
from typing import Any

from elasticsearch import Elasticsearch, helpers

from newsetl.es.indices import index_body
from newsetl.es.load import delete_ids, write_all
from newsetl.es.stories import assign_stories, forget_stories, key_filter
from newsetl.learned import AGENCIES_PER_FORM, EVIDENCE_PARAMS, FORMS_PER_SITE, Evidence
from newsetl.progress import timed
from transforms.boilerplate import MIN_SHARE, MIN_STORIES, learn_boilerplate
from transforms.lending import lent_agencies
from transforms.shingles import KeyFilter

LEARNED_PREFIX = "newsetl-learned-"
# Sites per aggregation page, and lines carried by MIN_STORIES records or more per site (the
# most frequent first): furniture is a few dozen lines a site; 5 x 10,000 stays under the
# 65,535 buckets Elasticsearch allows per search.
SITES_PER_PAGE = 5
KEYS_PER_SITE = 10_000
# Candidate lines whose stories are counted in one request: each distinct count reserves a
# hash set of up to PRECISION entries.
KEYS_PER_REQUEST = 20
TERMS_PER_QUERY = 10_000
# Distinct story counts are exact (hash sets) up to this many per bucket, the maximum.
PRECISION = 40_000


def learned_name(index: str) -> str:
    return f"{LEARNED_PREFIX}{index}"


def _mapping() -> dict[str, Any]:
    properties = index_body()["mappings"]["properties"]
    story = {name: spec for name, spec in properties.items() if name.startswith("story_")}
    return {
        "dynamic": "strict",
        "properties": {
            "path": {"type": "keyword"},
            "source": {"properties": {"site": {"type": "keyword"}, "name": {"type": "keyword"}}},
            "keys": {"type": "keyword"},
            "form": {"type": "keyword"},
            "agency": {"type": "keyword"},
            **story,
        },
    }


def ensure_learned(client: Elasticsearch, index: str) -> bool:
    """Create the evidence index of `index` if missing; True when it was just created (the
    caller then gathers evidence from every file, not only changed ones)."""
    name = learned_name(index)
    if client.indices.exists(index=name):
        # Fields added since it was created (`story_rank`); adding fields is allowed in place.
        client.indices.put_mapping(index=name, properties=_mapping()["properties"])
        return _dropped_unnamed(client, name)
    client.indices.create(
        index=name,
        settings={"number_of_shards": 1, "number_of_replicas": 0},  # exact term counts
        mappings=_mapping(),
    )
    return True


def _dropped_unnamed(client: Elasticsearch, name: str) -> bool:
    """Delete the evidence written before records named their source (its paths were taken
    for every source's, so one folder's run replaced or pruned another's); True when there
    was any, so the caller learns again from every file."""
    client.indices.refresh(index=name)
    unnamed = {"bool": {"must_not": [{"exists": {"field": "source.name"}}]}}
    if not client.count(index=name, query=unnamed)["count"]:
        return False
    ids = [hit["_id"] for hit in helpers.scan(client, index=name, query={"query": unnamed})]
    _forget(client, name, ids)
    return True


def _of_source(source: str, *filters: dict[str, Any]) -> dict[str, Any]:
    return {"bool": {"filter": [{"term": {"source.name": source}}, *filters]}}


def holds_none(client: Elasticsearch, index: str, source: str) -> bool:
    """True when the evidence store of `index` has no record of `source`'s files."""
    name = learned_name(index)
    client.indices.refresh(index=name)
    return not client.count(index=name, query=_of_source(source))["count"]


def _ids_of(client: Elasticsearch, name: str, source: str, paths: Sequence[str]) -> set[str]:
    """Ids of the records of `source`'s `paths`, in chunks under the 65,536 terms a query may
    hold."""
    found: set[str] = set()
    for start in range(0, len(paths), TERMS_PER_QUERY):
        chunk = list(paths[start : start + TERMS_PER_QUERY])
        query = {"query": _of_source(source, {"terms": {"path": chunk}}), "_source": False}
        found.update(hit["_id"] for hit in helpers.scan(client, index=name, query=query, size=1000))
    return found


def record(
    client: Elasticsearch,
    index: str,
    source: str,
    paths: Sequence[str],
    items: Sequence[Evidence],
    seconds: MutableMapping[str, float] | None = None,
    *,
    first: bool = False,
    held: KeyFilter | None = None,
) -> None:
    """Replace the evidence of `source`'s files `paths` (read again this run) by `items`.

    `first`: the store held no evidence of `source` when the run began (`holds_none`), so no
    path of this run has records to replace and the search for them is skipped: a run
    visits each file once, in one batch. `seconds` adds up the time of each step: the run
    report breaks the learning stage down. `held`: the store's band keys (`filter_of`), for
    a run that fills it from empty.
    """
    name = learned_name(index)
    seconds = {} if seconds is None else seconds
    fingerprints = {item.id: item.fingerprint for item in items}
    if not first:
        with timed(seconds, "learn: stale evidence"):
            client.indices.refresh(index=name)
            stale = sorted(_ids_of(client, name, source, paths) - set(fingerprints))
            _forget(client, name, stale)
    docs = [
        {
            "id": item.id,
            "path": item.path,
            "source": {"site": item.site, "name": source},
            "keys": sorted(item.keys),
            "form": item.credit.form,
            "agency": item.credit.agency,
        }
        for item in items
    ]
    assign_stories(
        client, name, docs, EVIDENCE_PARAMS, fingerprints, seconds, stage="learn", held=held
    )
    actions = (
        {"_index": name, "_id": doc["id"], "_source": {k: v for k, v in doc.items() if k != "id"}}
        for doc in docs
    )
    with timed(seconds, "learn: write"):
        write_all(client, actions, name)


def filter_of(client: Elasticsearch, index: str) -> KeyFilter | None:
    """`newsetl.es.stories.key_filter` of the evidence store of `index`."""
    return key_filter(client, learned_name(index))


def _forget(client: Elasticsearch, name: str, ids: Sequence[str]) -> None:
    if ids:
        forget_stories(client, name, ids, EVIDENCE_PARAMS)
        delete_ids(client, name, ids)


def prune(client: Elasticsearch, index: str, source: str, present: Iterable[str]) -> int:
    """Delete the evidence of every file of `source` not in `present` (other sources' files
    are theirs to prune); returns how many records went."""
    name = learned_name(index)
    client.indices.refresh(index=name)
    keep = set(present)
    gone = [path for path in _paths(client, name, source) if path not in keep]
    ids = sorted(_ids_of(client, name, source, gone))
    _forget(client, name, ids)
    return len(ids)


def _paths(client: Elasticsearch, name: str, source: str) -> list[str]:
    """Every file of `source` with evidence (a composite aggregation, paged)."""
    found: list[str] = []
    after: dict[str, Any] | None = None
    while True:
        composite: dict[str, Any] = {
            "size": 1000,
            "sources": [{"path": {"terms": {"field": "path"}}}],
        }
        if after:
            composite["after"] = after
        resp = client.search(
            index=name, size=0, query=_of_source(source), aggs={"paths": {"composite": composite}}
        )
        agg = resp["aggregations"]["paths"]
        found.extend(bucket["key"]["path"] for bucket in agg["buckets"])
        after = agg.get("after_key")
        if not agg["buckets"] or after is None:
            return found


def learned(client: Elasticsearch, index: str) -> dict[str, frozenset[str]]:
    """Every site's boilerplate keys, decided from all evidence, in two passes of
    aggregations: per site, its number of stories and its lines carried by enough records
    (a line in fewer records than the threshold cannot be in enough stories); then, for those
    candidates only, the number of distinct stories carrying each. Counting stories per
    candidate rather than per line keeps the engine's memory small (a distinct count holds a
    hash set per bucket)."""
    name = learned_name(index)
    client.indices.refresh(index=name)
    result: dict[str, frozenset[str]] = {}
    for site, n_stories, doc_counts in _site_candidates(client, name):
        threshold = max(MIN_STORIES, MIN_SHARE * n_stories)
        candidates = sorted(key for key, count in doc_counts.items() if count >= threshold)
        counts = _story_counts(client, name, site, candidates)
        if keys := learn_boilerplate(counts, n_stories):
            result[site] = keys
    return result


def _site_candidates(client: Elasticsearch, name: str) -> Iterator[tuple[str, int, dict[str, int]]]:
    """(site, number of its stories, {line: records carrying it}) for every site, paged."""
    aggs: dict[str, Any] = {
        "stories": {"cardinality": {"field": "story_id", "precision_threshold": PRECISION}},
        "keys": {"terms": {"field": "keys", "min_doc_count": MIN_STORIES, "size": KEYS_PER_SITE}},
    }
    for bucket in _site_buckets(client, name, aggs):
        doc_counts = {k["key"]: k["doc_count"] for k in bucket["keys"]["buckets"]}
        yield bucket["key"]["site"], bucket["stories"]["value"], doc_counts


def _site_buckets(
    client: Elasticsearch, name: str, aggs: dict[str, Any]
) -> Iterator[dict[str, Any]]:
    """Every site's bucket of the evidence with `aggs` computed in it: a composite
    aggregation, SITES_PER_PAGE sites a request."""
    after: dict[str, Any] | None = None
    while True:
        composite: dict[str, Any] = {
            "size": SITES_PER_PAGE,
            "sources": [{"site": {"terms": {"field": "source.site"}}}],
        }
        if after:
            composite["after"] = after
        resp = client.search(
            index=name, size=0, aggs={"sites": {"composite": composite, "aggs": aggs}}
        )
        agg = resp["aggregations"]["sites"]
        yield from agg["buckets"]
        after = agg.get("after_key")
        if not agg["buckets"] or after is None:
            return


def _story_counts(
    client: Elasticsearch, name: str, site: str, keys: Sequence[str]
) -> dict[str, int]:
    """{line: distinct stories of `site` carrying it} for the candidate `keys`."""
    counts: dict[str, int] = {}
    for start in range(0, len(keys), KEYS_PER_REQUEST):
        chunk = list(keys[start : start + KEYS_PER_REQUEST])
        resp = client.search(
            index=name,
            size=0,
            query={"bool": {"filter": [{"term": {"source.site": site}}]}},
            aggs={
                "keys": {
                    "terms": {"field": "keys", "include": chunk, "size": len(chunk)},
                    "aggs": {
                        "stories": {
                            "cardinality": {"field": "story_id", "precision_threshold": PRECISION}
                        }
                    },
                }
            },
        )
        for bucket in resp["aggregations"]["keys"]["buckets"]:
            counts[bucket["key"]] = bucket["stories"]["value"]
    return counts


def lent(client: Elasticsearch, index: str) -> dict[str, dict[str, str]]:
    """{site: {dateline form: agency lent}} from all evidence: per site (paged), per form,
    per credited agency (missing: credits none), the distinct `story_id`s, decided by
    `transforms.lending.lent_agencies` as `newsetl.learned.lend` decides in memory."""
    name = learned_name(index)
    client.indices.refresh(index=name)
    stories = {"cardinality": {"field": "story_id", "precision_threshold": PRECISION}}
    aggs: dict[str, Any] = {
        "forms": {
            "terms": {"field": "form", "size": FORMS_PER_SITE},
            "aggs": {
                "agencies": {
                    "terms": {"field": "agency", "missing": "", "size": AGENCIES_PER_FORM},
                    "aggs": {"stories": stories},
                }
            },
        }
    }
    result: dict[str, dict[str, str]] = {}
    for bucket in _site_buckets(client, name, aggs):
        if bucket["forms"]["sum_other_doc_count"]:
            continue  # more forms than counted: the site lends nothing (as in memory)
        forms = {
            form["key"]: {
                (a["key"] or None): a["stories"]["value"] for a in form["agencies"]["buckets"]
            }
            for form in bucket["forms"]["buckets"]
            if not form["agencies"]["sum_other_doc_count"]  # more agencies: lends none
        }
        if lent_by_form := lent_agencies(forms):
            result[bucket["key"]["site"]] = lent_by_form
    return result
