"""The run's steps as plain functions, so the Prefect flows stay thin and tests need no Prefect."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from newsetl import __version__
from newsetl.document import DocumentError, build_document, lend_agency
from newsetl.es.ledger import FileEntry
from newsetl.learned import Evidence, Learning, evidence, record_credit, site_of
from newsetl.limits import DEFAULT_LIMITS, Limits
from newsetl.readers import (
    OpenedFile,
    RawRecord,
    Rejected,
    base_format,
    open_file,
    read_file,
    sidecar_for,
)
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


@dataclass(frozen=True, slots=True)
class FileWork:
    """A discovered file, its stat, and what the ledger says it produced last time.

    A run holds one for every file of the raw folder from listing to report, so it is kept
    small: slots, and the file's path as a string (`path` makes the `Path` when the file is
    read). As `Path` objects with instance dicts they were 640 bytes a file, 64 MB of the
    flow's memory at 100,000 files; now 307 (tracemalloc over `stat_files`).
    """

    file: str
    rel: str
    size: int
    mtime_ns: int
    previous: FileEntry | None = None
    source: str = ""  # the raw folder's source name (`newsetl.sources`)

    @property
    def path(self) -> Path:
        return Path(self.file)

    @classmethod
    def of(
        cls, path: Path, root: Path, size: int = -1, mtime_ns: int = -1, source: str = ""
    ) -> FileWork:
        """The work of `path` under `root` (stat unknown by default: always read)."""
        return cls(str(path), path.relative_to(root).as_posix(), size, mtime_ns, source=source)


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
        work.append(FileWork.of(path, root, size, mtime, source))
    return work


# A news record of a .jsonl file (title, text, a few fields) is rarely under a KiB, so a
# .jsonl file is taken to hold at most one document per KiB (gzipped text about 4 times more).
RECORD_BYTES = 1024
GZIP_RATIO = 4


def documents_in(work: FileWork) -> int:
    """At most how many documents `work`'s file can hold, from its stat alone: one, or a
    .jsonl file's bound by size (its records are only counted when it is read)."""
    if base_format(Path(work.rel)) != "jsonl":
        return 1
    ratio = GZIP_RATIO if work.rel.lower().endswith(".gz") else 1
    return max(1, work.size * ratio // RECORD_BYTES)


def batches(work: Iterable[FileWork], max_files: int, max_bytes: int) -> Iterator[list[FileWork]]:
    """Task batches of, past the first file, at most `max_files` documents (a file's bound,
    `documents_in`) and `max_bytes` bytes.

    A batch's documents are in memory until it is loaded, and one .jsonl file can hold as many
    documents as a thousand pages: bounding both is what keeps memory flat as a corpus grows.
    The bytes alone were not enough: 4 MiB of 1 KiB records is 4,000 documents a batch, and
    three such batches in flight were the flow's peak memory (tracemalloc: 60 MB of results
    from the workers). Batches of fewer bytes would cost pages dearly: every batch waits on
    a few engine requests, and a page folder in 1 MiB batches took 2.4 times as long.
    """
    batch: list[FileWork] = []
    size = docs = 0
    for item in work:
        its_bytes, its_docs = max(item.size, 0), documents_in(item)
        if batch and (docs + its_docs > max_files or size + its_bytes > max_bytes):
            yield batch
            batch, size, docs = [], 0, 0
        batch.append(item)
        size, docs = size + its_bytes, docs + its_docs
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


# Evidence count at which `transform_paths` first learns during its pass (then at each doubling).
_FIRST_LEARN = 16


@dataclass
class Gathered:
    """The evidence of a batch of files, and which files were read for it: their stored
    evidence is replaced by this (a file that no longer has text records leaves none)."""

    paths: list[str] = field(default_factory=list)
    items: list[Evidence] = field(default_factory=list)


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

    One pass reads and decodes each file once. Learned boilerplate needs the whole folder's
    evidence before anything is cleaned, so each text record gives its evidence and is
    cleaned in the same pass with the keys learned from the evidence seen so far (learned
    again each time the evidence doubles), through a `_Probe` that notes which keys the
    cleaner asked about and which of them it found. A record's document depends on the
    learned keys only through those answers, so after learning from the whole folder only
    the files with a record whose answers differ under the final keys are transformed again
    (a wire's sign-off is learned after its first stories: only those are redone). Pages
    give no evidence: they are transformed after learning, each read once. Agencies lent to
    unsigned stories (`newsetl.learned.lend`) are decided from the whole folder's evidence
    and given to the documents at the end, so no file is read again for them. What is kept
    between the two steps is each file's documents (the batch holds them anyway), its
    evidence (as before) and its records' answers: a few keys each.
    """
    name = source_name(source, root)
    work = [FileWork.of(p, root, source=name) for p in paths]
    rels = {w.rel for w in work}
    teachers = work
    if learn_from is not None:
        teachers = [FileWork.of(p, root, source=name) for p in learn_from]
    taught = {w.rel for w in teachers}
    # Evidence of the teachers that are not transformed: read for evidence only.
    others = gather_evidence([w for w in teachers if w.rel not in rels], root, limits=limits)
    # The teachers' evidence, grouped into stories as it arrives: the pass learns again at
    # each doubling, and the final learning is of the whole folder's teachers.
    seen = Learning(others.items)
    learned: dict[str, frozenset[str]] = seen.learned() if len(seen) else {}
    relearn_at = max(_FIRST_LEARN, 2 * len(seen))
    results: dict[str, _FileResult] = {}
    for item in work:
        if base_format(item.path) == "html":
            continue  # a page gives no evidence: transformed once boilerplate is learned
        mine: list[Evidence] = []
        opened = open_file(item.path, max_bytes=limits.max_file_bytes)
        results[item.rel] = _transform_file(
            item, root, opened, now=now, limits=limits, learned=learned, evidence_into=mine
        )
        if item.rel in taught:
            seen.add(mine)
        if len(seen) >= relearn_at:
            learned, relearn_at = seen.learned(), 2 * len(seen)
    learned, lent = seen.learned(), seen.lent()
    batch = Batch()
    for item in work:
        result = results.get(item.rel)
        if result is None or result.touched(learned):
            opened = open_file(item.path, max_bytes=limits.max_file_bytes)
            result = _transform_file(item, root, opened, now=now, limits=limits, learned=learned)
        result.lend(lent)
        result.into(batch)
    return batch


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
            if isinstance(record, RawRecord) and (seen := evidence(record, item.source)):
                found.items.append(seen)
    return found


class _Probe(frozenset[str]):
    """A site's learned keys that notes every key asked about. Always true, so the cleaner
    asks about every learnable line even when no key is known yet: `_FileResult.touched`
    needs all the questions, not only those that found a key."""

    asked: set[str]

    def __new__(cls, keys: Iterable[str] = ()) -> _Probe:
        probe = super().__new__(cls, keys)
        probe.asked = set()
        return probe

    def __bool__(self) -> bool:
        return True

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str):
            self.asked.add(key)
        return frozenset.__contains__(self, key)


@dataclass(frozen=True)
class _Answers:
    """What a record's cleaner asked of its site's keys, and which of them it found."""

    site: str
    asked: frozenset[str]
    found: frozenset[str]


@dataclass
class _FileResult:
    """What one file became; `answers` (per record, when cleaned with a `_Probe`) tell
    whether a record would come out differently with other learned keys."""

    entry: FileEntry
    docs: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    fingerprints: dict[str, Fingerprint] = field(default_factory=dict)
    answers: list[_Answers] | None = None
    # Documents whose text credits no agency: their site and dateline form, for `lend`.
    unsigned: dict[str, tuple[str, str]] = field(default_factory=dict)

    def touched(self, learned: Mapping[str, frozenset[str]]) -> bool:
        """Would a record come out differently with `learned` than with the keys it was
        cleaned with? Always, when it was not cleaned with a `_Probe`."""
        if self.answers is None:
            return True
        return any(
            a.asked.intersection(learned.get(a.site, ())) != a.found for a in self.answers
        )

    def lend(self, lent: Mapping[str, Mapping[str, str]]) -> None:
        """Give each unsigned document the agency its site lends its dateline form, if any
        (`newsetl.learned.lend`). Done once the whole folder's evidence is counted, so it
        does not depend on the order files are read in."""
        by_id = {doc["id"]: doc for doc in self.docs}
        for doc_id, (site, form) in self.unsigned.items():
            if (agency := lent.get(site, {}).get(form)) is not None:
                lend_agency(by_id[doc_id], agency)

    def into(self, batch: Batch) -> None:
        batch.docs.extend(self.docs)
        batch.rejected.extend(self.rejected)
        batch.fingerprints.update(self.fingerprints)
        batch.entries.append(self.entry)


def _transform_file(
    item: FileWork,
    root: Path,
    opened: OpenedFile,
    *,
    now: datetime,
    limits: Limits,
    learned: Mapping[str, frozenset[str]],
    pipeline: str = "",
    stories: DupParams | None = None,
    evidence_into: list[Evidence] | None = None,
) -> _FileResult:
    """The documents and quarantined records of one file read once (`opened`). With
    `evidence_into`, it receives the evidence of the text records, from the same read, and
    each record is cleaned through a `_Probe` that keeps its answers."""
    result = _FileResult(
        FileEntry(item.rel, item.size, item.mtime_ns, opened.sha256, pipeline, source=item.source)
    )
    probing = evidence_into is not None
    if probing:
        result.answers = []
    entry = result.entry
    for record in read_file(item.path, root, max_bytes=limits.max_file_bytes, opened=opened):
        if isinstance(record, Rejected):
            _reject(result, record)
            continue
        seen = evidence(record, item.source) if evidence_into is not None else None
        if evidence_into is not None and seen is not None:
            evidence_into.append(seen)
        site = site_of(record, item.source)
        known = learned.get(site, frozenset())
        keys = _Probe(known) if probing else known
        try:
            doc = build_document(
                record, now=now, limits=limits, site_boilerplate=keys, source=item.source
            )
        except DocumentError as exc:
            _reject(result, Rejected(record.path, str(exc), record.line))
            continue
        except Exception as exc:  # a transform bug must quarantine the record, not crash
            reason = f"transform failed: {exc.__class__.__name__}: {exc}"
            _reject(result, Rejected(record.path, reason, record.line))
            continue
        finally:
            if isinstance(keys, _Probe) and result.answers is not None:
                asked = frozenset(keys.asked)
                result.answers.append(_Answers(site, asked, asked & known))
        result.docs.append(doc)
        entry.ids.append(doc["id"])
        if doc["agency"] is None:
            form = (seen.credit if seen is not None else record_credit(record)).form
            if form is not None:
                result.unsigned[doc["id"]] = (site, form)
        if stories is not None:
            fp = result.fingerprints[doc["id"]] = fingerprint(doc["body"], stories)
            fp.band_keys(stories)  # kept on the fingerprint: the loader needs them too
    return result


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
    lent: Mapping[str, Mapping[str, str]] | None = None,
    stories: DupParams | None = None,
) -> Batch:
    """Transform the files that are new or changed; skip the rest by stat, then by content.

    A file is read once: its digest comes from the bytes read, and an unchanged one is
    skipped before anything is gunzipped or decoded. `learned` holds each site's
    boilerplate keys learned from the corpus (`newsetl.learned`), `lent` the agency each
    site lends its unsigned stories by dateline form (`newsetl.learned.lend`). With `stories`, each
    document's story fingerprint is computed here too: MinHash is CPU work that belongs in
    the transform processes, not in the loader that waits on the index.
    """
    learned = learned or {}
    batch = Batch()
    for item in work:
        prev = item.previous
        redo = force or (retry_quarantined and prev is not None and bool(prev.quarantine))
        if prev is not None and not redo and prev.same_stat(item.size, item.mtime_ns, pipeline):
            _skip(batch, prev)
            continue
        opened = open_file(item.path, max_bytes=limits.max_file_bytes)
        sha = opened.sha256
        if (
            prev is not None
            and not redo
            and sha
            and (prev.sha256, prev.pipeline) == (sha, pipeline)
        ):
            _skip(batch, prev)  # touched, not changed: only the ledger's stat is refreshed
            entry = FileEntry(item.rel, item.size, item.mtime_ns, sha, pipeline, source=item.source)
            entry.ids, entry.quarantine = prev.ids, prev.quarantine
            batch.entries.append(entry)
            continue
        result = _transform_file(
            item, root, opened, now=now, limits=limits, learned=learned,
            pipeline=pipeline, stories=stories,
        )
        result.lend(lent or {})
        result.into(batch)
        if prev is not None:
            batch.stale_ids.extend(sorted(set(prev.ids) - set(result.entry.ids)))
    return batch


def _skip(batch: Batch, prev: FileEntry) -> None:
    batch.unchanged_ids.extend(prev.ids)
    batch.unchanged_rejects.extend(
        Rejected(prev.path, q["reason"], q.get("line")) for q in prev.quarantine
    )


def _reject(result: _FileResult, rejected: Rejected) -> None:
    result.rejected.append(rejected)
    result.entry.quarantine.append({"line": rejected.line, "reason": rejected.reason})
