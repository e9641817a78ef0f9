"""The worker pool: its workers start with the transforms' data already built."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

from dateparser import timezone_parser
from htmldate import extractors

from newsetl import parallel
from transforms import gazetteer, language


def _built_in_worker() -> tuple[int, int, int, int, int, int]:
    """What a worker has before it does any work: its pid and the sizes of five lazy caches
    (the gazetteer's places and its country zones, the language model, and what htmldate's
    text search of an undated page builds: dateparser's timezone patterns and the month
    names of every dateparser locale)."""
    return (
        os.getpid(),
        gazetteer._indexes.cache_info().currsize,
        gazetteer._zones.cache_info().currsize,
        language._identifier.cache_info().currsize,
        timezone_parser._build_tz_regexes.cache_info().currsize,
        extractors.month_words.cache_info().currsize,
    )


def test_workers_fork_with_the_gazetteer_language_model_and_date_search_built() -> None:
    with parallel.process_pool(2):
        pid, places, zones, model, tz, months = parallel.run(_built_in_worker)
    assert pid != os.getpid()  # it ran in a worker, not inline
    assert (places, zones, model, tz, months) == (1, 1, 1, 1, 1)  # built before the fork


def test_one_worker_runs_inline() -> None:
    with parallel.process_pool(1):
        pid, *_ = parallel.run(_built_in_worker)
    assert pid == os.getpid()


def _child_sigint() -> str:
    probe = "import signal; h = signal.getsignal(signal.SIGINT); print(h == signal.SIG_IGN, h)"
    return subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.strip()


def test_what_starts_the_fork_server_ignores_a_ctrl_c_from_birth() -> None:
    """A process spawned for the pool starts with SIGINT ignored (a Ctrl-C in its start-up
    printed a "Fatal Python error" traceback), and a Ctrl-C meanwhile reaches the caller's
    handler afterwards, not during, and is not lost."""
    assert _child_sigint().startswith("False")  # Python's KeyboardInterrupt handler
    got: list[int] = []
    before = signal.signal(signal.SIGINT, lambda signum, frame: got.append(signum))
    try:
        with parallel._sigint_ignored_by_children():
            assert _child_sigint().startswith("True")
            # to this thread: a signal to the process may be taken by another thread of the
            # test run (one that does not block it), and is ignored there meanwhile
            signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGINT)
            assert got == []
        for _ in range(100):  # the handler runs at the interpreter's next check
            if got:
                break
            time.sleep(0.01)
        assert got == [signal.SIGINT]
    finally:
        signal.signal(signal.SIGINT, before)
