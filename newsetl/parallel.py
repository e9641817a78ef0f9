"""CPU-bound transforms in worker processes while the flow's process loads.

Prefect's process task runner starts a task engine per call (seconds each); a plain process
pool opened once per run costs that once. On Dask no pool is opened: Dask's workers are the
processes, and `run` calls the function inline there.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")
_pool: ProcessPoolExecutor | None = None


def _warm() -> None:
    """Import the transforms (and load their data) once per worker, not once per batch."""
    import newsetl.document  # noqa: F401


@contextmanager
def process_pool(workers: int) -> Iterator[None]:
    """Open the pool for the duration of a run; with one worker, everything runs inline."""
    global _pool
    if workers <= 1 or _pool is not None:
        yield
        return
    # forkserver: forking the flow's process (event-loop threads, open sockets) is unsafe.
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_warm) as pool:
        _pool = pool
        try:
            yield
        finally:
            _pool = None


def run(fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """`fn(*args, **kwargs)` in the pool when one is open, else here."""
    if _pool is None:
        return fn(*args, **kwargs)
    return _pool.submit(fn, *args, **kwargs).result()
