"""`newsetl serve` with nothing configured: the schedule must fire and the run must index.

Prefect's fallback, a temporary server, runs no scheduler: a served deployment waited for ever.
This runs the real command, with no PREFECT_API_URL, and waits for the first minute's run.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from newsetl.es.local import LocalEngine
from newsetl.prefect_api import LocalPrefect

pytestmark = pytest.mark.integration
PREFECT_PORT = int(os.environ.get("NEWSETL_TEST_PREFECT_PORT", "4296"))


def _completed_runs(api: str) -> list[dict[str, object]]:
    body = json.dumps(
        {"flow_runs": {"state": {"type": {"any_": ["COMPLETED"]}}}, "limit": 10}
    ).encode()
    request = urllib.request.Request(
        f"{api}/flow_runs/filter", data=body, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            runs: list[dict[str, object]] = json.loads(resp.read())
    except OSError:
        return []
    return runs


def test_serve_with_nothing_configured_runs_the_schedule(
    tmp_path: Path, engine: LocalEngine
) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    for i in range(2):
        (raw / f"s{i}.txt").write_text(f"Story {i}\n\nLISBON (Reuters) - Harbour plan {i}.\n")
    state = tmp_path / "state"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    env.update(
        NEWSETL_ES_URL=engine.url,
        NEWSETL_STATE_DIR=str(state),
        NEWSETL_RAW_DIR=str(raw),
        NEWSETL_INDEX="t-serve",
        NEWSETL_PREFECT_PORT=str(PREFECT_PORT),
        NEWSETL_WORKERS="1",
        PREFECT_HOME=str(tmp_path / "prefect-client"),
    )
    log = (tmp_path / "serve.log").open("w")
    serve = subprocess.Popen(
        [sys.executable, "-m", "newsetl", "serve", "--cron", "* * * * *"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    server = LocalPrefect(state, PREFECT_PORT)
    try:
        deadline = time.monotonic() + 240  # start-up, then the next minute, then the run
        while not (runs := _completed_runs(server.api_url)):
            assert serve.poll() is None, (tmp_path / "serve.log").read_text()
            assert time.monotonic() < deadline, (tmp_path / "serve.log").read_text()
            time.sleep(2)
        assert runs[0]["parameters"] == {
            "raw_dir": str(raw),
            "index": "t-serve",
            "batch_size": 1000,
        }
        client = Elasticsearch(engine.url)
        client.indices.refresh(index="t-serve")
        assert client.count(index="t-serve")["count"] == 2
    finally:
        os.killpg(serve.pid, signal.SIGINT)
        serve.wait(timeout=60)
        server.down()
        log.close()
    assert not server.down()  # stopped: a second `down` says nothing was running
