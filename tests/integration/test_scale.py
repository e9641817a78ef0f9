"""The same index whatever runs the transforms: inline, a process pool, or a Dask cluster."""

from __future__ import annotations

from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from flows.ingest import ingest
from newsetl.config import Settings
from tests.integration.test_incremental import _raw, _snapshot

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("prefect_server")]


@pytest.fixture
def reference(
    tmp_path: Path, client: Elasticsearch, es_env: Settings
) -> tuple[Path, dict[str, str]]:
    raw = _raw(tmp_path, n=9)
    # An index of its own per test: a second folder called `raw` into one index is another
    # source's clash (`newsetl.sources`), refused, as it should be.
    index = f"t-scale-inline-{tmp_path.name.lower()}"
    ingest(raw_dir=str(raw), index=index, batch_size=2)
    return raw, _snapshot(client, index)


def test_process_pool_builds_the_same_index(
    reference: tuple[Path, dict[str, str]], client: Elasticsearch, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw, expected = reference
    monkeypatch.setenv("NEWSETL_WORKERS", "2")
    counts = ingest(raw_dir=str(raw), index="t-scale-pool", batch_size=2)
    assert counts["indexed"] == 9
    assert _snapshot(client, "t-scale-pool") == expected


def test_dask_local_cluster_builds_the_same_index(
    reference: tuple[Path, dict[str, str]], client: Elasticsearch, monkeypatch: pytest.MonkeyPatch
) -> None:
    from distributed import LocalCluster
    from prefect_dask import DaskTaskRunner

    raw, expected = reference
    monkeypatch.setenv("NEWSETL_TASK_RUNNER", "dask")
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        runner = DaskTaskRunner(address=cluster.scheduler_address)
        counts = ingest.with_options(task_runner=runner)(
            raw_dir=str(raw), index="t-scale-dask", batch_size=2
        )
    assert counts["indexed"] == 9
    assert _snapshot(client, "t-scale-dask") == expected
