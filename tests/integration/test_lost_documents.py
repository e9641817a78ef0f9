"""Documents must not be lost by everyday operations: a prune of an empty (unmounted) folder,
the older of two copies of a story going away, a sidecar that comes later."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from flows.ingest import PruneRefusedError, ingest
from newsetl.cli import main
from newsetl.config import Settings

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("prefect_server")]


def _story(n: int) -> str:
    return f"Story {n} on the harbour\n\nLISBON (Reuters) - The harbour plan number {n} moved on.\n"


def _docs(client: Elasticsearch, alias: str) -> list[dict[str, object]]:
    client.indices.refresh(index=alias)
    hits = client.search(index=alias, size=100, query={"match_all": {}})["hits"]["hits"]
    return [h["_source"] for h in hits]


def _older(path: Path, seconds: int) -> None:
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns - seconds * 10**9))


def test_prune_of_an_empty_folder_is_refused(
    tmp_path: Path,
    client: Elasticsearch,
    es_env: Settings,
    capsys: pytest.CaptureFixture[str],
) -> None:
    raw = empty = tmp_path / "raw"
    raw.mkdir()
    for i in range(6):
        (raw / f"s{i}.txt").write_text(_story(i))
    ingest(raw_dir=str(raw), index="t-lost-prune")
    raw.rename(tmp_path / "share")  # what an unmounted network share looks like: the mount
    empty.mkdir()  # point is there, empty
    with pytest.raises(PruneRefusedError, match="--allow-shrink"):
        ingest(raw_dir=str(empty), index="t-lost-prune", prune=True)
    assert len(_docs(client, "t-lost-prune")) == 6
    code = main(["run", "--prune", "--raw-dir", str(empty), "--index", "t-lost-prune"])
    err = capsys.readouterr().err
    assert code == 1 and "nothing was deleted" in err and "Traceback" not in err
    assert len(_docs(client, "t-lost-prune")) == 6
    empty.rmdir()
    (tmp_path / "share").rename(raw)  # mounted again
    for i in range(4):  # a folder that lost most of its files: refused too
        (raw / f"s{i}.txt").unlink()
    with pytest.raises(PruneRefusedError):
        ingest(raw_dir=str(raw), index="t-lost-prune", prune=True)
    counts = ingest(raw_dir=str(raw), index="t-lost-prune", prune=True, allow_shrink=True)
    assert counts["pruned"] == 4 and len(_docs(client, "t-lost-prune")) == 2


def test_the_newer_copy_of_a_url_wins_and_survives_the_older_going(
    tmp_path: Path, client: Elasticsearch, es_env: Settings
) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    url = "https://news.example.com/2024/harbour"
    for i in range(4):  # other stories, so that pruning one file is an ordinary prune
        (raw / f"other{i}.txt").write_text(_story(i))
    old = raw / "b-old.json"
    old.write_text(json.dumps({"url": url, "title": "Harbour", "text": "LISBON - First draft."}))
    _older(old, 3600)
    ingest(raw_dir=str(raw), index="t-lost-url")
    new = raw / "a-new.json"  # sorts first, but is the newer file
    new.write_text(json.dumps({"url": url, "title": "Harbour", "text": "LISBON - Final story."}))
    counts = ingest(raw_dir=str(raw), index="t-lost-url")
    assert (counts["updated"], counts["duplicates"]) == (1, 0)  # an update, not a duplicate
    [story] = [d for d in _docs(client, "t-lost-url") if d["source"]["url"] == url]  # type: ignore[index]
    assert "Final story" in str(story["body"])
    old.unlink()
    counts = ingest(raw_dir=str(raw), index="t-lost-url", prune=True)
    assert counts["pruned"] == 0
    [story] = [d for d in _docs(client, "t-lost-url") if d["source"]["url"] == url]  # type: ignore[index]
    assert "Final story" in str(story["body"])
    again = ingest(raw_dir=str(raw), index="t-lost-url", prune=True)
    assert (again["unchanged"], again["pruned"]) == (5, 0)
    assert len(_docs(client, "t-lost-url")) == 5


def test_pruning_the_copy_that_was_indexed_reindexes_the_other(
    tmp_path: Path, client: Elasticsearch, es_env: Settings
) -> None:
    """Both copies arrive in one run: the newer is indexed; if it goes, the other takes over."""
    raw = tmp_path / "raw"
    raw.mkdir()
    url = "https://news.example.com/2024/bridge"
    for i in range(4):
        (raw / f"other{i}.txt").write_text(_story(i))
    first = raw / "a.json"
    first.write_text(json.dumps({"url": url, "title": "Bridge", "text": "LISBON - Copy one."}))
    _older(first, 3600)
    second = raw / "b.json"
    second.write_text(json.dumps({"url": url, "title": "Bridge", "text": "LISBON - Copy two."}))
    counts = ingest(raw_dir=str(raw), index="t-lost-pair")
    assert (counts["indexed"], counts["duplicates"]) == (5, 1)
    second.unlink()
    counts = ingest(raw_dir=str(raw), index="t-lost-pair", prune=True)
    [story] = [d for d in _docs(client, "t-lost-pair") if d["source"]["url"] == url]  # type: ignore[index]
    assert "Copy one" in str(story["body"]) and story["source"]["path"] == "a.json"  # type: ignore[index]


def test_a_sidecar_added_or_edited_later_is_read(
    tmp_path: Path, client: Elasticsearch, es_env: Settings
) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    page = raw / "page.html"
    page.write_text(
        "<html><head><title>Harbour plan</title></head><body><article><h1>Harbour plan</h1>"
        "<p>LISBON (Reuters) - The harbour plan moved on, officials said on Monday after "
        "a long meeting about the budget and the timetable of the works.</p></article>"
        "</body></html>"
    )
    ingest(raw_dir=str(raw), index="t-lost-side")
    [before] = _docs(client, "t-lost-side")
    assert before["source"]["url"] is None  # type: ignore[index]
    time.sleep(0.01)
    side = raw / "page.json"
    side.write_text(json.dumps({"url": "https://news.example.com/harbour"}))
    ingest(raw_dir=str(raw), index="t-lost-side")
    [after] = _docs(client, "t-lost-side")  # one document: the path-based id was replaced
    assert after["source"]["url"] == "https://news.example.com/harbour"  # type: ignore[index]
    side.write_text(json.dumps({"url": "https://news.example.com/harbour", "title": "New"}))
    counts = ingest(raw_dir=str(raw), index="t-lost-side")
    assert counts["updated"] == 1
    [edited] = _docs(client, "t-lost-side")
    assert edited["title"] == "New"
    side.touch()  # touched, not changed: nothing to write
    counts = ingest(raw_dir=str(raw), index="t-lost-side")
    assert counts["unchanged"] == 1
