"""Two raw folders into one index never collide; a moved folder is not indexed again; an
index from before sources is adopted once (`newsetl.sources`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from flows.ingest import ingest
from newsetl.cli import main
from newsetl.config import Settings
from newsetl.es import ledger
from newsetl.es.indices import current_index
from newsetl.es.query import SearchQuery
from newsetl.es.search import search
from newsetl.sources import SourceConflictError

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("prefect_server")]


def _story(place: str, n: int) -> str:
    return f"Story {n} from {place}\n\n{place.upper()} (Reuters) - The plan number {n} moved on.\n"


def _docs(client: Elasticsearch, alias: str) -> dict[str, dict[str, object]]:
    client.indices.refresh(index=alias)
    hits = client.search(index=alias, size=100, query={"match_all": {}})["hits"]["hits"]
    return {h["_id"]: h["_source"] for h in hits}


def _folder(parent: Path, name: str, place: str, n: int = 3) -> Path:
    folder = parent / name
    folder.mkdir(parents=True)
    for i in range(n):
        (folder / f"article-{i:04d}.txt").write_text(_story(place, i))
    return folder


def test_the_same_file_names_in_two_folders_are_two_stories(
    tmp_path: Path,
    client: Elasticsearch,
    es_env: Settings,
    capsys: pytest.CaptureFixture[str],
) -> None:
    a = _folder(tmp_path, "scraperA", "Lisbon")
    b = _folder(tmp_path, "scraperB", "Cairo")
    ingest(raw_dir=str(a), index="t-src-two")
    counts = ingest(raw_dir=str(b), index="t-src-two")
    assert (counts["indexed"], counts["updated"]) == (3, 0)  # nothing of A overwritten
    docs = _docs(client, "t-src-two")
    assert len(docs) == 6
    assert sorted(str(d["source"]["name"]) for d in docs.values()) == ["scraperA"] * 3 + [  # type: ignore[index]
        "scraperB"
    ] * 3
    filtered = client.search(index="t-src-two", query={"term": {"source.name": "scraperA"}})
    assert filtered["hits"]["total"]["value"] == 3  # a keyword: filterable
    # The search API and `newsetl search --source` filter by it.
    found = search(client, "t-src-two", SearchQuery(source="scraperB", collapse=False))
    assert found.articles == 3 and {h.path for h in found.hits} == {
        f"article-{i:04d}.txt" for i in range(3)
    }
    assert main(["search", "", "--index", "t-src-two", "--source", "scraperA", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["articles"] == 3
    assert all("Lisbon" in hit["title"] for hit in printed["hits"])
    # Pruning B (its files gone) never touches A's documents.
    for path in b.iterdir():
        path.unlink()
    counts = ingest(raw_dir=str(b), index="t-src-two", prune=True, allow_shrink=True)
    assert counts["pruned"] == 3
    left = _docs(client, "t-src-two")
    assert {str(d["source"]["name"]) for d in left.values()} == {"scraperA"}  # type: ignore[index]
    assert len(left) == 3
    # Nor does pruning A with B's files around: A is whole, nothing is gone.
    _folder(tmp_path / "again", "scraperB", "Cairo")
    assert ingest(raw_dir=str(a), index="t-src-two", prune=True)["pruned"] == 0


def test_a_moved_folder_keeps_its_ids_and_is_not_indexed_again(
    tmp_path: Path, client: Elasticsearch, es_env: Settings
) -> None:
    a = _folder(tmp_path / "old", "scraperA", "Lisbon")
    ingest(raw_dir=str(a), index="t-src-move")
    before = set(_docs(client, "t-src-move"))
    moved = tmp_path / "new" / "scraperA"
    moved.parent.mkdir()
    a.rename(moved)
    counts = ingest(raw_dir=str(moved), index="t-src-move", prune=True)
    assert (counts["indexed"], counts["updated"], counts["pruned"]) == (0, 0, 0)
    assert counts["unchanged"] == 3
    assert set(_docs(client, "t-src-move")) == before


def test_a_second_folder_claiming_a_used_name_is_refused(
    tmp_path: Path,
    client: Elasticsearch,
    es_env: Settings,
    capsys: pytest.CaptureFixture[str],
) -> None:
    first = _folder(tmp_path / "site1", "raw", "Lisbon")
    second = _folder(tmp_path / "site2", "raw", "Cairo")  # both still there
    ingest(raw_dir=str(first), index="t-src-clash")
    with pytest.raises(SourceConflictError, match="--source"):
        ingest(raw_dir=str(second), index="t-src-clash")
    code = main(["run", "--raw-dir", str(second), "--index", "t-src-clash"])
    err = capsys.readouterr().err
    assert code == 2 and "--source" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert len(_docs(client, "t-src-clash")) == 3  # nothing of the second folder written
    counts = ingest(raw_dir=str(second), index="t-src-clash", source="site2")
    assert (counts["indexed"], counts["updated"]) == (3, 0)
    assert len(_docs(client, "t-src-clash")) == 6


def test_transform_prints_the_id_that_run_indexes(
    tmp_path: Path,
    client: Elasticsearch,
    es_env: Settings,
    capsys: pytest.CaptureFixture[str],
) -> None:
    a = _folder(tmp_path, "scraperA", "Lisbon")
    ingest(raw_dir=str(a), index="t-src-transform")
    indexed = _docs(client, "t-src-transform")
    capsys.readouterr()
    assert main(["transform", str(a / "article-0001.txt")]) == 0
    [line] = capsys.readouterr().out.splitlines()
    printed = json.loads(line)
    assert printed["id"] in indexed
    assert printed["body"] == indexed[printed["id"]]["body"]
    assert printed["source"]["name"] == "scraperA"


def _make_legacy(client: Elasticsearch, alias: str) -> None:
    """What an index written before sources holds: ledger entries and documents without one."""
    index = current_index(client, alias)
    client.update_by_query(
        index=ledger.ledger_name(index),
        query={"exists": {"field": "folder"}},
        script={"source": "ctx.op = 'delete'"},
        refresh=True,
    )
    client.update_by_query(
        index=ledger.ledger_name(index),
        script={"source": "ctx._source.remove('source')"},
        refresh=True,
    )
    client.update_by_query(
        index=index, script={"source": "ctx._source.source.remove('name')"}, refresh=True
    )


def test_an_index_from_before_sources_is_adopted_once(
    tmp_path: Path,
    client: Elasticsearch,
    es_env: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    raw = _folder(tmp_path, "scraperA", "Lisbon")
    (raw / "wire.json").write_text(
        json.dumps({"url": "https://news.example.com/w", "title": "Wire", "text": "ROME - A."})
    )
    with monkeypatch.context() as old:  # the ids and ledger keys of the code before sources
        old.setattr("flows.ingest.source_name", lambda given, root: "")
        old.setattr("newsetl.pipeline.source_name", lambda given, root: "")
        ingest(raw_dir=str(raw), index="t-src-legacy")
    _make_legacy(client, "t-src-legacy")
    legacy = _docs(client, "t-src-legacy")
    assert len(legacy) == 4
    index = current_index(client, "t-src-legacy")
    assert len(list(ledger.scan(client, index, source=""))) == 4
    counts = ingest(raw_dir=str(raw), index="t-src-legacy")
    assert counts["seen"] == 4 and counts["duplicates"] == 0
    docs = _docs(client, "t-src-legacy")
    assert len(docs) == 4  # none lost, none doubled
    assert {d["source"]["name"] for d in docs.values()} == {"scraperA"}  # type: ignore[index]
    assert list(ledger.scan(client, index, source="")) == []  # adopted
    assert len(list(ledger.scan(client, index, source="scraperA"))) == 4
    wire = [i for i, d in docs.items() if d["source"]["url"]]  # type: ignore[index]
    assert wire and wire[0] in legacy  # a URL's id does not change
    again = ingest(raw_dir=str(raw), index="t-src-legacy")
    assert (again["unchanged"], again["indexed"], again["updated"]) == (4, 0, 0)  # once
