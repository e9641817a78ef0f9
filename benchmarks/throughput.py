"""Throughput and memory: newsetl's whole flow against the bulk-load ceiling of the same engine.

Builds a raw folder of N Reuters-21578 stories (repeated under new ids past the corpus size),
half as `.txt` files and half as `.jsonl` records, then measures in one run, on one local
Elasticsearch:

- transform: documents per second per core, reading and transforming in one process;
- ceiling: `elasticsearch.helpers` bulk-loading already-built documents, nothing else;
- flow: `newsetl run` end to end (read, clean, normalize, load), with the peak resident
  memory of its process and of its process tree, and the CPU time per document of each part
  (the flow's process, the transform workers, Prefect's API, the engine): with every core
  busy, cores / that sum is the most this machine can do, which names the bottleneck;
- Prefect: the orchestration cost of one batch task (a no-op task, timed).

`--profile` samples the flow with py-spy and prints newsetl's hot spots per process kind.
The table has a column per N (one run, one engine), the targets beside the figures, the
machine's load average while the flow ran (the machine may be shared: CPU per document is the
figure that load does not move) and how far the flow process's peak memory moved from the
first N. `--table FILE` prints the table of a saved `--json` run.

    .venv/bin/python benchmarks/throughput.py --n 10000 [--n 100000] [--tuning 20000]
        [--profile] [--json] [--table saved.json]
"""

from __future__ import annotations

import argparse
import ast
import itertools
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import nullcontext
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from elasticsearch import Elasticsearch, helpers  # noqa: E402

from benchmarks.reuters import REUTERS, read_stories  # noqa: E402
from newsetl.es.indices import create_index, tuned_for_bulk  # noqa: E402
from newsetl.es.load import CHUNK_BYTES, CHUNK_DOCS  # noqa: E402
from newsetl.es.local import LocalEngine  # noqa: E402
from newsetl.pipeline import transform_paths  # noqa: E402
from newsetl.prefect_api import LocalPrefect  # noqa: E402
from newsetl.readers import discover  # noqa: E402

JSONL_RECORDS = 1000
ENGINE_WARM = 5000  # documents bulk-loaded, untimed, before the ceiling is timed
SAMPLE = 2000  # documents transformed in-process for the per-core rate and the ceiling
PORT = int(os.environ.get("NEWSETL_BENCH_PORT", "9380"))  # its own engine, beside a running one
# Its own Prefect server, started before the timed run as a long-lived one is in production.
PREFECT_PORT = int(os.environ.get("NEWSETL_BENCH_PREFECT_PORT", "4298"))


def _iso(reuters_date: str) -> str:
    """The record's date as a crawler would give it; a few 1987 times are garbled
    ("605:12:19"), and those keep their day only."""
    try:
        stamp = datetime.strptime(reuters_date.split(".")[0], "%d-%b-%Y %H:%M:%S")
    except ValueError:
        return datetime.strptime(reuters_date.split()[0], "%d-%b-%Y").date().isoformat()
    return stamp.isoformat() + "Z"


def build_corpus(raw: Path, n: int) -> None:
    """N articles: even ones as .txt, odd ones as .jsonl records, each under its own id."""
    stories = list(read_stories())
    raw.mkdir(parents=True)
    jsonl: list[str] = []
    part = 0
    for i, story in zip(range(n), itertools.cycle(stories), strict=False):
        text = f"{story.dateline.strip()} {story.body}"
        if i % 2 == 0:
            sub = raw / f"txt{i // 20000:03d}"
            sub.mkdir(exist_ok=True)
            (sub / f"{i:07d}.txt").write_text(f"{story.title or 'Untitled'}\n\n{text}")
            continue
        record = {
            "url": f"https://wire.example/{i}/{story.newid}",
            "title": story.title,
            "text": text,
            "published": _iso(story.date),
        }
        jsonl.append(json.dumps(record))
        if len(jsonl) == JSONL_RECORDS:
            (raw / f"feed{part:04d}.jsonl").write_text("\n".join(jsonl) + "\n")
            jsonl, part = [], part + 1
    if jsonl:
        (raw / f"feed{part:04d}.jsonl").write_text("\n".join(jsonl) + "\n")


def transform_rate(raw: Path) -> tuple[float, list[dict[str, Any]]]:
    """Steady-state documents/s in this one process (start-up cost excluded)."""
    paths = list(itertools.islice(discover(raw), SAMPLE // 2 + 2))
    now = datetime.now(UTC)
    transform_paths(paths[:20], raw, now=now)  # warm: imports, gazetteer, patterns
    started = time.perf_counter()
    batch = transform_paths(paths, raw, now=now)
    return len(batch.docs) / (time.perf_counter() - started), batch.docs


def ceiling(
    client: Elasticsearch,
    docs: list[dict[str, Any]],
    n: int,
    *,
    chunk_docs: int = CHUNK_DOCS,
    chunk_bytes: int = CHUNK_BYTES,
    tuned: bool = True,
) -> float:
    """Documents/s of plain bulk loading, by default with the flow's chunking and tuning."""
    index = "bench-ceiling"
    client.indices.delete(index=index, ignore_unavailable=True)
    create_index(client, index)

    def actions() -> Any:
        for i, doc in zip(range(n), itertools.cycle(docs), strict=False):
            yield {"_index": index, "_id": f"{i}", "_source": {**doc, "id": f"{i}"}}

    started = time.perf_counter()
    with tuned_for_bulk(client, index) if tuned else nullcontext():
        for ok, item in helpers.streaming_bulk(
            client, actions(), chunk_size=chunk_docs, max_chunk_bytes=chunk_bytes
        ):
            assert ok, item
    client.indices.refresh(index=index)
    seconds = time.perf_counter() - started
    assert client.count(index=index)["count"] == n
    client.indices.delete(index=index)
    return n / seconds


def _tree(pid: int) -> list[int]:
    """A process and all its descendants (by parent pid: pool workers are grandchildren)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rpartition(")")[2].split()[1])
            except OSError:
                continue
            parents.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo += parents.get(current, [])
    return found


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of one process (0 once it is gone); reaped children are not
    added, as the sampler sees each descendant itself."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return sum(int(v) for v in fields[11:13]) / os.sysconf("SC_CLK_TCK")


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            return next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmRSS:"))
    except (OSError, StopIteration):
        return 0


def _role(pid: int, flow_pid: int) -> str:
    """Which part of the run a process is: the flow itself, Prefect's API, a transform worker,
    or the profiler around them (the root, when profiling)."""
    if pid == flow_pid:
        return "flow process"
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return "workers"
    if argv[0].endswith(b"py-spy"):
        return "profiler"
    return "prefect api" if any(b"uvicorn" in arg for arg in argv) else "workers"


class EngineCpu:
    """CPU seconds spent by the engine's processes (Elasticsearch and the loopback shim)."""

    def __init__(self, engine: LocalEngine) -> None:
        status = engine.status()
        self.pids = [int(str(p)) for p in (status["es_pid"], status["shim_pid"]) if p]

    def __call__(self) -> float:
        return sum(_cpu_seconds(pid) for pid in self.pids)


def flow_run(
    raw: Path,
    url: str,
    state: Path,
    workers: int,
    prefect: LocalPrefect,
    profile: Path | None = None,
) -> dict[str, Any]:
    # The Prefect API runs detached from the command (`newsetl.prefect_api`): outside the
    # flow's process tree, where neither the sampler nor py-spy's `--subprocesses` (which
    # waited on it for ever) would see it. Started by `main` first, as a long-lived server is
    # in production; its CPU is read around the run.
    server_pid = int(prefect.pid_file.read_text())
    env = {
        **os.environ,
        "NEWSETL_ES_URL": url,
        "NEWSETL_STATE_DIR": str(state),
        "NEWSETL_WORKERS": str(workers),
        "PREFECT_LOGGING_LEVEL": "INFO",
        "PREFECT_API_URL": prefect.api_url,
    }
    api_before = sum(_cpu_seconds(pid) for pid in _tree(server_pid))
    cmd = [str(REPO / ".venv" / "bin" / "newsetl"), "run", "--json", "--raw-dir", str(raw)]
    cmd += ["--index", "bench-flow"]
    if profile is not None:  # sampled, so the flow runs at nearly full speed
        spy = [str(REPO / ".venv" / "bin" / "py-spy"), "record", "--subprocesses", "--nonblocking"]
        cmd = [*spy, "--format", "raw", "--rate", "20", "--output", str(profile), "--", *cmd]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = {"main": 0, "tree": 0}
    cpu: dict[int, tuple[str, float]] = {}  # last CPU seconds seen of every process in the tree
    load: list[float] = []  # the machine's 1-minute load average while the flow runs

    def sample() -> None:
        flow_pid = proc.pid
        while proc.poll() is None:
            pids = _tree(proc.pid)
            if profile is not None and flow_pid == proc.pid:  # the profiler's child is the flow
                flow_pid = next(iter(pids[1:]), proc.pid)
            tree = {pid: _role(pid, flow_pid) for pid in pids}
            mine = [pid for pid, role in tree.items() if role != "profiler"]
            peak["tree"] = max(peak["tree"], sum(_rss(pid) for pid in mine))
            peak["main"] = max(peak["main"], _rss(flow_pid))
            for pid in mine:
                if seconds := _cpu_seconds(pid):
                    cpu[pid] = (tree[pid], seconds)
            load.append(os.getloadavg()[0])
            time.sleep(0.2)

    sampler = threading.Thread(target=sample)
    sampler.start()
    out, err = proc.communicate()
    sampler.join()
    seconds = time.perf_counter() - started
    api_cpu = sum(_cpu_seconds(pid) for pid in _tree(server_pid)) - api_before
    cpu[server_pid] = ("prefect api", api_cpu)
    if proc.returncode != 0:
        raise RuntimeError(f"newsetl run failed ({proc.returncode})")
    counts = json.loads([line for line in out.splitlines() if line.startswith("{")][-1])
    stages = re.search(r"stage seconds: (\{.*?\})", err)
    return {
        "seconds": seconds,
        "counts": counts,
        "stages": ast.literal_eval(stages.group(1)) if stages else {},
        "peak_main": peak["main"],
        "peak_tree": peak["tree"],
        "load_average": sum(load) / len(load) if load else 0.0,
        "cpu": {
            role: sum(sec for r, sec in cpu.values() if r == role)
            for role in ("flow process", "workers", "prefect api")
        },
    }


def hot_spots(profile: Path, top: int = 12) -> dict[str, list[tuple[str, float]]]:
    """Share of each process kind's CPU samples spent in a function, itself or below it,
    for newsetl's own functions (py-spy raw output: `frame;frame;... count` per line)."""
    inclusive: dict[str, dict[str, int]] = {}
    totals: dict[str, int] = {}
    for line in profile.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = stack.split(";")
        procs = [f for f in frames if f.startswith("process ")]
        role = "flow process" if len(procs) < 2 else "workers"
        role = "prefect api" if "uvicorn" in procs[-1] else role
        totals[role] = totals.get(role, 0) + int(count)
        mine = inclusive.setdefault(role, {})
        own = {f for f in frames if re.search(r"\((newsetl|flows|transforms)/", f)}
        for frame in {re.sub(r":\d+\)$", ")", f) for f in own}:  # a function, any line
            mine[frame] = mine.get(frame, 0) + int(count)
    return {
        role: [
            (frame, round(n / totals[role], 3))
            for frame, n in sorted(counts.items(), key=lambda kv: -kv[1])[:top]
        ]
        for role, counts in inclusive.items()
    }


def prefect_overhead(prefect: LocalPrefect, batches: int = 40) -> float:
    """Seconds Prefect adds to one batch task: a no-op task, timed inside a flow run against
    the benchmark's server (a temporary one may not start in time on a busy machine)."""
    from prefect import flow, task
    from prefect.cache_policies import NONE
    from prefect.settings import (
        PREFECT_API_URL,
        PREFECT_LOGGING_TO_API_ENABLED,
        temporary_settings,
    )

    @task(cache_policy=NONE, persist_result=False)
    def noop(batch: list[int]) -> int:
        return len(batch)

    @flow
    def timing() -> float:
        noop([0])  # first call pays one-off set-up
        started = time.perf_counter()
        for _ in range(batches):
            noop.submit(list(range(500))).result()
        return (time.perf_counter() - started) / batches

    # Its logs stay local: they would be sent at exit, after the server is stopped.
    quiet = {PREFECT_API_URL: prefect.api_url, PREFECT_LOGGING_TO_API_ENABLED: False}
    with temporary_settings(updates=quiet):
        return float(timing())


TUNINGS: dict[str, dict[str, Any]] = {
    "refresh 1s (default), 500 docs/chunk": {"tuned": False},
    "refresh off, 500 docs/chunk (newsetl)": {},
    "refresh off, 100 docs/chunk": {"chunk_docs": 100},
    "refresh off, 2000 docs/chunk": {"chunk_docs": 2000, "chunk_bytes": 50 * 2**20},
}


def tuning(client: Elasticsearch, docs: list[dict[str, Any]], n: int) -> dict[str, float]:
    """What each load setting buys: the ceiling under each."""
    return {name: round(ceiling(client, docs, n, **kw), 1) for name, kw in TUNINGS.items()}


def measure(
    n: int,
    client: Elasticsearch,
    url: str,
    work: Path,
    workers: int,
    engine_cpu: EngineCpu,
    prefect: LocalPrefect,
    profile: bool = False,
) -> dict[str, Any]:
    raw = work / f"raw-{n}"
    shutil.rmtree(raw, ignore_errors=True)
    started = time.perf_counter()
    build_corpus(raw, n)
    built = time.perf_counter() - started
    rate, docs = transform_rate(raw)
    # Untimed: the JVM compiles its hot paths on the first loads, and the flow always runs
    # after the ceiling; the same 10,000 documents loaded first and last into one engine
    # here: 53 and 81 docs/s, 4.3 and 2.5 engine CPU ms per document.
    ceiling(client, docs, min(n, ENGINE_WARM))
    engine_before, client_before = engine_cpu(), time.process_time()
    top = ceiling(client, docs, n)
    ceiling_cpu = engine_cpu() - engine_before + time.process_time() - client_before
    client.indices.delete(index="bench-flow-*", ignore_unavailable=True)
    client.indices.delete(index="newsetl-ledger-bench-flow-*", ignore_unavailable=True)
    engine_before = engine_cpu()
    spied = work / f"profile-{n}.txt" if profile else None
    flow = flow_run(raw, url, work / f"state-{n}", workers, prefect, spied)
    cpu = {**flow["cpu"], "engine": engine_cpu() - engine_before}
    shutil.rmtree(raw, ignore_errors=True)
    flow_rate = flow["counts"]["seen"] / flow["seconds"]
    return {
        "n": n,
        "corpus_build_s": round(built, 1),
        "transform_docs_per_s_per_core": round(rate, 1),
        "ceiling_docs_per_s": round(top, 1),
        "flow_docs_per_s": round(flow_rate, 1),
        "flow_over_ceiling": round(flow_rate / top, 3),
        "flow_seconds": round(flow["seconds"], 1),
        "flow_peak_rss_mb_main": round(flow["peak_main"] / 2**20, 1),
        "flow_peak_rss_mb_tree": round(flow["peak_tree"] / 2**20, 1),
        # CPU per document (ms): where the cores go. With every core busy, cores * 1000 / the
        # flow's total is the most this machine can do, whatever the pipeline's overlap.
        "ceiling_cpu_ms_per_doc": round(ceiling_cpu / n * 1000, 2),
        **{f"flow_cpu_ms_per_doc {role}": round(sec / n * 1000, 2) for role, sec in cpu.items()},
        "flow_cores_busy": round(sum(cpu.values()) / flow["seconds"], 2),
        "load_average_during_flow": round(flow["load_average"], 1),
        "flow_cpu_bound_docs_per_s": round((os.cpu_count() or 1) * n / sum(cpu.values()), 1),
        "counts": flow["counts"],
        "stage_seconds": flow["stages"],
        "hot_spots": hot_spots(spied) if spied else {},
    }


# (label, key in a row, target): the figures issue-level goals are stated in, one row each.
FIGURES: list[tuple[str, str, str]] = [
    ("flow docs/s (end to end)", "flow_docs_per_s", ""),
    ("ceiling docs/s (bulk only)", "ceiling_docs_per_s", ""),
    ("flow ÷ ceiling", "flow_over_ceiling", "≥ 0.5 at 10k, ≥ 0.45 at 100k"),
    ("flow process peak RSS MB", "flow_peak_rss_mb_main", "< 500, within 15% of 10k"),
    ("process tree peak RSS MB", "flow_peak_rss_mb_tree", ""),
    ("CPU ms/doc: transform workers", "flow_cpu_ms_per_doc workers", ""),
    ("CPU ms/doc: flow process", "flow_cpu_ms_per_doc flow process", ""),
    ("CPU ms/doc: Prefect API", "flow_cpu_ms_per_doc prefect api", ""),
    ("CPU ms/doc: engine (flow)", "flow_cpu_ms_per_doc engine", ""),
    ("CPU ms/doc: engine + client (ceiling)", "ceiling_cpu_ms_per_doc", ""),
    ("cores busy during the flow", "flow_cores_busy", ""),
    ("CPU-bound docs/s (cores ÷ CPU/doc)", "flow_cpu_bound_docs_per_s", ""),
    ("load average during the flow", "load_average_during_flow", "(machine shared)"),
    ("transform docs/s per core (in-process)", "transform_docs_per_s_per_core", ""),
    ("flow seconds", "flow_seconds", ""),
]


def _filled(row: dict[str, Any]) -> dict[str, Any]:
    """A saved row, figures it predates shown as "n/a"."""
    return {key: row.get(key, "n/a") for _, key, _ in FIGURES} | row


def table(rows: list[dict[str, Any]]) -> str:
    """One column per corpus size, one row per figure; the last column says the target, and
    a last row how far the flow process's peak memory moved from the first size."""
    head = "| figure | " + " | ".join(f"N={row['n']}" for row in rows) + " | target |"
    lines = [head, "|---|" + "---|" * len(rows) + "---|"]
    for label, key, target in FIGURES:
        lines.append(f"| {label} | " + " | ".join(str(row[key]) for row in rows) + f" | {target} |")
    if len(rows) > 1 and rows[0].get("flow_peak_rss_mb_main"):
        growth = [
            row["flow_peak_rss_mb_main"] / rows[0]["flow_peak_rss_mb_main"] - 1 for row in rows
        ]
        cells = " | ".join(f"{g:+.0%}" for g in growth)
        lines.append(f"| flow process RSS vs N={rows[0]['n']} | {cells} | ≤ +15% |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, action="append", help="corpus size (repeatable)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--profile", action="store_true", help="sample the flow with py-spy: its hot spots"
    )
    parser.add_argument(
        "--tuning", type=int, default=0, metavar="N", help="also time load settings on N docs"
    )
    parser.add_argument(
        "--table", type=Path, metavar="JSON", help="print the table of a saved --json run"
    )
    args = parser.parse_args()
    if args.table:
        saved = json.loads(args.table.read_text())
        print(table([_filled(row) for row in saved["rows"]]))
        return 0
    if not REUTERS.is_dir():
        print(f"corpus not found: {REUTERS}", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="newsetl-bench-"))
    work.chmod(0o755)
    engine = LocalEngine(work / "engine-state", port=PORT, heap="1g")
    prefect = LocalPrefect(work / "prefect-state", PREFECT_PORT)
    try:
        url = engine.up()
        prefect.up()
        client = Elasticsearch(url, request_timeout=120)
        engine_cpu = EngineCpu(engine)
        rows = []
        for n in args.n or [10_000]:
            rows.append(
                measure(n, client, url, work, args.workers, engine_cpu, prefect, args.profile)
            )
            print(json.dumps(rows[-1]), file=sys.stderr, flush=True)  # kept if a later N fails
        tuned = {}
        if args.tuning:
            raw = work / "raw-tuning"
            build_corpus(raw, SAMPLE)
            tuned = tuning(client, transform_rate(raw)[1], args.tuning)
        overhead = prefect_overhead(prefect)
    finally:
        prefect.down()
        engine.down()
        shutil.rmtree(work, ignore_errors=True)
    result = {
        "date": datetime.now(UTC).date().isoformat(),
        "machine": f"{os.cpu_count()} cores, {platform.python_version()}",
        "versions": {p: version(p) for p in ("newsetl", "prefect", "elasticsearch")},
        "engine": "Elasticsearch 7.9.2 (local, 1g heap)",
        "workers": args.workers,
        "prefect_overhead_ms_per_batch": round(overhead * 1000, 1),
        "rows": rows,
        "tuning_docs_per_s": tuned,
    }
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"# throughput {result['date']}: {result['machine']}, {result['engine']}")
    print(f"workers={args.workers}")
    print(f"versions: {result['versions']}")
    print(table(rows))
    for row in rows:
        print(f"N={row['n']}: seconds per flow stage {row['stage_seconds']}")
        for role, spots in row["hot_spots"].items():
            print(f"N={row['n']}: {role} CPU samples, newsetl functions (inclusive share):")
            for frame, share in spots:
                print(f"  {share:6.1%}  {frame}")
    print(f"Prefect overhead per batch task: {result['prefect_overhead_ms_per_batch']} ms")
    if tuned:
        print(
            f"\nbulk ceiling by setting ({args.tuning} documents)\n| setting | docs/s |\n|---|---|"
        )
        for name, rate in tuned.items():
            print(f"| {name} | {rate} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
