"""The document builder's entry point: source order, offsets, rejection, agency."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import SEED
from transforms.normalize import Normalized, normalize_article

NOW = datetime(2024, 3, 1, tzinfo=UTC)
STORY = "LONDON, Feb 13 (Reuters) - Oil rose on Tuesday after falling on Feb. 9."


def test_contract_fields() -> None:
    result = normalize_article(STORY, now=NOW)
    assert isinstance(result, Normalized)
    assert [f.name for f in dataclasses.fields(result)] == [
        "dateline", "agency", "published_at", "published_at_source", "published_at_offset",
        "published_at_ambiguous", "dates_mentioned", "agency_source",
    ]
    assert (result.agency, result.agency_source) == ("Reuters", "dateline")
    assert result.dateline is not None
    assert set(result.dateline) == {
        "text", "city", "city_gazetteer", "region", "country", "country_code", "agency", "date",
        "location", "timezone",
    }


def test_seed() -> None:
    result = normalize_article(SEED.read_text("utf-8"), record_date="2024-02-13", now=NOW)
    assert result.dateline is not None
    assert (result.dateline["city"], result.dateline["country_code"]) == ("Cairo", "EG")
    assert result.agency == "AP"
    assert (result.published_at, result.published_at_source) == ("2024-02-13T00:00:00Z", "record")
    assert "2023-10-07" in result.dates_mentioned  # "since the war began on Oct. 7"


def test_record_date_first_and_dateline_year_from_it() -> None:
    result = normalize_article(STORY, record_date="13-FEB-2024 15:01:01.79", now=NOW)
    assert result.published_at_source == "record"
    # no zone written: the dateline city's zone (London, GMT in February)
    assert (result.published_at, result.published_at_offset) == ("2024-02-13T15:01:01Z", "+00:00")
    assert result.dateline is not None and result.dateline["date"] == "2024-02-13"
    assert result.dates_mentioned == ["2024-02-13", "2024-02-09"]  # Tuesday, Feb. 9


def test_plain_text_has_no_year() -> None:
    result = normalize_article(STORY, now=NOW)
    assert result.dateline is not None and result.dateline["date"] == "--02-13"
    assert (result.published_at, result.published_at_source) == (None, "none")
    assert result.dates_mentioned == []  # no publication date, no written year


def test_dateline_year_crosses_new_year() -> None:
    body = "NEW YORK, Dec 31 (Reuters) - Stocks ended the year higher."
    result = normalize_article(body, record_date="2024-01-01T03:00:00Z", now=NOW)
    assert result.dateline is not None and result.dateline["date"] == "2023-12-31"


def test_html_markup_beats_text() -> None:
    page = (
        '<html><head><meta property="article:published_time" '
        'content="2024-02-13T17:32:00-05:00"></head><body><p>x</p></body></html>'
    )
    body = "Published February 10, 2024\n\nWASHINGTON (AP) — x"
    result = normalize_article(body, html=page, now=NOW)
    assert (result.published_at, result.published_at_source, result.published_at_offset) == (
        "2024-02-13T22:32:00Z", "html:meta", "-05:00",
    )


def test_text_line_then_dateline_then_url() -> None:
    text = normalize_article(
        "WASHINGTON (AP) — x\n\nPublished February 13, 2024 at 5:32 p.m. EST", now=NOW
    )
    assert (text.published_at, text.published_at_source) == ("2024-02-13T22:32:00Z", "text")

    dl = normalize_article(STORY, url="https://example.com/2024/02/oil", now=NOW)
    assert (dl.published_at, dl.published_at_source) == ("2024-02-13T00:00:00Z", "dateline")

    url = normalize_article("Oil rose.", url="https://example.com/2024/02/12/oil", now=NOW)
    assert (url.published_at, url.published_at_source) == ("2024-02-12T00:00:00Z", "url")


def test_dateline_takes_the_year_of_a_vague_record_date() -> None:
    result = normalize_article(STORY, record_date="February 2024", now=NOW)
    assert (result.published_at, result.published_at_source) == ("2024-02-13T00:00:00Z", "dateline")


def test_xml_declared_page() -> None:
    page = (
        '<?xml version="1.0" encoding="utf-8"?><html><head><meta property="article:published_time"'
        ' content="2024-02-13T10:00:00Z"></head><body>x</body></html>'
    )
    assert normalize_article("x", html=page, now=NOW).published_at_source == "html:meta"


def test_dateline_with_its_own_year() -> None:
    result = normalize_article("LONDON 1996-08-20 Shares rose.", now=NOW)
    assert (result.published_at, result.published_at_source) == ("1996-08-20T00:00:00Z", "dateline")


def test_zoneless_time_in_text_takes_dateline_zone() -> None:
    body = "Updated 13/02/2024 08:15\n\nCAIRO (AP) — x"
    result = normalize_article(body, url="https://example.com/x", now=NOW)
    assert (result.published_at, result.published_at_offset) == ("2024-02-13T06:15:00Z", "+02:00")


def test_future_and_ancient_dates_rejected() -> None:
    future = normalize_article("x", record_date="2031-01-01", now=NOW)
    assert (future.published_at, future.published_at_source) == (None, "none")
    ancient = normalize_article("x", record_date="1850-01-01", url="https://e.com/2024/02/12/x",
                                now=NOW)
    assert ancient.published_at_source == "url"


@pytest.mark.parametrize(
    ("url", "iso", "ambiguous"),
    [
        ("https://www.example.co.uk/story", "2024-03-02T00:00:00Z", False),
        ("https://www.example.gov/story", "2024-02-03T00:00:00Z", False),
        ("https://www.example.com/story", "2024-02-03T00:00:00Z", True),
    ],
)
def test_ambiguous_numeric_record_date(url: str, iso: str, ambiguous: bool) -> None:
    result = normalize_article("x", record_date="02/03/2024", url=url, now=NOW)
    assert (result.published_at, result.published_at_ambiguous) == (iso, ambiguous)


def test_ambiguous_numeric_markup_date() -> None:
    page = '<html><head><meta name="date" content="02/03/2024"></head><body>x</body></html>'
    result = normalize_article("x", html=page, url="https://www.example.com/x", now=NOW)
    assert (result.published_at_source, result.published_at_ambiguous) == ("html:meta", True)


def test_ambiguity_resolved_by_other_dates_in_the_document() -> None:
    result = normalize_article("Filed 25/01/2024.", record_date="02/03/2024",
                               url="https://www.example.com/x", now=NOW)
    assert (result.published_at, result.published_at_ambiguous) == ("2024-03-02T00:00:00Z", False)


@pytest.mark.parametrize(
    ("body", "agency"),
    [
        ("By Jane Doe, Associated Press\n\nShe said.", "AP"),
        ("Oil rose.\n\nCopyright 2024 Thomson Reuters. All rights reserved.", "Reuters"),
        ("Oil rose, an official told Reuters.", None),
        ("WASHINGTON (UPI) -- x", "UPI"),
        ("(CNN) President Biden said.", "CNN"),
        ("The group (AA) met in Ankara; Rep. Smith (PA) spoke.", None),
    ],
)
def test_agency_from_body(body: str, agency: str | None) -> None:
    assert normalize_article(body, now=NOW).agency == agency


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300), st.one_of(st.none(), st.text(max_size=40)))
def test_never_raises(body: str, record_date: str | None) -> None:
    normalize_article(body, record_date=record_date, url="https://example.com/x", now=NOW)
