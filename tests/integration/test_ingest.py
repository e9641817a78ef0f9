"""The ingest flow against the real local Elasticsearch: found by search, idempotent, quarantine."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from flows.ingest import ingest
from newsetl.config import Settings
from newsetl.es import ledger
from newsetl.es.indices import current_index, ensure_alias
from newsetl.es.load import load
from newsetl.es.search import search
from newsetl.pipeline import transform_paths
from tests.conftest import SEED

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("prefect_server")]


def _raw(tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(SEED, raw / SEED.name)
    (raw / "wire.jsonl").write_text(
        json.dumps(
            {
                "url": "https://news.example.org/markets/1",
                "title": "Oil prices climb as refinery outage drags on",
                "text": "HOUSTON (Reuters) - Oil prices rose on Monday as a refinery outage "
                "in Texas stretched into a second week, traders said.\n\n"
                "Refiners along the Gulf Coast have cut runs, according to analysts.",
                "published": "2024-03-04T14:30:00Z",
            }
        )
        + "\n{not json}\n"
    )
    (raw / "broken.html").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00" + bytes(range(256)) * 8)
    return raw


def _index_state(client: Elasticsearch, alias: str) -> dict[str, str]:
    resp = client.search(
        index=alias, size=100, source_includes=["content_hash"], query={"match_all": {}}
    )
    return {h["_id"]: h["_source"]["content_hash"] for h in resp["hits"]["hits"]}


def test_ingest_search_idempotent_and_quarantine(
    tmp_path: Path, client: Elasticsearch, es_env: Settings
) -> None:
    raw = _raw(tmp_path)
    alias = "t-ingest"
    counts = ingest(raw_dir=str(raw), index=alias, batch_size=2)
    assert counts == {
        "files": 3,
        "seen": 4,
        "indexed": 2,
        "updated": 0,
        "unchanged": 0,
        "duplicates": 0,
        "quarantined": 2,
        "pruned": 0,
    }
    index = current_index(client, alias)
    reasons = {
        (e.path, q["line"]): q["reason"] for e in ledger.scan(client, index) for q in e.quarantine
    }
    assert set(reasons) == {("broken.html", None), ("wire.jsonl", 2)}
    assert reasons[("broken.html", None)].startswith("undecodable")

    hits = search(client, alias, "cease-fire hostages").hits
    assert hits and hits[0].title is not None and hits[0].title.startswith("Israel and Hamas")
    assert (hits[0].city, hits[0].country, hits[0].agency) == ("Cairo", "Egypt", "AP")
    assert "<em>" in hits[0].snippet

    doc = client.get(index=alias, id=hits[0].id)["_source"]
    assert doc["body"].startswith("CAIRO (AP) — Israel and Hamas are making progress")
    assert "No posts to display" in doc["removed"]
    assert doc["dateline"]["location"]["lat"] == pytest.approx(30.04, abs=0.1)
    oil = search(client, alias, "refinery outage").hits
    assert [h.published_at for h in oil] == ["2024-03-04T14:30:00Z"]

    before = _index_state(client, alias)
    again = ingest(raw_dir=str(raw), index=alias, batch_size=2)
    assert again["indexed"] == again["updated"] == 0 and again["unchanged"] == 2
    assert _index_state(client, alias) == before


def test_changed_file_updates_in_place(
    tmp_path: Path, client: Elasticsearch, es_env: Settings
) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    story = raw / "story.txt"
    story.write_text("A headline\n\nLONDON (Reuters) - First version of the story about tea.\n")
    alias = "t-update"
    assert ingest(raw_dir=str(raw), index=alias)["indexed"] == 1
    story.write_text("A headline\n\nLONDON (Reuters) - Second version of the story about coffee.\n")
    counts = ingest(raw_dir=str(raw), index=alias)
    assert (counts["indexed"], counts["updated"]) == (0, 1)
    assert [h.title for h in search(client, alias, "coffee").hits] == ["A headline"]
    assert not search(client, alias, "tea").hits


@pytest.fixture
def seeded(client: Elasticsearch) -> str:
    """An alias holding the seed, loaded without Prefect."""
    alias = "t-syntax"
    if not client.indices.exists_alias(name=alias):
        ensure_alias(client, alias)
        batch = transform_paths([SEED], SEED.parent, now=datetime.now(UTC))
        load(client, alias, batch.docs)
        client.indices.refresh(index=alias)
    return alias


@pytest.mark.parametrize(
    "query",
    [
        '"cease-fire',
        "(cease-fire",
        "cease-fire)",
        "cease-fire AND",
        "hostages^",
        "cease-fire \\",
        "cease-fire:(",
        "cease-fire [",
        "cease-fire ~*?",
        "cease-fire && ||",
    ],
)
def test_user_text_never_breaks_the_query(client: Elasticsearch, seeded: str, query: str) -> None:
    hits = search(client, seeded, query).hits
    assert hits and hits[0].path == SEED.name


@pytest.mark.parametrize("query", ["title:(x", "[x TO", "a AND OR NOT", "/regex/", "*", "\\"])
def test_query_syntax_is_never_an_error(client: Elasticsearch, seeded: str, query: str) -> None:
    assert search(client, seeded, query).total >= 0
