"""How a run is going: a progress display for long runs in a terminal (silent everywhere else),
and the seconds each stage took, for the run report.

The display owns the terminal's last line: Prefect's log lines are printed above it (its
console handlers are pointed at the display's console while it is shown), it says what the run
is waiting for ("starting Elasticsearch", "waiting for transforms", "waiting for a write
slot"), and its rate counts from the first transformed batch, not from start-up.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, MutableMapping
from contextlib import contextmanager
from time import perf_counter
from typing import Any

Advance = Callable[[int, float], None]  # (files done in this step, documents per second)


class Display:
    """What the run shows. The base class shows nothing (not a terminal, or a scheduled run)."""

    def status(self, text: str) -> None:
        """What the run is doing or waiting for now."""

    def start(self, total: int) -> None:
        """The files to go through are known: the bar gets its length."""

    def advance(self, files: int, rate: float) -> None:
        """`files` more are done; `rate` documents per second so far."""


class _RichDisplay(Display):
    def __init__(self, progress: Any) -> None:
        self._progress = progress
        self._task = progress.add_task("ingest", total=None, rate=None, status="starting")
        self._swapped: list[tuple[Any, Any]] = []

    def capture_logs(self) -> None:
        """Point Prefect's console handlers at the display's console: their lines are then
        printed above the bar instead of into it. Called again once a flow run set up its
        logging; `release_logs` puts them back."""
        console = self._progress.console
        for handler in _prefect_console_handlers():
            if handler.console is not console:
                self._swapped.append((handler, handler.console))
                handler.console = console

    def release_logs(self) -> None:
        for handler, before in reversed(self._swapped):
            handler.console = before
        self._swapped.clear()

    def status(self, text: str) -> None:
        self._progress.update(self._task, status=text)

    def start(self, total: int) -> None:
        self._progress.update(self._task, total=total)

    def advance(self, files: int, rate: float) -> None:
        self._progress.update(self._task, advance=files, rate=rate)


_current: list[Display] = []  # the display the CLI opened, found by the flow it runs


def _rate(task: Any) -> str:
    rate = task.fields.get("rate")
    if rate is None:
        return ""
    return f"{rate:,.1f} documents/s" if rate < 10 else f"{rate:,.0f} documents/s"


@contextmanager
def display(enabled: bool, console: Any = None) -> Iterator[Display]:
    """Open the run's display (the CLI does, before the flow starts, so start-up shows too);
    a flow run inside finds it with `current()`."""
    if not enabled:
        yield Display()
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    class RateColumn(TextColumn):
        def render(self, task: Any) -> Any:
            from rich.text import Text

            return Text(_rate(task))

    with Progress(
        TextColumn("ingest"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("files"),
        RateColumn(""),
        TimeElapsedColumn(),
        TextColumn("{task.fields[status]}"),
        console=console or Console(stderr=True),
        transient=False,
    ) as bar:
        shown = _RichDisplay(bar)
        _current.append(shown)
        shown.capture_logs()
        try:
            yield shown
        finally:
            shown.release_logs()
            _current.remove(shown)


def current(enabled: bool) -> Display:
    """The display the CLI opened, else a silent one (a flow run calls it to say what it
    waits for)."""
    if not (enabled and _current):
        return Display()
    shown = _current[-1]
    if isinstance(shown, _RichDisplay):
        shown.capture_logs()
    return shown


@contextmanager
def progress_bar(enabled: bool, total: int) -> Iterator[Display]:
    """The display for the files of a run: the one the CLI opened, else one of its own."""
    if _current or not enabled:
        shown = current(enabled)
        shown.start(total)
        yield shown
        return
    with display(enabled) as shown:
        shown.start(total)
        yield shown


def _prefect_console_handlers() -> list[Any]:
    from prefect.logging.handlers import PrefectConsoleHandler

    names = ["", *logging.root.manager.loggerDict]
    return [
        handler
        for logger in (logging.getLogger(n) for n in names)
        for handler in getattr(logger, "handlers", [])
        if isinstance(handler, PrefectConsoleHandler)
    ]


def said(shown: Display, log: Callable[[str], None]) -> Callable[[str], None]:
    """Say a wait (a write lock held by another run, ...) in one log line and on the display."""

    def say(text: str) -> None:
        log(text)
        shown.status(text)

    return say


def retry_shown(shown: Display) -> Callable[[Any, Any, Any], bool]:
    """A task's `retry_condition_fn` that shows the coming retry on the display (Prefect logs
    the line: "... Retry 1/3 will start 5 second(s) from now"); every failure is retried."""

    def shown_retry(task: Any, task_run: Any, state: Any) -> bool:
        runs = getattr(task_run, "run_count", 0)
        delays = list(getattr(task, "retry_delay_seconds", None) or [0])
        delay = delays[min(max(runs - 1, 0), len(delays) - 1)]
        try:
            why = str(state.result(raise_on_failure=False))
        except Exception:  # no result to read: the state's own message
            why = str(getattr(state, "message", "") or "failed")
        why = why.split("\n", 1)[0]
        shown.status(f"retrying {task.name} in {delay:g}s: {why[:160]}")
        return True

    return shown_retry


@contextmanager
def timed(stages: MutableMapping[str, float], stage: str) -> Iterator[None]:
    """Add the time the block takes to `stages[stage]`, even when it raises."""
    started = perf_counter()
    try:
        yield
    finally:
        stages[stage] = stages.get(stage, 0.0) + perf_counter() - started
