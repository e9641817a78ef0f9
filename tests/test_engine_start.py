"""The local engine's start-up on a busy machine: a JVM slow to write its pid file is still
starting, not dead (a first `newsetl run` under load failed with "did not become healthy
within 300s" after 54 s)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from newsetl.es import local


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def _engine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, healthy_at: float
) -> local.LocalEngine:
    clock = _Clock()
    monkeypatch.setattr(local.time, "monotonic", clock.monotonic)
    monkeypatch.setattr(local.time, "sleep", clock.sleep)
    engine = local.LocalEngine(tmp_path / "state", port=19250)
    monkeypatch.setattr(local.LocalEngine, "root", tmp_path / "engine")
    monkeypatch.setattr(local, "_port_open", lambda port: False)
    monkeypatch.setattr(local.LocalEngine, "_start_node", lambda self: None)  # pid file later
    monkeypatch.setattr(local.LocalEngine, "_start_shim", lambda self: None)
    pid_file = tmp_path / "engine" / "es.pid"

    def healthy(self: local.LocalEngine) -> bool:
        if clock.now >= 45:  # the JVM is up: it writes its pid file (this process stands in)
            pid_file.write_text(str(os.getpid()))
        return clock.now >= healthy_at

    monkeypatch.setattr(local.LocalEngine, "healthy", healthy)
    return engine


def test_a_node_slow_to_write_its_pid_file_is_waited_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = _engine(tmp_path, monkeypatch, healthy_at=120)
    assert engine.up(timeout=300) == engine.url


def test_a_node_that_died_is_said_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = _engine(tmp_path, monkeypatch, healthy_at=10**9)
    (tmp_path / "engine").mkdir()
    (tmp_path / "engine" / "es.pid").write_text("999999999")  # no such process
    with pytest.raises(local.EngineError, match="stopped during start-up"):
        engine.up(timeout=300)


def test_a_node_that_never_answers_is_stopped_not_left_starting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = _engine(tmp_path, monkeypatch, healthy_at=10**9)
    stopped: list[bool] = []
    monkeypatch.setattr(local.LocalEngine, "down", lambda self, timeout=60: stopped.append(True))
    with pytest.raises(local.EngineError, match="within 300s"):
        engine.up(timeout=300)
    assert stopped == [True]


def test_a_pid_file_created_but_not_yet_written_is_a_node_starting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The node creates its pid file, then writes the pid: read in between, the file is
    empty. A `newsetl es up` on a busy machine took that for a dead node and gave up, leaving
    the JVM running without its shim."""
    engine = _engine(tmp_path, monkeypatch, healthy_at=120)
    (tmp_path / "engine").mkdir()
    (tmp_path / "engine" / "es.pid").write_text("")  # written at 45 s (see `_engine`)
    assert engine.up(timeout=300) == engine.url


def test_only_a_pid_file_naming_a_gone_process_means_the_node_died(tmp_path: Path) -> None:
    pid_file = tmp_path / "es.pid"
    assert not local._died(pid_file)  # not created yet
    pid_file.write_text("")
    assert not local._died(pid_file)  # created, pid not written yet
    pid_file.write_text(f"{os.getpid()}\n")
    assert not local._died(pid_file)
    pid_file.write_text("999999999")  # no such process
    assert local._died(pid_file)


def test_a_state_folder_made_again_at_an_old_path_gets_an_engine_of_its_own(
    tmp_path: Path,
) -> None:
    """The engine folder under /var was once named by a hash of the state folder's path: a
    CI run whose pytest temporary folder had a number used before was given that run's
    indices (7 integration tests failed on another run's documents)."""
    var, state = tmp_path / "var", tmp_path / "state"
    state.mkdir()
    preferred = state / "engine"
    first = local._engine_id(state, preferred, var)
    assert local._engine_id(state, preferred, var) == first  # the folder keeps its engine
    (var / "engines" / first).mkdir(parents=True)
    for path in state.iterdir():
        path.unlink()
    state.rmdir()
    state.mkdir()  # the same path, a new folder
    again = local._engine_id(state, preferred, var)
    assert again != first
    assert (state / "engine-id").read_text().strip() == again


def test_a_folder_from_before_engine_ids_keeps_its_engine(tmp_path: Path) -> None:
    """A state folder that holds a ledger and whose path's hash names an engine folder was
    made before names were written: it keeps that engine (its index stays where it was)."""
    var, state = tmp_path / "var", tmp_path / "state"
    state.mkdir()
    (state / "ledger.sqlite").write_bytes(b"")
    legacy = local.hashlib.sha256(str(state / "engine").encode()).hexdigest()[:12]
    (var / "engines" / legacy).mkdir(parents=True)
    assert local._engine_id(state, state / "engine", var) == legacy
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    old = local.hashlib.sha256(str(fresh / "engine").encode()).hexdigest()[:12]
    (var / "engines" / old).mkdir()
    assert local._engine_id(fresh, fresh / "engine", var) != old  # empty: a new folder


def test_an_engine_id_that_is_not_one_is_replaced(tmp_path: Path) -> None:
    """The name becomes a path under /var: anything but 12 hex digits is not used."""
    state = tmp_path / "state"
    state.mkdir()
    for bad in (b"../../etc\n", b"\xff\xfe0123456789"):  # not a name; not even ASCII
        (state / "engine-id").write_bytes(bad)
        name = local._engine_id(state, state / "engine", tmp_path / "var")
        assert len(name) == 12 and set(name) <= set("0123456789abcdef")
