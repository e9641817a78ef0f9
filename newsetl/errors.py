"""Errors a user can act on, said in one line: no traceback, no library's help links.

A wrong setting, a folder that is not there, an engine that does not answer, a prune that
would empty the index: each has a message that says what to do, and a traceback (or the
flow engine's copy of it in the log) only buries it.
"""

from __future__ import annotations

import logging
from typing import Any

from pydantic import ValidationError


class UsageError(ValueError):
    """A mistake in what was asked (a missing folder, a bad schedule): exit code 2."""


def _one_line_errors() -> tuple[type[BaseException], ...]:
    from flows.ingest import PruneRefusedError
    from flows.reindex import ReindexError
    from newsetl.es.client import UnreachableError
    from newsetl.es.load import RefusedWritesError
    from newsetl.es.local import EngineError
    from newsetl.prefect_api import PrefectServerError

    return (
        UsageError,
        FileNotFoundError,
        UnreachableError,
        EngineError,
        RefusedWritesError,
        PruneRefusedError,
        ReindexError,
        PrefectServerError,
    )


class _NoTraceback(logging.Filter):
    """Drop the traceback from flow and task log records whose error is one of ours: the
    command prints the message itself, once."""

    def __init__(self) -> None:
        super().__init__()
        self.kinds = _one_line_errors()

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], self.kinds):
            record.exc_info, record.exc_text = None, None
        return True


def quiet_flow_tracebacks() -> None:
    """Install the filter on Prefect's run loggers (after Prefect configured logging)."""
    for name in ("prefect.flow_runs", "prefect.task_runs", "prefect.flow_engine"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, _NoTraceback) for f in logger.filters):
            logger.addFilter(_NoTraceback())


def configuration_message(exc: ValidationError) -> str:
    """`NEWSETL_INDEX: invalid index/alias name 'X-news' ...` for each bad setting."""
    parts = []
    for error in exc.errors(include_url=False):
        field = ".".join(str(p) for p in error.get("loc", ())) or "?"
        message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
        given: Any = error.get("input")
        shown = f" (got {given!r})" if isinstance(given, str | int | float) else ""
        if repr(given) in message or field.startswith("es_"):  # es_*: may hold a secret
            shown = ""
        variable = f"NEWSETL_{field.split('.')[0].upper()}"
        parts.append(f"{variable}: {message}{shown}")
    return "; ".join(parts)
