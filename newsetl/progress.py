"""How a run is going: a progress bar with a rate for long runs in a terminal (silent
everywhere else), and the seconds each stage took, for the run report."""

from __future__ import annotations

from collections.abc import Callable, Iterator, MutableMapping
from contextlib import contextmanager
from time import perf_counter

Advance = Callable[[int, float], None]  # (files done in this step, documents per second)


@contextmanager
def progress_bar(enabled: bool, total: int) -> Iterator[Advance]:
    if not enabled:
        yield lambda files, rate: None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    with Progress(
        TextColumn("ingest"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("files · {task.fields[rate]:.0f} documents/s"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        transient=False,
    ) as bar:
        task = bar.add_task("ingest", total=total, rate=0.0)
        yield lambda files, rate: bar.update(task, advance=files, rate=rate)


@contextmanager
def timed(stages: MutableMapping[str, float], stage: str) -> Iterator[None]:
    """Add the time the block takes to `stages[stage]`, even when it raises."""
    started = perf_counter()
    try:
        yield
    finally:
        stages[stage] = stages.get(stage, 0.0) + perf_counter() - started
