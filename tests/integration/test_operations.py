"""Everyday operations with a real `newsetl` process: Ctrl-C and SIGTERM, a killed run, two runs
at once on one index. Against the real local Elasticsearch and a real Prefect API."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from flows.ingest import ingest
from newsetl.config import Settings
from newsetl.es import lock
from newsetl.es.indices import current_index
from newsetl.prefect_api import configured_url

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("prefect_server")]
BULK_FILES = 1100  # over the size from which a run turns refreshes off (BULK_TUNING_FILES)


def _raw(folder: Path, n: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (folder / f"s{i:04d}.txt").write_text(
            f"Story {i} about harbour plan {i * 7919 % 10007}\n\n"
            f"LISBON (Reuters) - Officials discussed plan {i} and budget {i * 31} on Monday, "
            f"with {i % 13} ministers and {i % 29} mayors present.\n"
        )
    return folder


class Run:
    """`newsetl run` in a session of its own (like a terminal's foreground job), stderr read
    line by line as it comes."""

    def __init__(self, es_env: Settings, raw: Path, index: str, *extra: str) -> None:
        env = {
            **os.environ,
            "NEWSETL_ES_URL": str(es_env.es_url),
            "NEWSETL_STATE_DIR": str(es_env.state_dir),
            "NEWSETL_INDEX": index,
            "NEWSETL_RAW_DIR": str(raw),
            "NEWSETL_WORKERS": "2",
            "PREFECT_API_URL": str(configured_url()),
        }
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "newsetl", "run", "--json", "--batch-size", "50", *extra],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            start_new_session=True,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.append(line)

    def wait_for(self, text: str, timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        while not any(text in line for line in self.lines):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"no {text!r} in the run's log:\n{''.join(self.lines)}")
            time.sleep(0.2)

    def finish(self, timeout: float = 600) -> tuple[int, str]:
        """Wait for the exit; stdout is one JSON line, far below a pipe's buffer."""
        self.proc.wait(timeout=timeout)
        assert self.proc.stdout is not None
        out = self.proc.stdout.read()
        self._reader.join(timeout=10)  # stderr is the reader's alone
        return self.proc.returncode, out

    @property
    def flow_run_id(self) -> str:
        found = re.search(r"/flow-run/([0-9a-f-]{36})", "".join(self.lines))
        assert found, "".join(self.lines)
        return found.group(1)


def _interrupted(code: int, how: str = "ctrl-c") -> bool:
    """An interrupted command exits with 130; after Ctrl-C, `python -m newsetl` may instead end
    by SIGINT itself (code -2 here, 130 in a shell's `$?` as well). CPython 3.11 marks a
    KeyboardInterrupt as unhandled when it passes through any `exec`/`eval` of a string (the
    dataclass and namedtuple factories of an import under way), and on `-m` ends the process
    by SIGINT after the interpreter's clean-up, although newsetl caught it. Both ends are the
    convention for a Ctrl-C'd program, and a SIGTERM always ends with 130."""
    return code == 130 or (how == "ctrl-c" and code == -signal.SIGINT)


def _flow_run_state(flow_run_id: str) -> str:
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as prefect:
        state = prefect.read_flow_run(uuid.UUID(flow_run_id)).state
    assert state is not None
    return str(state.type.value)


def _refresh(client: Elasticsearch, index: str) -> str | None:
    found = client.indices.get_settings(index=index, name="index.refresh_interval")
    return found[index]["settings"].get("index", {}).get("refresh_interval")


@pytest.mark.parametrize("how", ["ctrl-c", "sigterm"])
def test_interrupt_stops_within_seconds_and_cleans_up(
    how: str, tmp_path: Path, client: Elasticsearch, es_env: Settings
) -> None:
    raw = _raw(tmp_path / "raw", BULK_FILES)
    index = f"t-ops-{how}"
    run = Run(es_env, raw, index)
    run.wait_for("batch done")
    target = current_index(client, index)
    assert _refresh(client, target) == "-1"  # a large load: refreshes are off while it runs
    assert lock.holder_of(client, target) is not None
    mark = len(run.lines)
    if how == "ctrl-c":
        os.killpg(run.proc.pid, signal.SIGINT)  # what a terminal sends: every process of the job
    else:
        run.proc.send_signal(signal.SIGTERM)  # `kill PID`, a service manager
    code, _ = run.finish(timeout=60)  # "within seconds": a hang fails here
    after = "".join(run.lines[mark:])
    assert _interrupted(code, how), after
    assert "Traceback" not in after, after
    assert run.lines[-1].startswith("newsetl: interrupted"), after
    assert _refresh(client, target) != "-1"
    assert lock.holder_of(client, target) is None
    assert _flow_run_state(run.flow_run_id) != "RUNNING"


def test_ctrl_c_during_start_up_is_one_line(tmp_path: Path, es_env: Settings) -> None:
    run = Run(es_env, _raw(tmp_path / "raw", 3), "t-ops-early")
    time.sleep(1.5)  # importing Prefect, connecting: before the flow begins
    os.killpg(run.proc.pid, signal.SIGINT)
    code, _ = run.finish(timeout=60)
    text = "".join(run.lines)
    assert _interrupted(code) and "Traceback" not in text, text
    assert run.lines[-1].startswith("newsetl: interrupted"), text


def test_a_killed_run_leaves_nothing_that_blocks_the_next(
    tmp_path: Path, client: Elasticsearch, es_env: Settings
) -> None:
    """SIGKILL leaves no time to clean up; the next run must not wait for ever.

    The Prefect tag limit (`newsetl-write-<index>`, created by older `serve` and the README)
    kept a killed run's slot taken: the leaked slot is recreated here, and the run must not
    care about it.
    """
    from prefect.client.orchestration import get_client

    raw = _raw(tmp_path / "raw", 120)
    index = "t-ops-killed"
    with get_client(sync_client=True) as prefect:
        prefect.create_concurrency_limit(tag=f"newsetl-write-{index}", concurrency_limit=1)
        prefect.reset_concurrency_limit_by_tag(
            tag=f"newsetl-write-{index}", slot_override=[uuid.uuid4()]
        )
    first = Run(es_env, raw, index)
    first.wait_for("ingest:")  # past the lock
    target = current_index(client, index)
    held = lock.holder_of(client, target)
    assert held is not None and held["pid"] == first.proc.pid
    os.killpg(first.proc.pid, signal.SIGKILL)
    first.finish(timeout=30)
    second = Run(es_env, raw, index)
    code, out = second.finish(timeout=300)
    assert code == 0, "".join(second.lines)
    assert "took over the write lock" in "".join(second.lines)
    counts = json.loads(out)
    assert counts["seen"] == 120 and counts["quarantined"] == 0
    client.indices.refresh(index=index)
    assert client.count(index=index)["count"] == 120


def test_two_runs_at_once_are_serialized_and_count_true(
    tmp_path: Path, client: Elasticsearch, es_env: Settings
) -> None:
    """Both start while a third holder (this test) has the index, so they surely overlap."""
    raw = _raw(tmp_path / "raw", 150)
    index = "t-ops-two"
    ingest(raw_dir=str(_raw(tmp_path / "empty", 0)), index=index)  # the alias exists
    target = current_index(client, index)
    holder = lock.IndexLock(client, target, log=lambda _: None)
    holder.acquire()
    runs = [Run(es_env, raw, index), Run(es_env, raw, index)]
    for run in runs:
        run.wait_for("waiting for the write lock")
    holder.release()
    results = [run.finish() for run in runs]
    assert [code for code, _ in results] == [0, 0], "".join(runs[0].lines + runs[1].lines)
    counts = [json.loads(out) for _, out in results]
    assert sorted(c["indexed"] for c in counts) == [0, 150]
    assert sorted(c["unchanged"] for c in counts) == [0, 150]
    for run in runs:  # one line per run it waited for, not one per poll
        waits = [line for line in run.lines if "waiting for the write lock" in line]
        assert 1 <= len(waits) <= 2, waits
    assert str(os.getpid()) in next(x for x in runs[0].lines if "waiting for the write" in x)


def test_an_expired_lease_is_taken_over(client: Elasticsearch) -> None:
    """A holder on another machine that stopped renewing: its lease runs out, then it is free."""
    held = lock.IndexLock(client, "t-ops-lease", lease=1.0, log=lambda _: None)
    held.acquire()
    held._stop.set()  # stops renewing, as a frozen or vanished machine would
    client.update(index=lock.LOCK_INDEX, id="t-ops-lease", doc={"host": "elsewhere"})
    said: list[str] = []
    other = lock.IndexLock(client, "t-ops-lease", lease=5.0, poll=0.2, log=said.append)
    other.acquire(timeout=30)
    other.release()
    assert any("waiting" in s for s in said) and any("took over" in s for s in said)
    assert lock.holder_of(client, "t-ops-lease") is None


def test_break_lock_frees_it_by_hand(client: Elasticsearch) -> None:
    held = lock.IndexLock(client, "t-ops-break", log=lambda _: None)
    held.acquire()
    assert lock.holder_of(client, "t-ops-break") is not None
    assert lock.break_lock(client, "t-ops-break")
    assert lock.holder_of(client, "t-ops-break") is None
    held.release()  # the run that held it finds it gone: nothing to undo
    assert not lock.break_lock(client, "t-ops-break")


def test_the_flow_in_process_holds_and_releases_the_lock(
    tmp_path: Path, client: Elasticsearch, es_env: Settings
) -> None:
    raw = _raw(tmp_path / "raw", 3)
    counts = ingest(raw_dir=str(raw), index="t-ops-inproc")
    assert counts["indexed"] == 3
    assert lock.holder_of(client, current_index(client, "t-ops-inproc")) is None


def test_unlock_command(
    tmp_path: Path, client: Elasticsearch, es_env: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    from newsetl.cli import main

    ingest(raw_dir=str(_raw(tmp_path / "raw", 1)), index="t-ops-unlock")
    target = current_index(client, "t-ops-unlock")
    held = lock.IndexLock(client, target, log=lambda _: None)
    held.acquire()
    assert main(["unlock", "--index", "t-ops-unlock"]) == 2  # its holder is alive: refused
    assert "--force" in capsys.readouterr().err
    assert main(["unlock", "--index", "t-ops-unlock", "--force"]) == 0
    assert "freed" in capsys.readouterr().out
    assert lock.holder_of(client, target) is None
    held.release()
