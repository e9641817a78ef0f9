"""The dateline that opens a wire story: "HAYWARD, Calif. (AP) —", "LONDON, Feb 13 (Reuters) -".

A dateline is a place (city, then optional region/country), optionally a date and an agency,
then a separator (em/en dash, "--", "-", AP's old " _ ", or ":" after a known place). Capitals
alone do not make a dateline: without a date or agency the place must resolve in the
gazetteer, so "NASA said on Monday" or "THE END" are not datelines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from transforms import gazetteer
from transforms.agencies import agency_name
from transforms.dates import month_number, valid_day

_WINDOW = 200  # a dateline is short: look this far for its separator
_MAX_PLACE = 90
_HEAD = 700  # bylines and timestamps before the dateline fit in this many characters
_MAX_LINES = 8
# "PLACE:" is also how labels read ("Update:"), so only a sizeable city counts there.
_COLON_MIN_POPULATION = 100_000

_SEPARATOR = re.compile(
    r"\s*(?:\(\s*(?P<agency>[^()\n]{1,40}?)\s*\)\.?)?\s*"
    r"(?P<sep>\u2014|\u2013|--|(?<=\s)-|-(?=\s)|(?<=\s)_(?=\s)|:(?=\s))"
    # "NEW DELHI, Feb 13 (PTI) The government ...": a known agency alone ends the dateline
    r"|\s*\(\s*(?P<bare>[^()\n]{1,40}?)\s*\)(?=\s+[\"“‘']?[A-Z])"
    # "LONDON 1996-08-20 Shares rose": a full ISO date ends it too
    r"|(?<=\d{4}-\d{2}-\d{2})(?P<iso>)(?=\s)"
)
_LEAD = re.compile(r"[\s*•·>\"'“”‘’]*")
_DATE = (
    r"(?:(?P<iy>\d{4})-(?P<im>\d{2})-(?P<id>\d{2})"
    r"|(?P<mon>[^\W\d_]{3,9})\.?\s*(?P<day>\d{1,3}[A-Za-z]?)"
    r"|(?P<day2>\d{1,2})\s+(?P<mon2>[^\W\d_]{3,9})\.?)"
    r"(?:,?\s+(?P<year>\d{4}))?"
)
_DATE_TAIL = re.compile(
    r"(?:^|(?<=[,.\s]))[\s,.\-]*"
    + _DATE
    + r"(?:\s*,?\s*(?P<agency>[A-Za-z][A-Za-z .]{1,30}?))?\s*,?$"
)
# "CHEVY CHASE, Md., - March 4 -": the date after the place's own separator.
_DATE_AFTER = re.compile(r"\s*" + _DATE + r"\s*(?:\u2014|\u2013|--|-)")
_AGENCY_MIDLINE = re.compile(
    r"(?<![\w,])[A-Z][A-Z'.\-]+(?:[ ,]+[A-Z][\w'.\-]*){0,5}\s*\([^()\n]{1,30}\)\s*"
    r"(?:\u2014|\u2013|--|-|:)"
)
_NAME_WORD = re.compile(r"(?:[^\W\d_]['’])?[^\W\d_][\w'’.\-/]*")  # "St.", "d'Ivoire", "Łódź"
_DASHES = ("\u2014", "\u2013", "--")
# A byline or timestamp line: "By Jane Doe", "Published 5:32 PM", "Feb. 13, 2024".
_BYLINE = re.compile(
    r"^\s*(?:by|published|updated|posted)\b|\b\d{1,2}:\d{2}\b|\b(?:19|20)\d{2}\b", re.IGNORECASE
)


@dataclass(frozen=True)
class Dateline:
    """A parsed dateline. ``year`` is set only when the dateline itself writes one."""

    text: str
    city: str | None
    region: str | None
    country: str | None
    country_code: str | None
    agency: str | None
    month: int | None
    day: int | None
    year: int | None
    lat: float | None
    lon: float | None
    timezone: str | None
    start: int  # where the dateline starts in the body
    end: int  # where the story text starts
    city_gazetteer: str | None = None  # GeoNames' spelling when `city` is its English form
    # The dateline's shape, its words left out: "CITY, M D -", "City (AGENCY) \u2014" (`_form`).
    form: str = ""

    def to_dict(self, year: int | None = None) -> dict[str, object]:
        """The document's ``dateline`` object; ``year`` completes a month-day."""
        year = self.year or year
        if self.month is None or self.day is None:
            day = None
        elif year is None:
            day = f"--{self.month:02d}-{self.day:02d}"
        else:
            day = f"{year:04d}-{self.month:02d}-{self.day:02d}"
        location = None if self.lat is None else {"lat": self.lat, "lon": self.lon}
        return {
            "text": self.text,
            "city": self.city,
            "city_gazetteer": self.city_gazetteer,
            "region": self.region,
            "country": self.country,
            "country_code": self.country_code,
            "agency": self.agency,
            "date": day,
            "location": location,
            "timezone": self.timezone,
        }


def _words_ok(text: str, *, lenient: bool, max_words: int) -> bool:
    """Capitalized words (name particles such as "de" aside), no digits; ``lenient`` also
    lets lower-case words through, for when a date or agency already proves the dateline."""
    words = text.split()
    if not words or len(words) > max_words or len(text) > 45 or any(c.isdigit() for c in text):
        return False
    particles = gazetteer.name_particles()
    for word in words:
        initial = word[2:3] if word[1:2] in ("'", "’") else word[:1]  # d'Ivoire
        capitalized = _NAME_WORD.fullmatch(word) and initial.isupper()
        if not (capitalized or word.lower() in particles or lenient):
            return False
    return any(c.isalpha() for c in text) and words[-1] not in particles


def _display(city: str, place: gazetteer.Place | None) -> str:
    """City as a reader expects it: the gazetteer's spelling when it is the same name,
    else the written name, title-cased when written in capitals ("ST. LOUIS" -> "St. Louis")."""
    same = gazetteer.fold(place.name, abbreviate=False) if place is not None else None
    if place is not None and same == gazetteer.fold(city, abbreviate=False):
        return place.name
    if city.upper() != city:
        return city
    words = []
    for i, word in enumerate(city.lower().split()):
        if i and word in gazetteer.name_particles():
            words.append(word)
            continue
        word = re.sub(r"(^|[\-/])(\w)", lambda m: m.group(1) + m.group(2).upper(), word)
        word = re.sub(r"^(\w['’])(\w)", lambda m: m.group(1).upper() + m.group(2).upper(), word)
        words.append(word)
    return " ".join(words)


@dataclass(frozen=True)
class _Where:
    place: gazetteer.Place | None
    country_code: str | None
    admin1: str | None
    region: str | None  # display name of a sub-national region


def _interpretations(regions: list[str]) -> list[_Where]:
    """Every reading of the region parts: a state/province, a country, or unknown text."""
    if not regions:
        return [_Where(None, None, None, None)]
    first, last = regions[0], regions[-1]
    country = gazetteer.country_code(last)
    out = [
        _Where(None, r.country_code, r.admin1, r.name)
        for r in gazetteer.regions(first)
        if country in (None, r.country_code) or len(regions) == 1
    ]
    if country is not None:
        state = regions[0] if len(regions) > 1 else None
        out.append(_Where(None, country, None, state))
    if not out:
        out.append(_Where(None, None, None, ", ".join(regions)))
    return out


def _resolve(city: str, regions: list[str]) -> tuple[_Where, bool]:
    """Best reading of the place; the flag says whether anything was recognized.

    A "city" that is a country ("BAHRAIN -", "KUWAIT -" when no city matches) is kept as
    written with that country.
    """
    readings = _interpretations(regions)
    for where in readings:
        place = gazetteer.find_city(city, country_code=where.country_code, admin1=where.admin1)
        if place is not None:
            return _Where(place, place.country_code, where.admin1 or place.admin1,
                          where.region), True
    if not regions and (country := gazetteer.country_code(city)) is not None:
        return _Where(None, country, None, None), True
    where = readings[0]
    return where, where.country_code is not None


def _agency(text: str | None) -> tuple[bool, str | None]:
    """(acceptable, canonical name) for text in parentheses after a place."""
    if text is None:
        return True, None
    words = text.split()
    for n in range(len(words), 0, -1):  # "(Reuters Breakingviews)" is Reuters
        name = agency_name(" ".join(words[:n]))
        if name is not None:
            return True, name
    if re.fullmatch(r"[A-Z][A-Za-z\-]{1,7}", text) and text[:2].isupper():
        return True, text  # an unlisted agency or broadcaster's call letters, kept as written
    return False, None


@dataclass(frozen=True)
class _Date:
    month: int | None
    day: int | None
    year: int | None
    style: str = ""  # how it is written: "M D", "D M", "ISO" (a year adds " Y"); "" for none


def _date(m: re.Match[str]) -> _Date:
    """Month/day/year of a dateline date; month and day None when not a real date."""
    if m["iy"]:
        iso = int(m["iy"]), int(m["im"]), int(m["id"])
        if not valid_day(*iso):
            return _Date(None, None, None)
        return _Date(iso[1], iso[2], iso[0], "ISO")
    mon, dd = (m["mon"], m["day"]) if m["mon"] else (m["mon2"], m["day2"])
    month = month_number(mon)
    day = int(dd) if dd.isdigit() else None
    if month is None or day is None or not 1 <= day <= 31:
        return _Date(None, None, None)
    style = ("M D" if m["mon"] else "D M") + (" Y" if m["year"] else "")
    return _Date(month, day, int(m["year"]) if m["year"] else None, style)


def _form(city: str | None, date: _Date, agency: str | None, sep: str) -> str:
    """A dateline's shape: how the place is cased, how the date is written, whether an agency
    is credited, which separator ends it. A house style is a shape ("LONDON, April 8 -" and
    "TOKYO, March 2 -" share "CITY, M D -"; "PARIS (AFP) -" is "CITY (AGENCY) -"), so
    stories of one wire desk share a form whatever their city; the learned agency tally
    (`transforms.lending`) counts stories by it."""
    place = "" if not city else "CITY" if city.isupper() else "City"
    parts = [place]
    if date.month is not None:
        parts.append(f", {date.style}" if place else date.style)
    if agency is not None:
        parts.append(" (AGENCY)")
    return "".join(parts) + (f" {sep}" if sep else "")


@dataclass(frozen=True)
class _Parsed:
    city: str | None
    where: _Where
    agency: str | None
    date: _Date


def _parse_place(
    prefix: str, agency_text: str | None, sep: str, *, need_place: bool, need_proof: bool
) -> _Parsed | None:
    """Read "CITY[, Region[, Country]][, Mon D[, YYYY]][, Agency]" before a separator.

    ``need_place``: only a place the gazetteer knows will do (mid-line candidates).
    ``need_proof``: a date, an agency or a dash that is not a hyphen is required (lines
    after the first, which may be table rows or headings).
    """
    ok, agency = _agency(agency_text)
    if not ok:
        return None
    place = " ".join(prefix.split()).strip(" ,")
    date = _Date(None, None, None)
    date_shaped = False
    m = _DATE_TAIL.search(place)
    if m:
        tail_agency = agency_name(m["agency"]) if m["agency"] else None
        if not m["agency"] or tail_agency is not None:
            date_shaped = True
            agency = agency or tail_agency
            date = _date(m)
            place = place[: m.start()].strip(" ,-")
    if not place and date.month is not None and not need_place:
        return _Parsed(None, _Where(None, None, None, None), agency, date)  # "APRIL 7 -"
    parts = [p.strip() for p in place.split(",") if p.strip()]
    if not parts or len(parts) > 3:
        return None
    proven = agency is not None or date.month is not None
    city, regions = parts[0], parts[1:]
    if not _words_ok(city, lenient=proven, max_words=5):
        return None
    if any(not _words_ok(r, lenient=False, max_words=4) for r in regions):
        return None
    if need_proof and not (proven or sep in _DASHES):
        return None
    where, recognized = _resolve(city, regions)
    if sep == ":" and (where.place is None or where.place.population < _COLON_MIN_POPULATION):
        return None  # "SHANGHAI:", "Mumbai:" - but not "Update:", "Lead:" (Lead, S.D.)
    if not (recognized or ((proven or date_shaped) and not need_place)):
        return None
    if where.place is None and not regions and not proven and city.upper() != city:
        return None  # "Ukraine — the latest": a country in title case heads a headline
    return _Parsed(city, where, agency, date)


def _parse_at(
    body: str, start: int, *, need_place: bool = False, need_proof: bool = False
) -> Dateline | None:
    start = _LEAD.match(body, start).end()  # type: ignore[union-attr]
    stop = min(len(body), start + _WINDOW)
    for sep in _SEPARATOR.finditer(body, start, stop):
        prefix = body[start : sep.start()]
        if len(prefix) > _MAX_PLACE or "\n\n" in prefix:
            break
        if sep["bare"] is not None and agency_name(sep["bare"]) is None:
            continue
        iso_end = sep["iso"] is not None
        parsed = _parse_place(
            prefix, sep["agency"] or sep["bare"], sep["sep"] or "",
            need_place=need_place or iso_end, need_proof=need_proof,
        )
        if parsed is None or (iso_end and parsed.date.month is None):
            continue
        end, date = sep.end(), parsed.date
        late = _DATE_AFTER.match(body, end) if date.month is None else None
        if late is not None and _date(late).month is not None:
            end, date = late.end(), _date(late)
        where = parsed.where
        place, cc = where.place, where.country_code
        tz = place.timezone if place else None
        if tz is None and cc:
            tz = gazetteer.zone_of(cc, where.admin1)
        return Dateline(
            text=body[start:end].strip(),
            city=_display(parsed.city, place) if parsed.city else None,
            region=where.region,
            country=gazetteer.country_name(cc) if cc else None,
            country_code=cc,
            agency=parsed.agency,
            month=date.month,
            day=date.day,
            year=date.year,
            lat=place.lat if place else None,
            lon=place.lon if place else None,
            timezone=tz,
            start=start,
            end=end,
            city_gazetteer=(place.gazetteer_name or None) if place and parsed.city else None,
            form=_form(parsed.city, date, parsed.agency, sep["sep"] or ""),
        )
    return None


def parse_dateline(body: str) -> Dateline | None:
    """The dateline at the start of ``body``, after any byline or timestamp lines."""
    offset = 0
    only_bylines = True  # every line so far was a byline or a timestamp
    for i, line in enumerate(body[:_HEAD].split("\n")):
        if i >= _MAX_LINES:
            break
        if line.strip():
            found = _parse_at(body, offset, need_proof=not only_bylines)
            if found is not None:
                return found
            only_bylines = only_bylines and bool(_BYLINE.search(line))
            # "Feb. 13, 2024 5:32 PM EST BEIRUT (AP) —": try each word of the capitals run;
            # here only a place the gazetteer knows counts, not the agency alone.
            for m in _AGENCY_MIDLINE.finditer(line):
                for word in re.finditer(r"(?<!\S)\S", line[m.start() : m.end()]):
                    found = _parse_at(body, offset + m.start() + word.start(), need_place=True)
                    if found is not None:
                        return found
        offset += len(line) + 1
    return None
