"""A user's mistake gets one line that says what to do, a non-zero exit and no traceback; the
state folder does not depend on the current folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsetl.cli import main
from newsetl.config import Settings
from tests.conftest import ROOT


def _fails(argv: list[str], capsys: pytest.CaptureFixture[str], code: int = 2) -> str:
    assert main(argv) == code
    err = capsys.readouterr().err
    assert err.startswith("newsetl: ") and err.count("\n") == 1, err
    assert "Traceback" not in err and "pydantic" not in err, err
    return err


def test_index_name_refused_with_the_reason(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NEWSETL_INDEX", "-news")
    err = _fails(["run"], capsys)
    assert "NEWSETL_INDEX" in err and "must not start with '-'" in err
    monkeypatch.setenv("NEWSETL_INDEX", "News")
    assert "capitals" in _fails(["run"], capsys)


def test_a_url_that_is_not_a_url(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NEWSETL_ES_URL", "localhost:9200")
    assert "NEWSETL_ES_URL" in _fails(["run"], capsys)
    monkeypatch.setenv("NEWSETL_ES_URL", "http://elastic:hunter2@")
    err = _fails(["run"], capsys)
    assert "hunter2" not in err  # the message never shows a password


def test_a_number_out_of_range_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NEWSETL_BATCH_SIZE", "-1")
    assert "NEWSETL_BATCH_SIZE" in _fails(["run"], capsys)


def test_missing_folders_fail(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = str(tmp_path / "nowhere")
    assert "does not exist" in _fails(["transform", missing], capsys)
    assert "does not exist" in _fails(["run", "--raw-dir", missing], capsys)
    assert "does not exist" in _fails(["reindex", "--raw-dir", missing], capsys)


def test_bad_schedules(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert "--cron" in _fails(["serve", "--cron", "every minute"], capsys)
    assert "--timezone" in _fails(["serve", "--timezone", "Mars/Base"], capsys)


def test_unreachable_engine_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = _fails(["run", "--es-url", "http://127.0.0.1:9", "--raw-dir", str(tmp_path)], capsys, 1)
    assert "unreachable" in err


def test_state_folder_does_not_depend_on_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NEWSETL_STATE_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    assert Settings().state_dir == ROOT / ".newsetl"


def test_es_down_says_when_nothing_ran(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    state = tmp_path / "state"
    assert main(["es", "down", "--state-dir", str(state), "--local-port", "9527"]) == 0
    out = capsys.readouterr().out
    assert "no local Elasticsearch was running" in out and "stopped" not in out


def test_transform_of_an_empty_folder_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An empty (or unmounted) folder prints no documents and one line saying why."""
    assert main(["transform", str(tmp_path)]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "no article files" in captured.err
