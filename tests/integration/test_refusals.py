"""The node refusing writes: 429 `es_rejected_execution_exception` from a tiny write queue.

A second node with one write thread and a queue of one runs beside the session's test engine;
bulk requests from other threads keep that queue full while newsetl writes. The hammer stops
after a set number of refusals, fewer than the retries can absorb, so the outcome is fixed
whatever the timing: refusals are retried (by the bulk helper, or by Prefect re-running the
batch), never quarantined, and the index ends exactly as a clean run builds it.
"""

from __future__ import annotations

import http.client
import json
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from elasticsearch import ApiError, Elasticsearch, helpers

from flows.ingest import ingest
from newsetl.config import Settings
from newsetl.es import ledger
from newsetl.es.client import connect
from newsetl.es.indices import current_index
from newsetl.es.load import RefusedWritesError, delete_ids, write_all
from newsetl.es.local import LocalEngine
from tests.integration.test_incremental import _raw, _snapshot

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("prefect_server")]
THROTTLED_PORT = int(os.environ.get("NEWSETL_THROTTLED_PORT", "9330"))
THROTTLE = {"thread_pool.write.size": 1, "thread_pool.write.queue_size": 1}
HAMMER_INDEX = "hammer"
HAMMER_THREADS = 8

Refusals = list[list[dict[str, Any]]]  # per refused bulk request: its items' errors


@pytest.fixture(scope="module")
def throttled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalEngine]:
    eng = LocalEngine(
        tmp_path_factory.mktemp("throttled-state"),
        port=THROTTLED_PORT,
        heap="512m",
        extra_settings=THROTTLE,
    )
    try:  # stopped even when it fails to come up
        eng.up()
        yield eng
    finally:
        eng.down()


@pytest.fixture
def node(throttled: LocalEngine) -> Elasticsearch:
    """A client of the throttled node, checked to be it: `up()` accepts any node on the port."""
    client = connect(Settings(es_url=throttled.url))
    pool = _write_pool(client, "info")
    assert (pool["size"], pool["queue_size"]) == (1, 1)
    return client


def _write_pool(client: Elasticsearch, api: str = "stats") -> dict[str, Any]:
    """The node's write thread pool: its `stats` (`rejected` counts refusals) or its `info`."""
    [found] = getattr(client.nodes, api)(metric="thread_pool")["nodes"].values()
    return dict(found["thread_pool"]["write"])


def _count_refusals(monkeypatch: pytest.MonkeyPatch) -> Refusals:
    """The 429s this process's requests get, as the server gave them: a bulk request's refused
    items, and a whole request refused (a single write of the ledger or the lock, once the
    client's own quick retries ran out). Counting only bulk items, the hammer kept the queue
    full past a single write's pauses (CI failed on the source record's write)."""
    refused: Refusals = []
    original = Elasticsearch.bulk
    perform = Elasticsearch.perform_request

    def counting_requests(self: Elasticsearch, *args: Any, **kwargs: Any) -> Any:
        try:
            return perform(self, *args, **kwargs)
        except ApiError as exc:
            if exc.meta.status == 429 and isinstance(exc.body, dict):
                refused.append([exc.body["error"]])
            raise

    def counting(self: Elasticsearch, *args: Any, **kwargs: Any) -> Any:
        resp = original(self, *args, **kwargs)
        errors = [
            info["error"]
            for item in resp["items"]
            for info in item.values()
            if info["status"] == 429
        ]
        if errors:
            refused.append(errors)
        return resp

    monkeypatch.setattr(Elasticsearch, "bulk", counting)
    monkeypatch.setattr(Elasticsearch, "perform_request", counting_requests)
    return refused


@contextmanager
def _hammer(engine: LocalEngine, until: Callable[[], bool]) -> Iterator[None]:
    """Bulk requests from several threads straight to the node (past the shim, so the counted
    client sees only newsetl's own) until `until()` or the block ends. The index exists first:
    in Elasticsearch 7.9 a bulk that auto-creates its index under rejections hangs."""
    client = Elasticsearch(engine.url)
    if not client.indices.exists(index=HAMMER_INDEX):
        client.indices.create(
            index=HAMMER_INDEX, settings={"number_of_replicas": 0}, mappings={"dynamic": False}
        )
    action = json.dumps({"index": {"_index": HAMMER_INDEX, "_id": "0"}})
    body = f"{action}\n{{}}\n".encode() * 50
    halt = threading.Event()

    def bulk_until_told() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", engine.es_port, timeout=60)
        while not (halt.is_set() or until()):
            conn.request("POST", "/_bulk", body, {"Content-Type": "application/x-ndjson"})
            conn.getresponse().read()
        conn.close()

    threads = [threading.Thread(target=bulk_until_told) for _ in range(HAMMER_THREADS)]
    for thread in threads:
        thread.start()
    try:
        yield
    finally:
        halt.set()
        for thread in threads:
            thread.join()


def _assert_queue_full(refused: Refusals, at_least: int) -> None:
    assert len(refused) >= at_least
    assert {e["type"] for errors in refused for e in errors} == {"es_rejected_execution_exception"}


def test_full_write_queue_is_retried_never_quarantined_then_rerun_equals_clean(
    tmp_path: Path,
    client: Elasticsearch,
    es_env: Settings,
    node: Elasticsearch,
    throttled: LocalEngine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    raw = _raw(tmp_path, n=12)
    ingest(raw_dir=str(raw), index="t-refused-clean", batch_size=2)  # the unthrottled engine
    monkeypatch.setenv("NEWSETL_ES_URL", throttled.url)
    # A refusal costs a chunk one of the bulk helper's tries or, once they run out, the batch
    # one Prefect attempt. With as many Prefect retries as refusals let through, the run
    # completes however they fall.
    wanted = 3
    monkeypatch.setenv("NEWSETL_RETRY_DELAYS", json.dumps([1] * wanted))
    rejected_before = _write_pool(node)["rejected"]
    refused = _count_refusals(monkeypatch)
    with _hammer(throttled, until=lambda: len(refused) >= wanted):
        counts = ingest(raw_dir=str(raw), index="t-refused", batch_size=2)
    _assert_queue_full(refused, wanted)
    assert _write_pool(node)["rejected"] - rejected_before >= len(refused)
    # A batch Prefect re-ran finds its documents already in: unchanged, not indexed, this time.
    assert (counts["seen"], counts["quarantined"], counts["duplicates"]) == (12, 0, 0)
    assert counts["indexed"] + counts["unchanged"] == 12
    entries = list(ledger.scan(node, current_index(node, "t-refused")))
    assert len(entries) == 12 and all(e.ids and not e.quarantine for e in entries)
    again = ingest(raw_dir=str(raw), index="t-refused", batch_size=2)
    assert (again["seen"], again["unchanged"]) == (12, 12)
    assert _snapshot(node, "t-refused") == _snapshot(client, "t-refused-clean")


def test_refused_deletes_are_retried(
    node: Elasticsearch, throttled: LocalEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    node.indices.create(index="t-refused-deletes", settings={"number_of_replicas": 0})
    docs = ({"_index": "t-refused-deletes", "_id": str(i), "_source": {}} for i in range(10))
    helpers.bulk(node, docs, refresh=True)
    refused = _count_refusals(monkeypatch)
    wanted = 2  # fewer than a chunk's BULK_RETRIES + 1 tries: every delete gets through
    with _hammer(throttled, until=lambda: len(refused) >= wanted):
        deleted = sum(delete_ids(node, "t-refused-deletes", [str(i)]) for i in range(10))
    _assert_queue_full(refused, wanted)
    assert deleted == 10
    node.indices.refresh(index="t-refused-deletes")
    assert node.count(index="t-refused-deletes")["count"] == 0


def test_write_all_says_why_a_write_failed_and_that_a_blocked_index_refused(
    client: Elasticsearch,
) -> None:
    """A document's own error names the server's reason; a write block is a refusal, retried
    by the bulk helper, then `RefusedWritesError`; deleting what is gone is done already."""
    index = "t-write-all"
    client.indices.create(
        index=index,
        settings={"number_of_replicas": 0},
        mappings={"dynamic": "strict", "properties": {"n": {"type": "integer"}}},
    )
    bad = [{"_index": index, "_id": "1", "_source": {"n": "not a number"}}]
    with pytest.raises(RuntimeError, match="index failed \\(mapper_parsing_exception\\)"):
        write_all(client, bad, index)
    assert delete_ids(client, index, ["missing"]) == 0
    client.indices.put_settings(index=index, settings={"index.blocks.write": True})
    try:
        with pytest.raises(RefusedWritesError, match="cluster_block_exception"):
            write_all(client, [{"_index": index, "_id": "2", "_source": {"n": 2}}], index)
    finally:
        client.indices.put_settings(index=index, settings={"index.blocks.write": None})
    assert write_all(client, [{"_index": index, "_id": "2", "_source": {"n": 2}}], index) == 1
