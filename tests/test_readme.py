"""The README is the contract a newcomer reads: keep it in step with the code."""

from __future__ import annotations

import argparse
import re

from newsetl.cli import _OPTIONS, build_parser
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


def _commands() -> dict[str, argparse.ArgumentParser]:
    """Every command path ("search", "watch add") and its parser."""
    found: dict[str, argparse.ArgumentParser] = {}

    def walk(parser: argparse.ArgumentParser, path: str) -> None:
        subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        if path:
            found[path] = parser
        for action in subs:
            for name, sub in action.choices.items():
                walk(sub, f"{path} {name}".strip())

    walk(build_parser(), "")
    return found


def _options(parser: argparse.ArgumentParser) -> set[str]:
    return {o for a in parser._actions for o in a.option_strings if o.startswith("--")}


# A command written out in the README: in a code span, or a console line.
_USE = re.compile(r"`(?:\.venv/bin/)?newsetl ([^`]+)`|^\$ (?:\.venv/bin/)?newsetl (.+)$", re.M)
_OPTION = re.compile(r"(?<![\w-])--[a-z][a-z-]*")


TOP_LEVEL = {"--version", "--help"}


def test_every_option_is_documented() -> None:
    commands = _commands()
    common = {flag for flag in _OPTIONS} | {"--help"}
    missing = [
        f"{path} {option}"
        for path, parser in commands.items()
        for option in sorted(_options(parser) - common)
        if not re.search(rf"`[^`\n]*{re.escape(option)}\b", README)
    ]
    assert not missing


def test_every_documented_command_and_option_exists() -> None:
    commands = _commands()
    wrong = []
    for match in _USE.finditer(README):
        words = (match.group(1) or match.group(2)).split()
        path = words[0] if words else ""
        if path.isupper() or path.startswith("--"):  # `newsetl COMMAND --help`, `--version`
            wrong += [o for o in _OPTION.findall(" ".join(words)) if o not in TOP_LEVEL]
            continue
        if len(words) > 1 and f"{path} {words[1]}" in commands:
            path = f"{path} {words[1]}"
        if path not in commands:
            wrong.append(f"newsetl {' '.join(words[:2])}")
            continue
        allowed = _options(commands[path]) | {"--version"}
        wrong += [f"{path} {o}" for o in _OPTION.findall(" ".join(words)) if o not in allowed]
    assert not wrong
