"""Monitoring from Python: save a search as a watch, and read what it found after each run.

    from newsetl import watch

    watch.add("gaza talks", "cease-fire OR hostages", country="Palestine")
    for match in watch.matches("gaza talks", since="2024-03-01"):
        print(match.found_at, match.title, match.url)

Each function reads the `NEWSETL_*` settings (or `settings=Settings(...)`) and raises
`newsetl.es.query.SearchInputError` for a value the user must fix. The filters are
`newsetl.search`'s, with the same meaning (`newsetl.es.watches` explains the percolator).
"""

from __future__ import annotations

import builtins
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from newsetl.es.query import SearchInputError, SearchQuery, date_bound
from newsetl.es.watches import Match, Watch, by_watch

if TYPE_CHECKING:
    from newsetl.config import Settings

__all__ = ["Match", "Watch", "add", "list", "markdown", "matches", "notification", "remove"]

_AGO = re.compile(r"^\s*(\d+)\s*([mhdw])\s*$", re.IGNORECASE)
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
SHOWN_PER_WATCH = 20  # in a notification or an artifact; `watch matches` lists them all


def _client_alias(settings: Settings | None) -> tuple[Any, str]:
    from newsetl.config import Settings
    from newsetl.es.client import connect

    settings = settings or Settings()
    return connect(settings), settings.index


def add(
    name: str,
    text: str = "",
    *,
    replace: bool = False,
    settings: Settings | None = None,
    **filters: Any,
) -> Watch:
    """Save a search as watch `name`: from the next run on, every new or changed document it
    matches is recorded once. `filters` are `newsetl.search`'s keyword arguments
    (`country=`, `published_from=`, `near=`, ...)."""
    from newsetl.es.watches import add_watch

    try:
        query = SearchQuery(text=text, **filters)
    except TypeError as exc:
        raise SearchInputError(f"unknown filter: {exc}") from None
    client, alias = _client_alias(settings)
    return add_watch(client, alias, name, query, replace=replace)


def remove(name: str, *, settings: Settings | None = None) -> int:
    """Delete the watch and its matches; returns how many matches were deleted."""
    from newsetl.es.watches import remove_watch

    client, alias = _client_alias(settings)
    return remove_watch(client, alias, name)


def list(*, settings: Settings | None = None) -> builtins.list[Watch]:
    """Every saved watch, by name."""
    from newsetl.es.watches import list_watches

    client, alias = _client_alias(settings)
    return list_watches(client, alias)


def since_bound(since: str | datetime | None, now: datetime | None = None) -> str | None:
    """An Elasticsearch bound from what people type: a date (`2024-03-01`), an ISO time, or
    an age (`30m`, `12h`, `7d`, `2w`)."""
    if since is None or since == "":
        return None
    if isinstance(since, datetime):
        return date_bound(since, date_only=False)
    ago = _AGO.match(since)
    if ago:
        moment = (now or datetime.now(UTC)) - timedelta(
            **{_UNITS[ago.group(2).lower()]: int(ago.group(1))}
        )
        return date_bound(moment, date_only=False)
    try:
        return date_bound(since, date_only=False)
    except SearchInputError:
        raise SearchInputError(
            f"not a time: {since!r} (a date 2024-03-01, an ISO time, or an age: 12h, 7d)"
        ) from None


def matches(
    name: str | None = None,
    *,
    since: str | datetime | None = None,
    settings: Settings | None = None,
) -> builtins.list[Match]:
    """The matches a watch (or every watch) found, newest first; `since` keeps those found
    from then on."""
    from newsetl.es.watches import list_watches, stored_matches

    client, alias = _client_alias(settings)
    bound = since_bound(since)
    if name is not None and name not in {w.name for w in list_watches(client, alias)}:
        raise SearchInputError(f"no watch named {name!r} (see `newsetl watch list`)")
    return stored_matches(client, alias, name, bound)


def _line(match: Match) -> str:
    where = match.site or match.path or ""
    parts = [match.title or "(untitled)", where, match.published_at or "date unknown"]
    text = " · ".join(p for p in parts if p)
    return f"{text} <{match.url}>" if match.url else text


def notification(new: Sequence[Match], alias: str, run: str) -> tuple[str, str]:
    """(subject, body) of the message a run sends about its new matches."""
    grouped = by_watch(new)
    subject = f"newsetl: {len(new)} new match{'es' if len(new) != 1 else ''} in {alias!r}"
    lines = [f"{subject} (run {run})"]
    for watch, found in grouped.items():
        lines.append("")
        lines.append(f"{watch}: {len(found)} new")
        lines += [f"- {_line(m)}" for m in found[:SHOWN_PER_WATCH]]
        if len(found) > SHOWN_PER_WATCH:
            more = len(found) - SHOWN_PER_WATCH
            lines.append(f"- … and {more} more: newsetl watch matches {watch!r}")
    return subject, "\n".join(lines)


def markdown(new: Sequence[Match], watches: Mapping[str, Any] | Sequence[str]) -> str:
    """The run artifact's section: new matches per watch (every watch, zero included)."""
    grouped = by_watch(new)
    names = sorted(set(watches) | set(grouped))
    if not names:
        return "## New matches per watch\n\nNo watches saved (`newsetl watch add`).\n"
    rows = "\n".join(f"| {n} | {len(grouped.get(n, []))} |" for n in names)
    out = f"## New matches per watch\n\n| watch | new matches |\n|---|---|\n{rows}\n"
    for name, found in grouped.items():
        out += f"\n### {name}\n\n"
        for m in found[:SHOWN_PER_WATCH]:
            title = (m.title or "(untitled)").replace("[", "(").replace("]", ")")
            label = f"[{title}]({m.url})" if m.url else title
            out += f"- {label} · {m.site or m.path or ''} · {m.published_at or 'date unknown'}\n"
        if len(found) > SHOWN_PER_WATCH:
            out += f"- … {len(found) - SHOWN_PER_WATCH} more (`newsetl watch matches`)\n"
    return out
