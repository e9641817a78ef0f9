"""Dateline parsing: the wire formats, place resolution, and what is not a dateline."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import SEED
from transforms.dateline import parse_dateline


def test_seed_cairo_ap() -> None:
    dl = parse_dateline(SEED.read_text("utf-8"))
    assert dl is not None
    d = dl.to_dict()
    assert (d["text"], d["city"], d["country"], d["country_code"], d["agency"]) == (
        "CAIRO (AP) —", "Cairo", "Egypt", "EG", "AP",
    )
    assert d["location"] == pytest.approx({"lat": 30.06, "lon": 31.25}, abs=0.05)
    assert d["timezone"] == "Africa/Cairo"
    assert d["date"] is None


@pytest.mark.parametrize(
    ("body", "city", "region", "country_code", "agency", "date"),
    [
        ("CAIRO (AP) — Israel and Hamas", "Cairo", None, "EG", "AP", None),
        ("HAYWARD, Calif. (AP) — A man", "Hayward", "California", "US", "AP", None),
        ("WASHINGTON (Reuters) - The Fed", "Washington", None, "US", "Reuters", None),
        ("LONDON, Feb 13 (Reuters) - Oil rose", "London", None, "GB", "Reuters", "--02-13"),
        ("CLEVELAND, Feb 26 - Shares of", "Cleveland", None, "US", None, "--02-26"),
        ("PARIS (AFP) - Le gouvernement", "Paris", None, "FR", "AFP", None),
        ("UNITED NATIONS (AP) — The Security Council", "United Nations", None, "US", "AP", None),
        ("ST. LOUIS — A jury", "St. Louis", None, "US", None, None),
        ("SHANGHAI: Stocks fell", "Shanghai", None, "CN", None, None),
        ("NEW YORK, N.Y. -- Stocks", "New York", "New York", "US", None, None),
        ("KYIV, Ukraine (AP) — Russia", "Kyiv", None, "UA", "AP", None),
        ("BERLIN (dpa) – Die Regierung", "Berlin", None, "DE", "dpa", None),
        ("Tokyo, Japan — Shares", "Tokyo", None, "JP", None, None),
        ("Calgary, Alberta, March 18 - Oil", "Calgary", "Alberta", "CA", None, "--03-18"),
        ("TAUPO, New Zealand, March 23, Reuter - x", "Taupo", None, "NZ", "Reuters", "--03-23"),
        ("VATICAN CITY (AP) — Pope", "Vatican City", None, "VA", "AP", None),
        ("HONG KONG (AP) — Shares", "Hong Kong", None, "HK", "AP", None),
        ("PARIS, Feb. 13, 2024 (AFP) - x", "Paris", None, "FR", "AFP", "2024-02-13"),
        ("BEIJING, 13 February (Xinhua) -- x", "Beijing", None, "CN", "Xinhua", "--02-13"),
        ("WILKES-BARRE, Pa. — x", "Wilkes-Barre", "Pennsylvania", "US", None, None),
        ("DALLAS/FORT WORTH, Texas, March 3 - x", "Dallas/Fort Worth", "Texas", "US", None,
         "--03-03"),
        ("CHEVY CHASE, Md., - March 4 - x", "Chevy Chase", "Maryland", "US", None, "--03-04"),
        ("MADRID, 13 feb (EFE).- x", "Madrid", None, "ES", "EFE", "--02-13"),
        ("Paris, 13 févr. 2024 (AFP) - x", "Paris", None, "FR", "AFP", "2024-02-13"),
        ("TOKYO, Feb. 13 Kyodo - x", "Tokyo", None, "JP", "Kyodo", "--02-13"),
        ("NEW DELHI, Feb 13 (PTI) The x", "New Delhi", None, "IN", "PTI", "--02-13"),
        ("Mumbai: x", "Mumbai", None, "IN", None, None),
        ("BAHRAIN - x", "Bahrain", None, "BH", None, None),
        ("WASHINGTON (AP) _ x", "Washington", None, "US", "AP", None),
        ("LONDON 1996-08-20 x", "London", None, "GB", None, "1996-08-20"),
        ("ŁÓDŹ, Poland (AP) — x", "Łódź", None, "PL", "AP", None),
        ("L'AQUILA, Italy (AP) — x", "L'Aquila", None, "IT", "AP", None),
        ("ABIDJAN, Ivory Coast (AP) — x", "Abidjan", None, "CI", "AP", None),
    ],
)
def test_formats(
    body: str, city: str, region: str | None, country_code: str, agency: str | None,
    date: str | None,
) -> None:
    dl = parse_dateline(body)
    assert dl is not None
    d = dl.to_dict()
    assert (d["city"], d["region"], d["country_code"], d["agency"], d["date"]) == (
        city, region, country_code, agency, date,
    )
    assert body[dl.end :].strip().startswith("x") or body[dl.end :].startswith(" ")


def test_ap_state_prefers_the_given_state() -> None:
    dl = parse_dateline("PARIS, Texas (AP) — x")
    assert dl is not None
    assert (dl.country_code, dl.region, dl.timezone) == ("US", "Texas", "America/Chicago")
    assert dl.lat is not None and 33 < dl.lat < 34


def test_region_that_is_a_country_or_state_named_alike() -> None:
    us = parse_dateline("ATLANTA, Georgia - x")
    ge = parse_dateline("TBILISI, Georgia - x")
    assert us is not None and ge is not None
    assert (us.country_code, us.region) == ("US", "Georgia")
    assert (ge.country_code, ge.region, ge.country) == ("GE", None, "Georgia")


def test_text_keeps_separator_and_body_starts_after_it() -> None:
    body = "LONDON, Feb 13 (Reuters) - Oil prices rose."
    dl = parse_dateline(body)
    assert dl is not None
    assert dl.text == "LONDON, Feb 13 (Reuters) -"
    assert body[dl.end :].strip() == "Oil prices rose."


@pytest.mark.parametrize(
    "body",
    [
        "By JANE DOE\nAssociated Press\n\nBEIRUT (AP) — x",
        "Feb. 13, 2024 5:32 PM EST BEIRUT (AP) — x",
        "Updated 3:05 PM GMT+1, February 13, 2024\n\nBEIRUT (AP) — x",
        "By Jane Doe\nPublished 5:32 PM EST, Feb 13, 2024\nBEIRUT - x",
    ],
)
def test_byline_or_timestamp_before_dateline(body: str) -> None:
    dl = parse_dateline(body)
    assert dl is not None
    assert (dl.city, dl.country_code) == ("Beirut", "LB")


@pytest.mark.parametrize(
    "body",
    [
        "NASA said on Monday - that the launch was delayed.",
        "THE END",
        "BREAKING: markets fall",
        "Apple, Google - the two giants agreed",
        "Israel-Hamas war — live updates",
        "",
        "COPPER GRADE A -\nLEAD -",
        "Update: markets fall",
        "Ukraine — the latest",
        "Version 2024-01-01 is out",
        "Lead: the first paragraph",
        "John Smith (R) said he would vote.",
    ],
)
def test_not_a_dateline(body: str) -> None:
    assert parse_dateline(body) is None


@pytest.mark.parametrize(
    ("body", "city"),
    [
        ("MCLEAN, Va., Feb 26 - x", "McLean"),
        ("RIO DE JANEIRO, March 5 - x", "Rio de Janeiro"),
        ("ST. JOSEPH, Mich. (AP) — x", "St. Joseph"),
        ("SAO PAULO, March 3 - x", "São Paulo"),
        ("WINSTON-SALEM, N.C. (AP) — x", "Winston-Salem"),
    ],
)
def test_city_cased_for_readers(body: str, city: str) -> None:
    dl = parse_dateline(body)
    assert dl is not None and dl.city == city


def test_date_only_and_agency_only_datelines() -> None:
    reuters = parse_dateline("Feb 13 (Reuters) - Oil rose")
    assert reuters is not None
    assert (reuters.city, reuters.agency, reuters.month, reuters.day) == (None, "Reuters", 2, 13)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_never_raises(text: str) -> None:
    parse_dateline(text)


@settings(max_examples=200, deadline=None)
@given(st.from_regex(r"[A-Z][A-Z .,'\-]{0,30}(\([A-Za-z]{1,10}\))? ?(—|–|--|-|:) ?[a-z ]{0,20}"))
def test_never_raises_on_dateline_like_text(text: str) -> None:
    dl = parse_dateline(text)
    if dl is not None:
        assert 0 < dl.end <= len(text)
