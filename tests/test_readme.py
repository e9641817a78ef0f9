"""The README is the contract a newcomer reads: keep it in step with the code."""

from __future__ import annotations

from newsetl.cli import build_parser
from newsetl.config import Settings
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text()


def test_every_setting_is_documented() -> None:
    missing = [
        f"NEWSETL_{n.upper()}"
        for n in Settings.model_fields
        if f"`NEWSETL_{n.upper()}`" not in README
    ]
    assert not missing


def test_every_command_is_documented() -> None:
    commands = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    assert all(f"`newsetl {name}" in README for name in commands), sorted(commands)


def test_ci_runs_the_readme_test_command() -> None:
    assert "make test" in README and "make run" in README
    assert "make test" in (ROOT / ".ci" / "run").read_text()
