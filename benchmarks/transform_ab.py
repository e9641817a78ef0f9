"""The transform stage's CPU per page for two versions of the code, paired in one process.

One run of `benchmarks/transform_cost.py` measures newsetl, then trafilatura alone; on a
shared machine the load moves between the two halves and between runs, and moves the ratio
more than a change of a few percent does. Here the code of an earlier commit (a folder holding
its files, e.g. `git archive <commit> | tar -x -C DIR`) and this checkout are imported side by
side, and the same dev pages (`transform_cost.page_folder`) go through each one's
`newsetl.pipeline.transform_paths` in alternating chunks, then through trafilatura's
`bare_extraction` alone (`transform_cost._trafilatura_alone`), so the load falls on all three
alike. Prints CPU ms per page of each and the ratios.

    .venv/bin/python benchmarks/transform_ab.py DIR [--pages 200] [--chunk 10]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("newsetl", "transforms", "benchmarks")
WARM = 20


def _load(root: Path) -> dict[str, ModuleType]:
    """The project's modules imported from `root` (functions keep their own module's names)."""
    for name in [n for n in sys.modules if n.split(".")[0] in PACKAGES]:
        del sys.modules[name]
    sys.path.insert(0, str(root))
    try:
        import benchmarks.transform_cost  # noqa: F401
        import newsetl.pipeline
        import newsetl.warm  # noqa: F401
    finally:
        sys.path.remove(str(root))
    return {n: m for n, m in sys.modules.items() if n.split(".")[0] in PACKAGES}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("before", type=Path, help="folder with the earlier code")
    parser.add_argument("--pages", type=int, default=200, help="dev pages, repeated up to N")
    parser.add_argument("--chunk", type=int, default=10, help="pages per turn")
    args = parser.parse_args()
    versions = {"before": _load(args.before.resolve()), "after": _load(REPO)}
    cost = versions["after"]["benchmarks.transform_cost"]
    if not cost.AEB.is_dir():
        print(f"{cost.CORPORA} is absent: nothing to measure", file=sys.stderr)
        return 1
    now = datetime.now(UTC)
    cpu = {"before": 0.0, "after": 0.0, "trafilatura": 0.0}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "pages"
        paths = cost.page_folder(root, args.pages)
        for mods in versions.values():
            mods["newsetl.pipeline"].transform_paths(paths[:WARM], root, now=now)
        cost._trafilatura_alone(paths[:WARM])
        for turn, start in enumerate(range(0, len(paths), args.chunk)):
            part = paths[start : start + args.chunk]
            names = ["before", "after"] if turn % 2 == 0 else ["after", "before"]
            for name in names:
                began = time.process_time()
                versions[name]["newsetl.pipeline"].transform_paths(part, root, now=now)
                cpu[name] += time.process_time() - began
            began = time.process_time()
            cost._trafilatura_alone(part)
            cpu["trafilatura"] += time.process_time() - began
    n = len(paths)
    print("| figure | before | after |\n|---|---|---|")
    before, after = (1000 * cpu[k] / n for k in ("before", "after"))
    print(f"| newsetl CPU ms per page | {before:.2f} | {after:.2f} |")
    alone = 1000 * cpu["trafilatura"] / n
    print(f"| trafilatura bare_extraction alone, CPU ms per page | {alone:.2f} | {alone:.2f} |")
    ratios = [cpu[k] / cpu["trafilatura"] for k in ("before", "after")]
    print(f"| newsetl ÷ trafilatura alone (CPU) | {ratios[0]:.2f} | {ratios[1]:.2f} |")
    print(f"\n{n} pages, chunks of {args.chunk}; after ÷ before {cpu['after'] / cpu['before']:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
