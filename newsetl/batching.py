"""Feeding batch tasks: each batch with what the ledger says of its files, and a bounded
number of batches in flight ahead of the step that consumes them.

The bound is the run's back-pressure: the transform workers stay busy while the loader waits
on the engine, and at most `depth + 1` batches of documents are ever in memory, whatever the
size of the corpus.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from typing import TypeVar

from newsetl.es.ledger import FileEntry
from newsetl.pipeline import FileWork

T = TypeVar("T")
F = TypeVar("F")


def ahead(items: Iterable[T], submit: Callable[[T], F], depth: int) -> Iterator[F]:
    """`submit(item)` for each item, at most `depth` submissions ahead of the consumer; yields
    what `submit` returned (a future), in order.

    An item is submitted only when the consumer has taken the one `depth` places before it,
    so a slow consumer holds the producer back instead of letting results pile up.
    """
    if depth < 0:
        raise ValueError(f"depth must be >= 0, not {depth}")
    pending: deque[F] = deque()
    for item in items:
        pending.append(submit(item))
        if len(pending) > depth:
            yield pending.popleft()
    while pending:
        yield pending.popleft()


def with_ledger(
    chunks: Iterable[Sequence[FileWork]],
    lookup: Callable[[list[str]], Mapping[str, FileEntry]],
    redo: Collection[str] = (),
) -> Iterator[list[FileWork]]:
    """Each batch's files with their ledger entry (`lookup` of their paths, one request a
    batch), looked up as the batches go rather than held for the whole run.

    Files in `redo` keep their entry but not its stat and hash, so they are read again even
    if unchanged (a pruned file shared their URL: their document must be written anew).
    """
    for chunk in chunks:
        known = dict(lookup([w.rel for w in chunk]))
        for rel in [rel for rel in known if rel in redo]:
            known[rel] = replace(known[rel], size=-1, sha256="")
        yield [replace(w, previous=known.get(w.rel)) for w in chunk]
