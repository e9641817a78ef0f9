"""Building the search request from user input: pure, no Elasticsearch needed."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsetl.es.query import (
    SearchInputError,
    SearchQuery,
    build_request,
    date_bound,
    decode_cursor,
    distance,
    encode_cursor,
    first_words,
    resolve_place,
    sort_clause,
    text_query,
    translate_operators,
)


@pytest.mark.parametrize(
    ("typed", "sent"),
    [
        ("cease-fire hostages", "cease-fire hostages"),
        ("Cairo OR Houston", "Cairo | Houston"),
        ("Hamas AND Israel", "Hamas Israel"),
        ("Egypt NOT pyramids", "Egypt -pyramids"),
        ("NOT Reuters", "-Reuters"),
        ('a NOT "hostage release"', 'a -"hostage release"'),
        ('"war AND peace"', '"war AND peace"'),
        ("oil OR", "oil"),
        ("OR OR oil", "oil"),
        ("oil NOT", "oil"),
        ("rock and roll", "rock and roll"),
        ("AND OR NOT", ""),
        ('"unclosed phrase', '"unclosed phrase'),
    ],
)
def test_operator_words_become_simple_query_string_operators(typed: str, sent: str) -> None:
    assert translate_operators(typed) == sent


def test_quoted_phrases_use_the_exact_subfields_and_title_weighs_more() -> None:
    query = text_query('"hostage release"')["simple_query_string"]
    assert query["quote_field_suffix"] == ".exact"
    assert query["fields"][:2] == ["title^3", "body"]  # English first, other languages after
    assert "FUZZY" not in query["flags"] and "PREFIX" not in query["flags"]
    assert text_query("   ") == text_query("AND") == {"match_all": {}}


def test_long_queries_are_cut_to_their_first_words() -> None:
    assert first_words("a-b c d", limit=3) == "a-b c"
    assert first_words("short query", limit=3) == "short query"
    text = text_query(" ".join(f"w{n}" for n in range(500)))["simple_query_string"]["query"]
    assert text.split()[-1] == "w99"


@pytest.mark.parametrize(
    ("value", "date_only", "bound"),
    [
        ("2024", False, "2024-01-01||/y"),
        ("2024-03", False, "2024-03-01||/M"),
        ("2024-03-04", True, "2024-03-04||/d"),
        ("2024-03-04T14:30:00Z", False, "2024-03-04T14:30:00.000Z"),
        ("2024-03-04T16:30:00+02:00", False, "2024-03-04T14:30:00.000Z"),
        ("2024-03-04T23:30:00-05:00", True, "2024-03-05||/d"),
        (date(2024, 3, 4), False, "2024-03-04||/d"),
        (datetime(2024, 3, 4, 14, 30), False, "2024-03-04T14:30:00.000Z"),
        (datetime(2024, 3, 4, 14, 30, tzinfo=UTC), True, "2024-03-04||/d"),
    ],
)
def test_date_bounds(value: str | date, date_only: bool, bound: str) -> None:
    assert date_bound(value, date_only=date_only) == bound


@pytest.mark.parametrize("value", ["yesterday", "2024-13", "2024-02-30", "03/04/2024", "24"])
def test_bad_dates_are_refused(value: str) -> None:
    with pytest.raises(SearchInputError, match="not a date"):
        date_bound(value, date_only=False)


def test_date_filters_are_inclusive_ranges_with_the_right_format() -> None:
    request = build_request(
        SearchQuery(published_from="2024-02", published_to="2024-02", mentioned_to="2024")
    )
    ranges = [c["range"] for c in request["query"]["bool"]["filter"]]
    assert ranges == [
        {
            "published_at": {
                "gte": "2024-02-01||/M",
                "lte": "2024-02-01||/M",
                "format": "strict_date_optional_time",
            }
        },
        {"dates_mentioned": {"lte": "2024-01-01||/y", "format": "strict_date"}},
    ]


def test_keyword_filters_use_folded_subfields_and_accept_a_single_string() -> None:
    q = SearchQuery(agency="AP", country=["Egypt", "FR"], site=[" ", "apnews.com"])
    assert q.agency == ("AP",)
    clauses = build_request(q)["query"]["bool"]["filter"]
    assert {"terms": {"agency.folded": ["AP"]}} in clauses
    assert {"terms": {"source.site.folded": ["apnews.com"]}} in clauses
    assert {"terms": {"dateline.country_code.folded": ["EG", "FR"]}} in clauses


def test_agency_source_filters_in_any_case() -> None:
    q = SearchQuery(agency_source="Site")
    assert q.agency_source == ("Site",)
    assert {"terms": {"agency_source": ["site"]}} in build_request(q)["query"]["bool"]["filter"]


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("Palestine", "PS"),
        ("palestinian territories", "PS"),
        ("PS", "PS"),
        ("ps", "PS"),
        ("egypt", "EG"),
        ("Britain", "GB"),
        ("U.S.", "US"),
        ("United States", "US"),
        ("the Netherlands", "NL"),
        ("Côte d'Ivoire", "CI"),
    ],
)
def test_countries_as_people_type_them(typed: str, code: str) -> None:
    clauses = build_request(SearchQuery(country=typed))["query"]["bool"]["filter"]
    assert clauses == [{"terms": {"dateline.country_code.folded": [code]}}]


def test_an_unknown_country_is_an_error_not_an_empty_result() -> None:
    with pytest.raises(SearchInputError, match="unknown country 'Narnia'"):
        build_request(SearchQuery(country=["Egypt", "Narnia"]))


def test_cities_also_match_their_gazetteer_names() -> None:
    def terms(city: str) -> list[str]:
        clauses = build_request(SearchQuery(city=city))["query"]["bool"]["filter"]
        return list(clauses[0]["terms"]["dateline.city.folded"])

    assert "New York City" in terms("new york")  # the wire's alias
    assert "Kyiv" in terms("Kiev")  # an exonym among GeoNames' alternate names
    assert "kiev" in terms("Kyiv")  # and back: a dateline KIEV keeps its written name
    assert "new york" in terms("New York City")  # NEW YORK datelines
    assert "par" not in terms("Paris")  # abbreviations are not names
    assert {"Rafah", "Rafaḩ"} <= set(terms("rafah"))  # shown form and gazetteer form
    assert terms("Qwzxville") == ["Qwzxville"]  # unknown: still matches a dateline written so


@pytest.mark.parametrize(
    ("place", "lat", "lon"),
    [
        ("Paris, Texas", 33.66, -95.56),
        ("Paris, TX", 33.66, -95.56),
        ("Paris, TX, US", 33.66, -95.56),
        ("Paris, France", 48.85, 2.35),
        ("Atlanta, Georgia", 33.75, -84.39),  # the state, not the country
        ("Tbilisi, Georgia", 41.69, 44.83),  # the country, not the state
        ("London, Ontario", 42.98, -81.23),
        ("Perth, Scotland", 56.40, -3.43),
    ],
)
def test_near_a_city_with_its_region_or_country(place: str, lat: float, lon: float) -> None:
    found = resolve_place(place)
    assert found == pytest.approx((lat, lon), abs=0.01)


def test_near_an_unknown_qualifier_says_which() -> None:
    with pytest.raises(SearchInputError, match="'Narnia' is no country or region"):
        resolve_place("Paris, Narnia")


@pytest.mark.parametrize(
    ("text", "km"), [("50km", "50km"), ("20 mi", "20mi"), ("5", "5km"), ("1.5KM", "1.5km")]
)
def test_distances(text: str, km: str) -> None:
    assert distance(text) == km


@pytest.mark.parametrize("text", ["far", "0km", "-5km", "5 parsecs"])
def test_bad_distances(text: str) -> None:
    with pytest.raises(SearchInputError):
        distance(text)


def test_places_resolve_from_coordinates_or_the_gazetteer() -> None:
    assert resolve_place("30.05, 31.25") == (30.05, 31.25)
    lat, lon = resolve_place("Cairo")
    assert (round(lat), round(lon)) == (30, 31)
    lat, lon = resolve_place("Paris, France")
    assert (round(lat), round(lon)) == (49, 2)
    with pytest.raises(SearchInputError):
        resolve_place("91,0")
    with pytest.raises(SearchInputError, match="unknown place"):
        resolve_place("Nowhere-upon-Nothing")


def test_near_becomes_a_geo_distance_filter() -> None:
    request = build_request(SearchQuery(near="10,20", within="5 km"))
    assert request["query"]["bool"]["filter"] == [
        {"geo_distance": {"distance": "5km", "dateline.location": {"lat": 10.0, "lon": 20.0}}}
    ]


@pytest.mark.parametrize("sort", ["relevance", "date"])
def test_sort_ends_with_the_unique_id_and_cursors_round_trip(sort: Any) -> None:
    assert sort_clause(sort)[-1] == {"id": {"order": "asc"}}
    values = [3.25, 1709562600000, "abc"][-len(sort_clause(sort)) :]
    cursor = encode_cursor(sort, values, 40)
    assert decode_cursor(cursor, sort) == (values, 40)
    every_copy = build_request(SearchQuery(sort=sort, after=cursor, collapse=False))
    assert every_copy["search_after"] == values and "collapse" not in every_copy
    # Collapsing cannot combine with search_after: collapsed pages move by offset.
    collapsed = build_request(SearchQuery(sort=sort, after=cursor))
    assert collapsed["from"] == 40 and "search_after" not in collapsed
    assert collapsed["collapse"]["field"] == "story_id"


def test_request_shape() -> None:
    request = build_request(SearchQuery(text="oil", size=5))
    assert request["size"] == 5 and request["track_total_hits"] is True
    assert request["source_excludes"] == ["removed"]
    assert set(request["aggs"]) == {
        "agency", "site", "country", "author", "language", "month", "stories"
    }
    assert "search_after" not in request
    assert set(build_request(SearchQuery(facets=False))["aggs"]) == {"stories"}
    # Every copy listed, the stories are still counted: "31 articles in 12 stories".
    assert set(build_request(SearchQuery(facets=False, collapse=False))["aggs"]) == {"stories"}


@pytest.mark.parametrize(
    "params",
    [
        {"size": 0},
        {"size": 100_000},
        {"sort": "popularity"},
        {"after": "%%%"},
        {"after": "e30"},
        {"after": encode_cursor("date", ["2024-01-01", "id"], 1), "sort": "date"},
        {"after": encode_cursor("date", [1, 2], 1), "sort": "date"},
    ],
)
def test_bad_parameters(params: dict[str, Any]) -> None:
    with pytest.raises(SearchInputError):
        build_request(SearchQuery(**params))


@given(st.text(max_size=200))
def test_any_text_builds_a_request(text: str) -> None:
    request = build_request(SearchQuery(text=text))
    assert request["query"]["bool"]["must"]
