"""Hits to a file for a notebook or a spreadsheet: JSONL (every field) or CSV (flat columns)."""

from __future__ import annotations

import csv
import html
import json
import re
from collections.abc import Iterable
from pathlib import Path

from newsetl.es.query import SearchInputError
from newsetl.es.search import Hit

FORMATS = (".jsonl", ".csv")
CSV_COLUMNS = (
    "id",
    "title",
    "published_at",
    "city",
    "region",
    "country",
    "country_code",
    "agency",
    "site",
    "url",
    "path",
    "story_id",
    "story_size",
    "score",
    "snippet",
)
_TAG = re.compile(r"</?em>")


def check_path(path: Path) -> Path:
    """The format comes from the suffix; anything else is refused before the search runs."""
    if path.suffix.lower() not in FORMATS:
        raise SearchInputError(f"export to a .jsonl or .csv file, not {path.name!r}")
    if not path.parent.is_dir():
        raise SearchInputError(f"no folder {str(path.parent)!r} to export into")
    return path


def plain(snippet: str) -> str:
    """A snippet as text: the highlight tags out, the HTML escapes undone."""
    return html.unescape(_TAG.sub("", snippet))


def write_hits(hits: Iterable[Hit], path: Path) -> int:
    """Write every hit as it comes (nothing held in memory); returns how many were written.

    JSONL lines are the `--json` hits (HTML snippets); CSV cells are plain text, with the
    other outlets' sites left out (a list does not fit a cell)."""
    count = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        if path.suffix.lower() == ".jsonl":
            for hit in hits:
                out.write(json.dumps(hit.to_dict(), ensure_ascii=False) + "\n")
                count += 1
            return count
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        for hit in hits:
            row = hit.to_dict()
            row["snippet"] = plain(hit.snippet)
            writer.writerow(["" if row[c] is None else row[c] for c in CSV_COLUMNS])
            count += 1
    return count
