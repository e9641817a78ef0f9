"""Task batches are bounded in documents and in bytes, and keep every file once, in order."""

from hypothesis import given
from hypothesis import strategies as st

from newsetl.pipeline import FileWork, batches, documents_in


def _files(names_sizes: list[tuple[str, int]]) -> list[FileWork]:
    return [FileWork(f"/r/{n}", n, size, 0) for n, size in names_sizes]


def _work(sizes: list[int]) -> list[FileWork]:
    return _files([(f"{i}", size) for i, size in enumerate(sizes)])


@given(
    st.lists(st.integers(min_value=-1, max_value=5000), max_size=60),
    st.integers(min_value=1, max_value=10),
    st.integers(min_value=1, max_value=8000),
)
def test_batches_bounded_and_complete(sizes: list[int], max_files: int, max_bytes: int) -> None:
    work = _work(sizes)
    out = list(batches(work, max_files, max_bytes))
    assert [w for b in out for w in b] == work
    for batch in out:
        assert 1 <= len(batch) <= max_files
        if len(batch) > 1:  # only a file larger than the bound makes a batch of its own
            assert sum(max(w.size, 0) for w in batch) <= max_bytes


def test_large_jsonl_files_split_batches() -> None:
    work = _work([1_000_000] * 5 + [2_000] * 10)
    sizes = [len(b) for b in batches(work, 500, 2_500_000)]
    assert sizes == [2, 2, 11]


def test_a_jsonl_file_counts_one_document_per_kib() -> None:
    # 1 MiB feeds fill a batch of 1,000 documents each; small text files share one.
    work = _files([(f"feed{i}.jsonl", 2**20) for i in range(3)])
    work += _files([(f"{i}.txt", 2_000) for i in range(10)])
    assert [len(b) for b in batches(work, 1000, 4 * 2**20)] == [1, 1, 1, 10]
    # A gzipped feed holds about four times the records of its bytes.
    gz = _files([("a.jsonl.gz", 300 * 1024), ("b.jsonl.gz", 300 * 1024)])
    assert [len(b) for b in batches(gz, 1000, 4 * 2**20)] == [1, 1]
    assert [documents_in(w) for w in _files([("x.jsonl", 10), ("x.html", 10**6)])] == [1, 1]


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["a.txt", "b.jsonl", "c.jsonl.gz", "d.html"]),
            st.integers(min_value=-1, max_value=50_000),
        ),
        max_size=40,
    ),
    st.integers(min_value=1, max_value=60),
)
def test_batches_bounded_in_documents(names_sizes: list[tuple[str, int]], max_docs: int) -> None:
    work = _files([(f"{i}/{n}", s) for i, (n, s) in enumerate(names_sizes)])
    out = list(batches(work, max_docs, 10**9))
    assert [w for b in out for w in b] == work
    for batch in out:
        if len(batch) > 1:  # only a file bound to more documents makes a batch of its own
            assert sum(documents_in(w) for w in batch) <= max_docs
