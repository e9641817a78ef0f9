"""Boilerplate learned from the corpus counts stories, not copies: republished copies of a
story never turn its text into furniture, a site's real furniture is still learned, and a
sentence is never removed on learned evidence alone. Run through `transform_paths`, which is
what `newsetl transform` runs (the flow's equality with it is an integration test)."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.copies import FURNITURE, SEED, SEED_JUNK, SLOGAN, copies_folder, other_story
from newsetl.cli import main
from newsetl.learned import evidence, learn, site_of
from newsetl.pipeline import transform_paths
from newsetl.readers import RawRecord, discover
from transforms.boilerplate import is_boilerplate, line_key

NOW = datetime(2026, 12, 1, tzinfo=UTC)
SEED_WORDS = 1015  # the seed transformed alone keeps all its words but its 3 junk lines


def _docs(root: Path) -> dict[str, dict[str, object]]:
    batch = transform_paths(discover(root), root, now=NOW)
    assert not batch.rejected, batch.rejected
    return {str(d["source"]["path"]): d for d in batch.docs}  # type: ignore[index]


def _alone(tmp_path: Path, text: str) -> dict[str, object]:
    folder = tmp_path / "alone"
    folder.mkdir()
    (folder / "story.txt").write_text(text, encoding="utf-8")
    [doc] = _docs(folder).values()
    return doc


def test_seed_alone_keeps_every_word_but_its_junk(tmp_path: Path) -> None:
    doc = _alone(tmp_path, SEED.read_text(encoding="utf-8"))
    assert doc["word_count"] == SEED_WORDS
    assert tuple(doc["removed"]) == SEED_JUNK  # type: ignore[arg-type]


@pytest.mark.parametrize("urls", [False, True], ids=["paths", "urls"])
@pytest.mark.parametrize("mixed", [False, True], ids=["alone", "mixed"])
@pytest.mark.parametrize("per_outlet", [False, True], ids=["flat", "outlets"])
@pytest.mark.parametrize("copies", [2, 5, 7, 12, 50])
def test_copies_keep_the_whole_story(
    tmp_path: Path, copies: int, per_outlet: bool, mixed: bool, urls: bool
) -> None:
    alone = _alone(tmp_path, SEED.read_text(encoding="utf-8"))
    root = tmp_path / "raw"
    paths = copies_folder(root, copies, per_outlet=per_outlet, mixed=mixed, urls=urls)
    docs = _docs(root)
    assert len(docs) == copies + (20 if mixed else 0)
    for path in paths:
        doc = docs[path.relative_to(root).as_posix()]
        assert doc["body"] == alone["body"]
        assert doc["word_count"] == SEED_WORDS
        assert tuple(doc["removed"]) == SEED_JUNK  # type: ignore[arg-type]


def _subheaded() -> str:
    """The seed with two subheadings inside it: short lines, not prose, the story's own."""
    paragraphs = SEED.read_text(encoding="utf-8").split("\n\n")
    paragraphs.insert(8, "What a deal would bring")
    paragraphs.insert(20, "Fighting goes on in the south")
    return "\n\n".join(paragraphs)


def test_copies_keep_their_subheadings(tmp_path: Path) -> None:
    """Subheadings are not prose: only counting stories, not copies, keeps them."""
    text = _subheaded()
    alone = _alone(tmp_path, text)
    assert "What a deal would bring" in str(alone["body"])
    root = tmp_path / "raw"
    paths = copies_folder(root, 12, per_outlet=False, mixed=True, urls=False, text=text)
    docs = _docs(root)
    for path in paths:
        assert docs[path.name]["body"] == alone["body"]


def test_near_copies_count_once(tmp_path: Path) -> None:
    """Outlets retitle a story, cut its ending, add their own line: still one story."""
    text = _subheaded()
    paragraphs = text.split("\n\n")
    root = tmp_path / "raw"
    root.mkdir()
    for i in range(12):
        edited = [f"Outlet {chr(65 + i)} headline on the talks", *paragraphs[1:]]
        if i % 2:
            edited = edited[:-6]  # a trimmed copy
        edited.insert(4, f"Outlet {chr(65 + i)} extra")
        (root / f"copy-{i:02d}.txt").write_text("\n\n".join(edited), encoding="utf-8")
    for n in range(20):
        (root / f"other-{n:02d}.txt").write_text(other_story(n), encoding="utf-8")
    for name, doc in _docs(root).items():
        if name.startswith("copy-"):
            body = str(doc["body"])
            assert "What a deal would bring" in body and "Fighting goes on in the south" in body
            assert "Other Israeli officials have said only a deal can bring about" in body


def test_short_copies_are_never_quarantined(tmp_path: Path) -> None:
    """The same short council story filed 15 times: every copy keeps it."""
    story = (
        "Council backs ferry plan\n\n"
        "LISBON (Reuters) - The city council approved the ferry plan on Monday.\n\n"
        "Residents said the ferries mattered most to them.\n\n"
        "The vote\n\n"
        "The plan passed by nine votes to four."
    )
    alone = _alone(tmp_path, story)
    root = tmp_path / "raw"
    root.mkdir()
    for i in range(15):
        (root / f"council-{i:02d}.txt").write_text(story, encoding="utf-8")
    batch = transform_paths(discover(root), root, now=NOW)
    assert batch.rejected == []
    assert [d["body"] for d in batch.docs] == [alone["body"]] * 15


@pytest.mark.parametrize("with_copies", [0, 50])
def test_real_furniture_is_still_learned(tmp_path: Path, with_copies: int) -> None:
    """A slogan inside many different stories of a site goes, and is listed in `removed`,
    however many copies of another story the site also carries."""
    assert SLOGAN in str(_alone(tmp_path, other_story(0))["body"])  # alone: nothing to learn
    root = tmp_path / "raw"
    root.mkdir()
    copies_folder(root, with_copies, per_outlet=False, mixed=False, urls=False)
    for n in range(8):
        (root / f"other-{n:02d}.txt").write_text(other_story(n), encoding="utf-8")
    docs = _docs(root)
    for name, doc in docs.items():
        if name.startswith("other-"):
            assert all(line not in str(doc["body"]) for line in FURNITURE)
            assert set(FURNITURE) <= set(doc["removed"])  # type: ignore[arg-type]
        else:
            assert doc["word_count"] == SEED_WORDS


def test_a_sentence_is_never_removed_on_learned_evidence(tmp_path: Path) -> None:
    """A sentence that many different stories repeat (wire background) stays in each."""
    sentence = "Both officials spoke on condition of anonymity to discuss the talks."
    assert not is_boilerplate(sentence, {line_key(sentence)})
    assert is_boilerplate(SLOGAN, {line_key(SLOGAN)})
    root = tmp_path / "raw"
    root.mkdir()
    for n in range(10):
        parts = other_story(n).split("\n\n")
        parts.insert(3, sentence)
        (root / f"{n}.txt").write_text("\n\n".join(parts), encoding="utf-8")
    for doc in _docs(root).values():
        assert sentence in str(doc["body"])


def test_copies_are_one_story_in_the_evidence() -> None:
    text = _subheaded()
    records = [RawRecord(path=f"s/{n}.txt", format="txt", text=text) for n in range(50)]
    items = [e for r in records if (e := evidence(r)) is not None]
    assert items and all(site_of(r) == "folder:s" for r in records)
    assert learn(items) == {"folder:s": frozenset()}
    others = [RawRecord(path=f"s/o{n}.txt", format="txt", text=other_story(n)) for n in range(5)]
    more = items + [e for r in others if (e := evidence(r)) is not None]
    assert learn(more) == {"folder:s": frozenset(map(line_key, FURNITURE))}  # 5 stories + 1


def test_one_document_teaches_nothing() -> None:
    record = RawRecord(path="a/1.txt", format="txt", text=other_story(1))
    item = evidence(record)
    assert item is not None and site_of(record) == "folder:a"
    assert learn([item]) == {"folder:a": frozenset()}


def test_transform_of_one_file_is_what_its_folder_gives(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`newsetl transform FILE` learns from the file's raw folder, ids relative to it."""
    root = tmp_path / "raw"
    copies_folder(root, 3, per_outlet=True, mixed=True, urls=False)
    docs = _docs(root)
    target = root / "outlet-001" / "other-001.txt"
    assert main(["transform", "--raw-dir", str(root), str(target)]) == 0
    [line] = capsys.readouterr().out.splitlines()
    single = json.loads(line)
    expected = docs["outlet-001/other-001.txt"]
    assert (single["id"], single["body"]) == (expected["id"], expected["body"])
    assert SLOGAN not in single["body"]  # learned from the whole folder, not the file alone


@settings(max_examples=25, deadline=None)
@given(
    stories=st.lists(st.integers(0, 40), min_size=1, max_size=12, unique=True),
    copied=st.integers(0, 11),
    copies=st.integers(1, 30),
    order=st.randoms(use_true_random=False),
)
def test_copies_never_change_what_is_learned(
    stories: list[int], copied: int, copies: int, order: random.Random
) -> None:
    """However many exact copies of one of its stories a site holds, and in whatever order
    its records come, it learns the same lines."""
    records = [RawRecord(path=f"s/{n}.txt", format="txt", text=other_story(n)) for n in stories]
    base = [e for r in records if (e := evidence(r)) is not None]
    source = records[copied % len(records)]
    extra = [
        e
        for i in range(copies)
        if (e := evidence(RawRecord(path=f"s/copy-{i}.txt", format="txt", text=source.text)))
    ]
    mixed = base + extra
    order.shuffle(mixed)
    assert learn(mixed) == learn(base)
