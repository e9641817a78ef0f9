"""newsetl: scraped news to a clean, normalized, searchable Elasticsearch index."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from newsetl.config import Settings
    from newsetl.es.query import Sort
    from newsetl.es.search import SearchResult

__version__ = "0.1.0"


def search(
    text: str = "",
    *,
    published_from: str | date | None = None,
    published_to: str | date | None = None,
    mentioned_from: str | date | None = None,
    mentioned_to: str | date | None = None,
    agency: str | Sequence[str] = (),
    site: str | Sequence[str] = (),
    city: str | Sequence[str] = (),
    country: str | Sequence[str] = (),
    near: str | None = None,
    within: str = "50km",
    sort: Sort = "relevance",
    size: int = 10,
    after: str | None = None,
    facets: bool = True,
    collapse: bool = True,
    settings: Settings | None = None,
) -> SearchResult:
    """Search the configured alias (NEWSETL_* settings) in one call; see `SearchQuery`.

    Raises `newsetl.es.query.SearchInputError` for a parameter the user must fix.
    """
    from newsetl.config import Settings
    from newsetl.es.client import connect
    from newsetl.es.query import SearchQuery
    from newsetl.es.search import search as run_search

    query = SearchQuery(
        text=text,
        published_from=published_from,
        published_to=published_to,
        mentioned_from=mentioned_from,
        mentioned_to=mentioned_to,
        agency=agency,
        site=site,
        city=city,
        country=country,
        near=near,
        within=within,
        sort=sort,
        size=size,
        after=after,
        facets=facets,
        collapse=collapse,
    )
    settings = settings or Settings()
    return run_search(connect(settings), settings.index, query)
