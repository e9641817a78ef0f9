"""Reading dates and times out of strings: record fields, page markup, text lines and URLs.

Nothing here completes a date from today's date: a part that is not written stays unknown
(``year=None``), and callers decide how to complete it from the publication date. Time-zone
abbreviations come from ``data/timezones.json`` (dateutil would silently drop "EST").
"""

from __future__ import annotations

import calendar
import json
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import parser as dateutil_parser

from transforms import jsonld

MIN_YEAR = 1900
# No web page was published before the web: a page's markup or URL date earlier than this is
# a copyright line, a birth date or a template default. Wire records and text keep MIN_YEAR
# (Reuters-21578 is from 1987).
WEB_MIN_YEAR = 1990


def _data(name: str) -> Any:
    return json.loads(resources.files("transforms").joinpath("data", name).read_text("utf-8"))


@dataclass(frozen=True)
class _Calendar:
    months: dict[str, int]  # folded name -> month
    weekdays: dict[str, int]  # folded name -> ISO weekday
    month_re: str
    weekday_re: str
    sensitive: frozenset[str]  # month names that are also common words: need a capital
    month_first_countries: frozenset[str]
    month_first_tlds: frozenset[str]
    zones: dict[str, str]  # abbreviation -> "+HH:MM" or IANA name


def _trie(words: list[str]) -> str:
    """A regex matching any of ``words`` (case-insensitively), shaped as a trie so that a
    position that starts no word fails at its first character."""
    tree: dict[str, dict] = {}
    for word in words:
        node = tree
        for ch in word.casefold():
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict[str, dict]) -> str:
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" in node:
            return f"(?:{body})?"
        return body

    return "(?i:" + build(tree) + ")"


@cache
def _calendar() -> _Calendar:
    cal = _data("calendar.json")
    sensitive = set(cal["case_sensitive"])
    months = {n.casefold(): int(k) for k, names in cal["months"].items() for n in names}
    weekdays = {n.casefold(): int(k) for k, names in cal["weekdays"].items() for n in names}
    month_names = [n for names in cal["months"].values() for n in names]
    weekday_names = [n for names in cal["weekdays"].values() for n in names]
    zones = {k: v for k, v in _data("timezones.json").items() if not k.startswith("_")}
    return _Calendar(
        months=months,
        weekdays=weekdays,
        month_re=_trie(month_names),
        weekday_re=_trie(weekday_names),
        sensitive=frozenset(n.casefold() for n in sensitive),
        month_first_countries=frozenset(cal["month_first_countries"]),
        month_first_tlds=frozenset(cal["month_first_tlds"]),
        zones=zones,
    )


def month_number(name: str) -> int | None:
    """Month for a written month name or abbreviation ("Sept.", "février"), else None."""
    return _calendar().months.get(name.rstrip(".").casefold())


def weekday_number(name: str) -> int | None:
    """ISO weekday (Monday = 1) for an English weekday name or abbreviation."""
    return _calendar().weekdays.get(name.rstrip(".").casefold())


@dataclass(frozen=True)
class DateMatch:
    """A date found in text, with the parts that were actually written."""

    year: int | None
    month: int
    day: int
    time: tuple[int, int, int] | None = None
    tz: tzinfo | None = None
    ambiguous: bool = False  # numeric day/month order was guessed
    start: int = 0
    end: int = 0


_TIME = (
    r"(?P<H>\d{1,2})(?:[:.h](?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,]\d+)?)?)?"
    r"(?:\s*(?P<ap>[AaPp]\.?\s?[Mm]\.?)(?![A-Za-z]))?"
    r"(?:\s*(?P<zone>(?:GMT|UTC)\s*[+\-\u2212]\s*\d{1,2}(?::?\d{2})?|[+\-]\d{2}:?\d{2}\b"
    r"|\(?[A-Z]{1,5}\)?(?![A-Za-z])))?"
)


@dataclass(frozen=True)
class _Patterns:
    date: re.Pattern[str]
    time_after: re.Pattern[str]
    time_before: re.Pattern[str]
    weekday: re.Pattern[str]


def date_alternatives(mon: str) -> str:
    """The written dates `find_dates` reads (ISO, year first, "Feb. 13, 2024", "13 February
    2024", numeric), `mon` the month-name pattern: tried in this order at each position."""
    return (
        r"(?<![\d\w])(?P<iy>\d{4})-(?P<im>\d{2})-(?P<id>\d{2})"
        r"(?:[T ](?P<iH>\d{2}):(?P<iM>\d{2})(?::(?P<iS>\d{2})(?:[.,]\d+)?)?"
        r"(?P<itz>\s?(?:Z|[+\-]\d{2}(?::?\d{2})?))?)?(?!\d)"
        r"|(?<![\d\w])(?P<sy>\d{4})[/.](?P<sm>\d{1,2})[/.](?P<sd>\d{1,2})(?![\d.]\d)"
        rf"|\b(?P<m1>{mon})\.?\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(?P<y1>\d{{4}})\b)?"
        rf"|(?<![\d\w])(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\.?(?:\s+(?:of\s+|de\s+)?|-)"
        rf"(?P<m2>{mon})\b\.?(?:(?:,?\s+(?:de\s+)?|-)(?P<y2>\d{{4}})\b)?"
        r"|(?<![\d\w/.])(?P<na>\d{1,2})(?P<ns>[/.\-])(?P<nb>\d{1,2})(?P=ns)"
        r"(?P<ny>\d{4}|(?<=/)\d{2})(?![\d/])"
    )


def screened_dates(mon: str) -> str:
    """`date_alternatives` behind the one test every date passes where it starts: a digit
    not inside a word, or a month name followed by a day. Most positions of a text fail it
    at once instead of trying five alternatives each; a position that passes it tries them
    in the same order, so the matches are the same (`tests/test_dates_screen.py`)."""
    return rf"(?=(?<!\w)\d|\b(?:{mon})\.?\s+\d)(?:{date_alternatives(mon)})"


@cache
def _patterns() -> _Patterns:
    cal = _calendar()
    mon = cal.month_re
    weekday = rf"(?:{cal.weekday_re})\.?,?\s+"
    return _Patterns(
        date=re.compile(screened_dates(mon)),
        time_after=re.compile(
            r"[\s,]*(?:(?:at|à|um|a las)\s+|@\s*|[\-\u2013\u2014|]\s*|T)?" + _TIME
        ),
        time_before=re.compile(
            _TIME + rf"[\s,]*(?:on\s+|[\-\u2013\u2014|]\s*)?(?:{weekday})?$"
        ),
        weekday=re.compile(rf"\b(?P<wd>{cal.weekday_re})\b"),
    )


def _zone(text: str | None) -> tzinfo | None:
    """tzinfo for a written zone: "EST", "GMT+1", "+05:30", "Z", or an IANA name."""
    if not text:
        return None
    text = text.strip("() ").replace("\u2212", "-")
    m = re.fullmatch(r"(?:GMT|UTC)?\s*([+\-])\s*(\d{1,2}):?(\d{2})?", text)
    if m:
        hours, minutes = int(m.group(2)), int(m.group(3) or 0)
        if hours > 14 or minutes >= 60:
            return None
        delta = timedelta(hours=hours, minutes=minutes)
        return timezone(-delta if m.group(1) == "-" else delta)
    value = _calendar().zones.get(text.upper())
    if value is None:
        return iana_zone(text) if "/" in text else None
    return _zone(value) if value[0] in "+-" else iana_zone(value)


@cache
def iana_zone(name: str | None) -> tzinfo | None:
    """ZoneInfo for an IANA name, None when unknown."""
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _time(m: re.Match[str]) -> tuple[tuple[int, int, int], tzinfo | None] | None:
    hour, minute, second = int(m["H"]), m["M"], m["S"]
    ampm = (m["ap"] or "").lower()
    if minute is None and not ampm:
        return None  # a bare number is not a time
    if ampm:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ampm.startswith("p") else 0)
    if hour > 23 or int(minute or 0) > 59 or int(second or 0) > 59:
        return None
    return (hour, int(minute or 0), int(second or 0)), _zone(m["zone"])


def _two_digit_year(y: str) -> int:
    year = int(y)
    if len(y) == 2:
        year += 2000 if year < 69 else 1900
    return year


def valid_day(year: int | None, month: int, day: int) -> bool:
    """Whether the day exists (Feb. 29 only in leap years; any leap year when unknown)."""
    if not 1 <= month <= 12 or day < 1:
        return False
    return day <= calendar.monthrange(year if year is not None else 2000, month)[1]


def _month_token(word: str) -> int:
    """Month of a matched month word; 0 for "may"/"march" written in lower case."""
    if word.islower() and word.casefold() in _calendar().sensitive:
        return 0
    return month_number(word) or 0


def find_dates(text: str, *, day_first: bool | None = None) -> Iterator[DateMatch]:
    """Every date written in ``text``, with an adjacent time and zone when there is one.

    ``day_first`` orders numeric dates such as 02/03/2024; when it is None and the order
    cannot be told from the numbers, the date is month-first and marked ambiguous.
    """
    pats = _patterns()
    for m in pats.date.finditer(text):
        ambiguous = False
        tz: tzinfo | None = None
        clock: tuple[int, int, int] | None = None
        year: int | None
        if m["iy"]:
            year, month, day = int(m["iy"]), int(m["im"]), int(m["id"])
            if m["iH"]:
                clock = (int(m["iH"]), int(m["iM"]), int(m["iS"] or 0))
                tz = _zone(m["itz"].strip()) if m["itz"] else None
        elif m["sy"]:
            year, month, day = int(m["sy"]), int(m["sm"]), int(m["sd"])
        elif m["m1"]:
            month = _month_token(m["m1"])
            day, year = int(m["d1"]), int(m["y1"]) if m["y1"] else None
        elif m["m2"]:
            month = _month_token(m["m2"])
            day, year = int(m["d2"]), int(m["y2"]) if m["y2"] else None
        else:
            a, b, year = int(m["na"]), int(m["nb"]), _two_digit_year(m["ny"])
            if a > 12 >= b:
                day, month = a, b
            elif b > 12 >= a:
                month, day = a, b
            elif a == b:
                month = day = a
            else:
                ambiguous = day_first is None
                day, month = (a, b) if day_first else (b, a)
        if (year is not None and year < MIN_YEAR) or not valid_day(year, month, day):
            continue
        start, end = m.start(), m.end()
        if clock is None:
            after = pats.time_after.match(text, end)
            before = pats.time_before.search(text, max(0, start - 40), start)
            for tm, is_after in ((after, True), (before, False)):
                parsed = _time(tm) if tm else None
                if tm and parsed:
                    clock, tz = parsed
                    start, end = (start, tm.end()) if is_after else (tm.start(), end)
                    break
        yield DateMatch(year, month, day, clock, tz, ambiguous, start, end)


def parse_date(text: str, *, day_first: bool | None = None) -> DateMatch | None:
    """The first date in ``text`` (a record field, a meta value), or None.

    Falls back to dateutil for odd formats, but only keeps what dateutil actually read:
    parsing against two different default dates shows which parts were filled in.
    """
    text = text.strip()
    if re.fullmatch(r"\d{10}(?:\d{3})?(?:\.\d+)?", text):  # Unix epoch seconds or ms
        seconds = float(text) / (1000 if len(text.split(".")[0]) == 13 else 1)
        try:
            stamp = datetime.fromtimestamp(seconds, UTC)
        except (OverflowError, OSError, ValueError):
            return None
        clock = (stamp.hour, stamp.minute, stamp.second)
        return DateMatch(stamp.year, stamp.month, stamp.day, clock, UTC)
    for found in find_dates(text, day_first=day_first):
        return found
    return _dateutil(text)


def _dateutil_zone(name: str, offset: int | None) -> tzinfo | None:
    return _zone(name) if name else None


def _dateutil(text: str) -> DateMatch | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", dateutil_parser.UnknownTimezoneWarning)
            a, b = (
                dateutil_parser.parse(text, default=default, fuzzy=True, tzinfos=_dateutil_zone)
                for default in (datetime(1904, 1, 1), datetime(1908, 2, 2, 1, 1, 1))
            )
    except (ValueError, OverflowError, TypeError):
        return None
    if a.month != b.month or a.day != b.day:
        return None  # month or day not written
    year = a.year if a.year == b.year else None
    if a.hour != b.hour:
        return DateMatch(year, a.month, a.day)
    minute = a.minute if a.minute == b.minute else 0
    clock = (a.hour, minute, a.second if a.second == b.second else 0)
    return DateMatch(year, a.month, a.day, clock, a.tzinfo)


@dataclass(frozen=True)
class Instant:
    """A resolved publication time: ISO-8601 UTC text and the UTC offset as written."""

    iso: str
    offset: str | None
    day: date  # the calendar day as written (local to the offset)


def _format_offset(delta: timedelta | None) -> str | None:
    if delta is None:
        return None
    sign = "-" if delta < timedelta(0) else "+"
    minutes = abs(int(delta.total_seconds())) // 60
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def to_instant(
    found: DateMatch, *, default_tz: tzinfo | None = None, now: datetime | None = None
) -> Instant | None:
    """Resolve a dated match to UTC; None when it has no year or is impossible.

    A time without a zone takes ``default_tz`` (the dateline city's zone); a date without a
    time is midnight UTC of that day, with no offset. Dates before 1900 or more than a day
    after ``now`` are rejected.
    """
    if found.year is None or found.year < MIN_YEAR:
        return None
    day = date(found.year, found.month, found.day)
    tz = found.tz or default_tz if found.time is not None else None
    try:
        if found.time is None:
            stamp = datetime(found.year, found.month, found.day, tzinfo=UTC)
        else:
            local = datetime(found.year, found.month, found.day, *found.time, tzinfo=tz or UTC)
            stamp = local.astimezone(UTC)
    except (OverflowError, ValueError):  # year 9999 late in the day, shifted past the range
        return None
    offset = _format_offset(local.utcoffset()) if tz is not None else None
    if now is not None:
        ref = now if now.tzinfo else now.replace(tzinfo=UTC)
        if stamp > ref + timedelta(days=1):
            return None
    return Instant(stamp.replace(tzinfo=None).isoformat(timespec="seconds") + "Z", offset, day)


def day_first_for_url(url: str | None) -> bool | None:
    """Numeric date order of a site from its URL's top-level domain; None when unknown."""
    if not url:
        return None
    host = (urlsplit(url if "//" in url else "//" + url).hostname or "").rstrip(".")
    tld = host.rsplit(".", 1)[-1].lower() if "." in host else ""
    cal = _calendar()
    if tld in cal.month_first_tlds or tld.upper() in cal.month_first_countries:
        return False
    if len(tld) == 2:
        return True  # a country code: every other country writes day first
    return None


def day_first_from_text(text: str) -> bool | None:
    """Numeric date order proven by the document's own dates (a part above 12), if any."""
    for m in re.finditer(r"(?<![\d/.])(\d{1,2})([/.])(\d{1,2})\2(?:\d{4}|\d{2})(?![\d/])", text):
        a, b = int(m.group(1)), int(m.group(3))
        if a > 12 >= b:
            return True
        if b > 12 >= a:
            return False
    return None


_URL_DATE = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d{2})(?P<s>[/_\-]?)(?P<m>[01]\d)(?P=s)(?P<d>[0-3]\d)(?!\d)"
    r"|/(?P<y2>(?:19|20)\d{2})/(?P<m2>[01]?\d)/(?!\d)"
)


def url_date(url: str | None) -> DateMatch | None:
    """A date in a URL path (/2024/02/13/, 2024-02-13, 20240213); a year-month has no day."""
    if not url:
        return None
    path = urlsplit(url).path
    for m in _URL_DATE.finditer(path):
        if m["y"]:
            year, month, day = int(m["y"]), int(m["m"]), int(m["d"])
            if valid_day(year, month, day):
                return DateMatch(year, month, day)
    return None


def url_year(url: str | None) -> int | None:
    """The year a URL's path is filed under, even without a day (/2024/02/)."""
    found = url_date(url)
    if found is not None:
        return found.year
    m = _URL_DATE.search(urlsplit(url).path) if url else None
    return int(m["y2"]) if m and m["y2"] else None


def complete_year(month: int, day: int, ref: date) -> date | None:
    """A month-day in the year nearest to ``ref`` (within half a year of it).

    News mentions the recent past and the near future: "Dec. 28" in a story of Jan. 5 is
    last year's, "Jan. 5" in a story of Dec. 20 next year's.
    """
    candidates = [
        date(year, month, day)
        for year in (ref.year - 1, ref.year, ref.year + 1)
        if valid_day(year, month, day)
    ]
    best = min(candidates, key=lambda d: abs((d - ref).days), default=None)
    if best is None or abs((best - ref).days) > 366:
        return None
    return best


_CLAUSE_END = re.compile(r"[.!?;:,\u2014\u2013]")
_CLAUSE_WINDOW = 80


@dataclass(frozen=True)
class _WeekdayWords:
    forward: re.Pattern[str]  # "next Tuesday"
    back: re.Pattern[str]  # "last Tuesday"
    future: re.Pattern[str]  # "talks will resume Tuesday"


@cache
def _weekday_words() -> _WeekdayWords:
    cal = _data("calendar.json")

    def words(key: str) -> str:
        return "|".join(re.escape(w) for w in cal[key])

    return _WeekdayWords(
        forward=re.compile(rf"\b(?:{words('weekday_forward')})\s+$", re.IGNORECASE),
        back=re.compile(rf"\b(?:{words('weekday_back')})\s+$", re.IGNORECASE),
        future=re.compile(rf"\b(?:{words('future_markers')})\b", re.IGNORECASE),
    )


def _weekday_date(text: str, start: int, weekday: int, published: date) -> date:
    """The day a weekday mention means, seen from the publication day."""
    words = _weekday_words()
    back = (published.isoweekday() - weekday) % 7
    ahead = (weekday - published.isoweekday()) % 7
    if words.forward.search(text, max(0, start - 12), start):
        return published + timedelta(days=ahead or 7)
    if words.back.search(text, max(0, start - 12), start):
        return published - timedelta(days=back or 7)
    clause = text[max(0, start - _CLAUSE_WINDOW) : start]
    clause = _CLAUSE_END.split(clause)[-1]
    if words.future.search(clause):
        return published + timedelta(days=ahead)
    return published - timedelta(days=back)


def dates_mentioned(
    text: str, published: date | None, *, day_first: bool | None = None
) -> list[str]:
    """ISO dates a story mentions, in order of first mention.

    Month-days take the year nearest the publication date. A weekday is the latest such
    day on or before publication, unless "next"/"coming" or a future tense in its clause
    ("will meet Tuesday") puts it after; "last Tuesday" is strictly before. A weekday that
    heads a written date ("Tuesday, Feb. 13") adds nothing. Without a publication date only
    dates with a written year are kept.
    """
    found_at: list[tuple[int, date]] = []
    starts: set[int] = set()
    for found in find_dates(text, day_first=day_first):
        starts.add(found.start)
        if found.year is not None:
            found_at.append((found.start, date(found.year, found.month, found.day)))
        elif published is not None:
            resolved = complete_year(found.month, found.day, published)
            if resolved is not None:
                found_at.append((found.start, resolved))
    if published is not None:
        for m in _patterns().weekday.finditer(text):
            word = m["wd"]
            if len(word) < 6 or not word[0].isupper():  # "Sun", "wed": too often not days
                continue
            gap = re.match(r"[.,]?\s+", text[m.end() : m.end() + 4])
            if gap and m.end() + gap.end() in starts:
                continue
            weekday = weekday_number(word) or 0
            found_at.append((m.start(), _weekday_date(text, m.start(), weekday, published)))
    out = dict.fromkeys(d.isoformat() for _, d in sorted(found_at, key=lambda f: f[0]))
    return list(out)


_KEYWORD = re.compile(
    r"\b(?P<kw>(?:first\s+)?published|posted|created|dated|date\s*:|(?:last\s+)?(?:updated|modified))"
    r"(?:\s+on)?\s*:?",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W\d_][\w'.]*")
_PARAGRAPH = re.compile(r"\n\s*\n")
_ATTRIBUTION_DASHES = ("\u2014", "\u2013", "-", "~")
_HEAD_PARAGRAPHS, _TAIL_PARAGRAPHS, _MAX_PARAGRAPH = 6, 3, 200


def text_date(body: str, *, day_first: bool | None = None) -> DateMatch | None:
    """The publication date written on its own near the top or bottom of a story.

    Only short paragraphs are read (a byline block, a timestamp), never running text: a date
    inside a sentence is not a publication date. "Published February 13, 2024 at 5:32 p.m.
    EST" beats a bare date line, which beats "Updated ...".
    """
    paragraphs = [p for p in _PARAGRAPH.split(body.strip()) if p.strip()]
    head = paragraphs[:_HEAD_PARAGRAPHS]
    candidates = head + paragraphs[max(len(head), len(paragraphs) - _TAIL_PARAGRAPHS) :]
    best: tuple[int, DateMatch] | None = None
    for paragraph in candidates:
        if len(paragraph) > _MAX_PARAGRAPH:
            continue
        for line in paragraph.splitlines():
            for found in find_dates(line, day_first=day_first):
                rank = _line_rank(line, found)
                if rank is not None and (best is None or rank < best[0]):
                    best = (rank, found)
    return best[1] if best else None


def _line_rank(line: str, found: DateMatch) -> int | None:
    """0 for "Published ...", 1 for a bare date, 2 for "Updated ...", None for anything else.

    An attribution line ("— Jane Doe (@jane) November 1, 2019", an embedded post's
    signature) carries someone else's date.
    """
    if found.year is None or "@" in line or line.lstrip()[:1] in _ATTRIBUTION_DASHES:
        return None
    rest = line[: found.start] + " " + line[found.end :]
    kw = _KEYWORD.search(rest)
    words = [w for w in _WORD.findall(_KEYWORD.sub(" ", rest)) if not weekday_number(w)]
    if kw is None:
        return 1 if len(words) <= 3 else None
    if len(words) > 12:
        return None
    return 2 if re.search(r"updated|modified", kw["kw"], re.IGNORECASE) else 0


@cache
def _markup() -> dict[str, list[str]]:
    data: dict[str, list[str]] = _data("date_markup.json")
    return data


def _jsonld_values(
    node: Any, keys: list[str], articles: list[str]
) -> Iterator[tuple[int, int, str]]:
    """(tier, key rank, value) for every date key in a JSON-LD value. Tier 1 is a node
    typed as something other than the page's article (an embedded VideoObject, an Event, a
    Person): its date is that thing's, so it only counts when no article node has one."""
    if isinstance(node, dict):
        kind = node.get("@type", "")
        kind = " ".join(map(str, kind)) if isinstance(kind, list) else str(kind)
        tier = int(bool(kind) and not any(a in kind.lower() for a in articles))
        for rank, key in enumerate(keys):
            value = node.get(key)
            if isinstance(value, str):
                yield tier, rank, value
        for value in node.values():
            if isinstance(value, dict | list):
                yield from _jsonld_values(value, keys, articles)
    elif isinstance(node, list):
        for item in node:
            yield from _jsonld_values(item, keys, articles)


def _markup_candidates(tree: Any) -> Iterator[tuple[str, str]]:
    """(source, value) pairs the page declares, most trusted first."""
    markup = _markup()
    found: list[tuple[int, int, str]] = []
    for script in tree.iterfind(".//script[@type='application/ld+json']"):
        data = jsonld.loads(script.text)
        if data is not None:
            found.extend(_jsonld_values(data, markup["jsonld"], markup["jsonld_article_types"]))
    for _, _, value in sorted(found, key=lambda f: f[:2]):
        yield "html:jsonld", value
    meta_rank = {key: i for i, key in enumerate(markup["meta"])}
    metas: list[tuple[int, str]] = []
    for meta in tree.iter("meta"):
        for attr in ("property", "name", "itemprop", "http-equiv"):
            rank = meta_rank.get((meta.get(attr) or "").strip().lower())
            content = meta.get("content") or meta.get("datetime")
            if rank is not None and content:
                metas.append((rank, content))
                break
    for _, value in sorted(metas, key=lambda f: f[0]):
        yield "html:meta", value
    markers = markup["time"]
    for elem in tree.iter("time"):
        value = elem.get("datetime")
        attrs = " ".join(
            (elem.get(a) or "") for a in ("class", "itemprop", "id", "pubdate")
        ).lower() + (" pubdate" if "pubdate" in elem.attrib else "")
        if value and any(marker in attrs for marker in markers):
            yield "html:time", value


def _declared_date(declared: list[tuple[Instant, str, bool]]) -> tuple[Instant, str, bool]:
    """The most trusted of a page's declared publication times (they come most trusted
    first), shown with the page's own offset when another declaration writes the same
    instant in local time (JSON-LD in UTC, article:published_time with -08:00): the local
    day is the one readers see."""
    chosen = declared[0]
    if chosen[0].offset in (None, "+00:00"):
        for instant, _, _ in declared:
            if instant.iso == chosen[0].iso and instant.offset not in (None, "+00:00"):
                return instant, chosen[1], chosen[2]
    return chosen


_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def html_date(
    html: str,
    *,
    url: str | None = None,
    day_first: bool | None = None,
    default_tz: tzinfo | None = None,
    now: datetime,
    tree: Any = None,
) -> tuple[Instant, str, bool] | None:
    """(time, source, day/month order guessed) a page declares in JSON-LD, meta or <time>,
    else htmldate's search. htmldate only ever sees the HTML (it never fetches); its answer
    is a day. `tree`: the page as already parsed (by the extractor), read for the declared
    dates instead of parsing `html` again.

    The most trusted declaration gives the instant; when it is written in UTC and a later
    declaration names the same instant with a local offset, that offset is kept, so the
    day is the one the page shows.
    """
    import lxml.html
    from lxml.etree import ParserError

    if tree is None:
        try:  # lxml refuses a str that still declares its byte encoding: drop the declaration
            tree = lxml.html.document_fromstring(_XML_DECLARATION.sub("", html, count=1))
        except (ParserError, ValueError):
            return None
    declared: list[tuple[Instant, str, bool]] = []
    for source, value in _markup_candidates(tree):
        found = parse_date(value, day_first=day_first)
        instant = to_instant(found, default_tz=default_tz, now=now) if found else None
        if found is not None and instant is not None and instant.day.year >= WEB_MIN_YEAR:
            declared.append((instant, source, found.ambiguous))
    if declared:
        return _declared_date(declared)
    from htmldate import find_date

    try:
        # The page's text, not the shared tree: htmldate's textual search also reads what the
        # extractor's parse drops (comments, such as a blog's RDF block with its dc:date).
        # Reached only by a page that declares no date, so the second parse is rare.
        day = find_date(html, extensive_search=True, original_date=True, url=url, max_date=now)
    except Exception:
        return None
    found = parse_date(day) if day else None
    if found is None or (found.month, found.day) == (1, 1):
        return None  # htmldate reads a bare year (a copyright line) as January 1
    instant = to_instant(found, now=now)
    return (instant, "html", False) if instant and instant.day.year >= WEB_MIN_YEAR else None
