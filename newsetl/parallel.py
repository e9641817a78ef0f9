"""CPU-bound transforms in worker processes while the flow's process loads.

Prefect's process task runner starts a task engine per call (seconds each); a plain process
pool opened once per run costs that once. On Dask no pool is opened: Dask's workers are the
processes, and `run` calls the function inline there.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.context
import os
import signal
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from multiprocessing import forkserver
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")
_pool: ProcessPoolExecutor | None = None
_stopping = False  # set when a run is interrupted: its batches end without a failure


def _warm() -> None:
    """Import the transforms (and load their data) once per worker, not once per batch.

    A terminal's Ctrl-C (or a SIGTERM to the group) reaches every process: the workers leave
    it to the flow's process, which stops them itself (a screen of worker tracebacks and
    failed batches helps nobody).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    import newsetl.document  # noqa: F401


def _context() -> multiprocessing.context.ForkServerContext:
    # forkserver: forking the flow's process (event-loop threads, open sockets) is unsafe.
    context = multiprocessing.get_context("forkserver")
    # The fork server builds the transforms' data once (`newsetl.warm`); workers fork with it.
    context.set_forkserver_preload(["newsetl.sigint_ignored", "newsetl.warm"])
    return context


def start_early(workers: int) -> None:
    """Start the fork server now, without waiting for it: its warm-up (seconds of CPU on one
    core) then overlaps the run's start (engine, Prefect API, listing the folder) instead of
    delaying the first batch. Nothing to start for one worker; calling it twice is harmless."""
    if workers > 1:
        _context()
        with _sigint_ignored_by_children():
            forkserver.ensure_running()  # the pool's workers are forked from this one


@contextmanager
def _sigint_ignored_by_children() -> Iterator[None]:
    """Spawn what is started inside with SIGINT ignored from its first instruction.

    The fork server is a fresh interpreter: a Ctrl-C in its first milliseconds, before it
    imports `newsetl.sigint_ignored`, stopped its `site` import with a "Fatal Python error"
    and a traceback under the CLI's one-line "interrupted". An ignored signal stays ignored
    across exec, and Python keeps SIGINT ignored when it starts with it so. This thread
    blocks SIGINT meanwhile, so a Ctrl-C it receives in that instant waits for the handler
    restored after it (Linux keeps a blocked signal pending even while it is ignored); one
    that another thread of the process takes in those milliseconds is ignored.
    """
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers are the main thread's; the flow calls this from it
        return
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    handler = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, handler)
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)


@contextmanager
def process_pool(workers: int) -> Iterator[None]:
    """Open the pool for the duration of a run; with one worker, everything runs inline."""
    global _pool, _stopping
    _stopping = False
    if workers <= 1 or _pool is not None:
        yield
        return
    pool = ProcessPoolExecutor(workers, mp_context=_context(), initializer=_warm)
    _pool = pool
    try:
        yield
    except BaseException:
        _stop(pool)  # an interrupt or a failure must not wait for the batches in flight
        raise
    else:
        pool.shutdown()
    finally:
        _pool = None


def _stop(pool: ProcessPoolExecutor) -> None:
    """Drop queued batches and end the workers now; their results would be thrown away."""
    global _stopping
    _stopping = True
    processes = list(getattr(pool, "_processes", None) or {})  # pids; no public accessor
    pool.shutdown(wait=False, cancel_futures=True)
    for pid in processes:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def run(fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """`fn(*args, **kwargs)` in the pool when one is open, else here."""
    if _pool is None:
        if _stopping:
            raise KeyboardInterrupt  # the run is being stopped: start no new batch
        return fn(*args, **kwargs)
    try:
        return _pool.submit(fn, *args, **kwargs).result()
    except (BrokenProcessPool, RuntimeError):
        if _stopping:  # the workers were stopped on purpose: not this batch's fault
            raise KeyboardInterrupt from None
        raise
