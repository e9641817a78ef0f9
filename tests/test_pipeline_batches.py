"""Task batches are bounded in files and in bytes, and keep every file once, in order."""


from hypothesis import given
from hypothesis import strategies as st

from newsetl.pipeline import FileWork, batches


def _work(sizes: list[int]) -> list[FileWork]:
    return [FileWork(f"/r/{i}", f"{i}", size, 0) for i, size in enumerate(sizes)]


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
