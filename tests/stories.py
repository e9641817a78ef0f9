"""Folders of republished copies for the learned-boilerplate tests and benchmark.

A story scraped from many outlets is the normal case for wire copy: `copies_folder` writes
N copies of one story (flat, or one folder per outlet; with or without a sidecar URL on each
outlet's host), alone or among other, unrelated stories that carry a site's real furniture.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

SEED = Path(__file__).resolve().parents[1] / "raw" / "000_b0d58523203c84aa.txt"
# The seed's own junk, which every copy must lose, and nothing else (pattern-file matches).
SEED_JUNK = ("Find more of AP’s coverage at", "Source: post", "No posts to display")
# A site's furniture inside every one of its unrelated stories (never prose: labels, a slogan);
# the first two are known patterns, the slogan only learning can tell from the story.
FURNITURE = ("Share this article", "Advertisement", "The Harbour Gazette — news for the coast")
SLOGAN = FURNITURE[2]

_VOCABULARY = (
    "council harbour mayor budget school river bridge market farmers teachers union port "
    "railway station hospital nurses court judge police minister election voters storm flood "
    "museum festival library airport pilots factory workers wages prices fuel energy solar "
    "wind coast fishing boats ferry tourists hotel housing rents tenants landlords park trees "
    "water pipes roads traffic cyclists buses drivers strike talks deal plan report survey "
    "study scientists doctors patients vaccine clinic rural village town city region province "
    "north south east west old new local national public private small large early late"
)
_WORDS = _VOCABULARY.split()


def other_story(n: int) -> str:
    """An unrelated story: its own title and prose, the site's furniture around it."""
    rng = random.Random(n)

    def sentence() -> str:
        words = [rng.choice(_WORDS) for _ in range(rng.randint(12, 24))]
        return " ".join(words).capitalize() + "."

    title = " ".join(rng.choice(_WORDS) for _ in range(6)).capitalize()
    body = [" ".join(sentence() for _ in range(rng.randint(2, 4))) for _ in range(6)]
    share, ad, slogan = FURNITURE
    parts = [title, body[0], share, body[1], body[2], slogan, body[3], ad, body[4], body[5]]
    return "\n\n".join(parts)


def copies_folder(
    root: Path,
    copies: int,
    *,
    per_outlet: bool,
    mixed: bool,
    urls: bool,
    text: str | None = None,
    others: int = 20,
) -> list[Path]:
    """Write `copies` copies of `text` (default: the seed) under `root`; return their paths."""
    text = SEED.read_text(encoding="utf-8") if text is None else text
    paths = []
    for i in range(copies):
        paths.append(_write(root, i, copies, per_outlet, urls, f"copy-{i:03d}", text))
    for k in range(others if mixed else 0):
        _write(root, k % copies, copies, per_outlet, urls, f"other-{k:03d}", other_story(k))
    return paths


def _write(
    root: Path, outlet: int, copies: int, per_outlet: bool, urls: bool, name: str, text: str
) -> Path:
    folder = root / f"outlet-{outlet:03d}" if per_outlet else root
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.txt"
    path.write_text(text, encoding="utf-8")
    if urls:
        url = f"https://www.outlet{outlet:03d}.example/news/{name}"
        (folder / f"{name}.json").write_text(json.dumps({"url": url}), encoding="utf-8")
    return path
