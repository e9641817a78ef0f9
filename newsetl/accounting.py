"""A run's accounting: every document seen is counted once, as indexed, updated, unchanged, a
duplicate or quarantined, and the documents Elasticsearch refused end in their file's ledger
entry with the server's reason.

Plain functions over a batch's results, so the flow only calls them and tests need neither
Prefect nor an engine.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

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


def dedupe(batch: Batch, seen_ids: dict[str, int]) -> int:
    """Drop documents whose id this run already wrote from a newer file (the same URL twice);
    count them. `seen_ids` maps each id written to its file's mtime.

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
    fresh = []
    for position, doc in enumerate(batch.docs):
        stamp, chosen = newest[doc["id"]]
        if chosen == position and seen_ids.get(doc["id"], -2) < stamp:
            seen_ids[doc["id"]] = stamp
            fresh.append(doc)
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
