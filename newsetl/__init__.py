"""newsetl: scraped news to a clean, normalized, searchable Elasticsearch index."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from newsetl.config import Settings
    from newsetl.es.search import Hit

__version__ = "0.1.0"


def search(query: str, *, size: int = 10, settings: Settings | None = None) -> list[Hit]:
    """Search the configured alias (NEWSETL_* settings) in one call."""
    from newsetl.config import Settings
    from newsetl.es.client import connect
    from newsetl.es.search import search as run_search

    settings = settings or Settings()
    return run_search(connect(settings), settings.index, query, size=size)
