"""`newsetl show ID` and `newsetl search --export`: every hit, past the 10,000-hit window."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from elasticsearch import Elasticsearch

from newsetl.cli import main
from newsetl.config import Settings
from newsetl.es.indices import current_index, ensure_alias
from newsetl.es.load import load
from newsetl.es.query import SearchQuery
from newsetl.es.search import iter_hits

pytestmark = pytest.mark.integration

ALIAS = "t-export"
N, COPIES = 120, 3


def _doc(n: int) -> dict[str, Any]:
    story = f"s{n // COPIES:03d}"
    body = f"STOCKHOLM (Reuters) - Story {story} about copper,\n\nwith a second paragraph {n}."
    return {
        "id": f"d{n:03d}",
        "source": {
            "path": f"d{n:03d}.txt",
            "url": f"https://site{n % COPIES}.example/d{n:03d}",
            "site": f"site{n % COPIES}.example",
            "format": "txt",
        },
        "title": f"Copper story {n}, \"quoted\"",
        "body": body,
        "dateline": None,
        "agency": "Reuters",
        "published_at": f"2024-03-{1 + n % 28:02d}T10:00:00Z",
        "word_count": len(body.split()),
        "content_hash": f"h{n}",
        "removed": ["Share this story"],
        "story_id": story,  # the copies' size is counted when read, not stored
    }


def _indexed(engine: Any, alias: str, window: int | None) -> str:
    from newsetl.es.client import connect

    client = connect(Settings(es_url=engine.url))
    if not client.indices.exists_alias(name=alias):
        ensure_alias(client, alias)
        if window:
            client.indices.put_settings(
                index=current_index(client, alias),
                settings={"index": {"max_result_window": window}},
            )
        assert not load(client, alias, [_doc(n) for n in range(N)]).rejected
        client.indices.refresh(index=alias)
    return alias


@pytest.fixture(scope="module")
def small_window(engine: Any) -> str:
    """An index whose result window is 50: paging by offset would stop there."""
    return _indexed(engine, ALIAS, 50)


@pytest.fixture(scope="module")
def indexed(engine: Any) -> str:
    return _indexed(engine, f"{ALIAS}-cli", None)


def test_every_hit_streams_past_the_window(client: Elasticsearch, small_window: str) -> None:
    every = list(iter_hits(client, small_window, SearchQuery("copper", collapse=False), page=20))
    assert len(every) == N and len({h.id for h in every}) == N
    stories = list(iter_hits(client, small_window, SearchQuery("copper", sort="date"), page=20))
    assert len(stories) == N // COPIES and len({h.story_id for h in stories}) == N // COPIES
    dates = [h.published_at or "" for h in stories]
    assert dates == sorted(dates, reverse=True)


def test_export_jsonl_and_csv(
    indexed: str, es_env: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "hits.jsonl"
    base = ["search", "copper", "--index", indexed]
    assert main([*base, "--all-copies", "--export", str(out)]) == 0
    assert capsys.readouterr().out.strip() == f"exported {N} articles to {out}"
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(lines) == N and {"url", "site", "story_size", "snippet"} <= set(lines[0])
    assert {line["story_size"] for line in lines} == {COPIES}
    assert sum(line["story_canonical"] for line in lines) == N // COPIES
    table = tmp_path / "hits.csv"
    assert main([*base, "--export", str(table), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["exported"] == N // COPIES
    with table.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == N // COPIES and {r["story_size"] for r in rows} == {str(COPIES)}
    assert rows[0]["title"].endswith('"quoted"') and "<em>" not in rows[0]["snippet"]
    assert "\n" not in rows[0]["snippet"]
    assert main([*base, "--export", str(tmp_path / "hits.xlsx")]) == 2
    assert "a .jsonl or .csv file" in capsys.readouterr().err


def test_show_one_document(
    indexed: str, es_env: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["show", "d007", "--index", indexed]) == 0
    out = capsys.readouterr().out
    assert "title: Copper story 7" in out and "url: https://site1.example/d007" in out
    assert "story: s002 (3 copies, canonical: d006)" in out  # no rank stored: the earliest
    assert out.rstrip().endswith("with a second paragraph 7.")
    assert main(["show", "d007", "--index", indexed, "--json"]) == 0
    raw = json.loads(capsys.readouterr().out)
    assert raw["removed"] == ["Share this story"] and raw["id"] == "d007"
    assert main(["show", "nope", "--index", indexed]) == 2
    assert "no document 'nope'" in capsys.readouterr().err
