"""Republished copies through `newsetl transform`: does a story keep its text in N copies?

A story scraped from many outlets is the normal case for wire copy. For N = 2, 5, 7, 12 and 50
copies of the seed story (`raw/000_b0d58523203c84aa.txt`), in a flat folder and in one folder
per outlet, alone and mixed with 20 other stories (which carry a site's real furniture), with
and without a sidecar URL on each outlet's host, the folder is run through
`newsetl.pipeline.transform_paths` (what `newsetl transform` runs: reader, learned
boilerplate over the whole folder, cleaner, normalizer). Printed per case: how many copies
come out with exactly the body the story gets alone, the fewest words a copy kept (the seed
alone keeps 1,015), the most lines removed from a copy (alone: its 3 junk lines), records
quarantined, and in the mixed cases how many of the other stories lost the site's learned
slogan (real furniture must still go).

    .venv/bin/python benchmarks/copies.py [--json] [--copies 2 5 7 12 50]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from datetime import UTC, datetime
from itertools import product
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from newsetl.pipeline import transform_paths  # noqa: E402
from newsetl.readers import discover  # noqa: E402

SEED = REPO / "raw" / "000_b0d58523203c84aa.txt"
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


def _transform(root: Path) -> dict[str, dict[str, Any]]:
    batch = transform_paths(discover(root), root, now=datetime.now(UTC))
    docs = {d["source"]["path"]: d for d in batch.docs}
    docs.update({f"rejected:{r.path}": {} for r in batch.rejected})
    return docs


def case(copies: int, per_outlet: bool, mixed: bool, urls: bool) -> dict[str, Any]:
    """One folder's figures."""
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        (base / "alone").mkdir()
        (base / "alone" / SEED.name).write_text(SEED.read_text(encoding="utf-8"), "utf-8")
        [alone] = _transform(base / "alone").values()
        root = base / "raw"
        paths = copies_folder(root, copies, per_outlet=per_outlet, mixed=mixed, urls=urls)
        started = time.perf_counter()
        docs = _transform(root)
        seconds = time.perf_counter() - started
        got = [docs.get(p.relative_to(root).as_posix(), {}) for p in paths]
        others = [d for k, d in docs.items() if "other-" in k and d]
    return {
        "copies": copies,
        "layout": "outlets" if per_outlet else "flat",
        "mixed": mixed,
        "urls": urls,
        "equal_to_alone": sum(d.get("body") == alone["body"] for d in got),
        "min_words": min(d.get("word_count", 0) for d in got),
        "max_removed": max(len(d.get("removed", ())) for d in got),
        "quarantined": sum(k.startswith("rejected:") for k in docs),
        "others_slogan_removed": sum(SLOGAN in d["removed"] for d in others),
        "others": len(others),
        "seconds": round(seconds, 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    parser.add_argument("--copies", type=int, nargs="+", default=[2, 5, 7, 12, 50])
    args = parser.parse_args()
    rows = [
        case(n, per_outlet, mixed, urls)
        for n, per_outlet, mixed, urls in product(
            args.copies, (False, True), (False, True), (False, True)
        )
    ]
    if args.json:
        print(json.dumps(rows))
        return 0
    print(
        "| copies | layout | others | URLs | copies = alone | fewest words | most removed "
        "| quarantined | others' slogan removed | s |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        others = f"{r['others_slogan_removed']}/{r['others']}" if r["mixed"] else "-"
        print(
            f"| {r['copies']} | {r['layout']} | {20 if r['mixed'] else 0} | "
            f"{'yes' if r['urls'] else 'no'} | {r['equal_to_alone']}/{r['copies']} | "
            f"{r['min_words']} | {r['max_removed']} | {r['quarantined']} | {others} | "
            f"{r['seconds']} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
