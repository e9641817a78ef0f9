"""Kibana's time field: every document has `first_seen_at`, set when newsetl first indexes it
and kept when it is updated or reindexed; `published_at` stays the article's own date."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from flows.ingest import ingest
from flows.reindex import reindex
from newsetl.config import Settings

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("prefect_server")]


def _first_seen(client: Elasticsearch, alias: str) -> dict[str, tuple[str, str | None]]:
    client.indices.refresh(index=alias)
    hits = client.search(index=alias, size=10, query={"match_all": {}})["hits"]["hits"]
    return {
        h["_source"]["source"]["path"]: (
            h["_source"]["first_seen_at"],
            h["_source"]["published_at"],
        )
        for h in hits
    }


def test_every_document_has_a_first_seen_time_kept_on_update(
    tmp_path: Path, client: Elasticsearch, es_env: Settings
) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    undated = raw / "undated.txt"
    undated.write_text("Harbour plan\n\nLISBON (Reuters) - The harbour plan moved on.\n")
    ingest(raw_dir=str(raw), index="t-seen")
    before = _first_seen(client, "t-seen")
    since, published = before["undated.txt"]
    assert since and published is None  # no publication date, still on the time axis
    in_range = client.count(index="t-seen", query={"range": {"first_seen_at": {"gte": "now-1d"}}})
    assert in_range["count"] == 1
    time.sleep(1.1)  # the stamp has second resolution: a new one would differ
    undated.write_text("Harbour plan\n\nLISBON (Reuters) - The harbour plan moved on again.\n")
    counts = ingest(raw_dir=str(raw), index="t-seen")
    assert counts["updated"] == 1
    assert _first_seen(client, "t-seen")["undated.txt"][0] == since
    reindex(raw_dir=str(raw), index="t-seen")
    assert _first_seen(client, "t-seen")["undated.txt"][0] == since
