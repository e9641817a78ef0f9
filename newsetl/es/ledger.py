"""The ledger: what each raw file became, kept in Elasticsearch beside the index it describes.

Keeping it in the cluster (not on a worker's disk) is what lets a new worker machine carry on
where the last run stopped. There is one ledger per concrete index (`newsetl-ledger-<index>`),
so a reindex builds its own and the alias swap makes it current. A file's entry is written
only after its documents are loaded, so a crashed run simply redoes the files it had not
finished, and a re-run converges on the index a clean run would have built.

Entries are keyed by source and path (`newsetl.sources`): two raw folders with the same file
names keep apart, and `--prune` only considers the run's own source. The ledger also holds
one record per source naming its folder, which is how a moved folder is told from a second
one claiming the same name.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from elasticsearch import Elasticsearch, NotFoundError, helpers

from newsetl.es.client import refusals_waited_out
from newsetl.es.load import write_all
from newsetl.sources import SourceConflictError, same_folder

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
        "source": {"type": "keyword"},
        "folder": {"type": "keyword"},  # only on a source's record (`claim_source`)
    },
}
# Fields added after the first release: put on ledgers created before them.
_ADDED = {name: _MAPPING["properties"][name] for name in ("source", "folder")}



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
    source: str = ""  # "": an entry written before sources existed (adopted by `adopt`)

    def same_stat(self, size: int, mtime_ns: int, pipeline: str) -> bool:
        return (self.size, self.mtime_ns, self.pipeline) == (size, mtime_ns, pipeline)


def ledger_name(index: str) -> str:
    return f"{LEDGER_PREFIX}{index}"


def entry_id(path: str, source: str = "") -> str:
    """The entry's key: source and path (a source name has no "/"); the path alone for an
    entry written before sources existed."""
    key = f"{source}/{path}" if source else path
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def ensure_ledger(client: Elasticsearch, index: str) -> str:
    name = ledger_name(index)
    if not client.indices.exists(index=name):
        client.indices.create(
            index=name,
            settings={"number_of_shards": 1, "number_of_replicas": 0},
            mappings=_MAPPING,
        )
    else:  # a ledger from before sources: the new fields, once (a no-op when present)
        client.indices.put_mapping(index=name, properties=_ADDED)
    return name


def fetch(
    client: Elasticsearch, index: str, paths: Sequence[str], source: str = ""
) -> dict[str, FileEntry]:
    """Entries of a batch of `source`'s paths: one mget, whatever the batch size."""
    if not paths:
        return {}
    resp = client.mget(index=ledger_name(index), ids=[entry_id(p, source) for p in paths])
    return {d["_source"]["path"]: FileEntry(**d["_source"]) for d in resp["docs"] if d.get("found")}


def write(client: Elasticsearch, index: str, entries: Iterable[FileEntry]) -> None:
    actions = (
        {"_index": ledger_name(index), "_id": entry_id(e.path, e.source), "_source": asdict(e)}
        for e in entries
    )
    write_all(client, actions, ledger_name(index))


def delete(client: Elasticsearch, index: str, paths: Iterable[str], source: str = "") -> None:
    actions = (
        {"_op_type": "delete", "_index": ledger_name(index), "_id": entry_id(p, source)}
        for p in paths
    )
    write_all(client, actions, ledger_name(index))


def scan(
    client: Elasticsearch,
    index: str,
    *,
    quarantined_only: bool = False,
    source: str | None = None,
) -> Iterator[FileEntry]:
    """Every file entry (of `source`, when given; "" for the entries from before sources),
    streamed with scroll: memory stays flat however many files there are."""
    query: dict[str, Any] = {"bool": {"must_not": [{"exists": {"field": "folder"}}]}}
    if quarantined_only:
        query["bool"]["filter"] = [{"exists": {"field": "quarantine.reason"}}]
    if source == "":
        query["bool"]["must_not"].append({"exists": {"field": "source"}})
    elif source is not None:
        query["bool"]["filter"] = [*query["bool"].get("filter", []), {"term": {"source": source}}]
    for hit in helpers.scan(client, index=ledger_name(index), query={"query": query}, size=1000):
        yield FileEntry(**hit["_source"])


def _source_record_id(source: str) -> str:
    return f"source:{source}"  # never a 32-hex entry id


def claim_source(
    client: Elasticsearch,
    index: str,
    source: str,
    folder: Path,
    *,
    explicit: bool,
    log: Callable[[str], None] = print,
) -> None:
    """Record `folder` as `source`'s raw folder, or refuse a second folder with its name.

    The name from another folder is a move when the recorded folder is gone (its files keep
    their ids: nothing is indexed again), and a clash when it still exists: two scrapers'
    folders both called `raw` must not become one source. A name given explicitly
    (`--source`) is trusted: the same share mounted elsewhere on another worker.
    """
    name = ensure_ledger(client, index)
    record_id = _source_record_id(source)
    try:
        known: str | None = client.get(index=name, id=record_id)["_source"]["folder"]
    except NotFoundError:
        known = None
    if known is not None and same_folder(Path(known), folder):
        return
    if known is not None and Path(known).is_dir() and not explicit:
        raise SourceConflictError(
            f"the source {source!r} of index {index} is the folder {known}, which still "
            f"exists; to index {folder} beside it, give it its own name with --source NAME "
            "(NEWSETL_SOURCE)"
        )
    if known is not None:
        log(f"source {source!r} moved from {known} to {folder}: its files keep their ids")
    at = datetime.now(UTC).isoformat(timespec="seconds")
    refusals_waited_out(
        lambda: client.index(
            index=name,
            id=record_id,
            document={"source": source, "folder": str(folder), "at": at},
            refresh=True,
        )
    )


def adopt(client: Elasticsearch, index: str, source: str, present: set[str]) -> int:
    """Give the entries written before sources existed whose file is in this run's folder to
    `source`; return how many. Each is re-keyed and marked for reading again: its documents
    get their new ids, and the old ids (still listed in the entry) are deleted as stale, so
    no document is lost or doubled. Entries of files this folder does not have are left for
    the source that has them."""
    taken: list[FileEntry] = []
    for entry in scan(client, index, source=""):
        if entry.path in present:
            taken.append(entry)
    if not taken:
        return 0
    already = fetch(client, index, [e.path for e in taken], source)  # a crash mid-adoption
    fresh = [e for e in taken if e.path not in already]
    for entry in fresh:
        entry.source, entry.size, entry.sha256 = source, -1, ""
    write(client, index, fresh)
    delete(client, index, [e.path for e in taken])
    client.indices.refresh(index=ledger_name(index))
    return len(fresh)


@dataclass
class PrunePlan:
    """What `--prune` would do: the files gone, the ids only they produced (to delete), and the
    files still present that carry one of their ids too (the same URL twice: re-read, so the
    copy that is still there becomes the indexed one instead of the story disappearing)."""

    known: int = 0  # files the ledger knows
    gone: list[str] = field(default_factory=list)
    delete: list[str] = field(default_factory=list)
    redo: set[str] = field(default_factory=set)


def plan_prune(
    client: Elasticsearch, index: str, present: set[str], source: str = ""
) -> PrunePlan:
    """Two streamed passes over the ledger: memory holds the gone files' ids, not every id.

    Only `source`'s files can be gone (another folder's files are not in `present`, and
    must never look deleted); an id one of them still carries, in any source, is kept."""
    plan = PrunePlan()
    gone_ids: set[str] = set()
    for entry in scan(client, index, source=source):
        plan.known += 1
        if entry.path not in present:
            plan.gone.append(entry.path)
            gone_ids.update(entry.ids)
    if not gone_ids:
        return plan
    kept: set[str] = set()
    for entry in scan(client, index):
        mine = entry.source == source
        if (entry.path in present or not mine) and (shared := gone_ids.intersection(entry.ids)):
            kept |= shared
            if mine:
                plan.redo.add(entry.path)
    plan.delete = sorted(gone_ids - kept)
    return plan
