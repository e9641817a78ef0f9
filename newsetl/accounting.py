"""A run's accounting: every document seen is counted once, as indexed, updated, unchanged, a
duplicate or quarantined, and the documents Elasticsearch refused end in their file's ledger
entry with the server's reason.

Plain functions over a batch's results, so the flow only calls them and tests need neither
Prefect nor an engine.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from newsetl.es.ledger import FileEntry
from newsetl.es.load import LoadResult
from newsetl.pipeline import Batch
from newsetl.readers import Rejected


@dataclass
class RunSummary:
    """The run's accounting: seen == indexed + updated + unchanged + duplicates + quarantined."""

    files: int = 0
    seen: int = 0
    indexed: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    quarantined: int = 0
    pruned: int = 0
    seconds: float = 0.0
    stages: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))
    reasons: Counter[str] = field(default_factory=Counter)

    @property
    def balanced(self) -> bool:
        return self.seen == (
            self.indexed + self.updated + self.unchanged + self.duplicates + self.quarantined
        )

    def add(
        self, batch: Batch, result: LoadResult, rejects: Sequence[Rejected], duplicates: int
    ) -> None:
        """Count a loaded batch: `batch.docs` are the documents written (after `dedupe`),
        `rejects` every record quarantined by the transforms or refused by the engine,
        `duplicates` the documents `dedupe` dropped."""
        rejects = [*rejects, *batch.unchanged_rejects]
        self.seen += len(batch.docs) + duplicates + len(batch.rejected) + len(batch.unchanged_ids)
        self.seen += len(batch.unchanged_rejects)
        self.indexed += result.indexed
        self.updated += result.updated
        self.unchanged += result.unchanged + len(batch.unchanged_ids)
        self.duplicates += duplicates
        self.quarantined += len(rejects)
        self.reasons.update(r.reason.split(":")[0] for r in rejects)

    def counts(self) -> dict[str, int]:
        return {
            "files": self.files,
            "seen": self.seen,
            "indexed": self.indexed,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "duplicates": self.duplicates,
            "quarantined": self.quarantined,
            "pruned": self.pruned,
        }

    def markdown(self, alias: str) -> str:
        rate = self.seen / self.seconds if self.seconds else 0.0
        rows = "\n".join(f"| {k} | {v} |" for k, v in self.counts().items())
        by_time = sorted(self.stages.items(), key=lambda kv: -kv[1])
        stages = "\n".join(f"| {k} | {v:.2f} |" for k, v in by_time)
        reasons = (
            "\n".join(f"| {reason} | {n} |" for reason, n in self.reasons.most_common(10))
            or "| (none) | 0 |"
        )
        slowest = by_time[0][0] if by_time else "n/a"
        return (
            f"# newsetl ingest into `{alias}`\n\n| count | value |\n|---|---|\n{rows}\n\n"
            f"{self.seconds:.1f} s, {rate:.1f} documents/s; slowest stage: {slowest}; "
            f"counts add up: {self.balanced}\n\n"
            f"## Stages\n\n| stage | seconds |\n|---|---|\n{stages}\n\n"
            f"## Top quarantine reasons\n\n| reason | count |\n|---|---|\n{reasons}\n"
        )


class WrittenIds:
    """The ids a run has written, each with its file's mtime: what `dedupe` asks of every
    batch, held until the run ends.

    Held as two sorted arrays, a 16-byte digest of each id and its mtime, with no Python
    object per id: as a dict of the batches' own id strings it cost about 150 bytes a
    document, and each string, allocated among its batch's objects, kept a piece of that
    batch's memory from being reused (7 MB of a 40k run's flow process). Two ids share a
    digest with a probability of about 2^-128 per pair: no collection of news comes near it.
    """

    def __init__(self) -> None:
        self._keys = np.empty(0, dtype="S16")
        self._stamps = np.empty(0, dtype=np.int64)

    def __len__(self) -> int:
        return len(self._keys)

    @staticmethod
    def _digests(ids: Sequence[str]) -> np.ndarray:
        return np.array(
            [hashlib.blake2b(i.encode("utf-8"), digest_size=16).digest() for i in ids], "S16"
        )

    def stamps(self, ids: Sequence[str]) -> list[int]:
        """The mtime each id was written at, -2 for an id not written this run."""
        keys = self._digests(ids)
        at = np.searchsorted(self._keys, keys)
        inside = at < len(self._keys)
        found = np.zeros(len(ids), dtype=bool)
        found[inside] = self._keys[at[inside]] == keys[inside]
        out = np.full(len(ids), -2, dtype=np.int64)
        out[found] = self._stamps[at[found]]
        return [int(v) for v in out]

    def record(self, ids: Sequence[str], stamps: Sequence[int]) -> None:
        """Note `ids` (distinct) as written at `stamps`, replacing what was noted for them."""
        if not ids:
            return
        keys = self._digests(ids)
        keep = ~np.isin(self._keys, keys)
        merged = np.concatenate([self._keys[keep], keys])
        values = np.concatenate([self._stamps[keep], np.asarray(stamps, dtype=np.int64)])
        order = np.argsort(merged, kind="stable")
        self._keys, self._stamps = merged[order], values[order]


def dedupe(batch: Batch, written: WrittenIds) -> int:
    """Drop documents whose id this run already wrote from a newer file (the same URL twice);
    count them. `written` holds each id written with its file's mtime.

    The newest file carrying a URL is the story's latest version: it is written (an update)
    and an older copy is the duplicate, whatever the order of the files. Documents of files
    skipped as unchanged are not written, so they never make a new or changed one a duplicate.
    """
    mtimes = {entry.path: entry.mtime_ns for entry in batch.entries}

    def mtime(doc: dict[str, Any]) -> int:
        source = doc["source"]
        path = source["path"].rpartition(":")[0] if source["format"] == "jsonl" else source["path"]
        return mtimes.get(path, -1)

    newest: dict[str, tuple[int, int]] = {}  # id -> (mtime, position) of its newest copy here
    for position, doc in enumerate(batch.docs):
        found = newest.get(doc["id"])
        if found is None or mtime(doc) > found[0]:  # equal: the first one stays
            newest[doc["id"]] = (mtime(doc), position)
    chosen = [doc for position, doc in enumerate(batch.docs) if newest[doc["id"]][1] == position]
    before = written.stamps([doc["id"] for doc in chosen])
    fresh = [doc for doc, b in zip(chosen, before, strict=True) if b < newest[doc["id"]][0]]
    written.record([doc["id"] for doc in fresh], [newest[doc["id"]][0] for doc in fresh])
    duplicates = len(batch.docs) - len(fresh)
    batch.docs = fresh
    return duplicates


def quarantine_refused(
    entries: Sequence[FileEntry], docs: Sequence[Mapping[str, Any]], refused: Mapping[str, str]
) -> list[Rejected]:
    """Move the documents Elasticsearch refused (id -> its reason) from their file's ledger
    entry's ids to its quarantine, with the .jsonl line they came from; return them as
    rejects. A refused document is never lost: its file's next run tries it again only if
    the file changes or `--retry-quarantined` asks."""
    if not refused:
        return []
    origin = {doc["id"]: doc["source"] for doc in docs if doc["id"] in refused}
    rejects = []
    for entry in entries:
        if not any(doc_id in refused for doc_id in entry.ids):
            continue
        kept = []
        for doc_id in entry.ids:
            if doc_id not in refused:
                kept.append(doc_id)
                continue
            source = origin[doc_id]
            line = int(source["path"].rpartition(":")[2]) if source["format"] == "jsonl" else None
            entry.quarantine.append({"line": line, "reason": refused[doc_id]})
            rejects.append(Rejected(entry.path, refused[doc_id], line))
        entry.ids[:] = kept
    return rejects
