from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# CI draws the same examples every run (a failure there is reproducible, never luck of the
# draw); a developer's run explores new ones and keeps what fails in .hypothesis/.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "raw" / "000_b0d58523203c84aa.txt"
CORPORA = ROOT.parent / "shared" / "corpora"


@pytest.fixture
def corpora() -> Path:
    """The shared dev corpora; tests using them skip on a user's clone, which has none."""
    if not CORPORA.is_dir():
        pytest.skip(f"dev corpora not found at {CORPORA}")
    return CORPORA
