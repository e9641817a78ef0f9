"""Authors, the page's own URL and language: the pure readers and the document fields."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import lxml.html
from hypothesis import given
from hypothesis import strategies as st

from newsetl.document import build_document, document_id
from newsetl.readers import RawRecord, read_file
from transforms.authors import contributors, page_byline, split_byline, text_byline
from transforms.language import detect_language, iso_code
from transforms.pageurl import page_url

NOW = datetime(2026, 1, 1, tzinfo=UTC)
STORY = (
    "The city council voted on Tuesday to expand the harbour, a project that has divided "
    "residents for a decade. Supporters say the new docks will bring jobs and trade. "
    "Opponents fear the noise and the traffic, and plan to challenge the decision in court."
)


def _tree(html: str) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(html)


def test_wire_byline_gives_two_names_and_the_agency() -> None:
    found = split_byline("By Josef Federman and Samy Magdy, Associated Press")
    assert found.authors == ("Josef Federman", "Samy Magdy")
    assert found.agency == "AP"


def test_furniture_is_never_a_name() -> None:
    for junk in (
        "Email the author",
        "Updated 3 hours ago",
        "Staff",
        "By Staff Writer",
        "Follow us on Twitter",
        "jane@example.com",
        "admin",
    ):
        assert split_byline(junk).authors == (), junk


def test_titles_credentials_mail_and_outlet_are_dropped() -> None:
    found = split_byline(
        "By Brenda Goodman, MA (brenda@example.com) WebMD Health News",
        outlets=["WebMD Health News"],
    )
    assert found.authors == ("Brenda Goodman",)
    assert split_byline("BBC News", outlets=["BBC News"]).authors == ()
    assert split_byline("By Benjamin Romano Seattle Times business reporter",
                        outlets=["The Seattle Times", "Seattle Times"]).authors == (
        "Benjamin Romano",
    )
    assert split_byline("Daniel Roe, Senior Staff Technologist, Civil Rights Project").authors == (
        "Daniel Roe",
    )


def test_timestamps_and_other_languages() -> None:
    assert split_byline("By GILLIAN MOHNEY March 11, 2015 3:46 PM").authors == ("Gillian Mohney",)
    assert split_byline("Martin Untersinger (avec Damien Leloup et Morgane Tual)").authors == (
        "Martin Untersinger",
        "Damien Leloup",
        "Morgane Tual",
    )
    assert split_byline("Written by Rob Ewaschuk Edited by Betsy Beyer").authors == (
        "Rob Ewaschuk",
        "Betsy Beyer",
    )


def test_contributor_line_names_reporters_apart() -> None:
    line = "Jobain reported from Rafah, Gaza Strip, and Goldenberg from Tel Aviv, Israel."
    text = f"{STORY}\n\n{line}"
    assert contributors(text) == ("Jobain", "Goldenberg")
    line = "Associated Press writers Jane Roe in Cairo and John Doe contributed to this report."
    assert contributors(f"{STORY}\n\n{line}") == ("Jane Roe", "John Doe")
    assert contributors(STORY) == ()


def test_text_byline() -> None:
    found = text_byline(f"By Jane Doe and John Roe, Reuters\n\n{STORY}")
    assert found.authors == ("Jane Doe", "John Roe") and found.agency == "Reuters"


def test_page_byline_prefers_jsonld_people_and_skips_organisations() -> None:
    html = """<html><head>
      <meta property="og:site_name" content="Daily Planet">
      <meta name="author" content="Daily Planet">
      <script type="application/ld+json">{"@type": "NewsArticle",
        "author": [{"@type": "Person", "name": "Lois Lane"},
                   {"@type": "Organization", "name": "Daily Planet"}]}</script>
    </head><body><h1>Headline</h1><p class="byline">By Lois Lane</p><p>Text.</p></body></html>"""
    found = page_byline(_tree(html))
    assert found.byline.authors == ("Lois Lane",)
    assert found.shown == "By Lois Lane"


def test_page_byline_ignores_comment_authors_and_outlet_meta() -> None:
    html = """<html><head><meta name="author" content="Daily Planet">
      <meta property="og:site_name" content="Daily Planet"></head><body>
      <h1>Headline</h1><p>Story text.</p>
      <div class="comments"><span class="author">Bob Troll</span></div></body></html>"""
    assert page_byline(_tree(html)).byline.authors == ()


@given(st.text(max_size=120))
def test_split_byline_never_raises_and_names_are_clean(text: str) -> None:
    for name in split_byline(text).authors:
        assert name.strip() == name and name
        assert "@" not in name and not any(c.isdigit() for c in name)


def test_page_url_from_canonical_og_and_jsonld() -> None:
    canonical = '<html><head><link rel="canonical" href="https://ex.com/2024/02/13/a-story"></head>'
    assert page_url(canonical) == "https://ex.com/2024/02/13/a-story"
    og = '<html><head><meta property="og:url" content="https://ex.com/news/a-story#top"></head>'
    assert page_url(og) == "https://ex.com/news/a-story"
    relative = (
        '<html><head><link rel="canonical" href="/politics/a-story">'
        '<meta property="og:url" content="https://ex.com/"></head>'
    )
    assert page_url(relative) == "https://ex.com/politics/a-story"
    jsonld = (
        '<html><head></head><body><script type="application/ld+json">'
        '{"@type": "NewsArticle", "url": "https://ex.com/a/b-story"}</script></body></html>'
    )
    assert page_url(jsonld) == "https://ex.com/a/b-story"


def test_page_url_refuses_home_pages_and_sections() -> None:
    for href in ("https://ex.com/", "https://ex.com", "https://ex.com/news/", "/a-story", "x"):
        assert page_url(f'<html><head><link rel="canonical" href="{href}"></head>') is None


def test_bare_page_gets_url_site_and_url_id(tmp_path: Path) -> None:
    page = (
        '<html><head><link rel="canonical" href="https://www.ex.com/2024/02/13/harbour">'
        f"</head><body><article><h1>Harbour vote</h1><p>{STORY}</p></article></body></html>"
    )
    (tmp_path / "a.html").write_text(page, "utf-8")
    (tmp_path / "b.html").write_text(page, "utf-8")  # the same page saved twice
    [a] = read_file(tmp_path / "a.html", tmp_path)
    [b] = read_file(tmp_path / "b.html", tmp_path)
    assert isinstance(a, RawRecord) and isinstance(b, RawRecord)
    assert a.url == "https://www.ex.com/2024/02/13/harbour" and a.site == "ex.com"
    assert document_id(a) == document_id(b)  # one document, not two
    doc = build_document(a, now=NOW)
    assert doc["published_at"] == "2024-02-13T00:00:00Z"  # the URL's date: none without it


def test_sidecar_url_wins_over_the_page(tmp_path: Path) -> None:
    page = (
        '<html><head><link rel="canonical" href="https://ex.com/other/story-x"></head>'
        f"<body><p>{STORY}</p></body></html>"
    )
    (tmp_path / "a.html").write_text(page, "utf-8")
    (tmp_path / "a.json").write_text('{"url": "https://side.example/story-y"}', "utf-8")
    [record] = read_file(tmp_path / "a.html", tmp_path)
    assert isinstance(record, RawRecord) and record.url == "https://side.example/story-y"


def test_page_byline_is_an_author_and_listed_as_removed() -> None:
    html = (
        "<html><head><title>Harbour vote</title></head><body><article><h1>Harbour vote</h1>"
        f'<div class="byline">By Jane Doe</div><p>{STORY}</p><p>{STORY}</p></article></body></html>'
    )
    doc = build_document(RawRecord(path="r.json", format="json", html=html), now=NOW)
    assert doc["authors"] == ["Jane Doe"]
    assert "By Jane Doe" in doc["removed"] or "By Jane Doe" in doc["body"]


def test_text_document_authors_contributors_and_agency() -> None:
    text = (
        f"By Josef Federman and Samy Magdy, Associated Press\n\n{STORY}\n\n"
        "Jobain reported from Rafah, Gaza Strip, and Goldenberg from Tel Aviv, Israel."
    )
    doc = build_document(RawRecord(path="a.txt", format="txt", title="T", text=text), now=NOW)
    assert doc["authors"] == ["Josef Federman", "Samy Magdy"]
    assert doc["contributors"] == ["Jobain", "Goldenberg"]
    assert doc["agency"] == "AP"
    assert doc["language"] == "en"


def test_record_author_field_wins() -> None:
    record = RawRecord(path="a.json", format="json", text=STORY, authors="Jane Roe, John Doe")
    assert build_document(record, now=NOW)["authors"] == ["Jane Roe", "John Doe"]


def test_language_from_text_and_declaration() -> None:
    german = (
        "Die Regierung hat am Dienstag neue Sanktionen gegen mehrere Unternehmen beschlossen. "
        "Die Maßnahmen sollen ab dem kommenden Monat gelten, teilte das Ministerium mit."
    )
    assert detect_language(german) == "de"
    assert detect_language(german, "en") == "de"  # a site-wide template language loses
    assert detect_language("Kurz.", "de-DE") == "de"  # too short: the declaration decides
    assert detect_language("", None) is None
    assert iso_code("pt_BR") == "pt" and iso_code("english") is None


def test_page_dates_before_the_web_are_never_published_at() -> None:
    from transforms.normalize import normalize_article

    html = (
        '<html><head><meta property="article:published_time" content="1985-06-01T10:00:00Z">'
        "</head><body><p>Text.</p></body></html>"
    )
    assert normalize_article("Text.", html=html, now=NOW).published_at is None
    old_url = "https://ex.com/1987/03/04/x"
    assert normalize_article("Text.", url=old_url, now=NOW).published_at is None
    # A wire record's own date from before the web stays: newswires are older than the web.
    record = normalize_article("Text.", record_date="1987-02-26", now=NOW)
    assert record.published_at == "1987-02-26T00:00:00Z"


def test_url_day_beats_a_utc_time_one_day_off() -> None:
    from transforms.normalize import normalize_article

    html = (
        '<html><head><script type="application/ld+json">{"@type": "NewsArticle", '
        '"datePublished": "2020-02-18T02:18:11Z"}</script></head><body><p>Text.</p></body></html>'
    )
    url = "https://ex.com/2020/02/17/an-evening-story"
    found = normalize_article("Text.", html=html, url=url, now=NOW)
    assert found.published_at == "2020-02-17T00:00:00Z" and found.published_at_source == "url"
    # With the page's own offset the page's time stands.
    with_offset = html.replace("02:18:11Z", "02:18:11+01:00")
    found = normalize_article("Text.", html=with_offset, url=url, now=NOW)
    assert found.published_at == "2020-02-18T01:18:11Z"


def test_a_utc_time_is_shown_in_the_site_country_zone() -> None:
    from transforms.normalize import normalize_article

    html = (
        '<html><head><meta property="article:published_time" content="2020-08-25T00:23:33Z">'
        "</head><body><p>Text.</p></body></html>"
    )
    found = normalize_article("Text.", html=html, url="https://ici.example.ca/n/1", now=NOW)
    assert found.published_at == "2020-08-25T00:23:33Z"  # the instant is unchanged
    assert found.published_at_offset == "-04:00"  # but Canadian readers saw August 24
    generic = normalize_article("Text.", html=html, url="https://ex.io/n/1", now=NOW)
    assert generic.published_at_offset == "+00:00"


def test_lorem_ipsum_filler_is_not_latin() -> None:
    filler = (
        "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor "
        "incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud "
        "exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat."
    )
    assert detect_language(filler, "en-US") == "en"  # the page's declaration stands
    assert detect_language(filler) is None  # no language rather than a wrong one
    assert detect_language(filler, "la") == "la"  # a page that says it is Latin is
