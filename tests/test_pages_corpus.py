"""No dev page with a story is quarantined or emptied, through `newsetl transform`'s path
(skips without the corpora)."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newsetl.pipeline import transform_paths
from newsetl.readers import discover
from transforms import fallback
from transforms.html import _parse, extract_html
from transforms.paragraphs import is_prose

CORPORA = Path(__file__).resolve().parents[1].parent / "shared" / "corpora"
AEB = CORPORA / "article-extraction-benchmark"
MEDIACLOUD = CORPORA / "htmldate-mediacloud" / "pages"
NOW = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.mark.skipif(not AEB.is_dir(), reason=f"dev corpus not found at {AEB}")
def test_no_benchmark_page_quarantined_or_empty(tmp_path: Path) -> None:
    from benchmarks.extraction import load, match, prf, write_folder

    pages = list(load(None))
    write_folder(tmp_path, {f"{key}.html": html for key, _, html, _ in pages})
    batch = transform_paths(list(discover(tmp_path)), tmp_path, now=NOW)
    assert batch.rejected == []
    got = {doc["source"]["path"]: doc["body"] for doc in batch.docs}
    assert all(body.strip() for body in got.values())
    user = prf([match(gold, got[f"{key}.html"]) for key, _, _, gold in pages])
    component = prf([match(gold, extract_html(html).body) for key, _, html, gold in pages])
    # the user's path gives the component's bodies: nothing on the way loses text
    assert user["f1"] == pytest.approx(component["f1"], abs=0.002)


def _any_prose(html: str) -> bool:
    """Whether the main extractor or any fallback finds a sentence of prose on the page."""
    if any(is_prose(p) for p in extract_html(html).body.split("\n\n")):
        return True
    tree = _parse(html)
    if tree is None:
        return False
    return any(
        is_prose(block.text)
        for _, blocks in fallback.candidates(tree, body_words=0)
        for block in blocks
    )


@pytest.mark.skipif(not MEDIACLOUD.is_dir(), reason=f"dev corpus not found at {MEDIACLOUD}")
def test_mediacloud_pages_quarantined_only_without_a_story(tmp_path: Path) -> None:
    for page in sorted(MEDIACLOUD.glob("*.html")):
        shutil.copy(page, tmp_path / page.name)
    batch = transform_paths(list(discover(tmp_path)), tmp_path, now=NOW)
    reasons = {r.path: r.reason for r in batch.rejected}
    assert set(reasons.values()) <= {"no article text found after cleaning"}, json.dumps(reasons)
    for path in reasons:
        html = (tmp_path / path).read_bytes().decode("utf-8", "replace")
        assert not _any_prose(html), path
