"""Same index, bit for bit: ids and content hashes of a fixed corpus match the snapshot.

The snapshot (`tests/data/ids_snapshot.json`) was taken before the read/parse/tokenize
redesign; a change of how files are read, parsed or tokenized must not move one id or hash.
Regenerate it only for a deliberate change of what documents hold:
`.venv/bin/python benchmarks/ids_snapshot.py --write`.
"""

from __future__ import annotations

import json

import pytest

from benchmarks.ids_snapshot import SNAPSHOT, build_and_snapshot, corpora_present, diff


def _stored(part: str) -> dict[str, object]:
    snapshot: dict[str, dict[str, object]] = json.loads(SNAPSHOT.read_text("utf-8"))
    return snapshot[part]


def test_base_folder_ids_and_hashes_unchanged() -> None:
    """raw/, generated wire stories, feeds, pages and bad files: always run."""
    expected = _stored("base")
    got = build_and_snapshot("base")
    assert len(got["documents"]) > 200
    assert diff(expected, got) == []


@pytest.mark.skipif(not corpora_present(), reason="../shared/corpora is absent")
def test_corpus_folder_ids_and_hashes_unchanged() -> None:
    """Reuters stories as .txt/.jsonl and dev pages as .html."""
    expected = _stored("corpus")
    got = build_and_snapshot("corpus")
    assert diff(expected, got) == []
