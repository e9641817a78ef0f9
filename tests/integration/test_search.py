"""Search against the real local Elasticsearch: relevance, filters, paging, facets and the CLI."""

from __future__ import annotations

import json
from typing import Any

import pytest
from elasticsearch import Elasticsearch

import newsetl
from newsetl.cli import main
from newsetl.config import Settings
from newsetl.es.indices import ensure_alias
from newsetl.es.load import load
from newsetl.es.query import SearchInputError, SearchQuery
from newsetl.es.search import SearchResult, search, suggest_titles

pytestmark = pytest.mark.integration

ALIAS = "t-search"

PLACES = {
    "Cairo": ("Egypt", "EG", 30.0444, 31.2357),
    "Giza": ("Egypt", "EG", 30.0131, 31.2089),
    "Alexandria": ("Egypt", "EG", 31.2001, 29.9187),
    "Houston": ("United States", "US", 29.7604, -95.3698),
    "Paris": ("France", "FR", 48.8566, 2.3522),
    "London": ("United Kingdom", "GB", 51.5072, -0.1276),
    "Kyiv": ("Ukraine", "UA", 50.4501, 30.5234),
    "São Paulo": ("Brazil", "BR", -23.5505, -46.6333),
}


def _doc(
    key: str,
    title: str,
    body: str,
    *,
    city: str | None,
    agency: str | None,
    site: str,
    published: str | None,
    mentioned: tuple[str, ...] = (),
) -> dict[str, Any]:
    """A document as the contract in the README defines it, written by hand."""
    dateline = None
    if city:
        country, code, lat, lon = PLACES[city]
        dateline = {
            "text": f"{city.upper()} ({agency}) —",
            "city": city,
            "region": None,
            "country": country,
            "country_code": code,
            "agency": agency,
            "date": None,
            "timezone": None,
            "location": {"lat": lat, "lon": lon},
        }
    return {
        "id": key,
        "source": {
            "path": f"{key}.txt",
            "url": f"https://{site}/{key}",
            "site": site,
            "format": "txt",
        },
        "title": title,
        "body": body,
        "dateline": dateline,
        "agency": agency,
        "published_at": published,
        "published_at_source": "record" if published else None,
        "published_at_offset": None,
        "dates_mentioned": list(mentioned),
        "word_count": len(body.split()),
        "content_hash": key,
        "removed": ["Subscribe to our newsletter"],
    }


CORPUS = [
    _doc(
        "gaza-talks",
        "Israel and Hamas negotiations resume in Cairo",
        "CAIRO (AP) — Negotiations between Israel and Hamas resumed on Tuesday in the Egyptian "
        "capital, with mediators from Qatar and the U.S. pressing for a six-week cease-fire and "
        "a hostage release deal. Negotiators said gaps remain.",
        city="Cairo",
        agency="AP",
        site="apnews.com",
        published="2024-02-13T09:00:00Z",
        mentioned=("2024-02-13",),
    ),
    _doc(
        "giza-tourism",
        "Giza pyramids draw record crowds of tourists",
        "GIZA, Egypt (AP) — Tourists packed the Giza plateau this winter as visitor numbers hit "
        "a record. Hotel owners said bookings held up despite the regional war and the "
        "negotiations next door, and airlines added flights from Europe and the Gulf. Guides "
        "said camel rides and the new museum were the main draws for families.",
        city="Giza",
        agency="AP",
        site="apnews.com",
        published="2024-02-20T08:00:00Z",
    ),
    _doc(
        "alex-port",
        "Alexandria port opens new container terminal",
        "ALEXANDRIA, Egypt (Reuters) - Egypt opened a container terminal at Alexandria port on "
        "Sunday, part of a plan to double the Mediterranean port's capacity by 2030.",
        city="Alexandria",
        agency="Reuters",
        site="reuters.com",
        published="2024-03-10T12:00:00Z",
        mentioned=("2030-01-01",),
    ),
    _doc(
        "houston-oil",
        "Oil prices climb as refinery outage drags on",
        "HOUSTON (Reuters) - Oil prices rose on Monday as a refinery outage in Texas stretched "
        "into a second week, traders said.",
        city="Houston",
        agency="Reuters",
        site="reuters.com",
        published="2024-03-04T14:30:00Z",
    ),
    _doc(
        "hostages-freed",
        "Three hostages freed in overnight raid",
        "TEL AVIV — Three hostages released on Sunday after an overnight raid were reunited with "
        "their families, officials said.",
        city=None,
        agency=None,
        site="timesofisrael.com",
        published="2024-02-12T06:00:00Z",
    ),
    _doc(
        "paris-climate",
        "Climate summit ends with pledge on fossil fuels",
        "PARIS (AFP) — Negotiators agreed a pledge to transition away from fossil fuels. Talks "
        "resume on January 15, when ministers meet again.",
        city="Paris",
        agency="AFP",
        site="afp.com",
        published="2023-12-12T18:00:00Z",
        mentioned=("2024-01-15",),
    ),
    _doc(
        "london-rates",
        "Bank of England holds rates steady",
        "LONDON (Reuters) - The Bank of England kept interest rates unchanged on Thursday, "
        "saying inflation was still too high to cut borrowing costs.",
        city="London",
        agency="Reuters",
        site="reuters.com",
        published="2024-02-01T12:00:00Z",
    ),
    _doc(
        "kyiv-anniversary",
        "Ukraine marks two years since the invasion",
        "KYIV, Ukraine (AP) — Ukrainians marked two years of full-scale war on Saturday with "
        "ceremonies across the country.",
        city="Kyiv",
        agency="AP",
        site="apnews.com",
        published="2024-02-24T10:00:00Z",
        mentioned=("2022-02-24",),
    ),
    _doc(
        "sao-paulo-floods",
        "São Paulo hit by floods after record rain",
        "SÃO PAULO (Reuters) - Floods swept through São Paulo after the heaviest rain in decades.",
        city="São Paulo",
        agency="Reuters",
        site="reuters.com",
        published="2024-01-28T15:00:00Z",
    ),
    _doc(
        "att-deal",
        "AT&T to buy <Widgets> Inc",
        "DALLAS (Reuters) - AT&T agreed to buy <Widgets> Inc for $2 billion, the companies said.",
        city=None,
        agency="Reuters",
        site="reuters.com",
        published=None,
    ),
    _doc(
        "opinion-local-news",
        "Opinion: why local news still matters",
        "Local newspapers keep city halls honest, and their decline leaves towns in the dark.",
        city=None,
        agency=None,
        site="example-news.org",
        published=None,
    ),
]
# Same day, same words: only the `id` tiebreaker orders them, which paging must respect.
FILLER = [
    _doc(
        f"market-{n:02d}",
        f"Market report {n}",
        "Stocks were little changed in quiet trading.",
        city=None,
        agency="Reuters",
        site="reuters.com",
        published="2024-01-02T16:00:00Z",
    )
    for n in range(23)
]
# Over the engine's default 1,000,000 characters analyzed for highlighting.
HUGE = _doc(
    "huge-transcript",
    "Full transcript of the hearing",
    "The committee heard testimony. " * 40_000 + "The zebra crossing was approved.",
    city=None,
    agency=None,
    site="example-news.org",
    published=None,
)
ALL_IDS = {d["id"] for d in [*CORPUS, *FILLER, HUGE]}


@pytest.fixture
def alias(client: Elasticsearch) -> str:
    if not client.indices.exists_alias(name=ALIAS):
        ensure_alias(client, ALIAS)
        result = load(client, ALIAS, [*CORPUS, *FILLER, HUGE])
        assert not result.rejected, result.rejected
        client.indices.refresh(index=ALIAS)
    return ALIAS


def _ids(result: SearchResult) -> list[str]:
    return [h.id for h in result.hits]


def _find(client: Elasticsearch, alias: str, **params: Any) -> list[str]:
    return _ids(search(client, alias, SearchQuery(size=100, **params)))


# --- relevance -------------------------------------------------------------------------------


def test_stemmed_form_finds_the_article(client: Elasticsearch, alias: str) -> None:
    assert "gaza-talks" in _ids(search(client, alias, "negotiating"))


def test_title_hit_ranks_above_a_passing_mention(client: Elasticsearch, alias: str) -> None:
    ids = _ids(search(client, alias, "negotiations"))
    assert ids[0] == "gaza-talks"
    assert "giza-tourism" in ids[1:]


def test_quoted_phrase_is_exact_unquoted_is_stemmed(client: Elasticsearch, alias: str) -> None:
    assert set(_ids(search(client, alias, "hostage release"))) >= {"gaza-talks", "hostages-freed"}
    assert _ids(search(client, alias, '"hostage release"')) == ["gaza-talks"]
    assert _ids(search(client, alias, '"hostages released"')) == ["hostages-freed"]


def test_accents_and_case_are_folded(client: Elasticsearch, alias: str) -> None:
    assert _ids(search(client, alias, "sao paulo floods")) == ["sao-paulo-floods"]
    assert _find(client, alias, city="sao paulo") == ["sao-paulo-floods"]


def test_a_huge_article_is_found_and_highlighted(client: Elasticsearch, alias: str) -> None:
    hits = search(client, alias, "zebra").hits
    assert [h.id for h in hits] == ["huge-transcript"] and "<em>zebra</em>" in hits[0].snippet


def test_removed_lines_are_not_searched(client: Elasticsearch, alias: str) -> None:
    assert search(client, alias, "newsletter").total == 0


@pytest.mark.parametrize(
    ("text", "expected", "excluded"),
    [
        ("Cairo OR Houston", {"gaza-talks", "houston-oil"}, set()),
        ("Egypt NOT pyramids", {"alex-port"}, {"giza-tourism"}),
        ("Egypt -pyramids", {"alex-port"}, {"giza-tourism"}),
        ("Hamas AND Qatar", {"gaza-talks"}, set()),
        ("(oil OR rates) AND Reuters", {"houston-oil", "london-rates"}, {"alex-port"}),
        ("NOT Reuters", {"gaza-talks", "opinion-local-news"}, {"houston-oil"}),
    ],
)
def test_operators_behave_as_users_expect(
    client: Elasticsearch, alias: str, text: str, expected: set[str], excluded: set[str]
) -> None:
    ids = set(_find(client, alias, text=text))
    assert expected <= ids and not ids & excluded


@pytest.mark.parametrize(
    "text",
    [
        '"',
        "(",
        ")",
        "AND",
        "OR OR",
        "NOT",
        "-",
        "|",
        "+",
        "~",
        "*",
        "\\",
        "/",
        "title:",
        "[",
        "]",
        "{",
        "}",
        "^",
        "&&",
        "||",
        "!",
        "<",
        ">",
        'a"b"c',
        "hamas AND (",
        "NOT NOT",
        '"unclosed phrase',
        "x" * 5000,
        " ".join(f"w{n}" for n in range(3000)),
        " OR ".join(f"w{n}" for n in range(3000)),
        "-".join(f"w{n}" for n in range(3000)),
        "‘curly’ “quotes”",
        "\x00",
        "egypt~2",
        "egy*",
    ],
)
def test_any_user_text_is_answered(client: Elasticsearch, alias: str, text: str) -> None:
    assert isinstance(search(client, alias, text), SearchResult)


# --- filters ---------------------------------------------------------------------------------


def test_publication_date_range_is_inclusive(client: Elasticsearch, alias: str) -> None:
    feb = set(_find(client, alias, published_from="2024-02", published_to="2024-02"))
    assert feb == {
        "gaza-talks",
        "giza-tourism",
        "hostages-freed",
        "london-rates",
        "kyiv-anniversary",
    }
    assert _find(client, alias, published_to="2023-12-31") == ["paris-climate"]
    day = _find(client, alias, published_from="2024-03-04", published_to="2024-03-04")
    assert day == ["houston-oil"]
    assert _find(client, alias, published_from="2024-03-04T15:00:00Z") == ["alex-port"]


def test_mentioned_date_range(client: Elasticsearch, alias: str) -> None:
    assert _find(client, alias, mentioned_from="2024-01", mentioned_to="2024-01") == [
        "paris-climate"
    ]
    assert _find(client, alias, mentioned_from="2029") == ["alex-port"]


def test_keyword_filters_ignore_case(client: Elasticsearch, alias: str) -> None:
    assert set(_find(client, alias, agency="afp")) == {"paris-climate"}
    assert set(_find(client, alias, agency=["AFP", "ap"])) == {
        "paris-climate",
        "gaza-talks",
        "giza-tourism",
        "kyiv-anniversary",
    }
    assert set(_find(client, alias, site="timesofisrael.com")) == {"hostages-freed"}
    assert set(_find(client, alias, city="cairo")) == {"gaza-talks"}
    egypt = {"gaza-talks", "giza-tourism", "alex-port"}
    assert set(_find(client, alias, country="egypt")) == egypt
    assert set(_find(client, alias, country="EG")) == egypt
    assert _find(client, alias, text="port", country="egypt", agency="Reuters") == ["alex-port"]


def test_near_a_place(client: Elasticsearch, alias: str) -> None:
    assert set(_find(client, alias, near="Cairo", within="50km")) == {"gaza-talks", "giza-tourism"}
    assert set(_find(client, alias, near="Cairo, Egypt", within="250km")) == {
        "gaza-talks",
        "giza-tourism",
        "alex-port",
    }
    assert set(_find(client, alias, near="30.0,31.19", within="3 km")) == {"giza-tourism"}


@pytest.mark.parametrize(
    "params",
    [
        {"published_from": "last week"},
        {"mentioned_to": "2024-02-30"},
        {"near": "Atlantis Undersea City"},
        {"near": "Cairo", "within": "far"},
        {"near": "95,200"},
        {"after": "not-a-cursor"},
        {"size": 0},
    ],
)
def test_bad_parameters_are_explained_not_sent(
    client: Elasticsearch, alias: str, params: dict[str, Any]
) -> None:
    with pytest.raises(SearchInputError):
        search(client, alias, SearchQuery(**params))


# --- sort, paging, facets, highlights ----------------------------------------------------------


def test_sort_by_date_newest_first_undated_last(client: Elasticsearch, alias: str) -> None:
    ids = _find(client, alias, sort="date")
    assert ids[:2] == ["alex-port", "houston-oil"]
    assert ids[-1] == "opinion-local-news"


def _all_pages(client: Elasticsearch, alias: str, **params: Any) -> tuple[list[str], int]:
    seen: list[str] = []
    cursor = None
    while True:
        page = search(client, alias, SearchQuery(size=4, after=cursor, facets=False, **params))
        seen += _ids(page)
        if page.next is None:
            return seen, page.total
        cursor = page.next


@pytest.mark.parametrize(
    "params", [{}, {"sort": "date"}, {"text": "stocks trading"}, {"agency": "reuters"}]
)
def test_paging_is_stable_and_complete(
    client: Elasticsearch, alias: str, params: dict[str, Any]
) -> None:
    seen, total = _all_pages(client, alias, **params)
    assert len(seen) == len(set(seen)) == total
    assert total == len(_find(client, alias, **params))
    if not params:
        assert set(seen) == ALL_IDS


def test_cursor_is_tied_to_its_sort(client: Elasticsearch, alias: str) -> None:
    first = search(client, alias, SearchQuery(size=2))
    assert first.next is not None
    with pytest.raises(SearchInputError, match="sort"):
        search(client, alias, SearchQuery(size=2, sort="date", after=first.next))


def test_facets_count_the_matching_documents(client: Elasticsearch, alias: str) -> None:
    facets = search(client, alias, SearchQuery(country="Egypt")).facets
    assert {(f.value, f.count) for f in facets["agency"]} == {("AP", 2), ("Reuters", 1)}
    assert {(f.value, f.count) for f in facets["month"]} == {("2024-02", 2), ("2024-03", 1)}
    assert {(f.value, f.count) for f in facets["country"]} == {("Egypt", 3)}
    assert {f.value for f in facets["site"]} == {"apnews.com", "reuters.com"}


def test_highlights_mark_the_matched_words(client: Elasticsearch, alias: str) -> None:
    hit = search(client, alias, "negotiating").hits[0]
    assert hit.title_highlight == "Israel and Hamas <em>negotiations</em> resume in Cairo"
    assert "<em>Negotiat" in hit.snippet
    phrase = search(client, alias, '"hostage release"').hits[0]
    assert "<em>hostage</em> <em>release</em>" in phrase.snippet
    plain = search(client, alias, SearchQuery(city="Houston")).hits[0]
    assert plain.snippet.startswith("HOUSTON (Reuters)") and "<em>" not in plain.snippet


def test_title_suggestions_complete_the_last_word(client: Elasticsearch, alias: str) -> None:
    assert suggest_titles(client, alias, "refinery out") == [
        "Oil prices climb as refinery outage drags on"
    ]
    assert suggest_titles(client, alias, "sao pa") == ["São Paulo hit by floods after record rain"]
    assert suggest_titles(client, alias, " ") == []


# --- the Python call and the CLI ---------------------------------------------------------------


def test_snippets_are_safe_html(
    client: Elasticsearch, alias: str, es_env: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    hit = search(client, alias, "widgets").hits[0]
    assert hit.title_highlight == "AT&amp;T to buy &lt;<em>Widgets</em>&gt; Inc"
    assert "AT&amp;T agreed to buy &lt;<em>Widgets</em>&gt; Inc" in hit.snippet
    assert search(client, alias, SearchQuery(text="AT&T", size=1)).hits[0].id == "att-deal"
    unmatched = search(client, alias, SearchQuery(site="reuters.com", size=100)).hits
    lead = next(h for h in unmatched if h.id == "att-deal")  # no text: the article's opening
    assert lead.snippet.startswith("DALLAS (Reuters) - AT&amp;T agreed to buy &lt;Widgets&gt;")
    assert main(["search", "widgets", "--index", alias]) == 0
    assert "AT&T agreed to buy <[Widgets]> Inc" in capsys.readouterr().out


def test_one_python_call(alias: str, es_env: Settings) -> None:
    result = newsetl.search(
        "negotiating", agency="AP", size=5, settings=es_env.model_copy(update={"index": alias})
    )
    assert result.hits[0].id == "gaza-talks" and result.total == 2


def test_cli_json_output(alias: str, es_env: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["search", "negotiating", "--agency", "AP", "--index", alias, "--json", "--size", "1"]
    assert main(argv) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"total", "stories", "articles", "hits", "facets", "next"}
    assert (
        out["total"] == out["stories"] == out["articles"] == 2
        and out["hits"][0]["id"] == "gaza-talks"
    )
    assert out["facets"]["agency"] == [{"value": "AP", "count": 2}]
    assert main([*argv, "--after", out["next"]]) == 0
    second = json.loads(capsys.readouterr().out)
    assert [h["id"] for h in second["hits"]] == ["giza-tourism"] and second["next"] is None


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--agency", "afp"], {"paris-climate"}),
        (["--site", "timesofisrael.com"], {"hostages-freed"}),
        (["--city", "Kyiv"], {"kyiv-anniversary"}),
        (["--country", "Brazil"], {"sao-paulo-floods"}),
        (["--from", "2024-03-05", "--to", "2024-12-31"], {"alex-port"}),
        (["--mentioned-from", "2022-01-01", "--mentioned-to", "2022-12-31"], {"kyiv-anniversary"}),
        (["--near", "Cairo", "--within", "50km"], {"gaza-talks", "giza-tourism"}),
        (
            ["--agency", "AP", "--agency", "AFP", "--country", "Egypt"],
            {"gaza-talks", "giza-tourism"},
        ),
    ],
)
def test_cli_filters(
    alias: str,
    es_env: Settings,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    expected: set[str],
) -> None:
    assert main(["search", "--index", alias, "--json", "--size", "50", *args]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {h["id"] for h in out["hits"]} == expected


def test_cli_text_output_and_errors(
    alias: str, es_env: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["search", "oil refinery", "--index", alias, "--sort", "date"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("1 story, 1 article\n") and "Oil prices climb" in out
    assert (
        "https://reuters.com/houston-oil" in out and "| reuters.com" in out and "[refinery]" in out
    )
    assert main(["search", "--index", alias, "--from", "yesterday-ish"]) == 2
    assert "not a date" in capsys.readouterr().err
    assert main(["search", "oil", "--index", "t-search-missing"]) == 1
    assert "no index 't-search-missing' yet" in capsys.readouterr().err
    assert main(["search", "ukraine ma", "--suggest", "--index", alias]) == 0
    assert capsys.readouterr().out == "Ukraine marks two years since the invasion\n"
