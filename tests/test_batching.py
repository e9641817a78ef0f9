"""Feeding batch tasks: a bounded look-ahead, and each batch's ledger entries."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsetl.batching import ahead, with_ledger
from newsetl.es.ledger import FileEntry
from newsetl.pipeline import FileWork


@given(st.lists(st.integers(), max_size=30), st.integers(min_value=0, max_value=5))
def test_ahead_keeps_order_and_at_most_depth_submitted_ahead(items: list[int], depth: int) -> None:
    outstanding: list[int] = []  # submitted, not yet taken by the consumer
    most = 0

    def submit(item: int) -> int:
        nonlocal most
        outstanding.append(item)
        most = max(most, len(outstanding))
        return item

    taken = []
    for result in ahead(items, submit, depth):
        assert outstanding[0] == result
        outstanding.pop(0)
        taken.append(result)
    assert taken == items and not outstanding
    assert most <= depth + 1


def test_ahead_submits_lazily() -> None:
    submitted: list[int] = []
    results = ahead(iter(range(100)), lambda i: submitted.append(i) or i, 2)
    assert next(results) == 0
    assert submitted == [0, 1, 2]  # nothing past depth + 1 before the consumer asks
    with pytest.raises(ValueError):
        next(ahead([1], lambda i: i, -1))


def _work(*names: str) -> list[FileWork]:
    return [FileWork(f"/raw/{n}", n, 10, 20) for n in names]


def test_with_ledger_attaches_entries_and_forgets_the_stat_of_redo_files() -> None:
    stored = {n: FileEntry(n, 10, 20, f"sha-{n}", "p", ids=[n]) for n in ("a", "b")}
    asked: list[list[str]] = []

    def lookup(paths: list[str]) -> dict[str, FileEntry]:
        asked.append(paths)
        return {p: stored[p] for p in paths if p in stored}

    out = list(with_ledger([_work("a", "b"), _work("c")], lookup, redo={"b", "c"}))
    assert asked == [["a", "b"], ["c"]]  # one look-up a batch
    a, b = out[0]
    assert a.previous == stored["a"]
    assert b.previous is not None and (b.previous.size, b.previous.sha256) == (-1, "")
    assert b.previous.ids == ["b"]  # its documents are still known: stale ones get deleted
    assert out[1][0].previous is None
