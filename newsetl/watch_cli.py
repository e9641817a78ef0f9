"""The `newsetl watch` subcommands: save a search, list and remove watches, read their matches."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

from newsetl.config import Settings
from newsetl.es.query import SearchInputError
from newsetl.search_cli import add_query_arguments, query_filters


def add_watch_arguments(
    parser: argparse.ArgumentParser, parents: Sequence[argparse.ArgumentParser]
) -> None:
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = actions.add_parser(
        "add",
        parents=list(parents),
        help="save a search: each run then records the new documents it matches",
        description="Save a search as a watch. From the next run on, every new or changed "
        "document it matches is recorded once, shown by `newsetl watch matches` and in the "
        "run's report, and sent through NEWSETL_NOTIFY_BLOCK when one is set.",
    )
    add.add_argument(
        "name", metavar="NAME", help="the watch's name (letters, digits, spaces, .-_:)"
    )
    add_query_arguments(add, required=True)
    add.add_argument("--replace", action="store_true", help="overwrite a watch of that name")
    actions.add_parser("list", parents=list(parents), help="the saved watches")
    remove = actions.add_parser(
        "remove", parents=list(parents), help="delete a watch and the matches it found"
    )
    remove.add_argument("name", metavar="NAME", help="the watch to delete")
    matches = actions.add_parser(
        "matches", parents=list(parents), help="what a watch found, newest first"
    )
    matches.add_argument("name", metavar="NAME", nargs="?", help="one watch (default: every one)")
    matches.add_argument(
        "--since",
        metavar="WHEN",
        help="found from then on: a date (2024-03-01), an ISO time, or an age (12h, 7d, 2w)",
    )


def _describe(spec: dict[str, Any]) -> str:
    """`"cease-fire" country=Palestine from=2024-03` for a terminal."""
    text = spec.get("text", "")
    parts = [json.dumps(text, ensure_ascii=False) if text else "(any text)"]
    for key, value in spec.items():
        if key == "text":
            continue
        shown = ",".join(value) if isinstance(value, list) else value
        parts.append(f"{key.replace('published_', '')}={shown}")
    return " ".join(parts)


def run_watch(args: argparse.Namespace, settings: Settings) -> int:
    from newsetl import watch

    try:
        if args.action == "add":
            saved = watch.add(
                args.name,
                replace=args.replace,
                settings=settings,
                **query_filters(args),
            )
            if args.json:
                print(json.dumps(saved.to_dict(), ensure_ascii=False))
            else:
                print(f"saved watch {saved.name!r}: {_describe(dict(saved.spec))}")
                print("new or changed documents it matches are recorded from the next run on")
        elif args.action == "list":
            _print_list(watch.list(settings=settings), settings, args.json)
        elif args.action == "remove":
            gone = watch.remove(args.name, settings=settings)
            if args.json:
                print(json.dumps({"removed": args.name, "matches_deleted": gone}))
            else:
                print(f"removed watch {args.name!r} and its {gone} match(es)")
        else:
            found = watch.matches(args.name, since=args.since, settings=settings)
            if args.json:
                out = {"total": len(found), "matches": [m.to_dict() for m in found]}
                print(json.dumps(out, ensure_ascii=False))
            else:
                _print_matches(found, args.name)
    except SearchInputError as exc:
        print(f"newsetl watch: {exc}", file=sys.stderr)
        return 2
    return 0


def _print_list(watches: list[Any], settings: Settings, as_json: bool) -> None:
    from newsetl.es.client import connect
    from newsetl.es.watches import match_counts

    counts = match_counts(connect(settings), settings.index) if watches else {}
    if as_json:
        rows = [{**w.to_dict(), "matches": counts.get(w.name, 0)} for w in watches]
        print(json.dumps({"total": len(rows), "watches": rows}, ensure_ascii=False))
        return
    if not watches:
        print("no watches saved (newsetl watch add NAME QUERY [filters])")
        return
    for w in watches:
        n = counts.get(w.name, 0)
        print(f"{w.name}\t{_describe(dict(w.spec))}\t{n} match{'es' if n != 1 else ''}")


def _print_matches(found: Sequence[Any], name: str | None) -> None:
    who = f"watch {name!r}" if name else "all watches"
    print(f"{len(found)} match{'es' if len(found) != 1 else ''} of {who}")
    for m in found:
        where = m.site or (f"file {m.path}" if m.path else "source unknown")
        label = f"[{m.watch}] " if name is None else ""
        print(f"{m.found_at}  {label}{m.title or '(untitled)'}")
        print(f"   {m.published_at or 'date unknown'} | {where} | id {m.doc_id}")
        if m.url:
            print(f"   {m.url}")
