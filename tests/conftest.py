from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "raw" / "000_b0d58523203c84aa.txt"
CORPORA = ROOT.parent / "shared" / "corpora"


@pytest.fixture
def corpora() -> Path:
    """The shared dev corpora; tests using them skip on a user's clone, which has none."""
    if not CORPORA.is_dir():
        pytest.skip(f"dev corpora not found at {CORPORA}")
    return CORPORA
