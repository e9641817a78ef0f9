"""Production behaviour against the real local Elasticsearch: incremental runs, crashes, outages,
quarantine re-drive, reindex under search load, and the scheduled deployment."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest
from elasticsearch import Elasticsearch
from elasticsearch import exceptions as es_exc

import flows.ingest as ingest_module
import newsetl.pipeline as pipeline_module
from flows.ingest import ingest
from flows.reindex import reindex
from newsetl.cli import main
from newsetl.config import Settings
from newsetl.es import ledger
from newsetl.es.indices import current_index, ensure_alias
from newsetl.es.load import load
from newsetl.es.local import LocalEngine
from newsetl.es.search import search

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("prefect_server")]


def _story(n: int, topic: str = "harbour") -> str:
    return (
        f"Story number {n} about the {topic}\n\n"
        f"LISBON (Reuters) - Officials discussed the {topic} plan number {n} on Monday, "
        "according to people familiar with the talks.\n\n"
        f"The {topic} project has been debated for years.\n"
    )


def _raw(tmp_path: Path, n: int = 6) -> Path:
    raw = tmp_path / "raw"
    raw.mkdir(exist_ok=True)
    for i in range(n):
        (raw / f"s{i:02d}.txt").write_text(_story(i))
    return raw


def _snapshot(client: Elasticsearch, alias: str) -> dict[str, str]:
    client.indices.refresh(index=alias)
    resp = client.search(index=alias, size=1000, source_includes=["content_hash"])
    return {h["_id"]: h["_source"]["content_hash"] for h in resp["hits"]["hits"]}


def _writes(client: Elasticsearch, index: str) -> tuple[int, int]:
    names = [index, ledger.ledger_name(index)]
    stats = client.indices.stats(index=names, metric="indexing")["_all"]["primaries"]["indexing"]
    return stats["index_total"], stats["delete_total"]


@pytest.fixture
def fast_retries(es_env: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSETL_RETRY_DELAYS", "[0.2, 0.2]")


def test_second_run_writes_nothing(tmp_path: Path, client: Elasticsearch, es_env: Settings) -> None:
    raw = _raw(tmp_path)
    first = ingest(raw_dir=str(raw), index="t-inc-same", batch_size=2)
    assert first["indexed"] == 6
    index = current_index(client, "t-inc-same")
    before = _writes(client, index)
    second = ingest(raw_dir=str(raw), index="t-inc-same", batch_size=2)
    assert second["unchanged"] == second["seen"] == 6
    assert _writes(client, index) == before


def test_modified_added_deleted(tmp_path: Path, client: Elasticsearch, es_env: Settings) -> None:
    raw = _raw(tmp_path)
    alias = "t-inc-change"
    ingest(raw_dir=str(raw), index=alias)
    (raw / "s00.txt").write_text(_story(0, topic="airport"))
    (raw / "s99.txt").write_text(_story(99))
    (raw / "s05.txt").unlink()
    counts = ingest(raw_dir=str(raw), index=alias, prune=True)
    assert (counts["indexed"], counts["updated"], counts["unchanged"], counts["pruned"]) == (
        1,
        1,
        4,
        1,
    )
    client.indices.refresh(index=alias)
    assert client.count(index=alias)["count"] == 6
    assert [h.path for h in search(client, alias, "airport").hits] == ["s00.txt"]
    assert not search(client, alias, '"plan number 5"').hits
    paths = {e.path for e in ledger.scan(client, current_index(client, alias))}
    assert "s05.txt" not in paths and "s99.txt" in paths


def test_pipeline_change_reprocesses_everything(
    tmp_path: Path, client: Elasticsearch, es_env: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw = _raw(tmp_path, n=3)
    ingest(raw_dir=str(raw), index="t-inc-version")
    calls: list[int] = []
    original = pipeline_module.read_file

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(pipeline_module, "read_file", counting)
    monkeypatch.setattr(ingest_module, "pipeline_version", lambda: "new-rules")
    counts = ingest(raw_dir=str(raw), index="t-inc-version")
    assert len(calls) == 2 * 3  # every file re-read under the new rules: to learn, to transform
    assert counts["unchanged"] == 3  # same documents: nothing rewritten


def test_interrupted_run_then_rerun_equals_clean_run(
    tmp_path: Path, client: Elasticsearch, fast_retries: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw = _raw(tmp_path, n=8)
    ingest(raw_dir=str(raw), index="t-inc-clean", batch_size=2)
    calls = {"n": 0}
    original = ingest_module.load

    def crashing(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] > 2:
            raise RuntimeError("worker killed")
        return original(*args, **kwargs)

    monkeypatch.setattr(ingest_module, "load", crashing)
    state = ingest(raw_dir=str(raw), index="t-inc-crash", batch_size=2, return_state=True)
    assert state.is_failed()
    partial = _snapshot(client, "t-inc-crash")
    assert 0 < len(partial) < 8
    monkeypatch.setattr(ingest_module, "load", original)
    ingest(raw_dir=str(raw), index="t-inc-crash", batch_size=2)
    assert _snapshot(client, "t-inc-crash") == _snapshot(client, "t-inc-clean")


def test_engine_stopped_mid_run_then_recovers(
    tmp_path: Path,
    client: Elasticsearch,
    engine: LocalEngine,
    fast_retries: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    raw = _raw(tmp_path, n=6)
    ingest(raw_dir=str(raw), index="t-inc-outage-clean", batch_size=2)
    original = ingest_module.transform_files
    calls = {"n": 0}

    def stop_engine_on_second_batch(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:
            engine.down()
        return original(*args, **kwargs)

    monkeypatch.setattr(ingest_module, "transform_files", stop_engine_on_second_batch)
    try:
        state = ingest(raw_dir=str(raw), index="t-inc-outage", batch_size=2, return_state=True)
        assert state.is_failed()
        with pytest.raises((es_exc.ConnectionError, ConnectionError)):
            state.result()
    finally:
        engine.up()
    monkeypatch.setattr(ingest_module, "transform_files", original)
    counts = ingest(raw_dir=str(raw), index="t-inc-outage", batch_size=2)
    assert counts["seen"] == 6 and counts["quarantined"] == 0
    assert _snapshot(client, "t-inc-outage") == _snapshot(client, "t-inc-outage-clean")


def test_rejected_document_is_quarantined_with_server_reason(
    client: Elasticsearch, es_env: Settings
) -> None:
    alias = "t-inc-reject"
    ensure_alias(client, alias)
    good = {"id": "good", "body": "fine", "content_hash": "1", "word_count": 1}
    bad = {"id": "bad", "body": "x", "content_hash": "2", "unexpected_field": 1}
    result = load(client, alias, [good, bad])
    assert result.indexed == 1
    [(doc_id, reason)] = result.rejected
    assert doc_id == "bad" and "strict_dynamic_mapping_exception" in reason


def test_quarantine_list_and_retry(
    tmp_path: Path, client: Elasticsearch, es_env: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    raw = _raw(tmp_path, n=2)
    (raw / "feed.json").write_text("{broken")
    args = ["--raw-dir", str(raw), "--index", "t-inc-quarantine"]
    assert main(["run", "--json", *args]) == 0
    capsys.readouterr()
    assert main(["quarantine", "list", "--json", *args]) == 0
    listed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(e["path"], e["reason"].split(":")[0]) for e in listed] == [
        ("feed.json", "invalid JSON")
    ]
    (raw / "feed.json").write_text(json.dumps({"url": "https://e.org/f", "text": "Fixed text."}))
    assert main(["quarantine", "retry", "--json", *args]) == 0
    counts = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert (counts["indexed"], counts["quarantined"]) == (1, 0)
    assert main(["quarantine", "list", "--json", *args]) == 0
    assert capsys.readouterr().out == ""


def test_reindex_under_search_load_loses_no_query(
    tmp_path: Path, client: Elasticsearch, es_env: Settings
) -> None:
    raw = _raw(tmp_path, n=10)
    alias = "t-inc-reindex"
    ingest(raw_dir=str(raw), index=alias, batch_size=3)
    old = current_index(client, alias)
    stop = threading.Event()
    totals: list[int] = []
    errors: list[BaseException] = []

    def searching() -> None:
        while not stop.is_set():
            try:
                totals.append(search(client, alias, "harbour").total)
            except BaseException as exc:  # any failure is a lost query
                errors.append(exc)

    thread = threading.Thread(target=searching)
    thread.start()
    try:
        result = reindex(raw_dir=str(raw), index=alias, batch_size=3, cleanup=True)
    finally:
        stop.set()
        thread.join()
    assert not errors and len(totals) > 5 and set(totals) == {10}
    assert current_index(client, alias) == result["index"] != old
    assert not client.indices.exists(index=old)
    assert result["documents"] == 10


def test_scheduled_deployment_is_registered(tmp_path: Path, es_env: Settings) -> None:
    from prefect.client.orchestration import get_client

    from flows.deploy import DEPLOYMENT, build_deployment

    deployment = build_deployment(
        "*/15 * * * *", "Europe/Berlin", raw_dir=str(tmp_path), index="news", batch_size=100
    )
    deployment_id = deployment.apply()
    with get_client(sync_client=True) as prefect:
        stored = prefect.read_deployment(deployment_id)
    assert stored.name == DEPLOYMENT
    [schedule] = stored.schedules
    assert (schedule.schedule.cron, schedule.schedule.timezone) == ("*/15 * * * *", "Europe/Berlin")
    assert stored.parameters == {"raw_dir": str(tmp_path), "index": "news", "batch_size": 100}
    limit = stored.global_concurrency_limit
    assert limit is not None and limit.limit == 1
