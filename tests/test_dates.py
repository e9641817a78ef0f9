"""Date reading: formats, zones, never completing from today, ambiguity, markup, mentions."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms import dates

NOW = datetime(2024, 3, 1, tzinfo=UTC)


def _instant(text: str, **kw: object) -> dates.Instant | None:
    found = dates.parse_date(text)
    assert found is not None, text
    return dates.to_instant(found, now=NOW, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "iso", "offset"),
    [
        ("Published February 13, 2024 at 5:32 p.m. EST", "2024-02-13T22:32:00Z", "-05:00"),
        ("Updated 3:05 PM GMT+1, February 13, 2024", "2024-02-13T14:05:00Z", "+01:00"),
        ("2024-02-13T22:32:00Z", "2024-02-13T22:32:00Z", "+00:00"),
        ("2024-02-13T17:32:00-05:00", "2024-02-13T22:32:00Z", "-05:00"),
        ("Tue, 13 Feb 2024 22:32:00 GMT", "2024-02-13T22:32:00Z", "+00:00"),
        ("Feb. 13, 2024, 5:32 PM ET", "2024-02-13T22:32:00Z", "-05:00"),
        ("July 4, 2023 10:00 am PT", "2023-07-04T17:00:00Z", "-07:00"),
        ("13 février 2024 14h30 CET", "2024-02-13T13:30:00Z", "+01:00"),
        ("1707863520", "2024-02-13T22:32:00Z", "+00:00"),
        ("26-FEB-1987 15:01:01.79", "1987-02-26T15:01:01Z", None),
        ("13/02/2024", "2024-02-13T00:00:00Z", None),
        ("2024/02/13", "2024-02-13T00:00:00Z", None),
    ],
)
def test_formats_and_zones(text: str, iso: str, offset: str | None) -> None:
    instant = _instant(text)
    assert instant is not None
    assert (instant.iso, instant.offset) == (iso, offset)


def test_zone_abbreviation_is_not_dropped() -> None:
    # dateutil would parse "EST" as naive without tzinfos; here it is an explicit -05:00.
    found = dates.parse_date("February 13, 2024 5:32 PM EST")
    assert found is not None and found.tz is not None


def test_time_without_zone_takes_default_zone() -> None:
    instant = _instant("13/02/2024 08:15", default_tz=dates.iana_zone("Africa/Cairo"))
    assert instant is not None
    assert (instant.iso, instant.offset) == ("2024-02-13T06:15:00Z", "+02:00")


@pytest.mark.parametrize("text", ["Feb. 13", "February 13 at 5:32 p.m.", "13 March", "Tuesday"])
def test_missing_year_is_never_filled_from_today(text: str) -> None:
    found = dates.parse_date(text)
    assert found is None or found.year is None
    assert found is None or dates.to_instant(found, now=NOW) is None


@pytest.mark.parametrize("text", ["2031-01-01", "March 3, 2024", "1850-05-01", "Feb 30, 2024"])
def test_impossible_dates_rejected(text: str) -> None:
    found = dates.parse_date(text)
    assert found is None or dates.to_instant(found, now=NOW) is None


def test_one_day_of_clock_skew_allowed() -> None:
    assert _instant("March 2, 2024") is not None


def test_numeric_order() -> None:
    assert dates.parse_date("13/02/2024") == dates.parse_date("13/02/2024", day_first=False)
    ambiguous = dates.parse_date("02/03/2024")
    assert ambiguous is not None and ambiguous.ambiguous
    uk = dates.parse_date("02/03/2024", day_first=True)
    us = dates.parse_date("02/03/2024", day_first=False)
    assert uk is not None and (uk.month, uk.day, uk.ambiguous) == (3, 2, False)
    assert us is not None and (us.month, us.day, us.ambiguous) == (2, 3, False)


@pytest.mark.parametrize(
    ("url", "day_first"),
    [
        ("https://www.bbc.co.uk/news/x", True),
        ("https://www.lemonde.fr/x", True),
        ("https://www.whitehouse.gov/x", False),
        ("https://example.us/x", False),
        ("https://www.nytimes.com/x", None),
        (None, None),
    ],
)
def test_day_first_from_tld(url: str | None, day_first: bool | None) -> None:
    assert dates.day_first_for_url(url) is day_first


def test_day_first_from_the_documents_other_dates() -> None:
    assert dates.day_first_from_text("on 25/12/2023 and 02/03/2024") is True
    assert dates.day_first_from_text("on 12/25/2023 and 02/03/2024") is False
    assert dates.day_first_from_text("on 02/03/2024") is None


def test_url_dates() -> None:
    assert dates.url_date("https://x.com/2024/02/13/story") == dates.DateMatch(2024, 2, 13)
    assert dates.url_date("https://x.com/news/20240213/story") == dates.DateMatch(2024, 2, 13)
    assert dates.url_date("https://x.com/a-2024-02-13-b") == dates.DateMatch(2024, 2, 13)
    assert dates.url_date("https://x.com/id/12345678901") is None
    assert dates.url_year("https://x.com/2024/02/story") == 2024


@pytest.mark.parametrize(
    ("month", "day", "ref", "expected"),
    [
        (10, 7, date(2024, 2, 13), date(2023, 10, 7)),
        (2, 13, date(2024, 2, 13), date(2024, 2, 13)),
        (3, 5, date(2024, 2, 13), date(2024, 3, 5)),
        (12, 28, date(2024, 1, 5), date(2023, 12, 28)),
        (1, 5, date(2023, 12, 20), date(2024, 1, 5)),
        (2, 29, date(2024, 3, 1), date(2024, 2, 29)),
    ],
)
def test_complete_year(month: int, day: int, ref: date, expected: date) -> None:
    assert dates.complete_year(month, day, ref) == expected


def test_dates_mentioned() -> None:
    text = (
        "The war began on Oct. 7. Talks resumed Tuesday and will continue next Friday. "
        "A vote is set for March 5; the accord of Feb. 13, 2023 lapsed. "
        "Last Monday nothing happened."
    )
    got = dates.dates_mentioned(text, date(2024, 2, 14))  # a Wednesday
    assert got == [
        "2023-10-07", "2024-02-13", "2024-02-16", "2024-03-05", "2023-02-13", "2024-02-12",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Talks will resume Tuesday.", ["2024-02-20"]),
        ("Talks will resume, officials said Tuesday.", ["2024-02-13"]),
        ("The company said on Wednesday it will cut jobs.", ["2024-02-14"]),
        ("Last Wednesday was quiet.", ["2024-02-07"]),
        ("On Tuesday, Feb. 13, the talks began.", ["2024-02-13"]),
    ],
)
def test_weekdays(text: str, expected: list[str]) -> None:
    assert dates.dates_mentioned(text, date(2024, 2, 14)) == expected


def test_dates_mentioned_without_publication_keeps_only_full_dates() -> None:
    assert dates.dates_mentioned("On Oct. 7 and on Feb. 13, 2024, on Tuesday", None) == [
        "2024-02-13"
    ]


def test_lowercase_may_is_not_a_month() -> None:
    assert dates.dates_mentioned("they may 5 times", date(2024, 2, 14)) == []


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("Title\n\nPublished February 13, 2024 at 5:32 p.m. EST\n\nText.", (2024, 2, 13)),
        ("Title\nBy Jane Doe | Updated 3:05 PM GMT+1, February 13, 2024\nText.", (2024, 2, 13)),
        ("Title\n13/02/2024 08:15\nText.", (2024, 2, 13)),
        ("Updated March 1, 2024\nPublished February 13, 2024\nText.", (2024, 2, 13)),
        ("Title\n\nText.\n\n— Jane Doe (@janedoe) November 1, 2019\n\nMore text.", None),
        ("Title\nThe accord signed on February 13, 2024 in Cairo was a big step for the "
         "region, officials said.\n", None),
    ],
)
def test_text_date(body: str, expected: tuple[int, int, int] | None) -> None:
    found = dates.text_date(body)
    assert (found and (found.year, found.month, found.day)) == expected


_PAGE = "<html><head>{head}</head><body>{body}<p>Text</p></body></html>"


@pytest.mark.parametrize(
    ("head", "body", "source", "iso"),
    [
        ('<script type="application/ld+json">{"@graph": [{"@type": "NewsArticle", '
         '"dateModified": "2024-02-14T10:00:00Z", "datePublished": "2024-02-13T22:32:00Z"}]}'
         "</script>", "", "html:jsonld", "2024-02-13T22:32:00Z"),
        ('<meta property="article:published_time" content="2024-02-13T17:32:00-05:00">',
         "", "html:meta", "2024-02-13T22:32:00Z"),
        ("", '<time class="published" datetime="2024-02-13T22:32:00+00:00">Feb 13</time>',
         "html:time", "2024-02-13T22:32:00Z"),
        ("", "<p class='date'>Posted on 13 February 2024</p>", "html", "2024-02-13T00:00:00Z"),
    ],
)
def test_html_date(head: str, body: str, source: str, iso: str) -> None:
    got = dates.html_date(_PAGE.format(head=head, body=body), now=NOW)
    assert got is not None
    assert (got[1], got[0].iso, got[2]) == (source, iso, False)


def test_html_date_ignores_a_copyright_year() -> None:
    page = _PAGE.format(head="", body="<footer>© 2016 Example Media</footer>")
    assert dates.html_date(page, now=NOW) is None


def test_html_date_skips_impossible_markup() -> None:
    page = _PAGE.format(head='<meta name="date" content="2031-01-01">', body="")
    assert dates.html_date(page, now=NOW) is None


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_parsers_never_raise(text: str) -> None:
    list(dates.find_dates(text))
    found = dates.parse_date(text)
    if found is not None:
        dates.to_instant(found, now=NOW)
    dates.text_date(text)
    dates.dates_mentioned(text, date(2024, 2, 13))
    dates.url_date(text)


@settings(max_examples=200, deadline=None)
@given(st.from_regex(r"\d{1,4}[-/. ]\d{1,2}[-/. ]\d{1,4}( \d{1,2}:\d{2}( [A-Z]{2,4})?)?"))
def test_numeric_dates_never_raise(text: str) -> None:
    for found in dates.find_dates(text):
        dates.to_instant(found, now=NOW)


@pytest.mark.parametrize(
    "wrap",
    ["<![CDATA[{}]]>", "/*<![CDATA[*/{}/*]]>*/", "//<![CDATA[\n{}\n//]]>", "<!--{}-->",
     "\n  <!--\n<![CDATA[ {} ]]>\n-->  "],
)
def test_jsonld_wrapped_for_xhtml_is_read(wrap: str) -> None:
    """XHTML pages wrap a script in CDATA or a comment; the JSON-LD date inside still counts
    over a later `<meta>` date."""
    ld = '{"@type": "NewsArticle", "datePublished": "2020-07-10T14:15:42+00:00"}'
    head = (f'<script type="application/ld+json">{wrap.format(ld)}</script>'
            '<meta property="article:published_time" content="2023-01-07T09:08:22+00:00">')
    got = dates.html_date(_PAGE.format(head=head, body=""), now=NOW)
    assert got is not None and (got[1], got[0].iso) == ("html:jsonld", "2020-07-10T14:15:42Z")


def test_jsonld_article_date_beats_an_embedded_video_date() -> None:
    head = ('<script type="application/ld+json">{"@type": "VideoObject", '
            '"datePublished": "2024-02-20T01:00:00Z"}</script>'
            '<script type="application/ld+json">{"@type": "NewsArticle", '
            '"datePublished": "2024-02-13T22:00:00Z"}</script>')
    got = dates.html_date(_PAGE.format(head=head, body=""), now=NOW)
    assert got is not None and got[0].iso == "2024-02-13T22:00:00Z"


def test_video_page_still_gets_its_video_date() -> None:
    head = ('<script type="application/ld+json">{"@type": "VideoObject", '
            '"uploadDate": "2024-02-20T01:00:00Z"}</script>')
    got = dates.html_date(_PAGE.format(head=head, body=""), now=NOW)
    assert got is not None and got[0].iso == "2024-02-20T01:00:00Z"


def test_same_instant_in_local_time_gives_the_page_offset_and_day() -> None:
    """JSON-LD in UTC (Feb. 24, 01:18Z) and article:published_time in local time (Feb. 23,
    17:18 -08:00) are one instant: the day readers see is Feb. 23."""
    head = ('<script type="application/ld+json">{"@type": "NewsArticle", '
            '"dateCreated": "2024-02-24T01:18:13Z"}</script>'
            '<meta property="article:published_time" content="2024-02-23T17:18:13-08:00">')
    got = dates.html_date(_PAGE.format(head=head, body=""), now=NOW)
    assert got is not None
    assert (got[0].iso, got[0].offset, got[0].day) == (
        "2024-02-24T01:18:13Z", "-08:00", date(2024, 2, 23))


def test_a_different_instant_does_not_lend_its_offset() -> None:
    head = ('<script type="application/ld+json">{"@type": "NewsArticle", '
            '"datePublished": "2024-02-24T01:18:13Z"}</script>'
            '<meta property="article:published_time" content="2024-02-25T17:18:13-08:00">')
    got = dates.html_date(_PAGE.format(head=head, body=""), now=NOW)
    assert got is not None and (got[0].offset, got[0].day) == ("+00:00", date(2024, 2, 24))


@settings(max_examples=200, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                    lambda c: st.lists(c, max_size=4)
                    | st.dictionaries(st.text(max_size=8), c, max_size=4), max_leaves=12),
       st.sampled_from(["<![CDATA[{}]]>", "/*<![CDATA[*/{}/*]]>*/", "<!--{}-->", "{}"]))
def test_jsonld_unwrap_keeps_the_value(value: object, wrap: str) -> None:
    import json

    from transforms import jsonld

    assert jsonld.loads(wrap.format(json.dumps(value))) == value
