"""`newsetl` command line: run, reindex, quarantine, serve, transform, search, Kibana, engine."""

from __future__ import annotations

import argparse
import faulthandler
import json
import os
import signal
import sys
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from newsetl import __version__, heap, parallel
from newsetl.__main__ import INTERRUPTED
from newsetl.config import Settings
from newsetl.errors import UsageError, configuration_message, quiet_flow_tracebacks
from newsetl.prefect_api import prefect_api
from newsetl.search_cli import add_kibana_arguments, add_search_arguments, add_show_arguments
from newsetl.watch_cli import add_watch_arguments

# CLI option -> Settings field; every NEWSETL_* variable is also an option.
_OPTIONS: dict[str, tuple[str, type, str]] = {
    "--es-url": ("es_url", str, "Elasticsearch URL (NEWSETL_ES_URL); default: the local engine"),
    "--index": ("index", str, "alias searched and written (NEWSETL_INDEX, default news)"),
    "--raw-dir": ("raw_dir", Path, "folder of raw articles (NEWSETL_RAW_DIR, default raw)"),
    "--source": (
        "source",
        str,
        "name of the raw folder in the index (NEWSETL_SOURCE, default the folder's name)",
    ),
    "--state-dir": ("state_dir", Path, "local state folder (NEWSETL_STATE_DIR)"),
    "--batch-size": (
        "batch_size",
        int,
        "documents per batch, a .jsonl file one per KiB (NEWSETL_BATCH_SIZE, default 1000)",
    ),
    "--local-port": ("local_port", int, "local engine port (NEWSETL_LOCAL_PORT, default 9250)"),
    "--ca-certs": ("es_ca_certs", Path, "CA bundle for TLS (NEWSETL_ES_CA_CERTS)"),
}


def _settings(args: argparse.Namespace) -> Settings:
    return Settings.with_overrides(
        **{field: getattr(args, field, None) for field, _, _ in _OPTIONS.values()}
    )


def _cmd_run(args: argparse.Namespace) -> int:
    from newsetl.progress import display

    settings = _settings(args)
    _require_folder(settings.raw_dir)
    parallel.start_early(settings.local_workers)  # its warm-up overlaps the engine's start
    with display(sys.stderr.isatty()) as shown:
        shown.status("connecting to Elasticsearch (starting the local engine if needed)")
        _reachable(settings)  # a start of the local engine also says so in one line
        shown.status("starting the Prefect API")
        with prefect_api(settings.state_dir, settings.prefect_port):
            from flows.ingest import configured, connection

            quiet_flow_tracebacks()
            heap.settle()  # Prefect's and the client's modules: out of the collector's way
            shown.status("starting the Prefect flow")
            counts = configured(settings)(
                **connection(settings),
                raw_dir=str(settings.raw_dir),
                index=settings.index,
                batch_size=settings.batch_size,
                source=settings.source,
                prune=args.prune,
                retry_quarantined=getattr(args, "retry_quarantined", False),
                allow_shrink=getattr(args, "allow_shrink", False),
                progress=sys.stderr.isatty(),
            )
    _print_counts(counts, args.json)
    return 0


def _print_counts(counts: dict[str, Any], as_json: bool) -> None:
    """The run's summary: a table for people, one JSON object for scripts."""
    if as_json or not sys.stdout.isatty():
        print(json.dumps(counts))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title="newsetl run")
    table.add_column("count")
    table.add_column("value", justify="right")
    for key, value in counts.items():
        table.add_row(key, str(value))
    Console().print(table)


def _cmd_reindex(args: argparse.Namespace) -> int:
    settings = _settings(args)
    _require_folder(settings.raw_dir)
    _reachable(settings)
    with prefect_api(settings.state_dir, settings.prefect_port):
        from flows.ingest import connection
        from flows.reindex import reindex

        quiet_flow_tracebacks()
        result = reindex(
            **connection(settings),
            raw_dir=str(settings.raw_dir),
            index=settings.index,
            batch_size=settings.batch_size,
            source=settings.source,
            cleanup=args.cleanup,
            allow_shrink=args.allow_shrink,
        )
    _print_counts(result, args.json)
    return 0


def _cmd_quarantine(args: argparse.Namespace) -> int:
    from newsetl.es import ledger
    from newsetl.es.client import connect
    from newsetl.es.indices import current_index

    if args.action == "retry":
        args.prune, args.retry_quarantined = False, True
        return _cmd_run(args)
    settings = _settings(args)
    client = connect(settings)
    if not client.indices.exists_alias(name=settings.index):
        print(f"no index behind {settings.index!r} yet: nothing is quarantined")
        return 0
    count = 0
    for entry in ledger.scan(client, current_index(client, settings.index), quarantined_only=True):
        for item in entry.quarantine:
            where = f"{entry.path}:{item['line']}" if item.get("line") else entry.path
            if args.json:
                print(
                    json.dumps(
                        {
                            "path": entry.path,
                            "line": item.get("line"),
                            "reason": item["reason"],
                            "at": entry.at,
                        }
                    )
                )
            else:
                print(f"{where}\t{item['reason']}")
            count += 1
    if not args.json:
        print(f"{count} quarantined record(s)", file=sys.stderr)
    return 0


def _schedule_checked(cron: str, timezone: str) -> None:
    """A bad cron string or time zone is said in one line, before any server starts."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from prefect.schedules import Cron

    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(
            f"invalid --timezone {timezone!r}: not an IANA time zone (e.g. Europe/Berlin)"
        ) from None
    try:
        Cron(cron, timezone=timezone)
    except ValueError as exc:
        raise UsageError(f"invalid --cron {cron!r}: {exc}") from None


def _cmd_serve(args: argparse.Namespace) -> int:
    settings = _settings(args)
    _schedule_checked(args.cron, args.timezone)
    _require_folder(settings.raw_dir)
    _reachable(settings)
    # A real server (the state folder's own when none is configured): Prefect's temporary
    # one runs no scheduler, so no scheduled run would ever start.
    with prefect_api(settings.state_dir, settings.prefect_port) as api:
        from prefect import serve

        from flows.deploy import build_deployment

        deployment = build_deployment(
            args.cron,
            args.timezone,
            raw_dir=str(settings.raw_dir.resolve()),
            index=settings.index,
            batch_size=settings.batch_size,
            settings=settings,
            connection=_stored_connection(args),
        )
        print(f"newsetl serve: scheduled runs of {deployment.name} on {api}", file=sys.stderr)
        serve(deployment)
    return 0


def _stored_connection(args: argparse.Namespace) -> dict[str, str | int]:
    """The connection options given to `serve`, as the deployment's parameters (the served
    runs read the rest from the environment they inherit). Parameters are stored in clear
    in Prefect's database, so a URL carrying a password is refused here."""
    given = {
        field: value if isinstance(value, int) else str(value)
        for field in ("es_url", "es_ca_certs", "state_dir", "local_port")
        if (value := getattr(args, field, None)) is not None
    }
    url = str(given.get("es_url", ""))
    if "@" in url.partition("://")[2].partition("/")[0]:
        raise UsageError(
            "serve --es-url must not carry credentials (the schedule stores its options in "
            "clear): set NEWSETL_ES_USERNAME and NEWSETL_ES_PASSWORD, or NEWSETL_ES_URL"
        )
    return given


def _require_folder(raw_dir: Path) -> None:
    if not raw_dir.is_dir():
        raise UsageError(
            f"raw folder {raw_dir.resolve()} does not exist (NEWSETL_RAW_DIR / --raw-dir)"
        )


def _reachable(settings: Settings) -> None:
    """Fail in one line before any flow run exists when the cluster does not answer (the
    local engine is started here if it is not running)."""
    from newsetl.es.client import connect

    connect(settings).close()


def _cmd_transform(args: argparse.Namespace) -> int:
    from newsetl.pipeline import transform_paths
    from newsetl.readers import discover

    now = datetime.now(UTC)
    settings = _settings(args)
    raw = settings.raw_dir.resolve()
    failed = 0
    for target in args.paths:
        target = Path(target)
        if not target.exists():
            raise UsageError(f"{target} does not exist")
        target = target.resolve()
        root = _raw_folder_of(target, raw)
        paths = list(discover(target)) if target.is_dir() else [target]
        if not paths:  # an unmounted share looks like this: say so rather than print nothing
            print(f"newsetl transform: no article files under {target}", file=sys.stderr)
            continue
        batch = transform_paths(
            paths, root, now=now, learn_from=discover(root), source=settings.source
        )
        for doc in batch.docs:
            sys.stdout.write(json.dumps(doc, ensure_ascii=False) + "\n")
        for rejected in batch.rejected:
            where = f"{rejected.path}:{rejected.line}" if rejected.line else rejected.path
            print(f"quarantined {where}: {rejected.reason}", file=sys.stderr)
            failed += 1
    return 1 if failed and args.strict else 0


def _raw_folder_of(target: Path, raw: Path) -> Path:
    """The folder `newsetl run` would read `target` from: the raw folder (`--raw-dir`,
    NEWSETL_RAW_DIR, default ./raw) when `target` is inside it, else `target` itself (a
    folder) or its folder (a file). Ids are relative to it and boilerplate is learned from
    all of its files, so a file transformed alone comes out as the run indexes it."""
    if target == raw or raw in target.parents:
        return raw
    return target if target.is_dir() else target.parent


def _cmd_search(args: argparse.Namespace) -> int:
    from newsetl.search_cli import run_search

    return run_search(args, _settings(args))


def _cmd_watch(args: argparse.Namespace) -> int:
    from newsetl.watch_cli import run_watch

    return run_watch(args, _settings(args))


def _cmd_show(args: argparse.Namespace) -> int:
    from newsetl.search_cli import run_show

    return run_show(args, _settings(args))


def _cmd_kibana(args: argparse.Namespace) -> int:
    from newsetl.search_cli import run_kibana

    return run_kibana(args, _settings(args))


def _cmd_unlock(args: argparse.Namespace) -> int:
    """Recovery by hand: free the write lock of the index behind the alias."""
    from newsetl.es import lock
    from newsetl.es.client import connect
    from newsetl.es.indices import current_index

    settings = _settings(args)
    client = connect(settings)
    if not client.indices.exists_alias(name=settings.index):
        print(f"no index behind {settings.index!r}: nothing is locked")
        return 0
    target = current_index(client, settings.index)
    holder = lock.holder_of(client, target)
    if holder is not None and not args.force:
        raise UsageError(
            f"{target} is locked by a live {lock.describe(holder)}; "
            "stop that run, or pass --force if you are sure it is gone"
        )
    freed = lock.break_lock(client, target)
    print(f"write lock on {target} freed" if freed else f"{target} was not locked")
    return 0


def _cmd_es(args: argparse.Namespace) -> int:
    from newsetl.es.local import LocalEngine
    from newsetl.prefect_api import LocalPrefect

    settings = _settings(args)
    engine = LocalEngine(settings.state_dir, settings.local_port, settings.local_heap)
    if args.action == "up":
        url = engine.up()
        print(json.dumps({"url": url}) if args.json else f"local Elasticsearch ready at {url}")
    elif args.action == "down":
        where = settings.state_dir.resolve()
        stopped = engine.down()
        prefect_stopped = LocalPrefect(settings.state_dir, settings.prefect_port).down()
        if args.json:
            print(
                json.dumps(
                    {
                        "stopped": stopped,
                        "prefect_stopped": prefect_stopped,
                        "state_dir": str(where),
                    }
                )
            )
        elif stopped:
            print(f"local Elasticsearch stopped (state in {where})")
        else:
            print(f"no local Elasticsearch was running for the state folder {where}")
        if prefect_stopped and not args.json:
            print("local Prefect server stopped")
    else:
        status: dict[str, Any] = engine.status()
        running = isinstance(status["health"], dict)
        if args.json:
            print(json.dumps(status, default=str))
        else:
            health = status["health"]
            state = health.get("status", "?") if isinstance(health, dict) else health
            print(f"local Elasticsearch at {status['url']}: {state}")
            print(f"node pid {status['es_pid'] or '-'}, shim pid {status['shim_pid'] or '-'}")
        return 0 if running else 1
    return 0


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    for flag, (field, kind, help_text) in _OPTIONS.items():
        common.add_argument(flag, dest=field, type=kind, default=None, help=help_text)
    parser = argparse.ArgumentParser(
        prog="newsetl",
        description=__doc__,
        epilog="exit status: 0 ok, 1 the command failed (a run, the engine, Kibana), "
        "2 bad input (an option, a setting, a search value)",
    )
    parser.add_argument("--version", action="version", version=f"newsetl {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    as_json = argparse.ArgumentParser(add_help=False)
    as_json.add_argument("--json", action="store_true", help="machine-readable output")
    run = sub.add_parser(
        "run", parents=[common, as_json], help="index what is new or changed in the raw folder"
    )
    run.add_argument("--prune", action="store_true", help="delete documents of removed files")
    run.add_argument(
        "--allow-shrink",
        action="store_true",
        help="let --prune delete the documents of more than half of the files indexed",
    )
    run.set_defaults(func=_cmd_run)
    reindex = sub.add_parser(
        "reindex", parents=[common, as_json], help="rebuild into a new index, then swap the alias"
    )
    reindex.add_argument("--cleanup", action="store_true", help="delete the older indices")
    reindex.add_argument(
        "--allow-shrink", action="store_true", help="swap even if the new index is smaller"
    )
    reindex.set_defaults(func=_cmd_reindex)
    quarantine = sub.add_parser(
        "quarantine", parents=[common, as_json], help="list or re-drive quarantined records"
    )
    quarantine.add_argument(
        "action",
        choices=["list", "retry"],
        help="list: what was not indexed and why; retry: re-process the quarantined files",
    )
    quarantine.set_defaults(func=_cmd_quarantine, prune=False)
    serve = sub.add_parser(
        "serve", parents=[common], help="serve the scheduled ingest deployment (Prefect)"
    )
    serve.add_argument("--cron", default="*/15 * * * *", help='cron schedule, "*/15 * * * *"')
    serve.add_argument("--timezone", default="UTC", help="IANA time zone of the schedule")
    serve.set_defaults(func=_cmd_serve)
    transform = sub.add_parser(
        "transform", parents=[common], help="print the documents of files/folders as JSONL"
    )
    transform.add_argument(
        "paths", nargs="+", metavar="PATH", help="raw files or folders (read recursively)"
    )
    transform.add_argument(
        "--strict", action="store_true", help="exit 1 if any file is quarantined"
    )
    transform.set_defaults(func=_cmd_transform)
    search = sub.add_parser("search", parents=[common], help="search the index")
    add_search_arguments(search)
    search.set_defaults(func=_cmd_search)
    show = sub.add_parser(
        "show", parents=[common, as_json], help="one stored document, by id (--json: raw)"
    )
    add_show_arguments(show)
    show.set_defaults(func=_cmd_show)
    watch = sub.add_parser("watch", help="saved searches that report new matches after every run")
    add_watch_arguments(watch, parents=[common, as_json])
    watch.set_defaults(func=_cmd_watch)
    kibana = sub.add_parser("kibana", parents=[common, as_json], help="Kibana saved objects")
    add_kibana_arguments(kibana)
    kibana.set_defaults(func=_cmd_kibana)
    unlock = sub.add_parser(
        "unlock", parents=[common], help="free the index's write lock (after a crash)"
    )
    unlock.add_argument("--force", action="store_true", help="even if its holder still renews it")
    unlock.set_defaults(func=_cmd_unlock)
    es = sub.add_parser("es", parents=[common, as_json], help="the embedded local Elasticsearch")
    es.add_argument(
        "action",
        choices=["up", "status", "down"],
        help="up: start it (if needed); status: is it running (exit 1 if not); down: stop it",
    )
    es.set_defaults(func=_cmd_es)
    return parser


STOP_GRACE = 30.0  # seconds an interrupted command has to wind down before it ends itself
_deadline: threading.Timer | None = None


def _interrupts() -> tuple[type[BaseException], ...]:
    """What an interrupt arrives as: KeyboardInterrupt, and inside a flow run Prefect's
    TerminationSignal (Prefect owns SIGTERM while its flow runs). Looked up, not imported:
    commands that run no flow never load Prefect."""
    exceptions = sys.modules.get("prefect.exceptions")
    if exceptions is None:
        return (KeyboardInterrupt,)
    return (KeyboardInterrupt, exceptions.TerminationSignal)


def _interrupt(signum: int, frame: object) -> None:
    """SIGTERM unwinds like Ctrl-C: the run's clean-up (refresh settings, the write lock, the
    flow run's final state) happens either way.

    Inside a flow run Prefect's handler takes the signal first, raises its TerminationSignal,
    and once its clean-up has begun sends the signal again, to this handler. That second
    delivery must raise nothing: a KeyboardInterrupt thrown into a clean-up under way lands at
    any point of it (a thread being joined, a lock just taken) and can leave the process hung.
    """
    _end_after_grace()
    if isinstance(sys.exc_info()[1], _interrupts()):
        return  # already unwinding from this interrupt
    raise KeyboardInterrupt


def _end_after_grace() -> None:
    """The last resort that keeps an interrupt "within seconds": should the clean-up or the
    interpreter's exit itself hang, end the process STOP_GRACE seconds after the interrupt.
    What was loaded is kept, and the write lock of a process gone expires by itself."""
    global _deadline
    if _deadline is not None:
        return
    _deadline = threading.Timer(STOP_GRACE, _end_now)
    _deadline.daemon = True
    _deadline.start()


def _end_now() -> None:
    """Say so, with where every thread stood (a hang is a bug worth a report), and end."""
    # os.write and faulthandler, not print: the thread that hangs may hold sys.stderr's lock.
    os.write(2, b"newsetl: where each thread stood:\n")
    faulthandler.dump_traceback(file=2, all_threads=True)
    os.write(
        2,
        f"newsetl: still stopping {STOP_GRACE:.0f} s after the interrupt; ending now "
        "(what was loaded is kept)\n".encode(),
    )
    os._exit(INTERRUPTED)


def _silence_stdout() -> None:
    """Point stdout at /dev/null: the interpreter's final flush to a closed pipe would
    otherwise raise (and print) once more on exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is no real file (a test's capture): nothing to do
        pass


def main(argv: Sequence[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        args = build_parser().parse_args(argv)
        # An ephemeral Prefect server would otherwise try to phone home on every start.
        os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
        return int(args.func(args))
    except _interrupts():
        _end_after_grace()  # Ctrl-C reaches no handler of ours: the exit is bounded here
        print(
            "newsetl: interrupted; what was loaded is kept, run it again to carry on",
            file=sys.stderr,
        )
        return INTERRUPTED
    except BrokenPipeError:  # `newsetl search | head`: the reader has all it wanted
        _silence_stdout()
        return 0
    except ValidationError as exc:
        print(f"newsetl: invalid configuration: {configuration_message(exc)}", file=sys.stderr)
        return 2
    except UsageError as exc:
        print(f"newsetl: {exc}", file=sys.stderr)
        return 2
    except (ConnectionError, RuntimeError, FileNotFoundError, TimeoutError) as exc:
        print(f"newsetl: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
