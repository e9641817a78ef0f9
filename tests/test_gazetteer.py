"""Place names as English text writes them, with GeoNames' own spelling kept beside."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from transforms import gazetteer
from transforms.dateline import parse_dateline


@pytest.mark.parametrize(
    ("typed", "shown", "kept"),
    [
        ("Rafah", "Rafah", "Rafaḩ"),
        ("Gdansk", "Gdansk", "Gdańsk"),
        ("Lodz", "Lodz", "Łódź"),
        ("Khan Yunis", "Khan Yunis", "Khān Yūnis"),
        ("Sao Paulo", "São Paulo", ""),  # Latin-1 accents are English usage: kept
        ("Zurich", "Zürich", ""),
        ("Cairo", "Cairo", ""),
    ],
)
def test_city_names_in_their_english_form(typed: str, shown: str, kept: str) -> None:
    place = gazetteer.find_city(typed)
    assert place is not None
    assert (place.name, place.gazetteer_name) == (shown, kept)


def test_the_dateline_shows_the_english_form_and_keeps_the_gazetteer_one() -> None:
    found = parse_dateline("RAFAH, Gaza Strip (AP) — Families fled the city on Tuesday.")
    assert found is not None
    doc = found.to_dict()
    assert (doc["city"], doc["city_gazetteer"], doc["country_code"]) == ("Rafah", "Rafaḩ", "PS")
    cairo = parse_dateline("CAIRO (AP) — Talks resumed on Tuesday.")
    assert cairo is not None and cairo.to_dict()["city_gazetteer"] is None


def test_an_alternate_name_with_other_letters_is_not_taken() -> None:
    assert gazetteer.english_form("Rafaḩ", ["Rafiah", "Rafah"]) == "Rafah"
    assert gazetteer.english_form("Ţūlkarm", ["Tulkarem"]) == "Tulkarm"  # transliterated
    assert gazetteer.english_form("Malmö", ["Malmo"]) == "Malmö"  # Latin-1: unchanged


@given(st.text(max_size=30), st.lists(st.text(max_size=30), max_size=5))
def test_english_form_is_latin_1_and_the_same_name(name: str, alternates: list[str]) -> None:
    shown = gazetteer.english_form(name, alternates)
    assert all(ord(c) <= 0xFF for c in shown)
    # The same name: equal once both are transliterated to ASCII.
    unchanged = all(ord(c) <= 0xFF for c in name)
    assert shown == name if unchanged else gazetteer.fold(
        gazetteer.unidecode(shown), abbreviate=False
    ) == gazetteer.fold(gazetteer.unidecode(name), abbreviate=False)
