"""The `ingest` flow: raw folder -> documents -> Elasticsearch, in batches.

Thin orchestration over `newsetl.pipeline` and `newsetl.es`: transforming batch n+1 overlaps
loading batch n; each task works on a batch of files, never on one document.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from time import perf_counter
from typing import Any, TypeVar, cast

from elasticsearch import Elasticsearch
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NONE
from prefect.futures import PrefectFuture
from prefect.runtime import flow_run
from prefect.utilities.annotations import quote

from newsetl import quarantine
from newsetl.config import Settings
from newsetl.es.client import connect
from newsetl.es.indices import ensure_alias
from newsetl.es.load import LoadResult, load
from newsetl.pipeline import Batch, RunSummary, transform_paths
from newsetl.readers import Rejected, discover

T = TypeVar("T")
IN_FLIGHT = 2  # transformed batches waiting to load: bounds memory, keeps the loader fed


def chunked(items: Sequence[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


@task(cache_policy=NONE, persist_result=False)
def transform_batch(paths: list[Path], root: Path, now: datetime) -> Batch:
    return transform_paths(paths, root, now=now)


@task(cache_policy=NONE, persist_result=False, retries=3, retry_delay_seconds=[5, 20, 60])
def load_batch(client: Elasticsearch, alias: str, docs: list[dict[str, Any]]) -> LoadResult:
    return load(client, alias, docs)


def _origin(doc: dict[str, Any]) -> tuple[str, int | None]:
    """(path, line) of the raw record a document came from."""
    path = doc["source"]["path"]
    if doc["source"]["format"] == "jsonl":
        file, _, line = path.rpartition(":")
        return file, int(line)
    return path, None


def _account(
    batch: Batch, client: Elasticsearch, alias: str, seen_ids: set[str], summary: RunSummary
) -> list[Rejected]:
    """Load one transformed batch and add its outcome to the run's counts."""
    fresh: list[dict[str, Any]] = []
    for doc in batch.docs:
        if doc["id"] in seen_ids:
            summary.duplicates += 1
        else:
            seen_ids.add(doc["id"])
            fresh.append(doc)
    result = (
        load_batch(client, alias, cast(list[dict[str, Any]], quote(fresh)))
        if fresh
        else LoadResult()
    )
    by_id = {d["id"]: _origin(d) for d in fresh}
    rejects = list(batch.rejected)
    for doc_id, reason in result.rejected:
        path, line = by_id.get(doc_id, (doc_id, None))
        rejects.append(Rejected(path=path, reason=reason, line=line))
    summary.seen += len(batch.docs) + len(batch.rejected)
    summary.indexed += result.indexed
    summary.updated += result.updated
    summary.unchanged += result.unchanged
    summary.quarantined += len(rejects)
    summary.reasons.update(r.reason.split(":")[0] for r in rejects)
    return rejects


@flow(name="ingest")
def ingest(
    raw_dir: str | None = None, index: str | None = None, batch_size: int | None = None
) -> dict[str, int]:
    """Index every article under `raw_dir` into the alias `index`; returns the run's counts."""
    overrides: dict[str, Any] = {"raw_dir": raw_dir, "index": index, "batch_size": batch_size}
    settings = Settings(**{k: v for k, v in overrides.items() if v is not None})
    logger = get_run_logger()
    started = perf_counter()
    client = connect(settings)
    alias = settings.index
    ensure_alias(client, alias, replicas=settings.replicas)
    root = settings.raw_dir.resolve()
    paths = list(discover(root))
    summary = RunSummary(files=len(paths))
    logger.info("ingest: %d files under %s into alias %r", len(paths), root, alias)
    now = datetime.now(UTC)
    seen_ids: set[str] = set()
    rejects: list[Rejected] = []
    pending: deque[PrefectFuture[Batch]] = deque()
    for chunk in chunked(paths, settings.batch_size):
        pending.append(transform_batch.submit(chunk, root, now))
        if len(pending) > IN_FLIGHT:
            rejects += _account(pending.popleft().result(), client, alias, seen_ids, summary)
    while pending:
        rejects += _account(pending.popleft().result(), client, alias, seen_ids, summary)
    client.indices.refresh(index=alias)
    for item in rejects:
        where = f"{item.path}:{item.line}" if item.line else item.path
        logger.warning("quarantined %s: %s", where, item.reason)
    quarantine.update(
        settings.state_dir,
        {p.relative_to(root).as_posix() for p in paths},
        rejects,
        run_id=str(flow_run.get_id() or "local"),
    )
    summary.seconds = perf_counter() - started
    logger.info("ingest done: %s (counts add up: %s)", summary.counts(), summary.balanced)
    if not summary.balanced:
        logger.error("counts do not add up: %s", summary.counts())
    create_markdown_artifact(
        key="ingest-summary", markdown=summary.markdown(alias), description="newsetl ingest counts"
    )
    return summary.counts()
