"""The evidence pass transforms ahead (`newsetl.pipeline.Ahead`): the transform pass takes the
spooled documents instead of reading the files again, and what it gets is what reading them
again gives, whenever the keys the whole evidence teaches come to be learned."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from benchmarks.copies import SLOGAN, copies_folder, other_story
from flows.ingest import spool_folder
from newsetl import pipeline
from newsetl.config import Settings
from newsetl.learned import Learning
from newsetl.pipeline import Ahead, Batch, FileWork, gather_evidence, transform_files
from newsetl.readers import discover
from newsetl.sources import source_name
from transforms.shingles import DupParams

NOW = datetime(2026, 6, 1, tzinfo=UTC)
STORIES = DupParams()


def _folder(root: Path, others: int) -> list[FileWork]:
    """Copies of the seed story, `others` unrelated stories with the site's slogan, and a
    feed whose records carry a sign-off of their own: keys learned early, late or only at
    the end of the evidence, depending on `others`."""
    copies_folder(root, 3, per_outlet=False, mixed=True, urls=False, others=others)
    feed = [
        {"title": f"Feed item {i}", "text": other_story(500 + i) + "\n\nHarbour desk notes"}
        for i in range(12)
    ]
    (root / "feed.jsonl").write_text("\n".join(json.dumps(r) for r in feed) + "\n", "utf-8")
    name = source_name(None, root)
    return [FileWork.of(p, root, source=name) for p in discover(root)]


def _transform(
    root: Path, work: list[FileWork], learning: Learning, spool: Path | None = None
) -> Batch:
    return transform_files(
        work, root, now=NOW, pipeline="", force=True, learned=learning.learned(),
        lent=learning.lent(), stories=STORIES, spool=spool,
    )


def _ahead(spool: Path) -> Ahead:
    """Transform ahead with no key known yet, as a run on a new index begins."""
    return Ahead(spool, NOW, {}, STORIES, force=True)


def _reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files `newsetl.pipeline` opens from now on."""
    opened: list[str] = []
    original = pipeline.open_file

    def counting(path: Path, **kwargs: Any) -> Any:
        opened.append(path.name)
        return original(path, **kwargs)

    monkeypatch.setattr(pipeline, "open_file", counting)
    return opened


def _same(got: Batch, expected: Batch) -> None:
    assert got.docs == expected.docs
    assert got.rejected == expected.rejected
    assert [(e.path, e.ids, e.sha256) for e in got.entries] == [
        (e.path, e.ids, e.sha256) for e in expected.entries
    ]
    assert {k: v.band_keys(STORIES) for k, v in got.fingerprints.items()} == {
        k: v.band_keys(STORIES) for k, v in expected.fingerprints.items()
    }


@pytest.mark.parametrize("others", [6, 40])
def test_spooled_documents_are_those_read_again(
    tmp_path: Path, others: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "raw"
    work = _folder(root, others)
    plain_learning = Learning(gather_evidence(work, root, force=True).items)
    assert any(plain_learning.learned().values())  # the folder does teach keys
    plain = _transform(root, work, plain_learning)

    spool = tmp_path / "batch.pickle"
    found = gather_evidence(work, root, force=True, ahead=_ahead(spool))
    assert found.spooled == spool.stat().st_size > 0
    learning = Learning(found.items)
    assert learning.learned() == plain_learning.learned()  # the same evidence
    reads = _reads(monkeypatch)
    spooled = _transform(root, work, learning, spool)
    _same(spooled, plain)
    assert not spool.exists()  # read once, then removed
    assert len(reads) < len(work) // 2  # most files are not read again
    assert all(SLOGAN in d["removed"] for d in spooled.docs if "other-" in d["source"]["path"])


def test_a_result_cleaned_before_its_keys_were_known_is_done_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Spooled with no key known and nothing taught (a teacher that learns nothing), every
    file whose records met a key the whole evidence teaches is read and cleaned again."""
    root = tmp_path / "raw"
    work = _folder(root, 40)
    monkeypatch.setattr(pipeline._Teacher, "add", lambda self, items: None)
    spool = tmp_path / "batch.pickle"
    found = gather_evidence(work, root, force=True, ahead=_ahead(spool))
    learning = Learning(found.items)
    plain = _transform(root, work, learning)
    reads = _reads(monkeypatch)
    spooled = _transform(root, work, learning, spool)
    _same(spooled, plain)
    assert "feed.jsonl" in reads and any(name.startswith("other-") for name in reads)


def test_a_file_whose_stat_moved_is_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "raw"
    work = _folder(root, 6)
    spool = tmp_path / "batch.pickle"
    found = gather_evidence(work, root, force=True, ahead=_ahead(spool))
    learning = Learning(found.items)
    feed = root / "feed.jsonl"
    feed.write_text(json.dumps({"title": "Changed", "text": other_story(999)}) + "\n", "utf-8")
    moved = [replace(w, size=feed.stat().st_size) if w.path == feed else w for w in work]
    reads = _reads(monkeypatch)
    spooled = _transform(root, moved, learning, spool)
    assert "feed.jsonl" in reads
    titles = [d["title"] for d in spooled.docs if d["source"]["path"].startswith("feed.jsonl")]
    assert titles == ["Changed"], [d["source"] for d in spooled.docs][-2:]


def test_no_spool_file_means_reading_every_file(tmp_path: Path) -> None:
    root = tmp_path / "raw"
    work = _folder(root, 6)
    learning = Learning(gather_evidence(work, root, force=True).items)
    absent = tmp_path / "absent.pickle"
    _same(_transform(root, work, learning, absent), _transform(root, work, learning))


def test_the_spool_folder_is_private_and_removed(tmp_path: Path) -> None:
    settings = Settings(state_dir=tmp_path)
    stale = tmp_path / "spool" / "news" / "killed-run"
    stale.mkdir(parents=True)
    with spool_folder(settings, "news") as folder:
        assert folder is not None and folder.is_dir()
        assert folder.stat().st_mode & 0o777 == 0o700
        assert not stale.exists()  # a killed run's folder goes with the next run of the index
        (folder / "000000.pickle").write_bytes(b"x")
    assert not folder.exists()
    with spool_folder(settings.model_copy(update={"task_runner": "dask"}), "news") as none:
        assert none is None  # Dask's workers need not share this machine's disk
