"""Sources: which raw folder a file came from, so two folders never share an id.

A file without a URL is known by its path relative to its raw folder, and two scrapers both
writing `article-0001.txt` would otherwise be one document: the second run overwrites the
first story. Each raw folder is a *source*, named by `NEWSETL_SOURCE` / `--source` or, by
default, by the folder's own name (stable when the folder moves, unlike its absolute path).
The name is part of every path-keyed id and of every ledger key, and `--prune` only looks at
the files of the run's source. The index remembers each source's folder
(`newsetl.es.ledger.claim_source`): the same name from another folder is a move when the old
folder is gone, and a clash (asking for `--source`) when it is still there.
"""

from __future__ import annotations

import re
from pathlib import Path

from newsetl.errors import UsageError

# 1 to 200 characters, no "/" (the separator in the keys), no control character, no
# leading or trailing space.
_NAME = re.compile(r"[^/\x00-\x1f\x7f\s](?:[^/\x00-\x1f\x7f]{0,198}[^/\x00-\x1f\x7f\s])?")
FALLBACK = "raw"  # the name of a raw folder that has none (the file system's root)


class SourceConflictError(UsageError):
    """Another folder that still exists already indexes under this source name."""


def check_name(name: str) -> str:
    """The name, or a `UsageError` saying what is wrong with it."""
    if not _NAME.fullmatch(name):
        raise UsageError(
            f"{name!r} is not a source name "
            "(1 to 200 characters, no '/', no control character, no leading or trailing space)"
        )
    return name


def source_name(given: str | None, root: Path) -> str:
    """The source of the raw folder `root`: the name given, else the folder's own name."""
    if given is not None:
        return check_name(given)
    name = root.resolve().name or FALLBACK
    return name if _NAME.fullmatch(name) else FALLBACK


def same_folder(a: Path, b: Path) -> bool:
    """The same folder, even through another path to it (a symlink, a bind mount)."""
    try:
        return a == b or a.samefile(b)
    except OSError:
        return False
