"""The `ingest` flow: raw folder -> documents -> Elasticsearch, incrementally, in batches.

Thin orchestration over `newsetl.pipeline` and `newsetl.es`: each task handles a batch of
files, never one document; transforming batch n+1 overlaps loading batch n; the ledger is
written only after a batch's documents are in, so a crashed run's re-run converges.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from time import perf_counter
from typing import Any, cast

from elasticsearch import Elasticsearch
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NONE
from prefect.futures import PrefectFuture
from prefect.runtime import flow_run
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner
from prefect.utilities.annotations import quote

from flows.notify import match_batch, send
from newsetl import parallel, watch
from newsetl.config import Settings
from newsetl.es import learned as evidence_store
from newsetl.es import ledger
from newsetl.es import lock as write_lock
from newsetl.es.client import connect
from newsetl.es.indices import ensure_alias, tuned_for_bulk
from newsetl.es.load import LoadResult, delete_ids, load
from newsetl.es.stories import assign_stories, ensure_story_fields, forget_stories
from newsetl.es.watches import (
    Match,
    by_watch,
    count_watches,
    ensure_watch_index,
    list_watches,
    matches_index,
)
from newsetl.limits import Limits
from newsetl.pipeline import (
    Batch,
    FileWork,
    Gathered,
    RunSummary,
    batches,
    gather_evidence,
    pipeline_version,
    stat_files,
    transform_files,
)
from newsetl.progress import current, progress_bar, retry_shown, said, timed
from newsetl.readers import Rejected, discover
from newsetl.sources import source_name
from transforms.shingles import DupParams

# trafilatura logs an ERROR for every empty page; the quarantine already says why, once.
logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
BULK_TUNING_FILES = 1000  # from this size on, a run turns refreshes off while it loads
IN_FLIGHT = 2  # batches transformed ahead of the loader: bounds memory, keeps it fed


class PruneRefusedError(RuntimeError):
    """`--prune` would delete most of the index (an empty or unmounted raw folder?)."""


def run_id() -> str:
    """The flow run's id, or "local" outside one: what the ledger, the lock and watch matches
    record as the run that wrote them."""
    return str(flow_run.get_id() or "local")


@task(cache_policy=NONE, persist_result=False)
def evidence_batch(
    work: list[FileWork], root: Path, pipeline: str, force: bool, limits: Limits
) -> Gathered:
    return parallel.run(gather_evidence, work, root, pipeline=pipeline, force=force, limits=limits)


@task(cache_policy=NONE, persist_result=False)
def transform_batch(
    work: list[FileWork],
    root: Path,
    now: datetime,
    pipeline: str,
    force: bool,
    retry: bool,
    limits: Limits,
    learned: dict[str, frozenset[str]],
    stories: DupParams,
) -> Batch:
    return parallel.run(
        transform_files,
        work,
        root,
        now=now,
        pipeline=pipeline,
        force=force,
        retry_quarantined=retry,
        limits=limits,
        learned=learned,
        stories=stories,
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


@task(cache_policy=NONE, persist_result=False)
def load_batch(
    client: Elasticsearch, index: str, batch: Batch, stories: DupParams, alias: str | None = None
) -> tuple[LoadResult, list[Rejected], dict[str, float]]:
    """Write a batch: story grouping, changed documents, stale deletions, ledger entries.

    Returns the seconds each step took too: the run report breaks the load stage down.
    """
    fresh = batch.docs
    seconds: dict[str, float] = {}
    assign_stories(client, index, fresh, stories, batch.fingerprints, seconds)
    with timed(seconds, "load: bulk"):
        result = load(client, index, fresh, seen_in=alias) if fresh else LoadResult()
    rejects = list(batch.rejected)
    refused = dict(result.rejected)
    for entry in batch.entries:
        for doc_id in [i for i in entry.ids if i in refused]:
            entry.ids.remove(doc_id)
            origin = next(d["source"] for d in fresh if d["id"] == doc_id)
            line = int(origin["path"].rpartition(":")[2]) if origin["format"] == "jsonl" else None
            entry.quarantine.append({"line": line, "reason": refused[doc_id]})
            rejects.append(Rejected(entry.path, refused[doc_id], line))
    if batch.stale_ids:
        with timed(seconds, "load: stale deletions"):
            forget_stories(client, index, batch.stale_ids, stories)
            delete_ids(client, index, batch.stale_ids)
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    for entry in batch.entries:
        entry.run, entry.at = run_id(), stamp
    with timed(seconds, "load: ledger"):
        ledger.write(client, index, batch.entries)
    return result, rejects, seconds


def _account(
    summary: RunSummary, batch: Batch, result: LoadResult, rejects: list[Rejected], duplicates: int
) -> None:
    rejects = rejects + batch.unchanged_rejects
    summary.seen += len(batch.docs) + duplicates + len(batch.rejected) + len(batch.unchanged_ids)
    summary.seen += len(batch.unchanged_rejects)
    summary.indexed += result.indexed
    summary.updated += result.updated
    summary.unchanged += result.unchanged + len(batch.unchanged_ids)
    summary.duplicates += duplicates
    summary.quarantined += len(rejects)
    summary.reasons.update(r.reason.split(":")[0] for r in rejects)


def task_runner(settings: Settings) -> TaskRunner[Any]:
    """Threads (with a process pool for the CPU work) by default; Dask when configured."""
    if settings.task_runner == "dask":
        from prefect_dask import DaskTaskRunner

        if settings.dask_address:
            return DaskTaskRunner(address=settings.dask_address)
        cluster = {"n_workers": settings.workers, "threads_per_worker": 1, "processes": True}
        return DaskTaskRunner(cluster_kwargs=cluster)
    return ThreadPoolTaskRunner(max_workers=max(IN_FLIGHT, settings.workers) + 1)


@flow(name="ingest", task_runner=task_runner(Settings()))
def ingest(
    raw_dir: str | None = None,
    index: str | None = None,
    batch_size: int | None = None,
    prune: bool = False,
    retry_quarantined: bool = False,
    into: str | None = None,
    progress: bool = False,
    allow_shrink: bool = False,
    source: str | None = None,
) -> dict[str, int]:
    """Index what is new or changed under `raw_dir` into the alias `index`; returns the counts.

    `into` names a concrete index to fill from scratch instead (the reindex flow uses it);
    `progress` draws a progress bar (the CLI asks for one in a terminal); `allow_shrink` lets
    `prune` delete the documents of most of the files indexed.
    """
    settings = Settings.with_overrides(
        raw_dir=raw_dir, index=index, batch_size=batch_size, source=source
    )
    if not settings.raw_dir.is_dir():  # before anything is created for it
        raise FileNotFoundError(f"raw folder {settings.raw_dir.resolve()} does not exist")
    logger = get_run_logger()
    current(progress).status("connecting to Elasticsearch (starting the local engine if needed)")
    client = connect(settings)  # unreachable: fails now, naming the URL only
    def live() -> str:  # looked up again once locked: a reindex may swap it meanwhile
        return into or ensure_alias(client, settings.index, replicas=settings.replicas)

    say = said(current(progress), logger.warning)
    with write_lock.hold_live(client, live, run=run_id(), log=say) as lock:  # one run per index
        return _ingest(
            settings, client, lock.index, into, prune, retry_quarantined, progress, allow_shrink
        )


def _ingest(
    settings: Settings,
    client: Elasticsearch,
    target: str,
    into: str | None,
    prune: bool,
    retry_quarantined: bool,
    progress: bool,
    allow_shrink: bool,
) -> dict[str, int]:
    logger = get_run_logger()
    summary = RunSummary()
    started = perf_counter()
    shown = current(progress)
    ledger.ensure_ledger(client, target)
    # New evidence index (first run, or upgraded from local evidence): learn from every file.
    relearn = evidence_store.ensure_learned(client, target)
    ensure_story_fields(client, target)
    stories = settings.dup_params()
    watching = count_watches(client, settings.index) > 0
    if watching:  # stored queries parsed again if the mapping changed since they were saved
        ensure_watch_index(client, settings.index)
    this_run = run_id()
    new_matches: list[Match] = []
    root = settings.raw_dir.resolve()
    if not root.is_dir():
        raise FileNotFoundError(f"raw folder {root} does not exist")
    source = source_name(settings.source, root)  # the folder's name in ids and the ledger
    ledger.claim_source(client, target, source, root, explicit=bool(settings.source))
    shown.status("listing the raw folder")
    with timed(summary.stages, "discover"):
        work = stat_files(discover(root), root, source)
    ledger.adopt(client, target, source, {w.rel for w in work})  # entries from before sources
    summary.files = len(work)
    logger.info("ingest: %d files under %s into %s", len(work), root, target)
    redo: set[str] = set()  # files re-read because a pruned file shared their URL
    if prune:
        with timed(summary.stages, "prune"):
            summary.pruned, redo = _prune(
                client, target, work, stories, allow_shrink, root, source
            )
    now, pipeline = datetime.now(UTC), pipeline_version()
    loader = load_batch.with_options(
        retries=len(settings.retry_delays),
        retry_delay_seconds=settings.retry_delays,
        retry_condition_fn=retry_shown(shown),  # a refused write's wait, on the display
    )
    matcher = match_batch.with_options(
        retries=len(settings.retry_delays), retry_delay_seconds=settings.retry_delays
    )
    seen_ids: dict[str, int] = {}
    pending: deque[tuple[PrefectFuture[Batch], float, int]] = deque()

    def drain_one() -> None:
        future, submitted, files = pending.popleft()
        shown.status("waiting for transforms")
        batch = future.result()
        summary.stages["transform"] += perf_counter() - submitted
        duplicates = dedupe(batch, seen_ids)
        shown.status(f"loading into {settings.index}")
        with timed(summary.stages, "load"):
            result, rejects, seconds = loader(
                client, target, cast(Batch, quote(batch)), stories, settings.index if into else None
            )
        for stage, spent in seconds.items():
            summary.stages[stage] += spent
        if watching:
            refused = {doc_id for doc_id, _ in result.rejected}
            loaded = [d for d in batch.docs if d["id"] not in refused]
            with timed(summary.stages, "watches"):
                new_matches.extend(matcher(client, settings.index, quote(loaded), this_run))
        for item in rejects:
            where = f"{item.path}:{item.line}" if item.line else item.path
            logger.warning("quarantined %s: %s", where, item.reason)
        _account(summary, batch, result, rejects, duplicates)
        batch.release()
        # From the first transform on: start-up (engine, Prefect, learning) is not the rate.
        rate = summary.seen / max(perf_counter() - work_started[0], 1e-3)
        logger.info("batch done: %d seen so far, %.1f documents/s", summary.seen, rate)
        shown.advance(files, rate)
        shown.status("transforming")

    local_workers = settings.workers if settings.task_runner == "local" else 1
    in_flight = max(IN_FLIGHT, local_workers + 1)
    tuning = tuned_for_bulk(client, target) if len(work) >= BULK_TUNING_FILES else nullcontext()
    force = into is not None
    bar = progress_bar(progress, total=len(work))

    def chunks() -> Iterator[list[FileWork]]:
        """The batches with what the ledger says of their files, looked up as they go (each
        pass looks again rather than holding every file's entry for the run)."""
        for chunk in batches(work, settings.batch_size, settings.batch_bytes):
            with timed(summary.stages, "ledger lookup"):
                known = ledger.fetch(client, target, [w.rel for w in chunk], source)
            for rel in redo.intersection(known):  # not skipped as unchanged: re-read
                known[rel] = replace(known[rel], size=-1, sha256="")
            yield [replace(w, previous=known.get(w.rel)) for w in chunk]

    work_started = [perf_counter()]
    with parallel.process_pool(local_workers), tuning, bar as shown:
        shown.status("learning boilerplate")
        with timed(summary.stages, "learn boilerplate"):
            evidence: deque[PrefectFuture[Gathered]] = deque()
            for chunk in chunks():
                evidence.append(
                    evidence_batch.submit(
                        chunk, root, pipeline, force or relearn, settings.limits()
                    )
                )
                if len(evidence) > in_flight:  # bounded: memory stays flat
                    _learn_from(client, target, evidence.popleft().result())
            while evidence:
                _learn_from(client, target, evidence.popleft().result())
            learned = evidence_store.learned(client, target)
        shown.status("transforming")
        work_started[0] = perf_counter()
        for chunk in chunks():
            future = transform_batch.submit(
                chunk,
                root,
                now,
                pipeline,
                force,
                retry_quarantined,
                settings.limits(),
                learned,
                stories,
            )
            pending.append((future, perf_counter(), len(chunk)))
            if len(pending) > in_flight:
                drain_one()
        while pending:
            drain_one()
    shown.status("finishing: refresh, report")
    client.indices.refresh(
        index=[target, ledger.ledger_name(target), evidence_store.learned_name(target)]
    )
    summary.seconds = perf_counter() - started
    watch_names = [w.name for w in list_watches(client, settings.index)] if watching else []
    _report(summary, settings.index, logger, watch.markdown(new_matches, watch_names))
    if new_matches:
        client.indices.refresh(index=matches_index(settings.index))
        for name, found in by_watch(new_matches).items():
            logger.info("watch %r: %d new match(es)", name, len(found))
        if settings.notify_block:
            send(settings.notify_block, new_matches, settings.index, this_run, logger)
    return summary.counts()


def _learn_from(client: Elasticsearch, index: str, found: Gathered) -> None:
    evidence_store.record(client, index, found.paths, found.items)
    found.paths.clear()  # the orchestrator may hold the result until the run ends
    found.items.clear()


def _prune(
    client: Elasticsearch,
    index: str,
    work: list[FileWork],
    stories: DupParams,
    allow_shrink: bool,
    root: Path,
    source: str,
) -> tuple[int, set[str]]:
    """Delete the documents and ledger entries of files that are gone from the raw folder;
    return how many documents went and which present files must be re-read.

    An empty or suddenly much smaller raw folder is what an unmounted share looks like: losing
    most of what is indexed takes `allow_shrink`.
    """
    plan = ledger.plan_prune(client, index, {w.rel for w in work}, source)
    if plan.gone and not allow_shrink and 2 * len(plan.gone) > plan.known:
        raise PruneRefusedError(
            f"--prune would delete the documents of {len(plan.gone)} of the {plan.known} "
            f"files indexed, as {root} holds only {len(work)}; nothing was deleted. "
            "Is the raw folder mounted? Pass --allow-shrink to prune anyway."
        )
    forget_stories(client, index, plan.delete, stories)
    deleted = delete_ids(client, index, plan.delete)
    ledger.delete(client, index, plan.gone, source)
    evidence_store.prune(client, index, {w.rel for w in work})
    return deleted, plan.redo


def _report(summary: RunSummary, alias: str, logger: Any, watches: str = "") -> None:
    logger.info("ingest done: %s (counts add up: %s)", summary.counts(), summary.balanced)
    logger.info("stage seconds: %s", {k: round(v, 1) for k, v in summary.stages.items()})
    if not summary.balanced:
        logger.error("counts do not add up: %s", summary.counts())
    create_markdown_artifact(
        key="ingest-summary",
        markdown=summary.markdown(alias) + (f"\n{watches}" if watches else ""),
        description="newsetl ingest counts",
    )
