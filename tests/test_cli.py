"""CLI conventions through the real parser and `main`: --version, --json everywhere that
prints, help for every argument, exit codes (0 ok, 1 failed, 2 bad input), a closed pipe."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsetl import __version__
from newsetl.cli import build_parser, main
from tests.conftest import ROOT


def _parsers(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _parsers(sub, (*path, name))


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.strip() == f"newsetl {__version__}"


def test_every_argument_is_described_in_help() -> None:
    undescribed = [
        (" ".join(path), action.dest)
        for path, parser in _parsers(build_parser())
        for action in parser._actions
        if not action.help and not isinstance(action, argparse._SubParsersAction)
    ]
    assert not undescribed


PRINTING = [
    ["run"],
    ["reindex"],
    ["quarantine", "list"],
    ["search", "oil"],
    ["search", "oil", "--suggest"],
    ["watch", "add", "w", "oil"],
    ["watch", "list"],
    ["watch", "remove", "w"],
    ["watch", "matches", "w"],
    ["kibana", "import"],
    ["es", "status"],
    ["es", "up"],
    ["es", "down"],
]


@pytest.mark.parametrize("argv", PRINTING, ids=" ".join)
def test_every_printing_command_takes_json(argv: list[str]) -> None:
    assert build_parser().parse_args([*argv, "--json"]).json is True


def test_bad_input_exits_2(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["search", "--sort", "popularity"])
    assert stop.value.code == 2  # argparse: an option's value
    monkeypatch.setenv("NEWSETL_INDEX", "Not An Index")
    assert main(["quarantine", "list"]) == 2  # a setting
    assert "invalid configuration" in capsys.readouterr().err
    monkeypatch.delenv("NEWSETL_INDEX")
    assert main(["search", "--from", "soon", "--es-url", "http://127.0.0.1:9"]) == 2  # a value
    assert "not a date" in capsys.readouterr().err


def test_engine_not_running_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["es", "status", "--state-dir", str(tmp_path), "--local-port", "9597"]
    assert main([*argv, "--json"]) == 1
    status = json.loads(capsys.readouterr().out)
    assert status["es_pid"] is None and str(status["health"]).startswith("unreachable")
    assert main(argv) == 1
    assert "local Elasticsearch at http://127.0.0.1:9597: unreachable" in capsys.readouterr().out


def test_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    """`newsetl transform raw/ | head -c 100`: exit 0, nothing on stderr but the report."""
    for n in range(120):
        (tmp_path / f"{n:03d}.txt").write_text(
            f"Story {n}\n\n" + " ".join(f"word{i}" for i in range(300)) + "\n"
        )
    cli = Path(sys.executable).with_name("newsetl")
    proc = subprocess.Popen(
        [str(cli), "transform", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.read(100)
    proc.stdout.close()  # the reader is gone, as `head` goes
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=300) == 0
    assert "Broken pipe" not in err and "Traceback" not in err
