"""The run's steps as plain functions, so the Prefect flow stays thin and tests need no Prefect."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from newsetl.document import DocumentError, build_document
from newsetl.readers import DEFAULT_MAX_BYTES, Rejected, read_file


@dataclass
class Batch:
    docs: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)


def transform_paths(
    paths: Iterable[Path], root: Path, *, now: datetime, max_bytes: int = DEFAULT_MAX_BYTES
) -> Batch:
    """Read and transform a batch of files; a bad record becomes a `Rejected`, never a crash."""
    batch = Batch()
    for path in paths:
        for item in read_file(path, root, max_bytes=max_bytes):
            if isinstance(item, Rejected):
                batch.rejected.append(item)
                continue
            try:
                batch.docs.append(build_document(item, now=now))
            except DocumentError as exc:
                batch.rejected.append(Rejected(item.path, str(exc), item.line))
            except Exception as exc:
                batch.rejected.append(
                    Rejected(
                        item.path, f"transform failed: {exc.__class__.__name__}: {exc}", item.line
                    )
                )
    return batch


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
    seconds: float = 0.0
    reasons: Counter[str] = field(default_factory=Counter)

    @property
    def balanced(self) -> bool:
        return self.seen == (
            self.indexed + self.updated + self.unchanged + self.duplicates + self.quarantined
        )

    def counts(self) -> dict[str, int]:
        return {
            "files": self.files,
            "seen": self.seen,
            "indexed": self.indexed,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "duplicates": self.duplicates,
            "quarantined": self.quarantined,
        }

    def markdown(self, alias: str) -> str:
        rate = self.seen / self.seconds if self.seconds else 0.0
        rows = "\n".join(f"| {k} | {v} |" for k, v in self.counts().items())
        reasons = (
            "\n".join(f"| {reason} | {n} |" for reason, n in self.reasons.most_common(10))
            or "| (none) | 0 |"
        )
        return (
            f"# newsetl ingest into `{alias}`\n\n| count | value |\n|---|---|\n{rows}\n\n"
            f"{self.seconds:.1f} s, {rate:.1f} documents/s; counts add up: {self.balanced}\n\n"
            f"## Top quarantine reasons\n\n| reason | count |\n|---|---|\n{reasons}\n"
        )
