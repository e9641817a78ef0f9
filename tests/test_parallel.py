"""The worker pool: its workers start with the transforms' data already built."""

from __future__ import annotations

import os

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
