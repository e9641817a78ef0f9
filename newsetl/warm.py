"""The transforms' data built once per run, in the worker pool's fork server, not per worker.

The transforms load their data lazily: the gazetteer alone indexes ~150,000 GeoNames places
(seconds of CPU), and the language model, date and boilerplate patterns follow. Every worker
process built all of it again, every run. `newsetl.parallel` names this module in the fork
server's preload list: the fork server imports it, this module builds two short wire stories
and two pages (every lazy structure a document needs gets built), and the workers forked from
it start with the data in memory, shared copy-on-write. The second story names a country, not
a city (the gazetteer's country-zone table). The second page declares no date, so
htmldate's text search runs on a date written in words without its century: htmldate then
loads every dateparser locale for its month names, and dateparser compiles its timezone
patterns (together well over a second of CPU), which the first undated page of every worker
paid otherwise.

The collector is paused while it builds, and what it built is frozen (`newsetl.heap`): the
workers' collections never traverse it, and leave its pages shared with the fork server.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime

from newsetl import heap

_STORY = (
    "Talks resume in Cairo\n\n"
    "CAIRO (AP) — Negotiators met on Tuesday, March 5, 2024, the ministry said in a statement.\n\n"
    "By Jane Doe, Associated Press"
)
# A dateline naming a country, not a city: the country's fallback zone table (every
# GeoNames city read once, about 0.4 s) is built on its first use.
_COUNTRY_STORY = "BAHRAIN (Reuters) - Oil prices rose on Monday, traders said."
_PAGE = (
    '<html lang="en"><head><title>Talks resume</title>'
    '<meta property="article:published_time" content="2024-03-05T10:00:00Z"></head>'
    "<body><article><h1>Talks resume</h1><p>By Jane Doe</p>"
    "<p>CAIRO (AP) — Negotiators met on Tuesday, the ministry said in a statement.</p>"
    "<p>Both sides spoke on condition of anonymity to discuss the talks.</p></article>"
    "</body></html>"
)
_UNDATED_PAGE = _PAGE.replace(
    '<meta property="article:published_time" content="2024-03-05T10:00:00Z">', ""
).replace("<p>By Jane Doe</p>", '<p>By Jane Doe</p><p class="date">5 de março de 24, 10:30</p>')


def warm() -> None:
    """Build two text stories and two pages, results thrown away: the data they load stays."""
    now = datetime.now(UTC)
    for record in (
        RawRecord(path="warm.txt", format="txt", text=_STORY),
        RawRecord(path="warm-country.txt", format="txt", text=_COUNTRY_STORY),
        RawRecord(path="warm.html", format="html", html=_PAGE),
        RawRecord(path="undated.html", format="html", html=_UNDATED_PAGE),
    ):
        with contextlib.suppress(DocumentError):
            build_document(record, now=now)


with heap.paused():  # the modules' objects are long-lived too: imported in here
    from newsetl.document import DocumentError, build_document
    from newsetl.readers import RawRecord

    warm()  # the fork server only imports the modules it preloads
