"""Held-out wire formats through `newsetl transform`: other agencies' house styles than the
Reuters-21578 dev corpus, each hard-wrapped and not, in one raw folder.

The stories are written here, not taken from a corpus: AFP, UPI, dpa, modern Reuters, PA,
Kyodo, Xinhua and AP datelines, sign-offs ("AFP", "-- Reuters", "==Kyodo", "Enditem",
"(Reporting by ...; Editing by ...)") or none, a table of figures in one. For every file:
no line of the story is lost, the agency is set, and the dateline's city is found.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from newsetl.pipeline import transform_paths
from newsetl.readers import discover

NOW = datetime(2026, 12, 1, tzinfo=UTC)
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Wire:
    """One synthetic wire story: its paragraphs (the first opens with the dateline), the
    closing sign-off line ("" for none), and what the pipeline must read from it."""

    name: str
    title: str
    paragraphs: tuple[str, ...]
    signoff: str
    agency: str
    city: str
    table: tuple[str, ...] = ()


STORIES = (
    Wire(
        "xinhua",
        "China's grain output hits record high",
        (
            "BEIJING, Dec. 12 (Xinhua) -- China's grain output reached a record high of 706.5 "
            "million tonnes this year, up 1.6 percent year on year, the National Bureau of "
            "Statistics said Friday.",
            "The output has stayed above 650 million tonnes for ten consecutive years, the "
            "bureau said in a statement, citing a larger planting area and higher yields.",
        ),
        "Enditem",
        "Xinhua",
        "Beijing",
    ),
    Wire(
        "afp",
        "France sets out pension reform timetable",
        (
            "PARIS (AFP) - France's government on Tuesday set out a timetable for its "
            "pension reform, with a first reading in parliament planned before the summer "
            "recess and a final vote expected in the autumn.",
            "The labour minister told reporters the bill would raise the minimum contribution "
            "period gradually, by one quarter a year, starting in 2028.",
            "\"This is a reform of fairness,\" she said.",
            "Unions have called a day of strikes for next week.",
        ),
        "AFP",
        "AFP",
        "Paris",
    ),
    Wire(
        "upi",
        "Senate panel backs highway bill",
        (
            "WASHINGTON, March 3 (UPI) -- A Senate panel voted 14-7 on Wednesday to back a "
            "highway bill that would spend 210 billion dollars over five years on roads, "
            "bridges and transit systems.",
            "The measure now goes to the full Senate, where leaders hope to bring it to a vote "
            "before the Easter recess, aides said.",
            "Opponents said the bill did too little to cut the cost of repairs in rural states.",
        ),
        "",
        "UPI",
        "Washington",
    ),
    Wire(
        "dpa",
        "Berlin court halts airport expansion",
        (
            "Berlin (dpa) - A Berlin administrative court on Thursday halted work on a third "
            "runway at the city's airport, ruling that the noise study behind the plan was "
            "out of date.",
            "The airport operator said it would appeal and expected a decision from the "
            "higher court within months.",
            "Residents' groups welcomed the ruling.",
        ),
        "dpa",
        "dpa",
        "Berlin",
    ),
    Wire(
        "reuters-modern",
        "Copper hits three-month high on supply worries",
        (
            "LONDON (Reuters) - Copper prices rose to a three-month high on Monday as "
            "strikes at two South American mines raised concerns about supply, while a "
            "weaker dollar made metals cheaper for holders of other currencies.",
            "Benchmark copper on the London Metal Exchange was up 1.4% at 9,820 dollars a "
            "tonne by late afternoon.",
            "\"The market is looking at lost output of about 40,000 tonnes a month,\" said an "
            "analyst at a brokerage in London.",
            "Aluminium, zinc and nickel also gained.",
        ),
        "(Reporting by Jane Roe; Editing by John Doe)",
        "Reuters",
        "London",
    ),
    Wire(
        "reuters-dash",
        "Dutch central bank warns on house prices",
        (
            "AMSTERDAM, June 12 - The Dutch central bank warned on Friday that house prices "
            "had risen faster than incomes for a fifth year and urged the government to "
            "phase out mortgage interest relief more quickly.",
            "Prices rose 8.1 percent in the first quarter from a year earlier, the bank said "
            "in its half-yearly report.",
        ),
        "-- Reuters",
        "Reuters",
        "Amsterdam",
    ),
    Wire(
        "pa",
        "Rail fares to rise by 4.6 percent",
        (
            "LONDON (PA) - Rail fares in England will rise by 4.6 percent in March, the "
            "Department for Transport announced on Tuesday, the smallest increase for three "
            "years.",
            "Passenger groups said the rise would still hit commuters hard after a winter of "
            "cancellations and strikes.",
            "The rail minister said the cap would keep fares below inflation.",
        ),
        "",
        "PA Media",
        "London",
    ),
    Wire(
        "kyodo",
        "Japan's exports rise for fifth month",
        (
            "TOKYO, March 3 Kyodo - Japan's exports rose for a fifth straight month in "
            "February, led by shipments of cars and chip-making equipment to the United "
            "States and China, the Finance Ministry said Wednesday.",
            "Exports rose 7.3 percent from a year earlier to 8.1 trillion yen, while imports "
            "fell 2.2 percent, leaving a trade surplus of 310 billion yen.",
            "By region, the figures were as follows:",
        ),
        "==Kyodo",
        "Kyodo",
        "Tokyo",
        table=(
            "United States   up 11.2 pct",
            "China            up 6.4 pct",
            "European Union   down 1.8 pct",
        ),
    ),
    Wire(
        "ap",
        "Egypt reopens border crossing",
        (
            "CAIRO (AP) — Egypt reopened its main border crossing with Libya on Sunday after "
            "a two-week closure, letting hundreds of trucks carrying food and fuel pass.",
            "Officials said the crossing would stay open around the clock.",
            "Associated Press writer Jane Roe in Benghazi contributed to this report.",
        ),
        "",
        "AP",
        "Cairo",
    ),
)


def _unwrapped(story: Wire) -> str:
    """One line per paragraph, blank lines between, as a JSON text field or a dump has it."""
    lines = [*story.paragraphs, *story.table, *([story.signoff] if story.signoff else [])]
    return f"{story.title}\n\n" + "\n\n".join(lines) + "\n"


def _wrapped(story: Wire) -> str:
    """The wire's layout: lines wrapped at 69 columns, paragraphs marked by a 4-space indent,
    table rows indented alike, the sign-off on a line of its own."""
    lines: list[str] = []
    for paragraph in story.paragraphs:
        lines.extend(
            textwrap.wrap(paragraph, width=69, initial_indent="    ", subsequent_indent="")
        )
    lines.extend(f"    {row}" for row in story.table)
    if story.signoff:
        lines.append(f" {story.signoff}")
    return f"{story.title}\n\n" + "\n".join(lines) + "\n"


def _blank_separated(story: Wire) -> str:
    """An e-mail alert's layout: lines wrapped at 72 columns, a blank line between
    paragraphs, no indent."""
    blocks = [textwrap.fill(paragraph, width=72) for paragraph in story.paragraphs]
    blocks.extend(story.table)
    if story.signoff:
        blocks.append(story.signoff)
    return f"{story.title}\n\n" + "\n\n".join(blocks) + "\n"


LAYOUTS = {"": _unwrapped, "-wrapped": _wrapped, "-alert": _blank_separated}


def _words(text: str) -> list[str]:
    return _WORD.findall(text)


def _holds(body: str, line: str) -> bool:
    """`body` holds `line` word for word (white space may differ)."""
    return " ".join(_words(line)) in " ".join(_words(body))


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    folder = tmp_path_factory.mktemp("wires")
    for story in STORIES:
        for suffix, layout in LAYOUTS.items():
            (folder / f"{story.name}{suffix}.txt").write_text(layout(story), encoding="utf-8")
    batch = transform_paths(list(discover(folder)), folder, now=NOW)
    assert batch.rejected == []
    return {doc["source"]["path"]: doc for doc in batch.docs}


CASES = [(s, suffix) for s in STORIES for suffix in LAYOUTS]


@pytest.mark.parametrize(("story", "suffix"), CASES, ids=[s.name + x for s, x in CASES])
def test_no_story_line_is_lost(docs: dict[str, dict[str, Any]], story: Wire, suffix: str) -> None:
    body = docs[f"{story.name}{suffix}.txt"]["body"]
    lost = [line for line in (*story.paragraphs, *story.table) if not _holds(body, line)]
    assert lost == []
    assert _words(body)[: len(_words(story.paragraphs[0]))] == _words(story.paragraphs[0])


@pytest.mark.parametrize(("story", "suffix"), CASES, ids=[s.name + x for s, x in CASES])
def test_agency_and_city(docs: dict[str, dict[str, Any]], story: Wire, suffix: str) -> None:
    doc = docs[f"{story.name}{suffix}.txt"]
    assert doc["agency"] == story.agency
    assert (doc["dateline"] or {}).get("city") == story.city
    if story.signoff:  # a credit, not story text: out of the body, listed as removed
        assert story.signoff.strip() in doc["removed"]
        assert not _holds(doc["body"].rsplit("\n\n", 1)[-1], story.signoff)
