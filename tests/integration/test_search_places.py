"""Place filters as people type them, on documents built by the real pipeline."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from newsetl.cli import main
from newsetl.config import Settings
from newsetl.es.indices import ensure_alias
from newsetl.es.load import load
from newsetl.pipeline import transform_paths

pytestmark = pytest.mark.integration

ALIAS = "t-search-places"
STORIES = {
    "ny": "Wall Street rallies on rate hopes\n\nNEW YORK (AP) — Stocks rose on Tuesday as "
    "traders bet on lower rates, and bond yields fell for a third day.",
    "rafah": "Families flee the city again\n\nRAFAH, Gaza Strip (AP) — Thousands of families "
    "left the city on Tuesday with what they could carry, aid groups said.",
    "paris-tx": "County fair draws record crowd\n\nPARIS, Texas (AP) — The county fair drew a "
    "record crowd this weekend, organizers said, despite the heat.",
    "paris": "Louvre reopens after strike\n\nPARIS (AFP) — The Louvre reopened on Wednesday "
    "after a two-day strike by its staff over crowds and pay.",
}


@pytest.fixture
def indexed(tmp_path: Path, client: Elasticsearch) -> dict[str, str]:
    """Document id of each story, indexed as `newsetl run` would."""
    for name, text in STORIES.items():
        (tmp_path / f"{name}.txt").write_text(text)
    batch = transform_paths(sorted(tmp_path.glob("*.txt")), tmp_path, now=datetime.now(UTC))
    ensure_alias(client, ALIAS)
    assert not load(client, ALIAS, batch.docs).rejected
    client.indices.refresh(index=ALIAS)
    return {d["source"]["path"].removesuffix(".txt"): d["id"] for d in batch.docs}


def _found(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[set[str], list[dict]]:
    assert main(["search", "--index", ALIAS, "--json", *args]) == 0
    hits = json.loads(capsys.readouterr().out)["hits"]
    return {h["path"].removesuffix(".txt") for h in hits}, hits


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--city", "new york"], {"ny"}),
        (["--city", "New York City"], {"ny"}),
        (["--country", "Palestine"], {"rafah"}),
        (["--country", "ps"], {"rafah"}),
        (["--country", "united states"], {"ny", "paris-tx"}),
        (["--city", "rafah"], {"rafah"}),
        (["--city", "Rafaḩ"], {"rafah"}),
        (["--near", "Paris, Texas", "--within", "30km"], {"paris-tx"}),
        (["--near", "Paris", "--within", "30km"], {"paris"}),
        (["--near", "Paris, France", "--within", "30km"], {"paris"}),
    ],
)
def test_place_filters_as_typed(
    indexed: dict[str, str],
    es_env: Settings,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    expected: set[str],
) -> None:
    assert _found(capsys, *args)[0] == expected


def test_gazetteer_names_shown_in_english(
    indexed: dict[str, str], es_env: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    _, hits = _found(capsys, "--city", "rafah")
    assert (hits[0]["city"], hits[0]["country_code"]) == ("Rafah", "PS")
    assert main(["search", "--index", ALIAS, "--city", "rafah"]) == 0
    out = capsys.readouterr().out
    assert "Rafah, Palestinian Territory" in out and "Rafaḩ" not in out


def test_unknown_places_exit_2(
    indexed: dict[str, str], es_env: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["search", "--index", ALIAS, "--country", "Narnia"]) == 2
    assert "unknown country 'Narnia'" in capsys.readouterr().err
    assert main(["search", "--index", ALIAS, "--near", "Paris, Narnia"]) == 2
    assert "'Narnia' is no country or region" in capsys.readouterr().err
