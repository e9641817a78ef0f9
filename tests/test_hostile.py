"""Every hostile file ends indexed or quarantined with a specific reason; nothing crashes."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from newsetl.pipeline import transform_paths
from newsetl.readers import discover
from tests.hostile import build


def test_hostile_corpus_outcomes(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    cases = build(raw)
    batch = transform_paths(discover(raw), raw, now=datetime.now(UTC))
    outcomes: dict[tuple[str, int | None], str] = {}
    for doc in batch.docs:
        path, line = doc["source"]["path"], None
        if doc["source"]["format"] == "jsonl":
            path, _, number = path.rpartition(":")
            line = int(number)
        outcomes[(path, line)] = "indexed"
    for rejected in batch.rejected:
        outcomes[(rejected.path, rejected.line)] = rejected.reason
    expected = {(c.name, c.line): c.outcome for c in cases}
    assert set(outcomes) == set(expected)  # every record accounted for, no extras
    wrong = {
        key: (want, outcomes[key])
        for key, want in expected.items()
        if not outcomes[key].startswith(want)
    }
    assert not wrong


def test_html_depth_counts_nesting_not_void_or_self_closed_tags() -> None:
    from transforms.guards import html_depth

    assert html_depth("<p>a<br>b<img src=x/></p>") == 1
    assert html_depth("<div><div><span/></div><p>x</p></div>") == 2
    assert html_depth("</div></div>text") == 0
    assert html_depth("<div>" * 50) == 50
