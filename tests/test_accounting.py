"""The run's accounting without Prefect or an engine: counts add up, the newest copy of a URL
is the one written, refused documents end in their file's quarantine."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from newsetl.accounting import RunSummary, WrittenIds, dedupe, quarantine_refused
from newsetl.es.ledger import FileEntry
from newsetl.es.load import LoadResult
from newsetl.pipeline import Batch
from newsetl.readers import Rejected


def _doc(doc_id: str, path: str, line: int | None = None) -> dict[str, Any]:
    where = f"{path}:{line}" if line is not None else path
    return {"id": doc_id, "source": {"path": where, "format": "jsonl" if line else "txt"}}


def _entry(path: str, mtime: int, ids: list[str]) -> FileEntry:
    return FileEntry(path, 1, mtime, "sha", "p", ids=list(ids))


def test_summary_counts_every_kind_once_and_balances() -> None:
    batch = Batch(
        docs=[_doc("a", "a.txt"), _doc("b", "b.txt")],
        rejected=[Rejected("bad.txt", "empty: no text")],
        unchanged_ids=["c", "d", "e"],
        unchanged_rejects=[Rejected("old.txt", "too large: 9 bytes")],
    )
    result = LoadResult(indexed=1, updated=0, unchanged=0, rejected=[("b", "mapper")])
    refused = [Rejected("b.txt", "rejected by Elasticsearch (mapper): x")]
    summary = RunSummary()
    summary.add(batch, result, [*batch.rejected, *refused], duplicates=2)
    assert summary.counts() == {
        "files": 0,
        "seen": 2 + 2 + 1 + 3 + 1,
        "indexed": 1,
        "updated": 0,
        "unchanged": 3,
        "duplicates": 2,
        "quarantined": 3,
        "pruned": 0,
    }
    assert summary.balanced
    assert summary.reasons == {"empty": 1, "too large": 1, "rejected by Elasticsearch (mapper)": 1}
    assert "counts add up: True" in summary.markdown("news")


def test_summary_that_lost_a_document_is_not_balanced() -> None:
    summary = RunSummary()
    summary.add(Batch(docs=[_doc("a", "a.txt")]), LoadResult(), [], duplicates=0)
    assert not summary.balanced  # seen 1, nothing indexed, updated or unchanged


def test_dedupe_keeps_the_newest_file_whatever_the_batch_order() -> None:
    old, new = _entry("old.txt", 1, ["x"]), _entry("new.txt", 2, ["x"])
    seen = WrittenIds()
    first = Batch(docs=[_doc("x", "new.txt")], entries=[new])
    second = Batch(docs=[_doc("x", "old.txt")], entries=[old])
    assert (dedupe(first, seen), dedupe(second, seen)) == (0, 1)
    assert [d["source"]["path"] for d in first.docs] == ["new.txt"] and second.docs == []
    seen = WrittenIds()
    first = Batch(docs=[_doc("x", "old.txt")], entries=[old])
    second = Batch(docs=[_doc("x", "new.txt")], entries=[new])
    assert (dedupe(first, seen), dedupe(second, seen)) == (0, 0)  # the newer one updates it
    assert seen.stamps(["x", "y"]) == [2, -2] and len(seen) == 1


def test_dedupe_within_a_batch_keeps_one_copy_of_a_jsonl_id() -> None:
    entry = _entry("feed.jsonl", 5, ["x", "x"])
    batch = Batch(docs=[_doc("x", "feed.jsonl", 1), _doc("x", "feed.jsonl", 2)], entries=[entry])
    assert dedupe(batch, WrittenIds()) == 1
    assert [d["source"]["path"] for d in batch.docs] == ["feed.jsonl:1"]  # equal: first stays


@given(
    st.lists(
        st.lists(st.tuples(st.sampled_from("abcde"), st.integers(0, 4)), max_size=6), max_size=5
    )
)
def test_dedupe_writes_each_id_last_at_its_newest_mtime(
    batches: list[list[tuple[str, int]]],
) -> None:
    seen = WrittenIds()
    kept = dropped = 0
    for n, copies in enumerate(batches):
        entries = [
            _entry(f"{n}-{i}.txt", mtime, [doc_id]) for i, (doc_id, mtime) in enumerate(copies)
        ]
        docs = [_doc(doc_id, f"{n}-{i}.txt") for i, (doc_id, _) in enumerate(copies)]
        batch = Batch(docs=docs, entries=entries)
        dropped += dedupe(batch, seen)
        kept += len(batch.docs)
    copies = [c for batch in batches for c in batch]
    assert kept + dropped == len(copies)
    newest: dict[str, int] = {}
    for doc_id, mtime in copies:
        newest[doc_id] = max(mtime, newest.get(doc_id, -1))
    assert seen.stamps(list(newest)) == list(newest.values()) and len(seen) == len(newest)


@given(st.lists(st.lists(st.tuples(st.text(max_size=6), st.integers(-1, 9)), max_size=8)))
def test_written_ids_answer_as_a_dict_would(batches: list[list[tuple[str, int]]]) -> None:
    written, expected = WrittenIds(), {}
    for batch in batches:
        distinct = dict(batch)
        assert written.stamps(list(distinct)) == [expected.get(i, -2) for i in distinct]
        written.record(list(distinct), list(distinct.values()))
        expected.update(distinct)
    assert written.stamps(list(expected)) == list(expected.values())
    assert len(written) == len(expected)


def test_refused_documents_move_from_ids_to_quarantine_with_their_line() -> None:
    feed = _entry("feed.jsonl", 1, ["a", "b", "c"])
    page = _entry("page.txt", 1, ["d"])
    docs = [_doc("a", "feed.jsonl", 1), _doc("b", "feed.jsonl", 2), _doc("c", "feed.jsonl", 3)]
    docs.append(_doc("d", "page.txt"))
    rejects = quarantine_refused([feed, page], docs, {"b": "too deep", "d": "bad date"})
    assert feed.ids == ["a", "c"] and page.ids == []
    assert feed.quarantine == [{"line": 2, "reason": "too deep"}]
    assert page.quarantine == [{"line": None, "reason": "bad date"}]
    assert rejects == [Rejected("feed.jsonl", "too deep", 2), Rejected("page.txt", "bad date")]
    assert quarantine_refused([feed], docs, {}) == [] and feed.ids == ["a", "c"]
