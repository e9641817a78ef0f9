"""`newsetl transform` reads each file once and still cleans with the folder's learned keys."""

from __future__ import annotations

import pathlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from benchmarks.copies import SLOGAN, copies_folder, other_story
from newsetl.learned import learn
from newsetl.pipeline import FileWork, gather_evidence, transform_files, transform_paths
from newsetl.readers import discover
from newsetl.sources import source_name

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def _reads(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    counts: dict[str, int] = {}
    original = pathlib.Path.read_bytes

    def counting(self: Path) -> bytes:
        counts[self.name] = counts.get(self.name, 0) + 1
        return original(self)

    monkeypatch.setattr(pathlib.Path, "read_bytes", counting)
    return counts


def test_each_file_and_sidecar_read_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for i in range(6):  # unrelated stories: nothing is learned, nothing is redone
        (tmp_path / f"{i}.txt").write_text(other_story(100 + i).replace(SLOGAN, ""), "utf-8")
    (tmp_path / "0.json").write_text('{"url": "https://example.org/a/0"}', "utf-8")
    (tmp_path / "page.html").write_text(
        "<html><body><article><p>" + other_story(7).replace("\n\n", "</p><p>")
        + "</p></article></body></html>",
        "utf-8",
    )
    reads = _reads(monkeypatch)
    batch = transform_paths(discover(tmp_path), tmp_path, now=NOW)
    assert len(batch.docs) == 7
    assert reads == {**{f"{i}.txt": 1 for i in range(6)}, "0.json": 1, "page.html": 1}


def _reference(root: Path) -> list[dict[str, Any]]:
    """Learn from every file first, then transform every file: what one pass must equal."""
    name = source_name(None, root)  # the folder's name, as `transform_paths` defaults to
    work = [
        FileWork.of(p, root, source=name) for p in discover(root)
    ]
    learned = learn(gather_evidence(work, root, force=True).items)
    assert any(learned.values())  # the folder does teach keys
    return transform_files(work, root, now=NOW, pipeline="", force=True, learned=learned).docs


@pytest.mark.parametrize("others", [6, 40])
def test_one_pass_equals_learning_first(tmp_path: Path, others: int) -> None:
    """Whether the site's slogan is learned before or after its first stories are cleaned
    (40 stories: learned during the pass; 6: only at the end), every document is the one
    cleaned with the whole folder's keys, and the slogan leaves every story."""
    copies_folder(tmp_path, 3, per_outlet=False, mixed=True, urls=False, others=others)
    docs = transform_paths(discover(tmp_path), tmp_path, now=NOW).docs
    assert docs == _reference(tmp_path)
    stories = [d for d in docs if "other-" in d["source"]["path"]]
    assert stories and all(SLOGAN in d["removed"] for d in stories)


def test_learn_from_a_larger_folder(tmp_path: Path) -> None:
    """Transforming some files while learning from all gives the same documents."""
    copies_folder(tmp_path, 2, per_outlet=False, mixed=True, urls=False, others=20)
    every = list(discover(tmp_path))
    some = [p for p in every if "other-00" in p.name]
    got = transform_paths(some, tmp_path, now=NOW, learn_from=every).docs
    reference = {d["source"]["path"]: d for d in _reference(tmp_path)}
    assert got == [reference[p.relative_to(tmp_path).as_posix()] for p in some]
