"""Learned boilerplate in the flow, against the real engine: evidence lives in Elasticsearch
beside the ledger, counts stories rather than copies, follows files as they change or go, and
`newsetl run` cleans exactly as `newsetl transform` does."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from elasticsearch import Elasticsearch, helpers

from benchmarks.copies import SEED, SEED_JUNK, SLOGAN, copies_folder, other_story
from flows.ingest import ingest
from newsetl.cli import main
from newsetl.config import Settings
from newsetl.es import learned as evidence_store
from newsetl.es.indices import current_index
from newsetl.pipeline import transform_paths
from newsetl.readers import discover
from transforms.boilerplate import line_key

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("prefect_server")]
NOW = datetime(2026, 12, 1, tzinfo=UTC)


def _indexed(client: Elasticsearch, alias: str) -> dict[str, dict[str, Any]]:
    client.indices.refresh(index=alias)
    fields = ["source.path", "body", "removed", "agency", "agency_source", "content_hash"]
    query = {"query": {"match_all": {}}, "_source": fields}
    return {
        hit["_source"]["source"]["path"]: {"id": hit["_id"], **hit["_source"]}
        for hit in helpers.scan(client, index=alias, query=query)
    }


def _transformed(root: Path) -> dict[str, dict[str, Any]]:
    batch = transform_paths(discover(root), root, now=NOW)
    return {d["source"]["path"]: d for d in batch.docs}


def test_fifty_copies_run_as_transform_does(
    tmp_path: Path,
    client: Elasticsearch,
    es_env: Settings,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    alone = tmp_path / "alone"
    alone.mkdir()
    (alone / SEED.name).write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    [alone_doc] = _transformed(alone).values()
    raw = tmp_path / "raw"
    copies = copies_folder(raw, 50, per_outlet=False, mixed=True, urls=False)
    alias = "t-learned-copies"
    ingest(raw_dir=str(raw), index=alias, batch_size=16)  # evidence spread over 5 batches

    indexed = _indexed(client, alias)
    assert len(indexed) == 70
    for path in copies:
        doc = indexed[path.name]
        assert doc["body"] == alone_doc["body"]
        assert tuple(doc["removed"]) == SEED_JUNK
    others = [doc for name, doc in indexed.items() if name.startswith("other-")]
    assert all(SLOGAN in doc["removed"] for doc in others)  # real furniture is still learned

    transformed = _transformed(raw)
    same = ("id", "body", "agency", "agency_source", "content_hash")
    assert {p: tuple(d[k] for k in same) for p, d in transformed.items()} == {
        p: tuple(d[k] for k in same) for p, d in indexed.items()
    }
    # One file transformed alone, inside its raw folder: the id and body the run indexed.
    monkeypatch.chdir(tmp_path)
    assert main(["transform", "--raw-dir", str(raw), str(raw / "other-003.txt")]) == 0
    [line] = capsys.readouterr().out.splitlines()
    single = json.loads(line)
    assert (single["id"], single["body"]) == (
        indexed["other-003.txt"]["id"],
        indexed["other-003.txt"]["body"],
    )


def _other_stories(raw: Path, n: int = 6) -> Path:
    """A raw folder of `n` unrelated stories sharing their site's slogan."""
    raw.mkdir()
    for i in range(n):
        (raw / f"other-{i:02d}.txt").write_text(other_story(i), encoding="utf-8")
    return raw


def _evidence_paths(client: Elasticsearch, index: str) -> set[str]:
    name = evidence_store.learned_name(index)
    client.indices.refresh(index=name)
    query = {"query": {"match_all": {}}, "_source": ["path"]}
    return {hit["_source"]["path"] for hit in helpers.scan(client, index=name, query=query)}


def test_evidence_lives_in_the_engine_and_follows_files(
    tmp_path: Path, client: Elasticsearch, es_env: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw = _other_stories(tmp_path / "raw")
    alias = "t-learned-follow"
    ingest(raw_dir=str(raw), index=alias, batch_size=2)
    index = current_index(client, alias)
    assert line_key(SLOGAN) in evidence_store.learned(client, index)["folder:raw/"]

    # A second machine (another state folder, nothing local) cleans a new file the same way.
    monkeypatch.setenv("NEWSETL_STATE_DIR", str(tmp_path / "elsewhere"))
    (raw / "other-06.txt").write_text(other_story(6), encoding="utf-8")
    ingest(raw_dir=str(raw), index=alias, batch_size=2)
    indexed = _indexed(client, alias)
    assert SLOGAN in indexed["other-06.txt"]["removed"]
    assert {p: d["body"] for p, d in _transformed(raw).items()} == {
        p: d["body"] for p, d in indexed.items()
    }

    # A changed file's evidence is replaced; a pruned file's goes, with what it taught.
    (raw / "other-00.txt").write_text(
        "\n\n".join(p for p in other_story(0).split("\n\n") if p != SLOGAN), encoding="utf-8"
    )
    for n in (1, 2, 3):
        (raw / f"other-{n:02d}.txt").unlink()
    ingest(raw_dir=str(raw), index=alias, batch_size=2, prune=True)
    assert _evidence_paths(client, index) == {
        "other-00.txt",
        "other-04.txt",
        "other-05.txt",
        "other-06.txt",
    }
    assert evidence_store.learned(client, index) == {}  # 3 stories carry the slogan now
    assert evidence_store.learned(client, index) == {
        site: keys for site, keys in _learned_in_memory(raw).items() if keys
    }


def _learned_in_memory(raw: Path) -> dict[str, frozenset[str]]:
    from newsetl.learned import learn
    from newsetl.pipeline import FileWork, gather_evidence

    work = [FileWork.of(p, raw, source="raw") for p in discover(raw)]
    return learn(gather_evidence(work, raw, force=True).items)


def test_two_folders_learn_apart_and_prune_their_own_evidence(
    tmp_path: Path, client: Elasticsearch, es_env: Settings
) -> None:
    """Two scrapers' folders in one index, the same file names in each: A's furniture is
    learned for A only, B's run never replaces A's evidence, and pruning B leaves A's."""
    a, b = tmp_path / "scraperA", tmp_path / "scraperB"
    for folder in (a, b):
        folder.mkdir()
    for n in range(6):
        (a / f"story-{n:02d}.txt").write_text(other_story(n), encoding="utf-8")
        plain = "\n\n".join(p for p in other_story(n + 10).split("\n\n") if p != SLOGAN)
        (b / f"story-{n:02d}.txt").write_text(plain, encoding="utf-8")
    alias = "t-learned-sources"
    ingest(raw_dir=str(a), index=alias, batch_size=2)
    ingest(raw_dir=str(b), index=alias, batch_size=2)
    index = current_index(client, alias)
    learned = evidence_store.learned(client, index)
    assert line_key(SLOGAN) in learned["folder:scraperA/"]
    assert line_key(SLOGAN) not in learned["folder:scraperB/"]  # B's own furniture only
    assert "folder:" not in learned
    name = evidence_store.learned_name(index)
    client.indices.refresh(index=name)
    assert client.count(index=name)["count"] == 12  # one record per story of each folder

    for path in b.iterdir():
        path.unlink()
    ingest(raw_dir=str(b), index=alias, batch_size=2, prune=True, allow_shrink=True)
    client.indices.refresh(index=name)
    assert client.count(index=name)["count"] == 6  # B's gone, A's kept
    assert line_key(SLOGAN) in evidence_store.learned(client, index)["folder:scraperA/"]
    (a / "story-06.txt").write_text(other_story(6), encoding="utf-8")
    ingest(raw_dir=str(a), index=alias, batch_size=2)
    assert SLOGAN in _indexed(client, alias)["story-06.txt"]["removed"]


def test_evidence_without_a_source_is_learned_again(
    tmp_path: Path, client: Elasticsearch, es_env: Settings
) -> None:
    """Evidence written before records named their source is dropped once, and every file
    of the next run gives its evidence again."""
    raw = _other_stories(tmp_path / "raw")
    alias = "t-learned-unnamed"
    ingest(raw_dir=str(raw), index=alias, batch_size=2)
    index = current_index(client, alias)
    name = evidence_store.learned_name(index)
    client.index(
        index=name,
        id="old-record",
        document={"path": "other-00.txt", "source": {"site": "folder:"}, "keys": ["x"]},
        refresh=True,
    )
    assert evidence_store.ensure_learned(client, index) is True  # learn again from every file
    assert evidence_store.ensure_learned(client, index) is False  # once
    client.indices.refresh(index=name)
    assert not client.exists(index=name, id="old-record")
    assert client.count(index=name)["count"] == 6


def test_a_run_after_an_interrupted_one_replaces_what_it_recorded(
    tmp_path: Path, client: Elasticsearch
) -> None:
    """The search for a file's earlier records is skipped only while the store holds none of
    the folder's (`holds_none`): after an interrupted run recorded a feed's 3 stories, a run
    that finds 1 story left in it drops the other 2 records."""
    from newsetl.pipeline import FileWork, gather_evidence

    raw = tmp_path / "feeds"
    raw.mkdir()
    feed = raw / "feed.jsonl"

    def write(stories: range) -> tuple[list[str], list[Any]]:
        lines = [json.dumps({"title": f"Story {n}", "text": other_story(n)}) for n in stories]
        feed.write_text("\n".join(lines) + "\n", encoding="utf-8")
        found = gather_evidence([FileWork.of(feed, raw, source="feeds")], raw, force=True)
        assert len(found.items) == len(stories)
        return found.paths, found.items

    index = "t-learned-interrupted"
    evidence_store.ensure_learned(client, index)
    assert evidence_store.holds_none(client, index, "feeds")
    evidence_store.record(client, index, "feeds", *write(range(3)), first=True)
    assert not evidence_store.holds_none(client, index, "feeds")
    assert evidence_store.holds_none(client, index, "other-folder")

    paths, items = write(range(1))
    first = evidence_store.holds_none(client, index, "feeds")
    evidence_store.record(client, index, "feeds", paths, items, first=first)
    name = evidence_store.learned_name(index)
    client.indices.refresh(index=name)
    assert {hit["_id"] for hit in helpers.scan(client, index=name)} == {items[0].id}
