"""The `ingest` flow: raw folder -> documents -> Elasticsearch, incrementally, in batches.

Thin orchestration: the flow is the script of the run's steps, each a task over a batch of
files (never one document); what the steps compute lives in `newsetl.pipeline` (reading and
transforming), `newsetl.batching` (ledger look-ups, how many batches run ahead),
`newsetl.accounting` (counts, duplicates, refused documents) and `newsetl.es`. Transforming
batch n+1 overlaps loading batch n; the ledger is written only after a batch's documents are
in, so a crashed run's re-run converges.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from time import perf_counter
from typing import Any, cast

from elasticsearch import Elasticsearch
from prefect import Flow, flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NONE
from prefect.futures import PrefectFuture
from prefect.runtime import flow_run
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner
from prefect.utilities.annotations import quote
from pydantic import SecretStr

from flows.notify import match_batch, send
from newsetl import parallel, watch
from newsetl.accounting import RunSummary, WrittenIds, dedupe, quarantine_refused
from newsetl.batching import ahead, with_ledger
from newsetl.config import Settings
from newsetl.es import learned as evidence_store
from newsetl.es import ledger
from newsetl.es import lock as write_lock
from newsetl.es.client import connect
from newsetl.es.indices import ensure_alias, tuned_for_bulk
from newsetl.es.load import LoadResult, delete_ids, load
from newsetl.es.stories import assign_stories, ensure_story_fields, forget_stories, key_filter
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
    batches,
    gather_evidence,
    pipeline_version,
    stat_files,
    transform_files,
)
from newsetl.progress import Display, current, progress_bar, retry_shown, said, timed
from newsetl.readers import Rejected, discover
from newsetl.sources import source_name
from transforms.shingles import DupParams, KeyFilter

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


@dataclass(frozen=True)
class Prepared:
    """What a run learns while making sure its indexes exist."""

    relearn: bool  # a new evidence index: boilerplate is learned from every file
    watching: bool  # saved watches exist: each loaded batch is percolated


@task(cache_policy=NONE, persist_result=False)
def prepare(client: Elasticsearch, target: str, alias: str) -> Prepared:
    """The ledger, the evidence index and the story fields exist; stored watch queries are
    parsed again if the mapping changed since they were saved."""
    ledger.ensure_ledger(client, target)
    relearn = evidence_store.ensure_learned(client, target)
    ensure_story_fields(client, target)
    watching = count_watches(client, alias) > 0
    if watching:
        ensure_watch_index(client, alias)
    return Prepared(relearn, watching)


@task(cache_policy=NONE, persist_result=False)
def list_files(root: Path, source: str) -> list[FileWork]:
    """Every article file under `root`, with its stat (and its sidecar's), as `source`'s."""
    return stat_files(discover(root), root, source)


@task(cache_policy=NONE, persist_result=False)
def prune_gone(
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
    evidence_store.prune(client, index, source, {w.rel for w in work})
    return deleted, plan.redo


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
    lent: dict[str, dict[str, str]],
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
        lent=lent,
        stories=stories,
    )


@task(cache_policy=NONE, persist_result=False)
def load_batch(
    client: Elasticsearch,
    index: str,
    batch: Batch,
    stories: DupParams,
    alias: str | None = None,
    held: KeyFilter | None = None,
) -> tuple[LoadResult, list[Rejected], dict[str, float]]:
    """Write a batch: story grouping, changed documents, stale deletions, ledger entries.

    `held`: the index's band keys, when the run fills it from empty (`key_filter`).
    Returns the seconds each step took too: the run report breaks the load stage down.
    """
    seconds: dict[str, float] = {}
    assign_stories(client, index, batch.docs, stories, batch.fingerprints, seconds, held=held)
    with timed(seconds, "load: bulk"):
        result = load(client, index, batch.docs, seen_in=alias) if batch.docs else LoadResult()
    refused = quarantine_refused(batch.entries, batch.docs, dict(result.rejected))
    if batch.stale_ids:
        with timed(seconds, "load: stale deletions"):
            forget_stories(client, index, batch.stale_ids, stories)
            delete_ids(client, index, batch.stale_ids)
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    for entry in batch.entries:
        entry.run, entry.at = run_id(), stamp
    with timed(seconds, "load: ledger"):
        ledger.write(client, index, batch.entries)
    return result, [*batch.rejected, *refused], seconds


@task(cache_policy=NONE, persist_result=False)
def report(
    client: Elasticsearch,
    summary: RunSummary,
    settings: Settings,
    target: str,
    new_matches: list[Match],
    watching: bool,
) -> None:
    """The run's refreshes, its log lines and artifact, and the notification of new matches."""
    logger = get_run_logger()
    client.indices.refresh(
        index=[target, ledger.ledger_name(target), evidence_store.learned_name(target)]
    )
    watch_names = [w.name for w in list_watches(client, settings.index)] if watching else []
    logger.info("ingest done: %s (counts add up: %s)", summary.counts(), summary.balanced)
    logger.info("stage seconds: %s", {k: round(v, 1) for k, v in summary.stages.items()})
    if not summary.balanced:
        logger.error("counts do not add up: %s", summary.counts())
    watches = watch.markdown(new_matches, watch_names)
    create_markdown_artifact(
        key="ingest-summary",
        markdown=summary.markdown(settings.index) + (f"\n{watches}" if watches else ""),
        description="newsetl ingest counts",
    )
    if new_matches:
        client.indices.refresh(index=matches_index(settings.index))
        for name, found in by_watch(new_matches).items():
            logger.info("watch %r: %d new match(es)", name, len(found))
        if settings.notify_block:
            send(settings.notify_block, new_matches, settings.index, run_id(), logger)


def task_runner(settings: Settings) -> TaskRunner[Any]:
    """Threads (with a process pool for the CPU work) by default; Dask when configured."""
    if settings.task_runner == "dask":
        from prefect_dask import DaskTaskRunner

        if settings.dask_address:
            return DaskTaskRunner(address=settings.dask_address)
        cluster = {"n_workers": settings.workers, "threads_per_worker": 1, "processes": True}
        return DaskTaskRunner(cluster_kwargs=cluster)
    return ThreadPoolTaskRunner(max_workers=max(IN_FLIGHT, settings.workers) + 1)


def configured(settings: Settings) -> Flow[..., dict[str, int]]:
    """`ingest` on the task runner `settings` names: chosen when a run starts (the CLI, the
    scheduled deployment), never when this module is imported."""
    return cast(Flow[..., dict[str, int]], ingest.with_options(task_runner=task_runner(settings)))


def connection(settings: Settings) -> dict[str, Any]:
    """The options of `settings` that say where the cluster is, as `ingest`'s parameters.
    The URL is a secret (it may carry a password): Prefect stores it masked."""
    return {
        "es_url": SecretStr(settings.es_url) if settings.es_url else None,
        "es_ca_certs": str(settings.es_ca_certs) if settings.es_ca_certs else None,
        "state_dir": str(settings.state_dir),
        "local_port": settings.local_port,
    }


@flow(name="ingest")
def ingest(
    raw_dir: str | None = None,
    index: str | None = None,
    batch_size: int | None = None,
    prune: bool = False,
    retry_quarantined: bool = False,
    into: str | None = None,
    progress: bool = False,
    allow_shrink: bool = False,
    es_url: SecretStr | None = None,
    es_ca_certs: str | None = None,
    state_dir: str | None = None,
    local_port: int | None = None,
    source: str | None = None,
) -> dict[str, int]:
    """Index what is new or changed under `raw_dir` into the alias `index`; returns the counts.

    `into` names a concrete index to fill from scratch instead (the reindex flow uses it);
    `progress` draws a progress bar (the CLI asks for one in a terminal); `allow_shrink` lets
    `prune` delete the documents of most of the files indexed. The other parameters override
    their `NEWSETL_*` setting; unset, the environment's value holds.
    """
    settings = Settings.with_overrides(
        raw_dir=raw_dir,
        index=index,
        batch_size=batch_size,
        es_url=es_url.get_secret_value() if es_url else None,
        es_ca_certs=es_ca_certs,
        state_dir=state_dir,
        local_port=local_port,
        source=source,
    )
    root = settings.raw_dir.resolve()
    if not root.is_dir():  # before anything is created for it
        raise FileNotFoundError(f"raw folder {root} does not exist")
    parallel.start_early(settings.local_workers)  # warming up while the run starts
    logger = get_run_logger()
    started = perf_counter()
    summary = RunSummary()
    current(progress).status("connecting to Elasticsearch (starting the local engine if needed)")
    client = connect(settings)  # unreachable: fails now, naming the URL only

    def live() -> str:  # looked up again once locked: a reindex may swap it meanwhile
        return into or ensure_alias(client, settings.index, replicas=settings.replicas)

    say = said(current(progress), logger.warning)
    with write_lock.hold_live(client, live, run=run_id(), log=say) as lock:  # one run per index
        target = lock.index
        prepared = prepare(client, target, settings.index)
        name = source_name(settings.source, root)  # the folder's name in ids and the ledger
        ledger.claim_source(client, target, name, root, explicit=bool(settings.source))
        current(progress).status("listing the raw folder")
        with timed(summary.stages, "discover"):
            work = list_files(root, name)
        ledger.adopt(client, target, name, {w.rel for w in work})  # entries from before sources
        summary.files = len(work)
        logger.info("ingest: %d files under %s into %s", len(work), root, target)
        redo: set[str] = set()  # files re-read because a pruned file shared their URL
        if prune:
            with timed(summary.stages, "prune"):
                summary.pruned, redo = prune_gone(
                    client, target, work, settings.dup_params(), allow_shrink, root, name
                )
        run = Run(
            client, target, settings, root, name, work, redo, summary, force=into is not None,
            # the band keys of the stores this run fills from empty: their band queries ask
            # only for keys a stored document may have (few, in a collection of distinct stories)
            held=key_filter(client, target),
            evidence_held=evidence_store.filter_of(client, target),
        )
        tuning = tuned_for_bulk(client, target) if len(work) >= BULK_TUNING_FILES else nullcontext()
        with (
            parallel.process_pool(settings.local_workers),
            tuning,
            progress_bar(progress, total=len(work)) as shown,
        ):
            shown.status("learning boilerplate")
            with timed(summary.stages, "learn boilerplate"):
                learned = learn_boilerplate(run, relearn=prepared.relearn)
                lent = evidence_store.lent(client, target)  # agencies for unsigned stories
            new_matches = transform_and_load(
                run, learned, lent, retry_quarantined, into, prepared.watching, shown
            )
        current(progress).status("finishing: refresh, report")
        summary.seconds = perf_counter() - started
        report(client, summary, settings, target, new_matches, prepared.watching)
    return summary.counts()


@dataclass
class Run:
    """What every step of one run shares: where it writes, what it reads, what it counts."""

    client: Elasticsearch
    target: str
    settings: Settings
    root: Path
    source: str  # the raw folder's name (`newsetl.sources`): its files' ledger keys
    work: list[FileWork]
    redo: set[str]
    summary: RunSummary
    force: bool  # filling a new index: every file is read, whatever the ledger says
    held: KeyFilter | None = None  # the index's band keys, filled from empty this run
    evidence_held: KeyFilter | None = None  # the same for the evidence store

    @property
    def in_flight(self) -> int:
        """Batches submitted ahead of the step that consumes them: one per worker, and one
        more so no worker waits while a result is handed over."""
        return max(IN_FLIGHT, self.settings.local_workers + 1)

    def chunks(self) -> Iterator[list[FileWork]]:
        """The run's batches with their ledger entries, looked up afresh by each pass."""
        split = batches(self.work, self.settings.batch_size, self.settings.batch_bytes)

        def lookup(paths: list[str]) -> dict[str, ledger.FileEntry]:
            with timed(self.summary.stages, "ledger lookup"):
                return ledger.fetch(self.client, self.target, paths, self.source)

        return with_ledger(split, lookup, self.redo)


def learn_boilerplate(run: Run, *, relearn: bool) -> dict[str, frozenset[str]]:
    """The evidence of new and changed files (of every file with `relearn`) recorded, batch
    by batch; returns the boilerplate keys the whole corpus's evidence now yields, by site."""
    pipeline, limits = pipeline_version(), run.settings.limits()
    first = evidence_store.holds_none(run.client, run.target, run.source)

    def submit(chunk: list[FileWork]) -> PrefectFuture[Gathered]:
        return evidence_batch.submit(chunk, run.root, pipeline, run.force or relearn, limits)

    for future in ahead(run.chunks(), submit, run.in_flight):
        found = future.result()
        evidence_store.record(
            run.client, run.target, run.source, found.paths, found.items, run.summary.stages,
            first=first, held=run.evidence_held,
        )
        found.paths.clear()  # the orchestrator holds each task's result until the run ends
        found.items.clear()
    return evidence_store.learned(run.client, run.target)


def transform_and_load(
    run: Run,
    learned: dict[str, frozenset[str]],
    lent: dict[str, dict[str, str]],
    retry_quarantined: bool,
    into: str | None,
    watching: bool,
    shown: Display,
) -> list[Match]:
    """Transform every batch (`run.in_flight` of them ahead of the loader), load it, match it
    against the watches; counts go to `run.summary`. Returns the new watch matches."""
    logger = get_run_logger()
    settings, summary = run.settings, run.summary
    now, pipeline, limits = datetime.now(UTC), pipeline_version(), settings.limits()
    stories = settings.dup_params()
    retries, delays = len(settings.retry_delays), settings.retry_delays
    loader = load_batch.with_options(
        retries=retries,
        retry_delay_seconds=delays,
        retry_condition_fn=retry_shown(shown),  # a refused write's wait, on the display
    )
    matcher = match_batch.with_options(retries=retries, retry_delay_seconds=delays)
    written = WrittenIds()  # the ids this run wrote: a later copy of one is a duplicate
    new_matches: list[Match] = []
    shown.status("transforming")
    first = perf_counter()  # start-up (engine, Prefect, learning) is not the rate

    def submit(chunk: list[FileWork]) -> tuple[PrefectFuture[Batch], float, int]:
        future = transform_batch.submit(
            chunk, run.root, now, pipeline, run.force, retry_quarantined, limits, learned, lent,
            stories,
        )
        return future, perf_counter(), len(chunk)

    for future, submitted, files in ahead(run.chunks(), submit, run.in_flight):
        shown.status("waiting for transforms")
        batch = future.result()
        summary.stages["transform"] += perf_counter() - submitted
        duplicates = dedupe(batch, written)
        shown.status(f"loading into {settings.index}")
        with timed(summary.stages, "load"):
            result, rejects, seconds = loader(
                run.client,
                run.target,
                cast(Batch, quote(batch)),
                stories,
                settings.index if into else None,
                cast(KeyFilter | None, quote(run.held)),
            )
        for stage, spent in seconds.items():
            summary.stages[stage] += spent
        if watching:
            loaded = _loaded(batch.docs, result)
            with timed(summary.stages, "watches"):
                new_matches.extend(matcher(run.client, settings.index, quote(loaded), run_id()))
        _log_rejects(logger.warning, rejects)
        summary.add(batch, result, rejects, duplicates)
        batch.release()
        rate = summary.seen / max(perf_counter() - first, 1e-3)
        logger.info("batch done: %d seen so far, %.1f documents/s", summary.seen, rate)
        shown.advance(files, rate)
        shown.status("transforming")
    return new_matches


def _loaded(docs: Sequence[dict[str, Any]], result: LoadResult) -> list[dict[str, Any]]:
    refused = {doc_id for doc_id, _ in result.rejected}
    return [d for d in docs if d["id"] not in refused]


def _log_rejects(warn: Callable[..., None], rejects: Sequence[Rejected]) -> None:
    for item in rejects:
        warn(
            "quarantined %s: %s",
            f"{item.path}:{item.line}" if item.line else item.path,
            item.reason,
        )
