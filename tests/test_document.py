"""The document contract, on the seed article and on small records of each format."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newsetl.cli import main
from newsetl.document import DocumentError, build_document, content_hash, document_id
from newsetl.readers import RawRecord, read_file
from tests.conftest import SEED

NOW = datetime(2026, 1, 1, tzinfo=UTC)
KEYS = {
    "id",
    "source",
    "title",
    "body",
    "dateline",
    "agency",
    "agency_source",
    "published_at",
    "published_at_source",
    "published_at_offset",
    "published_at_ambiguous",
    "dates_mentioned",
    "word_count",
    "content_hash",
    "removed",
    "extracted_by",
    "authors",
    "contributors",
    "language",
}


@pytest.fixture(scope="module")
def seed_doc() -> dict[str, object]:
    [record] = read_file(SEED, SEED.parent)
    assert isinstance(record, RawRecord)
    return build_document(record, now=NOW)


def test_seed_document(seed_doc: dict[str, object]) -> None:
    doc = seed_doc
    assert set(doc) == KEYS
    assert doc["extracted_by"] == "text"
    assert doc["title"] == SEED.read_text().splitlines()[0].strip()
    body = str(doc["body"])
    assert body.startswith("CAIRO (AP) — Israel and Hamas are making progress")
    assert body.endswith(
        "Jobain reported from Rafah, Gaza Strip, and Goldenberg from Tel Aviv, Israel."
    )
    for junk in ("Find more of AP’s coverage at", "Source: post", "No posts to display"):
        assert junk not in body
        assert junk in doc["removed"]  # type: ignore[operator]
    assert "\n\n\n" not in body and "\n\n" in body
    dateline = doc["dateline"]
    assert isinstance(dateline, dict)
    assert (
        dateline["city"],
        dateline["country"],
        dateline["country_code"],
        dateline["agency"],
    ) == (
        "Cairo",
        "Egypt",
        "EG",
        "AP",
    )
    assert dateline["location"]["lat"] == pytest.approx(30.06, abs=0.1)
    assert dateline["location"]["lon"] == pytest.approx(31.25, abs=0.1)
    assert (doc["agency"], doc["agency_source"]) == ("AP", "dateline")
    assert doc["published_at"] is None and doc["published_at_source"] == "none"
    assert doc["source"] == {
        "name": None,  # built alone, outside a raw folder (`newsetl.sources`)
        "path": SEED.name,
        "url": None,
        "site": None,
        "format": "txt",
    }
    assert doc["word_count"] == len(body.split())


def test_id_and_hash_are_stable(seed_doc: dict[str, object]) -> None:
    [record] = read_file(SEED, SEED.parent)
    again = build_document(record, now=datetime(2030, 5, 5, tzinfo=UTC))  # type: ignore[arg-type]
    assert again == seed_doc
    assert seed_doc["content_hash"] == content_hash(seed_doc)
    assert document_id(RawRecord(path="x.txt", format="txt", url="https://a.b/c")) == document_id(
        RawRecord(path="other/y.json", format="json", url="https://a.b/c")
    )
    assert document_id(RawRecord(path="a.jsonl", format="jsonl", line=1)) != document_id(
        RawRecord(path="a.jsonl", format="jsonl", line=2)
    )


def test_the_same_file_name_in_two_sources_is_two_ids() -> None:
    record = RawRecord(path="article-0001.txt", format="txt", text="x")
    assert document_id(record, "scraperA") != document_id(record, "scraperB")
    assert document_id(record, "scraperA") != document_id(record)  # nor the pre-source id
    # Source and path are separated: "a" + "b/c.txt" is not "a/b" + "c.txt".
    nested = RawRecord(path="b/c.txt", format="txt", text="x")
    assert document_id(nested, "a") == document_id(nested, "a")
    with_url = RawRecord(path="article-0001.txt", format="txt", url="https://a.b/c")
    assert document_id(with_url, "scraperA") == document_id(with_url, "scraperB")  # one story
    doc = build_document(
        RawRecord(path="a.txt", format="txt", title="T", text="LISBON - A story."),
        now=NOW,
        source="scraperA",
    )
    assert doc["source"]["name"] == "scraperA"
    assert doc["id"] == document_id(RawRecord(path="a.txt", format="txt"), "scraperA")


def test_record_date_becomes_utc() -> None:
    record = RawRecord(
        path="r.json",
        format="json",
        url="https://example.com/story",
        title="Markets",
        text="NEW YORK (AP) — Stocks rose on Tuesday as investors cheered earnings.",
        date="2024-02-13T17:32:00-05:00",
        site="example.com",
    )
    doc = build_document(record, now=NOW)
    assert doc["published_at"] == "2024-02-13T22:32:00Z"
    assert doc["published_at_source"] == "record"
    assert doc["dateline"]["city"] == "New York"


def test_empty_article_is_an_error() -> None:
    with pytest.raises(DocumentError):
        build_document(RawRecord(path="e.txt", format="txt", title="T", text="\n\n"), now=NOW)


def test_transform_command_prints_the_document(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / SEED.name).write_bytes(SEED.read_bytes())
    (raw / "bad.json").write_text("{")
    assert main(["transform", str(raw)]) == 0
    out, err = capsys.readouterr()
    docs = [json.loads(line) for line in out.splitlines()]
    assert len(docs) == 1 and docs[0]["body"].startswith("CAIRO (AP) —")
    assert "quarantined bad.json: invalid JSON" in err
    assert main(["transform", "--strict", str(raw)]) == 1
