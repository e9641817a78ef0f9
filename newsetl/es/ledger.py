"""The ledger: what each raw file became, kept in Elasticsearch beside the index it describes.

Keeping it in the cluster (not on a worker's disk) is what lets a new worker machine carry on
where the last run stopped. There is one ledger per concrete index (`newsetl-ledger-<index>`),
so a reindex builds its own and the alias swap makes it current. A file's entry is written
only after its documents are loaded, so a crashed run simply redoes the files it had not
finished, and a re-run converges on the index a clean run would have built.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from elasticsearch import Elasticsearch, helpers

from newsetl.es.load import write_all

LEDGER_PREFIX = "newsetl-ledger-"
_MAPPING: dict[str, Any] = {
    "dynamic": "strict",
    "properties": {
        "path": {"type": "keyword"},
        "size": {"type": "long"},
        "mtime_ns": {"type": "long"},
        "sha256": {"type": "keyword"},
        "pipeline": {"type": "keyword"},
        "ids": {"type": "keyword"},
        "quarantine": {
            "properties": {
                "line": {"type": "integer"},
                "reason": {
                    "type": "text",
                    "fields": {"keyword": {"type": "keyword", "ignore_above": 256}},
                },
            }
        },
        "run": {"type": "keyword"},
        "at": {"type": "date"},
    },
}


@dataclass
class FileEntry:
    """One raw file's outcome: the document ids it produced, or why its records were refused."""

    path: str
    size: int
    mtime_ns: int
    sha256: str
    pipeline: str
    ids: list[str] = field(default_factory=list)
    quarantine: list[dict[str, Any]] = field(default_factory=list)  # [{"line", "reason"}]
    run: str = ""
    at: str = ""

    def same_stat(self, size: int, mtime_ns: int, pipeline: str) -> bool:
        return (self.size, self.mtime_ns, self.pipeline) == (size, mtime_ns, pipeline)


def ledger_name(index: str) -> str:
    return f"{LEDGER_PREFIX}{index}"


def entry_id(path: str) -> str:
    return hashlib.sha256(path.encode("utf-8")).hexdigest()[:32]


def ensure_ledger(client: Elasticsearch, index: str) -> str:
    name = ledger_name(index)
    if not client.indices.exists(index=name):
        client.indices.create(
            index=name,
            settings={"number_of_shards": 1, "number_of_replicas": 0},
            mappings=_MAPPING,
        )
    return name


def fetch(client: Elasticsearch, index: str, paths: Sequence[str]) -> dict[str, FileEntry]:
    """Entries of a batch of paths: one mget, whatever the batch size."""
    if not paths:
        return {}
    resp = client.mget(index=ledger_name(index), ids=[entry_id(p) for p in paths])
    return {d["_source"]["path"]: FileEntry(**d["_source"]) for d in resp["docs"] if d.get("found")}


def write(client: Elasticsearch, index: str, entries: Iterable[FileEntry]) -> None:
    actions = (
        {"_index": ledger_name(index), "_id": entry_id(e.path), "_source": asdict(e)}
        for e in entries
    )
    write_all(client, actions, ledger_name(index))


def delete(client: Elasticsearch, index: str, paths: Iterable[str]) -> None:
    actions = (
        {"_op_type": "delete", "_index": ledger_name(index), "_id": entry_id(p)} for p in paths
    )
    write_all(client, actions, ledger_name(index))


def scan(
    client: Elasticsearch, index: str, *, quarantined_only: bool = False
) -> Iterator[FileEntry]:
    """Every entry, streamed with scroll: memory stays flat however many files there are."""
    query: dict[str, Any] = {"match_all": {}}
    if quarantined_only:
        query = {"exists": {"field": "quarantine.reason"}}
    for hit in helpers.scan(client, index=ledger_name(index), query={"query": query}, size=1000):
        yield FileEntry(**hit["_source"])


@dataclass
class PrunePlan:
    """What `--prune` would do: the files gone, the ids only they produced (to delete), and the
    files still present that carry one of their ids too (the same URL twice: re-read, so the
    copy that is still there becomes the indexed one instead of the story disappearing)."""

    known: int = 0  # files the ledger knows
    gone: list[str] = field(default_factory=list)
    delete: list[str] = field(default_factory=list)
    redo: set[str] = field(default_factory=set)


def plan_prune(client: Elasticsearch, index: str, present: set[str]) -> PrunePlan:
    """Two streamed passes over the ledger: memory holds the gone files' ids, not every id."""
    plan = PrunePlan()
    gone_ids: set[str] = set()
    for entry in scan(client, index):
        plan.known += 1
        if entry.path not in present:
            plan.gone.append(entry.path)
            gone_ids.update(entry.ids)
    if not gone_ids:
        return plan
    kept: set[str] = set()
    for entry in scan(client, index):
        if entry.path in present and (shared := gone_ids.intersection(entry.ids)):
            kept |= shared
            plan.redo.add(entry.path)
    plan.delete = sorted(gone_ids - kept)
    return plan
