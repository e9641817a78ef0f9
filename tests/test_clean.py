from __future__ import annotations

import re
from importlib.resources import files
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.boilerplate import furniture_keys, learn_boilerplate, line_key, matches_pattern
from transforms.clean import Cleaned, clean_text
from transforms.paragraphs import repaired_paragraphs
from transforms.repair import repair_text

SEED = Path(__file__).resolve().parents[1] / "raw" / "000_b0d58523203c84aa.txt"

# The seed's shape: headline, dateline paragraph, body, reporters' line, trailing widgets.
SEED_LIKE = """\
Israel and Hamas are making progress in cease-fire and hostage release talks, officials say


CAIRO (AP) — Israel and Hamas are making progress toward a deal that aims to bring about a \
cease-fire and free hostages held in the war-ravaged Gaza Strip, according to two officials.

Other Israeli officials have said only a deal can bring about the release of so many hostages.

“The key elements of the deal are on the table,” Biden said.

The signs of progress came despite ongoing fighting.


Jobain reported from Rafah, Gaza Strip, and Goldenberg from Tel Aviv, Israel.


Find more of AP’s coverage at

Source: post

No posts to display"""

PROSE_A = "The council voted on Tuesday to extend the curfew for another two weeks, officials said."
PROSE_B = "Residents said they had not been told how long the measures would last."
_WORD = re.compile(r"\w+")


# A story long enough that a one-sentence deck or caption is small next to it.
_STORY = [
    f"{PROSE_A} {PROSE_B}",
    "The mayor said the army would stay in the northern district until the end of the month.",
    "Shopkeepers in the old market said they had lost most of their customers since the strike.",
    "“We have no idea when we can open again,” said one of them, who sells spices and tea.",
    "The council will meet again next week to decide whether to lift the curfew early.",
]


def _around(line: str) -> str:
    return f"{PROSE_A}\n\n{line}\n\n{PROSE_B}"


def _check_seed(cleaned: Cleaned) -> None:
    assert cleaned.body.startswith("CAIRO (AP) — Israel and Hamas are making progress")
    assert cleaned.body.endswith(
        "Jobain reported from Rafah, Gaza Strip, and Goldenberg from Tel Aviv, Israel."
    )
    for junk in ("Find more of AP’s coverage at", "Source: post", "No posts to display"):
        assert junk in cleaned.removed
        assert junk not in cleaned.body


def test_seed_shape() -> None:
    _check_seed(clean_text(SEED_LIKE))


@pytest.mark.skipif(not SEED.is_file(), reason="seed article not copied to raw/")
def test_seed_file() -> None:
    cleaned = clean_text(SEED.read_text(encoding="utf-8"))
    _check_seed(cleaned)
    assert "\n\n\n" not in cleaned.body


def test_title_repeat_removed() -> None:
    text = f"Will the talks succeed?\n\n{PROSE_A}\n\n{PROSE_B}"
    assert clean_text(text).body.startswith("Will the talks succeed?")  # a question is prose
    cleaned = clean_text(text, title="Will the talks  succeed?")
    assert cleaned.body == f"{PROSE_A}\n\n{PROSE_B}"
    assert cleaned.removed == ("Will the talks succeed?",)


def test_paragraphs_one_line_one_blank_line_apart() -> None:
    cleaned = clean_text(f"  {PROSE_A}  \n\n\n\n{PROSE_B}\n")
    assert cleaned.body == f"{PROSE_A}\n\n{PROSE_B}"


def test_hard_wrapped_paragraph_is_rejoined() -> None:
    wrapped = "The ministry said the new rules, which take effect\nnext month, would apply to all."
    assert clean_text(wrapped).body == wrapped.replace("\n", " ")


def test_bare_dateline_joins_its_paragraph() -> None:
    cleaned = clean_text(f"WASHINGTON (AP) —\n{PROSE_A}\n\n{PROSE_B}")
    assert cleaned.body.startswith(f"WASHINGTON (AP) — {PROSE_A}")


@pytest.mark.parametrize(
    "junk",
    [
        "No posts to display",
        "Find more of AP’s coverage at https://apnews.com/hub/israel-hamas-war",
        "Source: post",
        "Share this:",
        "Share",
        "Click to share on Facebook (Opens in new window)",
        "Tweet | Email | Print",
        "Advertisement",
        "Related:",
        "Related: Israel strikes Rafah as talks continue",
        "Read more: Gaza health officials say death toll passes 28,000",
        "READ MORE",
        "Sign up for our daily newsletter",
        "Subscribe",
        "Follow Samy Magdy on X at https://x.com/samymagdy",
        "Follow us on Twitter",
        "Copyright 2024 The Associated Press. All rights reserved.",
        "© 2024 Example Media. All rights reserved.",
        "Palestinians inspect the rubble in Rafah on Tuesday. (AP Photo/Fatima Shbair)",
        "(AP Photo/Hatem Ali)",
        "Photo: Getty Images",
        "Loading...",
        "Like this:",
        "12 Comments",
        "View comments",
        "Sharing is caring!",
        "Story continues below advertisement",
        "Skip to main content",
        "By JOSEF FEDERMAN and SAMY MAGDY",
        "By Josef Federman, Associated Press",
        "Published 3:45 PM EST, February 13, 2024",
        "Updated 10:15 AM GMT+1, Feb. 13, 2024",
        "February 13, 2024",
        "2024-02-13T10:15:00Z",
        "5 hours ago",
        "Tags: Israel, Gaza, Hamas",
        "Click here to get the app",
        "Don't miss:",
        "This slideshow requires JavaScript.",
        "Write to Jane Roe at jane.roe@example.com",
        "Leave a Reply Cancel reply",
        "Save my name, email, and website in this browser for the next time I comment.",
        "This site uses Akismet to reduce spam. Learn how your comment data is processed.",
        "34 responses to “Anthony Lynn: We needed to win this game”",
        "Email *",
        "Sanjeev Verma/Hindustan Times/Getty Images",
        "(Reed Saxon / Associated Press)",
        "Rep. Ilhan Omar speaks at the Capitol on July 25, 2019. J. Scott Applewhite / AP file",
        "A cyclist rides past a blocked plant near La Paz. © Reuters / David Mercado",
        "Photo by David Dyer-Bennet",
        "By",
        "- Next Auto News",
        "Politics (45)",
        "No spam, we promise. You can unsubscribe at any time.",
        # the same families in other languages
        "Comparte esta noticia",
        "Síguenos en Twitter",
        "Lee también: El Gobierno aprueba el plan de vivienda",
        "Noticias relacionadas",
        "Suscríbete a nuestro boletín",
        "© 2024 Diario Ejemplo. Todos los derechos reservados.",
        "Compartilhe",
        "Leia também: Chuvas deixam mortos no Sul",
        "Partager sur Facebook",
        "Suivez-nous sur Instagram",
        "Lire aussi : La réforme des retraites adoptée",
        "Tous droits réservés.",
        "Artikel teilen",
        "Folgen Sie uns auf Facebook",
        "Mehr zum Thema",
        "Anzeige",
        "12 Kommentare",
        "Condividi su Facebook",
        "Leggi anche: Il governo approva la manovra",
        "Publicidad",
        # republication credits
        "This article originally appeared in The Texas Tribune at https://example.org/a/.",
        "This story was originally published by ProPublica.",
        "Republished with permission.",
    ],
)
def test_pattern_families_removed(junk: str) -> None:
    cleaned = clean_text(_around(junk))
    assert cleaned.body == f"{PROSE_A}\n\n{PROSE_B}"
    assert cleaned.removed == (junk,)


@pytest.mark.parametrize(
    "keep",
    [
        "He said no.",
        "“We will not leave,” she said.",
        "Jobain reported from Rafah, Gaza Strip, and Goldenberg from Tel Aviv, Israel.",
        "Associated Press writer Jon Gambrell in Dubai contributed to this report.",
        "By the end of the year, the company had hired 300 people.",
        "What happens next",  # a lone subheading between paragraphs
        "Next steps",
        "Share prices fell 3% on the news.",
        "Advertisers have pulled out of the platform, the report said.",
        "Comments from the minister drew criticism from the opposition.",
        "Teilen sich die Parteien die Macht, bleibt die Regierung stabil.",
        "Publicidad engañosa, según la fiscalía.",
        "Comentarios del ministro provocaron críticas de la oposición.",
        "The report was first published in 1998 and revised in 2004.",
        "The photos were shared with permission of the family.",
    ],
)
def test_short_real_content_kept(keep: str) -> None:
    cleaned = clean_text(_around(keep))
    assert cleaned.body == f"{PROSE_A}\n\n{keep}\n\n{PROSE_B}"
    assert cleaned.removed == ()


def test_link_list_run_removed_but_pairs_kept() -> None:
    links = ["World news", "Israel strikes Rafah as talks continue", "Markets rally on rate hopes"]
    cleaned = clean_text("\n".join([PROSE_A, *links, PROSE_B]))
    assert cleaned.body == f"{PROSE_A}\n\n{PROSE_B}"
    assert cleaned.removed == tuple(links)
    two = clean_text("\n".join([PROSE_A, "First subheading", "Second line", PROSE_B]))
    assert two.removed == ()


@pytest.mark.parametrize(
    "items",
    [
        ["Tour dates:", "Cairo Opera House", "Alexandria Library", "Luxor Temple"],  # announced
        ["June 9 – West Palm Beach, FL", "June 10 – Tampa, FL", "June 14 – Alpharetta, GA"],
        ["1. Kyle Busch 5040", "2. Martin Truex Jr. 5035", "3. Kevin Harvick 5024"],
    ],
)
def test_story_lists_kept(items: list[str]) -> None:
    cleaned = clean_text("\n".join([PROSE_A, *items, PROSE_B]))
    assert cleaned.removed == ()


@pytest.mark.parametrize(
    "items",
    [
        # the list ends the story: announced by a colon, or a schedule of dated rows
        ["The band's 2020 tour dates:", "Cairo Opera House", "Alexandria Library", "Luxor"],
        [
            "Tour dates",
            "June 9 – West Palm Beach, FL",
            "June 10 – Tampa, FL",
            "June 14 – Alpharetta, GA",
        ],
        # rows built alike, without figures in every row
        [
            "Qualified teams",
            "England (Group A): Tenth appearance",
            "Spain (Group F): Eleventh",
            "Wales (Group E): Second appearance",
        ],
    ],
)
def test_story_list_closing_the_story_kept(items: list[str]) -> None:
    cleaned = clean_text("\n".join([PROSE_A, PROSE_B, *items, "Share this:", "Related"]))
    assert cleaned.body == "\n\n".join([PROSE_A, PROSE_B, *items])


def test_teaser_headlines_with_figures_are_not_a_table() -> None:
    teasers = [
        "25 worst Rock and Roll Hall of Fame inductees ever",
        "Dave Matthews Band takes over the fan vote",
        "Doobie Brothers perform with Santana in 2019",
        "Fans really want The Doobie Brothers in the Hall",
    ]
    cleaned = clean_text("\n".join([PROSE_A, *teasers, PROSE_B]))
    assert cleaned.body == f"{PROSE_A}\n\n{PROSE_B}"


def test_table_cells_one_per_line_kept() -> None:
    cells = ["Pos.", "Driver", "Points", "Wins", "1", "Kyle Busch", "5040", "5"]
    cells += ["2", "Martin Truex", "5035", "7"]
    cleaned = clean_text("\n".join([PROSE_A, *cells, PROSE_B]))
    assert cleaned.removed == ()


def test_prose_beyond_a_block_of_furniture_removed() -> None:
    menu = ["News", "Sport", "Business", "Culture", "Opinion", "Weather", "Video", "Audio"]
    sidebar = "Sign up to our morning briefing and get the day's top stories in your inbox."
    story = [PROSE_A, "Advertisement", "“We will not leave,” she said.", PROSE_B]
    cleaned = clean_text("\n".join([*story, "Share", *menu, sidebar, "About us"]))
    assert cleaned.body == "\n\n".join([PROSE_A, "“We will not leave,” she said.", PROSE_B])


def test_headline_deck_and_caption_before_the_byline_removed() -> None:
    deck = "The council wants more time to restore order after a week of unrest."
    caption = "Police officers stand guard outside the town hall on Monday."
    header = [deck, caption, "AP Photo/John Doe", "By Jane Roe", "Updated 5:32 PM EST"]
    text = "\n".join([*header, *_STORY])
    cleaned = clean_text(text)
    assert cleaned.body.startswith(PROSE_A)
    assert deck in cleaned.removed and caption in cleaned.removed


def test_dateline_paragraph_is_never_a_header() -> None:
    lede = "CAIRO (AP) — Talks resumed on Tuesday, officials said."
    cleaned = clean_text("\n".join([lede, "Updated 5:32 PM EST", *_STORY]))
    assert cleaned.body.startswith(lede)


def test_unspaced_scripts_have_sentences() -> None:
    # Japanese sentences are one \\w+ run each; they are prose, not a run of labels.
    sentences = [
        "以下、その手順。",
        "まずスタートメニューからプログラムを探し、右クリック。",
        "これでようやく元の操作性を取り戻せました。",
    ]
    text = "\n".join([PROSE_A, *sentences, PROSE_B])
    assert clean_text(text).removed == ()


def test_caption_printed_twice_by_a_gallery_removed() -> None:
    caption = (
        "Residents walk past a damaged building in the northern district on Tuesday, a day "
        "after the strike, in a photo released by the city council, which has asked the "
        "national government for help with the cost of rebuilding the district."
    )
    cut = caption[: caption.index(" with the cost")] + " ... more"
    cleaned = clean_text("\n".join([caption, "1 of 8", cut, PROSE_A, PROSE_B]))
    assert cleaned.body == f"{PROSE_A}\n\n{PROSE_B}"


def test_repeated_caption_dropped_once() -> None:
    caption = (
        "Residents walk past a damaged building in the northern district on Tuesday, "
        "a day after the strike, in a photo released by the city council"
    )
    cleaned = clean_text("\n".join([caption, PROSE_A, caption, PROSE_B]))
    assert cleaned.body == f"{caption}\n\n{PROSE_A}\n\n{PROSE_B}"
    assert cleaned.removed == (caption,)


def test_edges_lose_headline_and_byline_lines() -> None:
    text = f"Talks progress in Cairo\nBy Jane Roe\n{PROSE_A}\n{PROSE_B}\nMore from World"
    cleaned = clean_text(text)
    assert cleaned.body == f"{PROSE_A}\n\n{PROSE_B}"
    assert cleaned.removed == ("Talks progress in Cairo", "By Jane Roe", "More from World")


def test_site_boilerplate_keys() -> None:
    furniture = "The Daily Bugle — independent since the old days"
    text = _around(furniture)
    assert clean_text(text).removed == ()
    learned = frozenset({line_key(furniture)})
    cleaned = clean_text(text, site_boilerplate=learned)
    assert cleaned.removed == (furniture,)


def test_site_boilerplate_never_removes_a_sentence() -> None:
    """Learned evidence alone cannot tell a repeated sentence from furniture: it stays."""
    sentence = "The Daily Bugle is an independent newspaper founded in 1898."
    cleaned = clean_text(_around(sentence), site_boilerplate={line_key(sentence)})
    assert cleaned.removed == ()


def test_line_key_folds_case_space_digits_and_edges() -> None:
    assert line_key("  12 Comments ") == line_key("3 comments")
    assert line_key("© 2023 Example Media.") == line_key("© 2024  example media")
    assert line_key("...") == ""


def test_furniture_keys_of_a_document() -> None:
    """Only short non-prose lines are evidence; figures are the pattern file's job."""
    text = f"{PROSE_A}\n\n12 Comments\n\nMore from Metro\n\n\n"
    assert furniture_keys(repaired_paragraphs(text)) == {"more from metro"}


def test_learn_boilerplate_needs_recurrence_across_documents() -> None:
    counts = {"0 comments": 40, "share this story": 6, "one-off line": 1, "rare": 4}
    long_background = " ".join(["word"] * 40)
    counts[long_background] = 90
    learned = learn_boilerplate(counts, n_stories=100)
    assert learned == {"0 comments", "share this story"}
    assert learn_boilerplate(counts, n_stories=500) == {"0 comments"}  # 6 of 500 is too few


def test_pattern_file_lines_compile() -> None:
    text = files("transforms").joinpath("data", "boilerplate.txt").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            re.compile(line)
    assert matches_pattern("Advertisement")
    assert not matches_pattern(PROSE_A)


_LINES = st.sampled_from(
    [
        PROSE_A,
        PROSE_B,
        "Advertisement",
        "Share this:",
        "Related: More news",
        "CAIRO (AP) —",
        "By Jane Roe",
        "World",
        "Sports",
        "“No,” he said.",
        "",
        "   ",
        "the minister said on",
        "tuesday that the plan was final.",
        "Israelâ€™s",
        "&amp; more",
        "Tour dates:",
        "June 9 – Tampa, FL",
        "England (Group A): 10th appearance",
        "Published 5:32 PM EST, Nov. 19, 2019",
        "1 of 8",
        "CAIRO (AP) — Talks resumed on Tuesday, officials said.",
        "以下、その手順。",
    ]
)
_DOCS = st.one_of(
    st.text(max_size=400),
    st.lists(st.one_of(_LINES, st.text(max_size=40)), max_size=25).map("\n".join),
)


@settings(max_examples=150, deadline=None)
@given(_DOCS)
def test_clean_properties(text: str) -> None:
    cleaned = clean_text(text)
    assert clean_text(cleaned.body).body == cleaned.body
    # "After repair" of the text as laid out in paragraphs (runs of spaces and tabs are one space).
    spaced = " ".join(text.split())
    allowed = set(_WORD.findall(repair_text(text))) | set(_WORD.findall(repair_text(spaced)))
    assert set(_WORD.findall(cleaned.body)) <= allowed
    assert "\n\n\n" not in cleaned.body
    assert all(line.strip() == line and line for line in cleaned.body.split("\n\n") if cleaned.body)


def test_a_text_without_prose_keeps_its_lines() -> None:
    """No sentence to anchor the story on: the short text is all the article there is."""
    assert clean_text("Fixed text.").body == "Fixed text."
    assert clean_text("Share this:\n\nFixed text.").body == "Fixed text."


# Wire copy as feeds and archives hold it: a dateline (or none), rows of figures and words,
# a table's header and footer rows, notes, wrapped prose with paragraph indents, and a
# sign-off or none. Cleaning the body again (its sign-off gone) must keep every row.
_WIRE_DATELINES = st.sampled_from(
    ["    LONDON, March 3 -", "PARIS (AFP) -", "    NEW YORK, April 8 -", "Berlin (dpa) -", ""]
)
_WIRE_ROWS = st.sampled_from(
    [
        "    Mthly div six cts vs six cts prior",
        "    Pay March 13",
        "    Record March Two",
        "    Shr 12 cts vs 10 cts",
        "    Net 1.2 mln vs 900,000",
        "    Year",
        " Wilcox/Gibbs - New York",
        " Health Management Associates - New York",
        "      VOL    OPEN   CHANGE",
        " Mar       ---    ---    ---",
        " MAY  2515  15541   off  885",
        " twelve    SIX",
        "    Note: Year ago figures restated.",
        "    NOTE: company is a unit of Acme Corp",
        "    Oil",
        "More",
        "    The company said the sale was approved by its board, pending a vote of holders.",
        "    Brent crude for June loading traded at 18.10 dlrs a barrel",
        "in late trading after opening at 18.05, dealers said.",
        "\"Yet you bought more from Japan,\" he said. REUTER",
    ]
)
_WIRE_SIGNOFFS = st.sampled_from(
    ["", " REUTER", " Reuter", "-- Reuters", " (AP)", "AFP", "dpa", "==Kyodo",
     "(Reporting by Jane Roe; Editing by John Doe)"]
)
_WIRE = st.builds(
    lambda dateline, rows, signoffs: "\n".join([dateline, *rows, *signoffs]),
    _WIRE_DATELINES,
    st.lists(_WIRE_ROWS, max_size=12),
    st.lists(_WIRE_SIGNOFFS, max_size=2),
)


def test_junk_between_teasers_does_not_end_their_run() -> None:
    """A take's "More" between three headline-like rows: the rows are judged as they read
    once it has gone, so cleaning the body again removes nothing more (found by the property
    test below)."""
    text = "\n".join(
        [
            "    LONDON, March 3 -",
            "    The company said the sale was approved by its board, pending a vote of holders.",
            "    Record March Two",
            "    Record March Two",
            "More",
            "    Record March Two",
            " REUTER",
        ]
    )
    cleaned = clean_text(text)
    assert clean_text(cleaned.body).body == cleaned.body
    assert cleaned.removed.count("Record March Two") == 3  # nothing lost: each is in removed


@settings(max_examples=300, deadline=None)
@given(_WIRE)
def test_cleaning_wire_copy_is_idempotent(text: str) -> None:
    cleaned = clean_text(text)
    assert clean_text(cleaned.body).body == cleaned.body


def test_a_table_keeps_its_header_and_last_rows() -> None:
    """Rows without figures are the table's own (a header, a status), not labels."""
    table = "\n".join(
        [
            "    Bids only -",
            " 1 month   5-7/8",
            " two       5-7/8",
            " three     5-7/8",
            " twelve    SIX",
        ]
    )
    assert clean_text(table).body.split("\n\n") == [
        "Bids only -", "1 month 5-7/8", "two 5-7/8", "three 5-7/8", "twelve SIX"
    ]


def test_rows_under_a_dateline_line_are_the_item() -> None:
    """A take ending "More": the dateline on its own line, then rows of words and figures."""
    take = (
        "    LARKVILLE, MINN., March 25 -\n    Oper shr one ct vs two cts\n"
        "    Oper net 30,000 vs 62,000\n    Year\n    Oper shr four cts vs nine cts\n"
        "    NOTE: Full name is Acme Kitchens Inc\n More\n"
    )
    body = clean_text(take).body.split("\n\n")
    assert body[0] == "LARKVILLE, MINN., March 25 -"
    assert body[1:] == [
        "Oper shr one ct vs two cts", "Oper net 30,000 vs 62,000", "Year",
        "Oper shr four cts vs nine cts", "NOTE: Full name is Acme Kitchens Inc",
    ]
