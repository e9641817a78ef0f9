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


def test_html_depth_counts_as_a_parser_nests() -> None:
    """A page whose scripts write markup, and whose lists and paragraphs omit their end
    tags, is shallow: it must not be quarantined as nested too deep (a real news page with
    a story was, at 1,142 "levels")."""
    from transforms.guards import html_depth

    script = "<script>document.write('" + "<div>" * 2000 + "');</script>"
    assert html_depth(f"<html><body>{script}<p>Story.</p></body></html>") == 3
    assert html_depth("<ul>" + "<li>item" * 2000 + "</ul>") == 2
    assert html_depth("<div>" + "<p>para" * 2000 + "</div>") == 2
    assert html_depth("<div><span><b>x</div>" * 2000) == 3  # an end tag closes what it holds
    assert html_depth("<div>" * 1500 + "</span>" * 1500) == 1500  # stray end tags close nothing
