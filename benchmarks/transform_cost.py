"""The transform stage's CPU cost per document, through what `newsetl transform` runs.

Two folders, each run through `newsetl.pipeline.transform_paths` (reader, learned
boilerplate over the whole folder, cleaner or extractor, normalizer) in this one process,
CPU time measured with `time.process_time` after a warm-up run (imports, data files, caches;
first `newsetl.warm`, what every worker of a run forks with):

- wire text: N Reuters-21578 stories as `.txt` files (title line, blank line, dateline and
  body, as `benchmarks/throughput.py` writes them); CPU ms per document;
- pages: the dev pages (article-extraction-benchmark and readability test pages) repeated
  under new names up to N; CPU ms per page for newsetl, and, in the same run on the same
  pages, for trafilatura's `bare_extraction` alone (the file read and decoded the same way),
  with the ratio of the two, and pages/s end to end (wall clock).

`measure(n_txt, n_pages)` returns the figures as a dict, for other benchmarks to call.
`--profile` prints the functions with the most own CPU time in each newsetl run (cProfile).
`--before FILE` (a JSON written by `--json`) adds the earlier figures as a column.

    .venv/bin/python benchmarks/transform_cost.py [--txt 2000] [--pages 200] [--json]
        [--before before.json] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import gzip
import io
import itertools
import json
import pstats
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.reuters import REUTERS, read_stories  # noqa: E402
from newsetl import warm  # noqa: E402, F401  (builds at import: the data workers fork with)
from newsetl.pipeline import transform_paths  # noqa: E402
from newsetl.readers import discover  # noqa: E402
from transforms.decode import decode_bytes  # noqa: E402

CORPORA = REPO.parent / "shared" / "corpora"
AEB = CORPORA / "article-extraction-benchmark"
READABILITY = CORPORA / "readability-test-pages"
WARM = 20  # files transformed before measuring: imports, data files and caches
PROFILE_ROWS = 15


def txt_folder(root: Path, n: int) -> list[Path]:
    """N Reuters stories as `.txt` files (repeated under new names past the corpus size)."""
    root.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, story in zip(range(n), itertools.cycle(read_stories(REUTERS)), strict=False):
        path = root / f"{i:07d}.txt"
        path.write_text(f"{story.title or 'Untitled'}\n\n{story.dateline.strip()} {story.body}")
        paths.append(path)
    return paths


def _dev_pages() -> Iterator[tuple[str, bytes]]:
    for path in sorted((AEB / "html").glob("*.html.gz")):
        yield path.name.removesuffix(".html.gz"), gzip.decompress(path.read_bytes())
    for path in sorted((READABILITY / "pages").glob("*/source.html")):
        yield path.parent.name, path.read_bytes()


def page_folder(root: Path, n: int) -> list[Path]:
    """The dev pages as `.html` files, repeated under new names up to N."""
    root.mkdir(parents=True, exist_ok=True)
    pages = list(_dev_pages())
    paths = []
    for i, (name, data) in zip(range(n), itertools.cycle(pages), strict=False):
        path = root / f"{i:05d}-{name}.html"
        path.write_bytes(data)
        paths.append(path)
    return paths


def _cpu(fn: Callable[[], Any], profile: bool) -> tuple[float, float, str]:
    """(CPU seconds, wall seconds, profile text) of one call."""
    profiler = cProfile.Profile() if profile else None
    wall, cpu = time.perf_counter(), time.process_time()
    if profiler is not None:
        profiler.runcall(fn)
    else:
        fn()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    text = ""
    if profiler is not None:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("tottime").print_stats(PROFILE_ROWS)
        text = out.getvalue()
    return cpu, wall, text


def _trafilatura_alone(paths: list[Path]) -> None:
    import trafilatura

    for path in paths:
        trafilatura.bare_extraction(decode_bytes(path.read_bytes()))


def measure(n_txt: int = 2000, n_pages: int = 200, *, profile: bool = False) -> dict[str, Any]:
    """CPU ms per document of the transform stage on `.txt` wire stories and on dev pages,
    trafilatura's `bare_extraction` alone on the same pages, and pages/s end to end."""
    now = datetime.now(UTC)
    figures: dict[str, Any] = {"txt_documents": 0, "pages": 0}
    profiles: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        if n_txt and REUTERS.is_dir():
            root = base / "txt"
            paths = txt_folder(root, n_txt)
            transform_paths(paths[:WARM], root, now=now)
            result: list[Any] = []
            cpu, wall, profiles["txt"] = _cpu(
                lambda: result.append(transform_paths(list(discover(root)), root, now=now)),
                profile,
            )
            docs = len(result[0].docs)
            figures.update(
                txt_documents=docs,
                txt_cpu_ms=1000 * cpu / max(docs, 1),
                txt_docs_per_s=docs / wall,
            )
        if n_pages and AEB.is_dir():
            root = base / "pages"
            paths = page_folder(root, n_pages)
            transform_paths(paths[:WARM], root, now=now)
            _trafilatura_alone(paths[:WARM])
            cpu, wall, profiles["pages"] = _cpu(
                lambda: transform_paths(list(discover(root)), root, now=now), profile
            )
            alone, _, _ = _cpu(lambda: _trafilatura_alone(paths), False)
            figures.update(
                pages=len(paths),
                page_cpu_ms=1000 * cpu / len(paths),
                trafilatura_cpu_ms=1000 * alone / len(paths),
                page_ratio=cpu / alone,
                pages_per_s=len(paths) / wall,
            )
    if profile:
        figures["profiles"] = profiles
    return figures


ROWS = (
    ("txt_cpu_ms", "wire text: CPU ms per .txt document (transform_paths)", "{:.3f}"),
    ("txt_docs_per_s", "wire text: documents/s, one process (wall)", "{:.0f}"),
    ("page_cpu_ms", "pages: newsetl CPU ms per page (transform_paths)", "{:.2f}"),
    ("trafilatura_cpu_ms", "pages: trafilatura bare_extraction alone, CPU ms per page", "{:.2f}"),
    ("page_ratio", "pages: newsetl ÷ trafilatura alone (CPU)", "{:.2f}"),
    ("pages_per_s", "pages: pages/s end to end, one process (wall)", "{:.1f}"),
)


def table(figures: dict[str, Any], before: dict[str, Any] | None = None) -> str:
    """The figures as a Markdown table, with a `before` column when given."""
    head = "| figure | before | after |\n|---|---|---|"
    lines = [head if before else "| figure | value |\n|---|---|"]
    for key, label, fmt in ROWS:
        if key not in figures:
            continue
        now = fmt.format(figures[key])
        if before:
            was = fmt.format(before[key]) if key in before else "-"
            lines.append(f"| {label} | {was} | {now} |")
        else:
            lines.append(f"| {label} | {now} |")
    lines.append(
        f"\n{figures['txt_documents']} .txt documents, {figures['pages']} pages "
        "(dev pages repeated under new names)"
    )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--txt", type=int, default=2000, help=".txt wire stories")
    parser.add_argument("--pages", type=int, default=200, help="dev pages, repeated up to N")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--before", type=Path, help="a JSON of earlier figures, as a column")
    parser.add_argument("--profile", action="store_true", help="cProfile each newsetl run")
    args = parser.parse_args()
    if not REUTERS.is_dir():
        print(f"{CORPORA} is absent: nothing to measure", file=sys.stderr)
        return 1
    figures = measure(args.txt, args.pages, profile=args.profile)
    if args.json:
        print(json.dumps(figures))
        return 0
    before = json.loads(args.before.read_text("utf-8")) if args.before else None
    print(table(figures, before))
    for name, text in figures.get("profiles", {}).items():
        print(f"\n## profile: {name}\n\n```\n{text}```")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
