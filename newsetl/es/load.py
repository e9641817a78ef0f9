"""Bulk loading: only changed documents are written, each failure is kept with its reason."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from elasticsearch import Elasticsearch, helpers

CHUNK_DOCS = 500
CHUNK_BYTES = 10 * 1024 * 1024
BULK_RETRIES = 3  # per chunk, for refused items (the bulk helper's back-off: 1 s, 2 s, 4 s)
# Refusals that are the cluster's state, not the document's fault: a full write queue (429),
# an admin or disk flood-stage write block (`cluster_block_exception`: 403 in 7.x, 429 in
# 8.x), a node in trouble (5xx). The bulk helper retries the items refused with these itself.
REFUSED = (403, 429, 500, 502, 503, 504)


class RefusedWritesError(RuntimeError):
    """The cluster refused writes (`REFUSED`: queue full, write block, node trouble).

    Not the documents' fault, so they are not quarantined: the batch is retried, and the run
    fails with this message if the cluster keeps refusing.
    """


def reason_of(error: Any) -> str:
    """`(type): reason` of a bulk item's error, whatever shape the server gave it."""
    if isinstance(error, dict):
        return f"({error.get('type', 'error')}): {error.get('reason', error)}"
    return f"(error): {error}"


@dataclass
class LoadResult:
    indexed: int = 0  # new documents
    updated: int = 0  # existing ids whose content changed
    unchanged: int = 0  # same content hash already in the index: nothing written
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (id, server's reason)


FIRST_SEEN = "first_seen_at"  # when newsetl first indexed the document: Kibana's time field
_first_seen_mapped: set[str] = set()


def existing_hashes(client: Elasticsearch, alias: str, ids: Sequence[str]) -> dict[str, str]:
    """`content_hash` of the ids already indexed: one mget for the batch, not a lookup each."""
    return {i: h for i, (h, _) in _existing(client, alias, ids).items()}


def _existing(
    client: Elasticsearch, index: str, ids: Sequence[str]
) -> dict[str, tuple[str, str | None]]:
    """(`content_hash`, `first_seen_at`) of the ids already indexed, in one mget."""
    if not ids:
        return {}
    resp = client.mget(index=index, ids=list(ids), source_includes=["content_hash", FIRST_SEEN])
    return {
        d["_id"]: (d["_source"].get("content_hash", ""), d["_source"].get(FIRST_SEEN))
        for d in resp["docs"]
        if d.get("found")
    }


def _map_first_seen(client: Elasticsearch, index: str) -> None:
    """Add `first_seen_at` to an index created before it existed (the mapping is strict)."""
    if index not in _first_seen_mapped:
        client.indices.put_mapping(index=index, properties={FIRST_SEEN: {"type": "date"}})
        _first_seen_mapped.add(index)


def bulk_actions(docs: Iterable[dict[str, Any]], alias: str) -> Iterator[dict[str, Any]]:
    for doc in docs:
        # Not grouped (loaded without `assign_stories`): its own story, so collapsing on
        # `story_id` never folds ungrouped documents together.
        source = {"story_id": doc["id"], **doc}
        yield {"_op_type": "index", "_index": alias, "_id": doc["id"], "_source": source}


def load(
    client: Elasticsearch,
    alias: str,
    docs: Sequence[dict[str, Any]],
    *,
    seen_in: str | None = None,
    now: datetime | None = None,
) -> LoadResult:
    """Index a batch; documents whose content hash is already there are not written.

    Each written document keeps the `first_seen_at` it had (in `alias`, else in `seen_in`:
    the index a reindex replaces), or gets `now`: every document has a time, also those
    whose publication date is unknown. A document indexed before the field existed is
    written once to get one.
    """
    result = LoadResult()
    _map_first_seen(client, alias)
    ids = [d["id"] for d in docs]
    known = _existing(client, alias, ids)
    if seen_in and seen_in != alias:
        earlier = _existing(client, seen_in, [i for i in ids if i not in known])
        first_seen = {i: f for i, (_, f) in {**earlier, **known}.items() if f}
    else:
        first_seen = {i: f for i, (_, f) in known.items() if f}
    stamp = (now or datetime.now(UTC)).isoformat(timespec="seconds")
    changed = []
    for doc in docs:
        since = first_seen.get(doc["id"])
        if since is None or known.get(doc["id"]) != (doc["content_hash"], since):
            changed.append({**doc, FIRST_SEEN: since or stamp})
    result.unchanged = len(docs) - len(changed)
    refused: list[str] = []
    for ok, item in helpers.streaming_bulk(
        client,
        bulk_actions(changed, alias),
        chunk_size=CHUNK_DOCS,
        max_chunk_bytes=CHUNK_BYTES,
        raise_on_error=False,  # a document's own error is its quarantine reason
        max_retries=BULK_RETRIES,
        initial_backoff=1,
        retry_on_status=REFUSED,
    ):
        info = item.get("index", {})
        doc_id = str(info.get("_id"))
        if ok:
            if doc_id in known:
                result.updated += 1
            else:
                result.indexed += 1
        elif info.get("status") in REFUSED:  # still refused after the helper's retries
            refused.append(reason_of(info.get("error")))
        else:
            result.rejected.append(
                (doc_id, f"rejected by Elasticsearch {reason_of(info.get('error'))}")
            )
    if refused:
        raise RefusedWritesError(
            f"{alias}: the cluster refused {len(refused)} of {len(changed)} writes "
            f"after {BULK_RETRIES} retries: {refused[0]}"
        )
    return result


def delete_ids(client: Elasticsearch, alias: str, ids: Iterable[str]) -> int:
    """Delete documents by id (pruned files, records a changed file no longer has)."""
    actions = ({"_op_type": "delete", "_index": alias, "_id": i} for i in ids)
    return write_all(client, actions, alias)


def write_all(
    client: Elasticsearch, actions: Iterable[dict[str, Any]], alias: str, chunk_size: int = 1000
) -> int:
    """Bulk writes that must all succeed (deletions, ledger entries, story updates); returns
    how many took effect. A delete of a missing id is done already."""
    return sum(ok for ok, _ in written(client, actions, alias, chunk_size=chunk_size))


def written(
    client: Elasticsearch,
    actions: Iterable[dict[str, Any]],
    alias: str,
    *,
    chunk_size: int = 1000,
    settled: Collection[int] = (),
) -> Iterator[tuple[bool, dict[str, Any]]]:
    """`(ok, item)` of each bulk write that took effect, or that failed with a status in
    `settled` (a `create` that exists: 409) or as a delete of a missing id.

    The bulk helper retries refused items itself (`retry_on_status`); it yields those still
    refused after its retries (they are in `ignore_status`), which raise `RefusedWritesError`,
    and raises `BulkIndexError` for any other failure, which becomes a `RuntimeError` naming
    the server's reason.
    """
    try:
        for ok, item in helpers.streaming_bulk(
            client,
            actions,
            chunk_size=chunk_size,
            max_retries=BULK_RETRIES,
            initial_backoff=1,
            retry_on_status=REFUSED,
            ignore_status=(*REFUSED, *settled, 404),
        ):
            op, info = next(iter(item.items()))
            status = info.get("status")
            if ok or status in settled or (op == "delete" and status == 404):
                yield ok, info
            elif status in REFUSED:
                raise RefusedWritesError(
                    f"{alias}: the cluster refused writes after {BULK_RETRIES} retries: "
                    f"{reason_of(info.get('error'))}"
                )
            else:
                raise RuntimeError(f"{alias}: {op} failed {reason_of(info.get('error'))}")
    except helpers.BulkIndexError as exc:
        op, info = next(iter(exc.errors[0].items()))
        raise RuntimeError(f"{alias}: {op} failed {reason_of(info.get('error'))}") from None
