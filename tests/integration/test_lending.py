"""Agencies lent to unsigned stories in the flow, against the real engine: the form/agency
tally lives in the evidence index and `newsetl run` lends exactly what `newsetl transform`
lends for the same folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from elasticsearch import Elasticsearch, helpers

from flows.ingest import ingest
from newsetl.config import Settings
from newsetl.es import learned as evidence_store
from newsetl.es.indices import current_index
from newsetl.es.query import SearchQuery
from newsetl.es.search import search
from newsetl.learned import lend
from newsetl.pipeline import FileWork, gather_evidence
from newsetl.readers import discover
from tests.test_lending import _write, lent_folder, transformed, wire_story

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("prefect_server")]
FIELDS = ("id", "body", "agency", "agency_source", "content_hash")


def _indexed(client: Elasticsearch, alias: str) -> dict[str, dict[str, Any]]:
    client.indices.refresh(index=alias)
    query = {"query": {"match_all": {}}, "_source": ["source.path", *FIELDS[1:]]}
    return {
        hit["_source"]["source"]["path"]: {"id": hit["_id"], **hit["_source"]}
        for hit in helpers.scan(client, index=alias, query=query)
    }


def _lent_in_memory(raw: Path) -> dict[str, dict[str, str]]:
    work = [
        FileWork.of(p, raw, source=raw.name) for p in discover(raw)
    ]
    return lend(gather_evidence(work, raw, force=True).items)


def test_the_run_lends_what_transform_lends(
    tmp_path: Path, client: Elasticsearch, es_env: Settings
) -> None:
    raw = tmp_path / "raw"
    lent_folder(raw)
    alias = "t-lending"
    ingest(raw_dir=str(raw), index=alias, batch_size=4)  # the tally spread over batches

    indexed = _indexed(client, alias)
    for n in (60, 61):
        doc = indexed[f"wire/unsigned-{n}.txt"]
        assert (doc["agency"], doc["agency_source"]) == ("Reuters", "site")
    assert indexed["wire/afp.txt"]["agency"] == "AFP"
    assert all(
        doc["agency"] is None for path, doc in indexed.items() if path.startswith("paper/")
    )
    assert {p: tuple(d[k] for k in FIELDS) for p, d in transformed(raw).items()} == {
        p: tuple(d[k] for k in FIELDS) for p, d in indexed.items()
    }
    lent = search(client, alias, SearchQuery(agency_source="site", collapse=False))
    assert sorted(hit.id for hit in lent.hits) == sorted(
        indexed[f"wire/unsigned-{n}.txt"]["id"] for n in (60, 61)
    )
    index = current_index(client, alias)
    assert evidence_store.lent(client, index) == _lent_in_memory(raw) == {
        "folder:raw/wire": {"CITY, M D -": "Reuters"}
    }

    # Enough AFP stories join the form: the loan is no longer overwhelming, and a changed
    # unsigned story (read again) is lent nothing, in the run as in memory.
    for n in range(4):
        _write(raw / "wire", f"afp-{n}.txt", wire_story(70 + n, signoff="AFP"))
    (raw / "wire" / "unsigned-60.txt").write_text(
        wire_story(60, signoff=None) + "\nOne more line of text for the story.\n", encoding="utf-8"
    )
    ingest(raw_dir=str(raw), index=alias, batch_size=4)
    assert evidence_store.lent(client, index) == _lent_in_memory(raw) == {}
    doc = _indexed(client, alias)["wire/unsigned-60.txt"]
    assert (doc["agency"], doc["agency_source"]) == (None, None)
