"""What an analyst asks for, turned into one Elasticsearch request: pure, no I/O.

Everything user-typed is validated here (dates, places, distances, cursors) and raises
`SearchInputError` with a message fit for the user, so Elasticsearch never sees a request it
would answer with a 400.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Literal

from newsetl.es.stories import collapse_clause

# Title matches outrank body matches; quoted phrases go to the unstemmed `.exact` subfields.
# The `.exact` fields (no stemmer, no stop words) keep every language's own words findable,
# and the German, French and Spanish sub-fields their inflections ("Sanktion" finds
# "Sanktionen"); they weigh less than the English fields, so English ranking stays as it was.
TEXT_FIELDS = ("title^3", "body")
OTHER_LANGUAGE_FIELDS = tuple(
    f"{field}.{suffix}^{weight}"
    for field, weight in (("title", 1.5), ("body", 0.5))
    for suffix in ("exact", "de", "fr", "es")
)
# ESCAPE, FUZZY, NEAR, SLOP and PREFIX stay off: `~`, `*`, `\` and `^` are plain characters.
_FLAGS = "AND|OR|NOT|PHRASE|PRECEDENCE|WHITESPACE"
SNIPPET_CHARS = 180
FACET_SIZE = 10
MAX_SIZE = 1000
MAX_WORDS = 100  # of a query; Elasticsearch refuses queries of over 1024 clauses

Sort = Literal["relevance", "date"]
DateInput = str | date | None

# A quoted phrase (possibly left open) or a run of non-space characters.
_TOKEN = re.compile(r'"[^"]*"?|[^\s"]+')
_LAT_LON = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$")
_DISTANCE = re.compile(
    r"^\s*(\d+(?:\.\d+)?)\s*(km|m|mi|miles|yd|ft|nmi|kilometers|meters)?\s*$", re.IGNORECASE
)
_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")
_MULTI = ("agency", "agency_source", "site", "city", "country", "author", "language", "source")
_WORD = re.compile(r"\w+")


class SearchInputError(ValueError):
    """A search parameter the user must fix; the message says how."""


@dataclass(frozen=True)
class SearchQuery:
    """One search: free text, filters, sort and page. Every field is optional.

    Dates are ISO strings (`2024`, `2024-03`, `2024-03-04`, `2024-03-04T14:30:00Z`) or
    `date`/`datetime` objects; `to` bounds are inclusive (`2024-03` ends on March 31).
    `near` is a place name ("Cairo", "Paris, France") or "lat,lon"; `after` is the `next`
    cursor of the previous page, valid only with the same query and sort.
    """

    text: str = ""
    published_from: DateInput = None
    published_to: DateInput = None
    mentioned_from: DateInput = None
    mentioned_to: DateInput = None
    agency: Sequence[str] = ()
    # Where the agency was read: dateline, signoff, credit, byline, or site (lent by its site).
    agency_source: Sequence[str] = ()
    site: Sequence[str] = ()
    city: Sequence[str] = ()
    country: Sequence[str] = ()
    author: Sequence[str] = ()  # a person in `authors` or `contributors`
    language: Sequence[str] = ()  # ISO 639-1 codes
    source: Sequence[str] = ()  # raw folders' source names (`newsetl run --source`), exact
    near: str | None = None
    within: str = "50km"
    sort: Sort = "relevance"
    size: int = 10
    after: str | None = None
    facets: bool = True
    collapse: bool = True  # one hit per story (its best-matching copy); False: every copy

    def __post_init__(self) -> None:
        for name in _MULTI:  # a lone string means one value, not its characters
            value = getattr(self, name)
            object.__setattr__(self, name, (value,) if isinstance(value, str) else tuple(value))
        if not 1 <= self.size <= MAX_SIZE:
            raise SearchInputError(f"size must be between 1 and {MAX_SIZE}, not {self.size}")
        if self.sort not in ("relevance", "date"):
            raise SearchInputError(f"sort must be 'relevance' or 'date', not {self.sort!r}")


def translate_operators(text: str) -> str:
    """The words AND, OR, NOT (upper case, outside quotes) as simple_query_string operators.

    AND is the default operator already, so it is dropped; NOT negates what follows it; an
    operator with nothing to act on is dropped rather than searched for.
    """
    out: list[str] = []
    negate = False
    for token in _TOKEN.findall(text):
        if token in ("AND", "OR", "NOT"):
            if token == "OR" and out and out[-1] != "|":
                out.append("|")
            negate = negate or token == "NOT"
            continue
        out.append(f"-{token}" if negate else token)
        negate = False
    while out and out[-1] == "|":
        out.pop()
    return " ".join(out)


def first_words(text: str, limit: int = MAX_WORDS) -> str:
    """The text up to its `limit`-th word: a pasted article would exceed the clause limit (400)."""
    for count, word in enumerate(_WORD.finditer(text), start=1):
        if count == limit:
            return text[: word.end()]
    return text


def text_query(text: str) -> dict[str, Any]:
    """`simple_query_string` never raises on user syntax: stray quotes or brackets are words."""
    query = translate_operators(first_words(text))
    if not query:
        return {"match_all": {}}
    return {
        "simple_query_string": {
            "query": query,
            "fields": [*TEXT_FIELDS, *OTHER_LANGUAGE_FIELDS],
            "quote_field_suffix": ".exact",
            "default_operator": "and",
            "flags": _FLAGS,
        }
    }


def date_bound(value: str | date, *, date_only: bool) -> str:
    """A range bound Elasticsearch reads: partial dates round (date math `||/M`) to their whole
    year, month or day, down under `gte` and up under `lte`, so `to` bounds are inclusive."""
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        if date_only:
            return f"{moment.astimezone(UTC).date().isoformat()}||/d"
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    if isinstance(value, date):
        return f"{value.isoformat()}||/d"
    text = value.strip()
    partial = _PARTIAL_DATE.match(text)
    if partial:
        year, month, day = partial.groups()
        try:
            anchor = date(int(year), int(month or 1), int(day or 1))
        except ValueError:
            raise SearchInputError(f"not a date: {value!r}") from None
        unit = "d" if day else "M" if month else "y"
        return f"{anchor.isoformat()}||/{unit}"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise SearchInputError(
            f"not a date: {value!r} (use YYYY, YYYY-MM, YYYY-MM-DD or an ISO-8601 time)"
        ) from None
    return date_bound(moment, date_only=date_only)


def _range(field_name: str, low: DateInput, high: DateInput, fmt: str) -> dict[str, Any] | None:
    date_only = fmt == "strict_date"
    bounds = {
        op: date_bound(value, date_only=date_only)
        for op, value in (("gte", low), ("lte", high))
        if value not in (None, "")
    }
    if not bounds:
        return None
    return {"range": {field_name: {**bounds, "format": fmt}}}


def _any_of(fields: Sequence[str], values: Sequence[str]) -> dict[str, Any] | None:
    """Case- and accent-insensitive exact match on the `.folded` keyword subfields."""
    values = [v.strip() for v in values if v.strip()]
    if not values:
        return None
    clauses = [{"terms": {f"{name}.folded": values}} for name in fields]
    return clauses[0] if len(clauses) == 1 else {"bool": {"should": clauses}}


def _languages(values: Sequence[str]) -> dict[str, Any] | None:
    return _lowercase("language", values)


def _lowercase(field: str, values: Sequence[str]) -> dict[str, Any] | None:
    """Any of `values` on a keyword field whose values are lower-case codes, in any case."""
    codes = [v.strip().lower() for v in values if v.strip()]
    return {"terms": {field: codes}} if codes else None


def _sources(values: Sequence[str]) -> dict[str, Any] | None:
    """Source names are given by the user (`--source`), so they match as written."""
    names = [v.strip() for v in values if v.strip()]
    return {"terms": {"source.name": names}} if names else None


def distance(text: str) -> str:
    """A distance Elasticsearch parses, from "50km", "20 mi" or a bare number of kilometres."""
    found = _DISTANCE.match(text)
    if not found:
        raise SearchInputError(f"not a distance: {text!r} (e.g. 50km, 20mi)")
    number, unit = found.groups()
    if float(number) == 0:
        raise SearchInputError("the distance must be more than zero")
    return f"{number}{(unit or 'km').lower()}"


def resolve_place(text: str) -> tuple[float, float]:
    """(lat, lon) of "lat,lon" or of a city in the offline gazetteer: "Cairo", "Paris, France"."""
    found = _LAT_LON.match(text)
    if found:
        lat, lon = float(found.group(1)), float(found.group(2))
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise SearchInputError(f"coordinates out of range: {text!r}")
        return lat, lon
    from transforms import gazetteer

    name, *qualifiers = [part.strip() for part in text.split(",")]
    # Each qualifier is a country or a region ("Georgia" is both); keep the readings on which
    # all qualifiers agree, and of the cities found under them, the most populous.
    readings: list[tuple[str | None, str | None]] = [(None, None)]
    for qualifier in qualifiers:
        options: list[tuple[str, str | None]] = [
            (r.country_code, r.admin1) for r in gazetteer.regions(qualifier)
        ]
        if (country := _country_code(qualifier)) is not None:
            options.append((country, None))
        if not options:
            raise SearchInputError(
                f"unknown place {text!r}: {qualifier!r} is no country or region we know"
            )
        readings = [
            (cc, ad or admin1)
            for code, admin1 in readings
            for cc, ad in options
            if code in (None, cc) and (admin1 is None or ad in (None, admin1))
        ]
    places = [
        place
        for code, admin1 in readings
        if (place := gazetteer.find_city(name, country_code=code, admin1=admin1)) is not None
    ]
    if not places:
        raise SearchInputError(f"unknown place {text!r}: give a city name or 'lat,lon'")
    place = max(places, key=lambda p: p.population)
    return place.lat, place.lon


def _country_code(value: str) -> str | None:
    """ISO code of a country as people type it: a name, a common alias ("Palestine",
    "Britain", "U.S."), or the code itself."""
    from transforms import gazetteer

    value = value.strip()
    if len(value) == 2 and value.isalpha() and gazetteer.country_name(value.upper()):
        return value.upper()
    return gazetteer.country_code(value)


def countries(values: Sequence[str]) -> list[str]:
    """The ISO codes of the countries typed; one the gazetteer does not know is an error
    (it could only match nothing, which looks like "no news there")."""
    codes = []
    for value in (v for v in values if v.strip()):
        code = _country_code(value)
        if code is None:
            raise SearchInputError(
                f"unknown country {value!r}: give its English name or ISO code (EG, PS, US)"
            )
        codes.append(code)
    return codes


def cities(values: Sequence[str]) -> list[str]:
    """The names typed, and every name the gazetteer knows the city by: "New York City" is
    also "new york" (datelines write NEW YORK), "Kyiv" also "kiev", "Rafah" also "Rafaḩ".
    Matching is folded (case and accents ignored), so an unknown name still matches a
    dateline written that way."""
    from transforms import gazetteer

    names: list[str] = []
    for value in (v.strip() for v in values if v.strip()):
        names.append(value)
        place = gazetteer.find_city(value)
        if place is not None:
            names += [n for n in (place.name, place.gazetteer_name) if n]
            names += gazetteer.spellings(place)
    return list(dict.fromkeys(names))


def filters(q: SearchQuery) -> list[dict[str, Any]]:
    """The non-scoring clauses: dates, keyword fields, distance."""
    clauses = [
        _range("published_at", q.published_from, q.published_to, "strict_date_optional_time"),
        _range("dates_mentioned", q.mentioned_from, q.mentioned_to, "strict_date"),
        _any_of(["agency"], q.agency),
        _lowercase("agency_source", q.agency_source),
        _any_of(["source.site"], q.site),
        _any_of(["dateline.city"], cities(q.city)),
        _any_of(["dateline.country_code"], countries(q.country)),
        _any_of(["authors", "contributors"], q.author),
        _languages(q.language),
        _sources(q.source),
    ]
    if q.near:
        lat, lon = resolve_place(q.near)
        clauses.append(
            {
                "geo_distance": {
                    "distance": distance(q.within),
                    "dateline.location": {"lat": lat, "lon": lon},
                }
            }
        )
    return [c for c in clauses if c is not None]


def sort_clause(sort: Sort) -> list[dict[str, Any]]:
    """Ends with the unique `id`, so `search_after` pages never skip or repeat a hit."""
    newest = {"published_at": {"order": "desc", "missing": "_last"}}
    first = [{"_score": {"order": "desc"}}, newest] if sort == "relevance" else [newest]
    return [*first, {"id": {"order": "asc"}}]


def encode_cursor(sort: Sort, values: Sequence[Any], seen: int) -> str:
    """Opaque to users: the sort it belongs to, the last hit's sort values, hits already shown."""
    raw = json.dumps({"sort": sort, "after": list(values), "seen": seen}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode("utf-8")).decode("ascii").rstrip("=")


def decode_cursor(cursor: str, sort: Sort) -> tuple[list[Any], int]:
    """The sort values and hit count a `next` cursor carries, checked against its sort."""
    try:
        padded = cursor.strip() + "=" * (-len(cursor.strip()) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        values, seen, made_for = data["after"], int(data["seen"]), data["sort"]
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise SearchInputError("invalid page cursor: pass the `next` value unchanged") from None
    if made_for != sort:
        raise SearchInputError(f"this page cursor was made for sort {made_for!r}, not {sort!r}")
    well_formed = (
        isinstance(values, list)
        and len(values) == len(sort_clause(sort))
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in values[:-1])
        and isinstance(values[-1], str)
    )
    if not well_formed:
        raise SearchInputError("invalid page cursor: pass the `next` value unchanged")
    return values, seen


FACETS: dict[str, dict[str, Any]] = {
    "agency": {"terms": {"field": "agency", "size": FACET_SIZE}},
    "site": {"terms": {"field": "source.site", "size": FACET_SIZE}},
    "country": {"terms": {"field": "dateline.country", "size": FACET_SIZE}},
    "author": {"terms": {"field": "authors", "size": FACET_SIZE}},
    "language": {"terms": {"field": "language", "size": FACET_SIZE}},
    "month": {
        "date_histogram": {
            "field": "published_at",
            "calendar_interval": "month",
            "format": "yyyy-MM",
            "min_doc_count": 1,
        }
    },
}

HIGHLIGHT: dict[str, Any] = {
    # Stemmed and exact fields both: a quoted phrase only matches (and so only highlights) `.exact`.
    # The plain highlighter keeps a matched phrase inside one fragment; the unified one splits
    # long sentences mid-phrase. It analyzes bodies again: mapping.json raises
    # `highlight.max_analyzed_offset` above the largest article, or a long one fails the search.
    "type": "plain",
    "encoder": "html",  # snippets are safe HTML: the article's own `<` and `&` come escaped
    "fields": {
        "title": {"number_of_fragments": 0},
        "title.exact": {"number_of_fragments": 0},
        "body": {},
        "body.exact": {},
    },
    "fragment_size": SNIPPET_CHARS,
    "number_of_fragments": 1,
    "pre_tags": ["<em>"],
    "post_tags": ["</em>"],
}


def build_query(q: SearchQuery) -> dict[str, Any]:
    """The query clause alone: free text that scores, filters that do not. A saved watch
    stores exactly this in the percolator, so a watch's filters mean what search's mean."""
    return {"bool": {"must": [text_query(q.text)], "filter": filters(q)}}


def build_request(q: SearchQuery) -> dict[str, Any]:
    """Keyword arguments for `Elasticsearch.search`."""
    request: dict[str, Any] = {
        "query": build_query(q),
        "sort": sort_clause(q.sort),
        "size": q.size,
        "track_total_hits": True,
        "track_scores": True,
        "source_excludes": ["removed"],
        "highlight": HIGHLIGHT,
    }
    if q.collapse:
        # Field collapsing cannot be combined with search_after, so collapsed pages move by
        # offset (up to Elasticsearch's 10,000-hit window); every copy pages without limit.
        request["collapse"] = collapse_clause(inner_hits=4)
    # Stories and articles are both counted, whichever is listed: "12 stories, 31 articles".
    request["aggs"] = {"stories": {"cardinality": {"field": "story_id"}}}
    if q.after:
        values, seen = decode_cursor(q.after, q.sort)
        if q.collapse:
            request["from"] = seen
        else:
            request["search_after"] = values
    if q.facets:
        request["aggs"] = {**request.get("aggs", {}), **FACETS}
    return request
