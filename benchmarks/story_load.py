"""The load stage alone: what story grouping costs the engine as stories gain copies.

`benchmarks/throughput.py` runs the whole flow, so its figures include the transform workers
and Prefect; what the story design decides is the engine's work per loaded document, and how
it grows with the copies a story already has. This benchmark transforms U Reuters-21578
stories once, through `newsetl.pipeline.transform_paths` (the corpus `throughput.py` builds:
half `.txt`, half `.jsonl`), then loads N documents made of them under new ids - every story
repeated N / U times, in rounds, as `throughput.py`'s corpus repeats the corpus past its size -
through what the flow's `load_batch` calls for each batch of 1,000: `assign_stories`, then
`load`. Printed per N, in one run on one local Elasticsearch:

- copies per story at the end, documents/s;
- engine CPU per document (Elasticsearch and its loopback shim, from /proc), and this process's;
- the engine's index operations per loaded document (`indexing.index_total`, which counts
  partial updates too): 1.0 when joining a story writes only the new copy.

    .venv/bin/python benchmarks/story_load.py --unique 2000 --n 2000 --n 20000 [--json]

Run it with another checkout first on `PYTHONPATH` to measure that code on the same corpus.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from elasticsearch import Elasticsearch  # noqa: E402

from benchmarks.reuters import REUTERS  # noqa: E402
from benchmarks.throughput import PORT, EngineCpu, build_corpus  # noqa: E402
from newsetl.es.indices import ensure_alias  # noqa: E402
from newsetl.es.load import load  # noqa: E402
from newsetl.es.local import LocalEngine  # noqa: E402
from newsetl.es.stories import assign_stories  # noqa: E402
from newsetl.pipeline import transform_paths  # noqa: E402
from newsetl.readers import discover  # noqa: E402

BATCH = 1000  # the flow's default batch size (`NEWSETL_BATCH_SIZE`)


def sample(unique: int, work: Path) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """U transformed documents and their story fingerprints, as the transform stage gives them."""
    raw = work / "raw"
    build_corpus(raw, unique)
    batch = transform_paths(list(discover(raw)), raw, now=datetime.now(UTC))
    shutil.rmtree(raw, ignore_errors=True)
    return batch.docs, batch.fingerprints


def copies(docs: list[dict[str, Any]], fingerprints: dict[str, Any], n: int) -> Any:
    """N documents in rounds over `docs`, each copy under a new id and path: (doc, fp)."""
    for i in range(n):
        doc = docs[i % len(docs)]
        new_id = f"{i // len(docs):04d}{doc['id']}"
        source = {**doc["source"], "path": f"copy-{i}/{doc['source']['path']}"}
        yield {**doc, "id": new_id, "source": source}, fingerprints.get(doc["id"])


def measure(
    client: Elasticsearch,
    engine_cpu: EngineCpu,
    docs: list[dict[str, Any]],
    fingerprints: dict[str, Any],
    n: int,
) -> dict[str, Any]:
    alias = f"bench-stories-{n}"
    ensure_alias(client, alias)
    engine_before, own_before = engine_cpu(), time.process_time()
    started = time.perf_counter()
    written = 0
    stream = copies(docs, fingerprints, n)
    while chunk := [next(stream, None) for _ in range(BATCH)]:
        pairs = [p for p in chunk if p is not None]
        if not pairs:
            break
        batch = [doc for doc, _ in pairs]
        fps = {doc["id"]: fp for doc, fp in pairs if fp is not None}
        assign_stories(client, alias, batch, fingerprints=fps)
        result = load(client, alias, batch)
        assert not result.rejected, result.rejected[:3]
        written += len(batch)
        if len(pairs) < BATCH:
            break
    client.indices.refresh(index=alias)
    seconds = time.perf_counter() - started
    engine = engine_cpu() - engine_before
    own = time.process_time() - own_before
    stats = client.indices.stats(index=alias, metric="indexing")["_all"]["primaries"]
    count = client.count(index=alias)["count"]
    client.indices.delete(index=f"{alias}-*", ignore_unavailable=True)
    return {
        "n": n,
        "copies_per_story": round(n / len(docs), 1),
        "docs_per_s": round(written / seconds, 1),
        "engine_cpu_ms_per_doc": round(engine / n * 1000, 2),
        "loader_cpu_ms_per_doc": round(own / n * 1000, 2),
        "engine_index_ops_per_doc": round(stats["indexing"]["index_total"] / n, 3),
        "documents": count,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--unique", type=int, default=2000, help="distinct stories (U)")
    parser.add_argument("--n", type=int, action="append", help="documents loaded (repeatable)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not REUTERS.is_dir():
        print(f"corpus not found: {REUTERS}", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="newsetl-bench-stories-"))
    work.chmod(0o755)
    engine = LocalEngine(work / "engine-state", port=PORT, heap="1g")
    try:
        client = Elasticsearch(engine.up(timeout=900), request_timeout=300)
        docs, fingerprints = sample(args.unique, work)
        engine_cpu = EngineCpu(engine)
        rows = [measure(client, engine_cpu, docs, fingerprints, n) for n in args.n or [2000]]
    finally:
        engine.down()
        shutil.rmtree(work, ignore_errors=True)
    if args.json:
        print(json.dumps({"unique": len(docs), "rows": rows}))
        return 0
    print(f"# story load: {len(docs)} distinct stories, batches of {BATCH}, Elasticsearch 7.9.2")
    cols = list(rows[0])
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for row in rows:
        print("| " + " | ".join(str(row[c]) for c in cols) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
