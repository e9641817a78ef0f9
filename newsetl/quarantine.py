"""Quarantine: every record that was not indexed, with why, kept where a user can list it.

The file holds the current state, one JSON line per quarantined file or .jsonl line: a run
replaces the entries of the files it processed, so a fixed file leaves the quarantine.
"""

from __future__ import annotations

import json
import os
from collections.abc import Collection, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from newsetl.readers import Rejected


def quarantine_file(state_dir: Path) -> Path:
    return state_dir / "quarantine.jsonl"


def entries(state_dir: Path) -> list[dict[str, Any]]:
    path = quarantine_file(state_dir)
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def update(
    state_dir: Path, processed: Collection[str], rejects: Iterable[Rejected], *, run_id: str
) -> None:
    """Replace the entries of the `processed` paths by this run's rejects, atomically."""
    at = datetime.now(UTC).isoformat(timespec="seconds")
    kept = [e for e in entries(state_dir) if e["path"] not in processed]
    new = [
        {"path": r.path, "line": r.line, "reason": r.reason, "run": run_id, "at": at}
        for r in rejects
    ]
    state_dir.mkdir(parents=True, exist_ok=True)
    target = quarantine_file(state_dir)
    tmp = target.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as out:
        for entry in kept + new:
            out.write(json.dumps(entry, ensure_ascii=False) + "\n")
    os.replace(tmp, target)
