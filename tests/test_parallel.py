"""The worker pool: its workers start with the transforms' data already built."""

from __future__ import annotations

import os

from newsetl import parallel
from transforms import gazetteer, language


def _built_in_worker() -> tuple[int, int, int, int]:
    """What a worker has before it does any work: its pid and the sizes of three lazy caches
    (the gazetteer's places and its country zones, the language model)."""
    return (
        os.getpid(),
        gazetteer._indexes.cache_info().currsize,
        gazetteer._zones.cache_info().currsize,
        language._identifier.cache_info().currsize,
    )


def test_workers_fork_with_the_gazetteer_and_language_model_built() -> None:
    with parallel.process_pool(2):
        pid, places, zones, model = parallel.run(_built_in_worker)
    assert pid != os.getpid()  # it ran in a worker, not inline
    assert (places, zones, model) == (1, 1, 1)  # built by the fork server before the fork


def test_one_worker_runs_inline() -> None:
    with parallel.process_pool(1):
        pid, _, _, _ = parallel.run(_built_in_worker)
    assert pid == os.getpid()
