"""The run's steps as plain functions, so the Prefect flows stay thin and tests need no Prefect."""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from newsetl import __version__
from newsetl.document import DocumentError, build_document
from newsetl.es.ledger import FileEntry
from newsetl.learned import Evidence, evidence, learn, site_of
from newsetl.limits import DEFAULT_LIMITS, Limits
from newsetl.readers import RawRecord, Rejected, read_file, sidecar_for
from newsetl.sources import source_name
from transforms.shingles import DupParams, Fingerprint, fingerprint


@cache
def pipeline_version() -> str:
    """A digest of the code and data that shape documents: any change reprocesses every file.

    Derived, not declared, so new cleaning rules can never ship with a stale version.
    """
    digest = hashlib.sha256(__version__.encode())
    roots: list[Traversable] = [files("transforms"), files("newsetl") / "data"]
    shaping = ("document.py", "readers.py", "learned.py")
    sources = [files("newsetl") / name for name in shaping]
    for root in roots:
        sources.extend(_walk(root))
    for source in sorted(sources, key=str):
        if source.name.endswith((".py", ".json", ".txt", ".csv")):
            digest.update(str(source).rsplit("/", 2)[-1].encode())
            digest.update(source.read_bytes())
    return f"{__version__}+{digest.hexdigest()[:12]}"


def _walk(node: Traversable) -> Iterable[Traversable]:
    for child in node.iterdir():
        if child.is_dir():
            if child.name != "__pycache__":
                yield from _walk(child)
        else:
            yield child


@dataclass(frozen=True)
class FileWork:
    """A discovered file, its stat, and what the ledger says it produced last time."""

    path: Path
    rel: str
    size: int
    mtime_ns: int
    previous: FileEntry | None = None
    source: str = ""  # the raw folder's source name (`newsetl.sources`)


def stat_files(paths: Iterable[Path], root: Path, source: str = "") -> list[FileWork]:
    """Each file's stat, its sidecar's folded in: a document's inputs are the page and the
    `.json` beside it, so adding, editing or removing the sidecar changes the stat too."""
    work = []
    for path in paths:
        try:
            st = path.stat()
            size, mtime = st.st_size, st.st_mtime_ns
            if (side := sidecar_for(path)) is not None:
                side_st = side.stat()
                size, mtime = size + side_st.st_size, max(mtime, side_st.st_mtime_ns)
        except OSError:
            size, mtime = -1, -1  # read_file will quarantine it with the reason
        work.append(FileWork(path, path.relative_to(root).as_posix(), size, mtime, source=source))
    return work


def batches(work: Iterable[FileWork], max_files: int, max_bytes: int) -> Iterator[list[FileWork]]:
    """Task batches of at most `max_files` files and, past the first file, `max_bytes` bytes.

    A batch's documents are in memory until it is loaded, and one .jsonl file can hold as many
    documents as a thousand pages: bounding bytes is what keeps memory flat as a corpus grows.
    """
    batch: list[FileWork] = []
    size = 0
    for item in work:
        grown = size + max(item.size, 0)
        if batch and (len(batch) >= max_files or grown > max_bytes):
            yield batch
            batch, grown = [], max(item.size, 0)
        batch.append(item)
        size = grown
    if batch:
        yield batch


@dataclass
class Batch:
    """What a batch of files became; `entries` are the ledger records to write after loading."""

    docs: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    entries: list[FileEntry] = field(default_factory=list)
    stale_ids: list[str] = field(default_factory=list)  # documents a changed file no longer has
    unchanged_ids: list[str] = field(default_factory=list)  # documents of skipped files
    unchanged_rejects: list[Rejected] = field(default_factory=list)  # still-quarantined files
    # Story fingerprints by document id, computed where the transforms run (see `stories`).
    fingerprints: dict[str, Fingerprint] = field(default_factory=dict)

    def release(self) -> None:
        """Empty the lists in place once the batch is loaded: the orchestrator may keep a
        reference to every task's result until the run ends, and memory must stay flat."""
        for items in (self.docs, self.rejected, self.entries, self.stale_ids):
            items.clear()
        self.unchanged_ids.clear()
        self.unchanged_rejects.clear()
        self.fingerprints.clear()


@dataclass
class Gathered:
    """The evidence of a batch of files, and which files were read for it: their stored
    evidence is replaced by this (a file that no longer has text records leaves none)."""

    paths: list[str] = field(default_factory=list)
    items: list[Evidence] = field(default_factory=list)


def _sha256(path: Path) -> str:
    """The file's digest; with a sidecar, the digest of both (a touched sidecar whose content
    is the same still leaves the document unchanged)."""
    try:
        with path.open("rb") as f:
            digest = hashlib.file_digest(f, "sha256").hexdigest()
        if (side := sidecar_for(path)) is not None:
            with side.open("rb") as f:
                both = digest + hashlib.file_digest(f, "sha256").hexdigest()
            digest = hashlib.sha256(both.encode()).hexdigest()
    except OSError:
        return ""
    return digest


def transform_paths(
    paths: Iterable[Path],
    root: Path,
    *,
    now: datetime,
    limits: Limits = DEFAULT_LIMITS,
    learn_from: Iterable[Path] | None = None,
    source: str | None = None,
) -> Batch:
    """Transform files unconditionally (no ledger, no stored evidence): `newsetl transform`.

    Boilerplate is learned from `learn_from` (the raw folder's files, as `newsetl run` learns
    from all of them), or from `paths` themselves when it is not given. `source` names the
    raw folder as `newsetl run` does (default: the folder's name), so the ids are the same.
    """
    name = source_name(source, root)
    work = [FileWork(p, p.relative_to(root).as_posix(), -1, -1, source=name) for p in paths]
    teachers = work
    if learn_from is not None:
        teachers = [FileWork(p, p.relative_to(root).as_posix(), -1, -1) for p in learn_from]
    learned = learn(gather_evidence(teachers, root, force=True, limits=limits).items)
    return transform_files(
        work, root, now=now, pipeline="", force=True, limits=limits, learned=learned
    )


def gather_evidence(
    work: Iterable[FileWork],
    root: Path,
    *,
    pipeline: str = "",
    force: bool = False,
    limits: Limits = DEFAULT_LIMITS,
) -> Gathered:
    """Evidence of the text records in new or changed files, for boilerplate learning."""
    found = Gathered()
    for item in work:
        prev = item.previous
        if prev is not None and not force and prev.same_stat(item.size, item.mtime_ns, pipeline):
            continue
        found.paths.append(item.rel)
        for record in read_file(item.path, root, max_bytes=limits.max_file_bytes):
            if isinstance(record, RawRecord) and (seen := evidence(record)) is not None:
                found.items.append(seen)
    return found


def transform_files(
    work: Iterable[FileWork],
    root: Path,
    *,
    now: datetime,
    pipeline: str,
    force: bool = False,
    retry_quarantined: bool = False,
    limits: Limits = DEFAULT_LIMITS,
    learned: Mapping[str, frozenset[str]] | None = None,
    stories: DupParams | None = None,
) -> Batch:
    """Transform the files that are new or changed; skip the rest by stat, then by content.

    `learned` holds each site's boilerplate keys learned from the corpus (`newsetl.learned`).
    With `stories`, each document's story fingerprint is computed here too: MinHash is CPU
    work that belongs in the transform processes, not in the loader that waits on the index.
    """
    learned = learned or {}
    batch = Batch()
    for item in work:
        prev = item.previous
        redo = force or (retry_quarantined and prev is not None and bool(prev.quarantine))
        if prev is not None and not redo and prev.same_stat(item.size, item.mtime_ns, pipeline):
            _skip(batch, prev)
            continue
        sha = _sha256(item.path)
        entry = FileEntry(item.rel, item.size, item.mtime_ns, sha, pipeline, source=item.source)
        if (
            prev is not None
            and not redo
            and sha
            and (prev.sha256, prev.pipeline) == (sha, pipeline)
        ):
            _skip(batch, prev)  # touched, not changed: only the ledger's stat is refreshed
            entry.ids, entry.quarantine = prev.ids, prev.quarantine
            batch.entries.append(entry)
            continue
        for record in read_file(item.path, root, max_bytes=limits.max_file_bytes):
            if isinstance(record, Rejected):
                _reject(batch, entry, record)
                continue
            try:
                doc = build_document(
                    record,
                    now=now,
                    limits=limits,
                    site_boilerplate=learned.get(site_of(record), frozenset()),
                    source=item.source,
                )
            except DocumentError as exc:
                _reject(batch, entry, Rejected(record.path, str(exc), record.line))
                continue
            except Exception as exc:  # a transform bug must quarantine the record, not crash
                reason = f"transform failed: {exc.__class__.__name__}: {exc}"
                _reject(batch, entry, Rejected(record.path, reason, record.line))
                continue
            batch.docs.append(doc)
            entry.ids.append(doc["id"])
            if stories is not None:
                fp = batch.fingerprints[doc["id"]] = fingerprint(doc["body"], stories)
                fp.band_keys(stories)  # kept on the fingerprint: the loader needs them too
        if prev is not None:
            batch.stale_ids.extend(sorted(set(prev.ids) - set(entry.ids)))
        batch.entries.append(entry)
    return batch


def _skip(batch: Batch, prev: FileEntry) -> None:
    batch.unchanged_ids.extend(prev.ids)
    batch.unchanged_rejects.extend(
        Rejected(prev.path, q["reason"], q.get("line")) for q in prev.quarantine
    )


def _reject(batch: Batch, entry: FileEntry, rejected: Rejected) -> None:
    batch.rejected.append(rejected)
    entry.quarantine.append({"line": rejected.line, "reason": rejected.reason})


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
