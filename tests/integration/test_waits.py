"""A run that has to wait says so, in its log and on its display; a reindex holds the lock
of the index it replaces, so no run writes into the index being swapped out."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest
from elasticsearch import Elasticsearch

import flows.reindex
from flows.ingest import ingest
from flows.reindex import reindex
from newsetl import progress
from newsetl.config import Settings
from newsetl.es import lock
from newsetl.es.indices import current_index
from tests.integration.test_operations import Run, _raw

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("prefect_server")]


class Recorder(progress.Display):
    """A display that keeps every status it was asked to show."""

    def __init__(self) -> None:
        self.shown: list[str] = []

    def status(self, text: str) -> None:
        self.shown.append(text)

    def waiting_until(self, text: str, timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        while not any(text in s for s in self.shown):
            assert time.monotonic() < deadline, self.shown
            time.sleep(0.2)


def test_waiting_for_the_write_lock_is_on_the_display(
    tmp_path: Path, client: Elasticsearch, es_env: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw = _raw(tmp_path / "raw", 3)
    ingest(raw_dir=str(raw), index="t-wait-lock")
    holder = lock.IndexLock(client, current_index(client, "t-wait-lock"), log=lambda _: None)
    holder.acquire()
    shown = Recorder()
    monkeypatch.setattr(progress, "_current", [shown])
    result: dict[str, Any] = {}
    run = threading.Thread(
        target=lambda: result.update(ingest(raw_dir=str(raw), index="t-wait-lock", progress=True))
    )
    run.start()
    try:
        shown.waiting_until("waiting for the write lock on")
    finally:
        holder.release()
        run.join(timeout=300)
    assert result["unchanged"] == 3


def _block(client: Elasticsearch, index: str, on: bool) -> None:
    client.indices.put_settings(index=index, settings={"index.blocks.write": True if on else None})


def test_a_refused_write_is_retried_on_the_display(
    tmp_path: Path, client: Elasticsearch, es_env: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSETL_RETRY_DELAYS", "[1, 1]")
    raw = _raw(tmp_path / "raw", 2)
    ingest(raw_dir=str(raw), index="t-wait-refused")
    (raw / "s0001.txt").write_text("Changed\n\nLISBON (Reuters) - A changed story on ferries.\n")
    index = current_index(client, "t-wait-refused")
    shown = Recorder()
    monkeypatch.setattr(progress, "_current", [shown])
    _block(client, index, on=True)
    try:
        state = ingest(raw_dir=str(raw), index="t-wait-refused", progress=True, return_state=True)
    finally:
        _block(client, index, on=False)
    assert state.is_failed()
    retries = [s for s in shown.shown if s.startswith("retrying load_batch in 1s")]
    assert len(retries) == 2 and "the cluster refused writes" in retries[0], shown.shown


def test_a_run_during_a_reindex_waits_then_writes_into_the_new_index(
    tmp_path: Path, client: Elasticsearch, es_env: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw = _raw(tmp_path / "raw", 3)
    alias = "t-wait-reindex"
    ingest(raw_dir=str(raw), index=alias)
    old = current_index(client, alias)
    swap = flows.reindex.swap_alias
    seen: dict[str, Any] = {}

    def swap_while_a_run_waits(es: Elasticsearch, name: str, new: str) -> None:
        seen["holder"] = lock.holder_of(client, old)  # the reindex's own lock
        _raw(tmp_path / "more", 1)
        (tmp_path / "more" / "s0000.txt").rename(raw / "s9999.txt")  # a new story arrives
        seen["run"] = run = Run(es_env, raw, alias)
        run.wait_for("waiting for the write lock")  # blocked by the index being replaced
        swap(es, name, new)

    monkeypatch.setattr(flows.reindex, "swap_alias", swap_while_a_run_waits)
    result = reindex(raw_dir=str(raw), index=alias)
    assert seen["holder"] is not None
    code, _ = seen["run"].finish()
    assert code == 0, "".join(seen["run"].lines)
    new = result["index"]
    assert current_index(client, alias) == new != old
    client.indices.refresh(index=[old, new])
    assert client.count(index=new)["count"] == 4  # the run's story is in the live index
    assert client.count(index=old)["count"] == 3  # and nothing was written to the old one


class _RenewInFlight:
    """The real client, with the lock's renewal caught between its write and its return:
    the moment a release used to delete with a stale version and leave the lock behind."""

    def __init__(self, client: Elasticsearch) -> None:
        self._client = client
        self.renewed = threading.Event()
        self.deleting = threading.Event()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def index(self, **kwargs: Any) -> Any:
        resp = self._client.index(**kwargs)
        if threading.current_thread().name.startswith("lock-"):
            self.renewed.set()
            self.deleting.wait(timeout=2)
        return resp

    def delete(self, **kwargs: Any) -> Any:
        self.deleting.set()
        return self._client.delete(**kwargs)


def test_a_release_during_a_renewal_frees_the_lock(client: Elasticsearch) -> None:
    proxy = _RenewInFlight(client)
    held = lock.IndexLock(proxy, "t-wait-renew", lease=9.0, log=lambda _: None)  # type: ignore[arg-type]
    held.acquire()
    assert proxy.renewed.wait(timeout=60)  # the renewal wrote; its answer is not back yet
    held.release()
    # Gone from the cluster, not only free to this process: another machine sees no holder.
    assert not client.exists(index=lock.LOCK_INDEX, id="t-wait-renew")
