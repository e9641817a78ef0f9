"""One call for the document builder: dateline, agency, publication date and mentioned dates.

Publication-date sources in order of trust: the crawler record's field, the page's markup,
a date line in the text, the dateline's month-day (year from the record or the URL), a date
in the URL. ``now`` only rejects impossible dates; it never fills in a missing part.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

from transforms import dates, gazetteer
from transforms.agencies import find_agency
from transforms.dateline import Dateline, parse_dateline


@dataclass(frozen=True)
class Normalized:
    """What the index stores about where and when a story is from."""

    dateline: dict[str, Any] | None
    agency: str | None
    published_at: str | None
    published_at_source: str
    published_at_offset: str | None
    published_at_ambiguous: bool
    dates_mentioned: list[str]
    # Where `agency` was read: "dateline" ("PARIS (AFP) -"), "credit" (a credit line or
    # byline in the text, `find_agency`); None without an agency.
    agency_source: str | None = None


@dataclass(frozen=True)
class _Published:
    instant: dates.Instant
    source: str
    ambiguous: bool = False


def _from_match(
    found: dates.DateMatch | None, source: str, tz: tzinfo | None, now: datetime
) -> _Published | None:
    instant = dates.to_instant(found, default_tz=tz, now=now) if found else None
    return _Published(instant, source, found.ambiguous) if instant and found else None


_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")


def _dateline_date(
    dateline: Dateline | None, record_date: str | None, url: str | None, now: datetime
) -> _Published | None:
    """The dateline's month-day in the year that context gives: the dateline's own, a year in
    a record field too vague to use alone ("Feb 2024"), or the URL's."""
    if dateline is None or dateline.month is None or dateline.day is None:
        return None
    record_year = _YEAR.search(record_date) if record_date else None
    year = dateline.year or (int(record_year.group(0)) if record_year else dates.url_year(url))
    if year is None or not dates.valid_day(year, dateline.month, dateline.day):
        return None
    return _from_match(dates.DateMatch(year, dateline.month, dateline.day), "dateline", None, now)


@cache
def _site_zones() -> dict[str, Any]:
    text = resources.files("transforms").joinpath("data", "site_zones.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def _site_zone(url: str | None) -> tzinfo | None:
    """The zone of the country a country-code site serves (its most populous city's)."""
    host = (urlsplit(url).hostname or "") if url else ""
    tld = host.rsplit(".", 1)[-1].lower() if "." in host else ""
    zones = _site_zones()
    if len(tld) != 2 or tld in zones["generic"]:
        return None
    return dates.iana_zone(gazetteer.zone_of(zones["country"].get(tld, tld.upper())))


def _shown_in(page: _Published, zone: tzinfo | None) -> _Published:
    """A time the page writes in UTC, as its readers see it: CMSs serialize in UTC and show
    local time, so the day on the page is the day in the site's (or dateline's) zone. The
    instant is unchanged; only the offset, and so the local day, is the zone's."""
    instant = page.instant
    if zone is None or instant.offset != "+00:00":
        return page
    stamp = datetime.fromisoformat(instant.iso.replace("Z", "+00:00")).astimezone(zone)
    offset = stamp.utcoffset()
    if offset is None:
        return page
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    text = f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    shown = dates.Instant(instant.iso, text, stamp.date())
    return _Published(shown, page.source, page.ambiguous)


def _url_day(marked: _Published, url: str | None, now: datetime) -> _Published | None:
    """The URL's date instead of htmldate's guess, or of a page time written in UTC that
    falls a day beside it.

    Sites file a story under its local publication day; a UTC time ("2020-02-18T02:18Z")
    of an evening story in the Americas, or a morning one in Asia, is the next or previous
    day there. Without the page's own offset, the URL holds the day the page shows.
    """
    written = dates.url_date(url)
    if written is None or written.year is None:
        return None
    if marked.source == "html":  # htmldate's search guesses; a URL's date is deliberate
        return _web_date(_from_match(written, "url", None, now))
    if marked.instant.offset not in (None, "+00:00"):
        return None
    if marked.instant.iso.endswith("T00:00:00Z") and marked.instant.offset is None:
        return None  # a bare day, not a UTC time: nothing to shift
    gap = abs((marked.instant.day - date(written.year, written.month, written.day)).days)
    return _from_match(written, "url", None, now) if gap == 1 else None


def _publication(
    body: str,
    dateline: Dateline | None,
    *,
    record_date: str | None,
    html: str | None,
    url: str | None,
    day_first: bool | None,
    now: datetime,
    page: Any = None,
) -> _Published | None:
    """The most trusted publication time available, or None."""
    tz = dates.iana_zone(dateline.timezone) if dateline else None
    if record_date and record_date.strip():
        found = dates.parse_date(record_date, day_first=day_first)
        published = _from_match(found, "record", tz, now)
        if published:
            return published
    if html:
        marked = dates.html_date(
            html, url=url, day_first=day_first, default_tz=tz, now=now, tree=page
        )
        if marked:
            page = _Published(*marked)
            return _url_day(page, url, now) or _shown_in(page, tz or _site_zone(url))
    text = body[: dateline.start] + body[dateline.end :] if dateline else body
    published = _from_match(dates.text_date(text, day_first=day_first), "text", tz, now)
    return (
        published
        or _dateline_date(dateline, record_date, url, now)
        or _web_date(_from_match(dates.url_date(url), "url", None, now))
    )


def _web_date(published: _Published | None) -> _Published | None:
    """A URL's date only from the web's time on."""
    if published is None or published.instant.day.year < dates.WEB_MIN_YEAR:
        return None
    return published


def normalize_article(
    body: str,
    *,
    record_date: str | None = None,
    html: str | None = None,
    url: str | None = None,
    now: datetime,
    page: Any = None,
) -> Normalized:
    """Dateline, agency and dates of one article. Never raises on odd text.

    `page`: `html` as the extractor parsed it (`Extracted.tree`), so it is not parsed again.
    """
    dateline = parse_dateline(body)
    # Numeric dates (02/03/2024) read in the site's order, else the order the text proves.
    day_first = dates.day_first_for_url(url)
    if day_first is None:
        day_first = dates.day_first_from_text(body)
    published = _publication(
        body,
        dateline,
        record_date=record_date,
        html=html,
        url=url,
        day_first=day_first,
        now=now,
        page=page,
    )
    day = published.instant.day if published else None
    dateline_dict = None
    if dateline is not None:
        year = None
        if day is not None and dateline.month is not None and dateline.day is not None:
            resolved = dates.complete_year(dateline.month, dateline.day, day)
            year = resolved.year if resolved else None
        dateline_dict = dateline.to_dict(year)
    story = body[dateline.end :] if dateline else body
    agency, agency_source = dateline.agency if dateline else None, "dateline"
    if agency is None:
        agency, agency_source = find_agency(body), "credit"
    return Normalized(
        dateline=dateline_dict,
        agency=agency,
        agency_source=agency_source if agency else None,
        published_at=published.instant.iso if published else None,
        published_at_source=published.source if published else "none",
        published_at_offset=published.instant.offset if published else None,
        published_at_ambiguous=published.ambiguous if published else False,
        dates_mentioned=dates.dates_mentioned(story, day, day_first=day_first),
    )

