"""Wire copy through `newsetl transform`: sign-offs become the agency, short items stay
articles, and text that is not hard-wrapped comes out exactly as before reflowing existed."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from newsetl.pipeline import transform_paths
from newsetl.readers import discover
from tests.conftest import ROOT, SEED
from transforms.clean import clean_text
from transforms.signoff import read_signoff

NOW = datetime(2026, 12, 1, tzinfo=UTC)
PINNED = ROOT / "tests" / "fixtures" / "seed_transform.json"


def _transform(folder: Path) -> tuple[dict[str, dict[str, Any]], list[str]]:
    batch = transform_paths(list(discover(folder)), folder, now=NOW)
    docs = {doc["source"]["path"]: doc for doc in batch.docs}
    return docs, [r.path for r in batch.rejected]


def test_seed_comes_out_byte_identical(tmp_path: Path) -> None:
    """Pinned from `newsetl transform` at commit 7c22864, before reflowing existed."""
    shutil.copy(SEED, tmp_path / SEED.name)
    docs, rejected = _transform(tmp_path)
    pinned = json.loads(PINNED.read_text(encoding="utf-8"))
    doc = docs[SEED.name]
    assert not rejected
    assert (doc["title"], doc["body"], doc["removed"], doc["agency"]) == (
        pinned["title"],
        pinned["body"],
        pinned["removed"],
        pinned["agency"],
    )


@pytest.mark.parametrize(
    ("line", "agency"),
    [
        (" REUTER", "Reuters"),
        ("Reuter", "Reuters"),
        ("REUTER...", "Reuters"),
        ("-- Reuters", "Reuters"),
        ("(AP)", "AP"),
        ("AFP", "AFP"),
        ("— AFP", "AFP"),
        ("AFP/jm", "AFP"),
        ("dpa", "dpa"),
        ("Xinhua", "Xinhua"),
        ("(PTI)", "PTI"),
        ("UPI", "UPI"),
        ("-- Agence France-Presse", "AFP"),
        ("(Reporting by Will Dunham; Editing by Tom Brown)", "Reuters"),
        ("Compiled by Jane Roe", None),
    ],
)
def test_sign_off_forms(line: str, agency: str | None) -> None:
    signoff = read_signoff(line)
    assert signoff is not None
    assert signoff.agency == agency


@pytest.mark.parametrize(
    "line", ["More", "MORE", "Ends", "The company said.", "Reuters poll", "told Reuters", ""]
)
def test_not_sign_offs(line: str) -> None:
    assert read_signoff(line) is None


STORY = (
    "{dateline} The city council approved the harbour plan on Monday after a long debate\n"
    "about its cost, which the mayor put at about 40 million euros over ten years.\n"
    "    Work is due to start in the spring, a council spokeswoman said.\n"
    "{signoff}\n"
)


@pytest.mark.parametrize(
    ("dateline", "signoff", "agency"),
    [
        ("    LISBON, March 3 -", " REUTER", "Reuters"),
        ("    LISBON -", "-- Reuters", "Reuters"),
        ("    LISBON, Portugal -", " (AP)", "AP"),
        ("    LISBON, March 3 -", " AFP", "AFP"),
        ("    LISBON, March 3 -", " dpa", "dpa"),
        ("    LISBON, March 3 -", " Xinhua", "Xinhua"),
        ("    LISBON, March 3 -", " UPI", "UPI"),
    ],
)
def test_sign_off_leaves_the_body_and_sets_the_agency(
    tmp_path: Path, dateline: str, signoff: str, agency: str
) -> None:
    (tmp_path / "story.txt").write_text(
        "HARBOUR PLAN APPROVED\n\n" + STORY.format(dateline=dateline, signoff=signoff)
    )
    docs, _ = _transform(tmp_path)
    doc = docs["story.txt"]
    assert doc["agency"] == agency
    assert doc["removed"] == [signoff.strip()]
    assert doc["body"].startswith(dateline.strip() + " The city council approved")
    assert doc["body"].endswith("a council spokeswoman said.")
    assert doc["dateline"]["city"] == "Lisbon"


def test_cleaner_reports_the_sign_off_agency() -> None:
    cleaned = clean_text("LISBON (AP) — The council met on Monday, officials said.\n\n-- AFP")
    assert (cleaned.body, cleaned.removed, cleaned.agency) == (
        "LISBON (AP) — The council met on Monday, officials said.",
        ("-- AFP",),
        "AFP",
    )


# Short real items, as a wire files them (Reuters-21578 NEWID 514 and 992, and others like
# them): each is an article, never "no article text found after cleaning".
SHORT_ITEMS = {
    "dividend.txt": (
        "<FRANKLIN U.S. GOVERNMENT SECURITIES FUND>PAYOUT\n\n"
        "    SAN MATEO, Calif., March 2 -\n"
        "    Mthly div six cts vs six cts prior\n"
        "    Pay March 13\n"
        "    Record March Two\n"
        " Reuter\n"
    ),
    "meetings.txt": (
        "U.S. FINANCIAL ANALYSTS - March 3\n\n"
        " Wilcox/Gibbs - New York\n"
        " Sarich Technologies Trust - New York\n"
        " Health Management Associates - New York\n\n"
        " Reuter\n"
    ),
    "one-line.txt": "Acme Corp declares quarterly dividend of 10 cents a share\n",
    "wrapped-once.txt": (
        "ACME SETS DIVIDEND\n\n"
        "    NEW YORK, March 2 - Acme Corp said its board declared a quarterly dividend\n"
        "of 10 cts a share, payable April 1 to holders of record March 15.\n"
        " Reuter\n"
    ),
}


def test_short_wire_items_are_articles(tmp_path: Path) -> None:
    for name, text in SHORT_ITEMS.items():
        (tmp_path / name).write_text(text)
    (tmp_path / "notice.json").write_text(
        json.dumps(
            {
                "url": "https://example.com/notice",
                "title": "Acme Corp sets quarterly dividend of 10 cents",
                "text": "Acme Corp sets quarterly dividend of 10 cents",
            }
        )
    )
    docs, rejected = _transform(tmp_path)
    assert rejected == []
    assert docs["dividend.txt"]["body"].split("\n\n") == [
        "SAN MATEO, Calif., March 2 -",
        "Mthly div six cts vs six cts prior",
        "Pay March 13",
        "Record March Two",
    ]
    assert docs["dividend.txt"]["agency"] == "Reuters"
    assert docs["meetings.txt"]["body"].count("New York") == 3
    one_line = "Acme Corp declares quarterly dividend of 10 cents a share"
    assert docs["one-line.txt"]["body"] == one_line
    assert docs["wrapped-once.txt"]["body"] == (
        "NEW YORK, March 2 - Acme Corp said its board declared a quarterly dividend of 10 cts "
        "a share, payable April 1 to holders of record March 15."
    )
    assert docs["notice.json"]["body"] == "Acme Corp sets quarterly dividend of 10 cents"


SAMPLE = 400  # stories: the first files of the corpus, fast enough for every run


def test_reuters_sample_through_the_user_path(corpora: Path) -> None:
    from benchmarks.extraction import match, prf
    from benchmarks.reuters import gold_body, lede_lost, read_stories, transform_folder, untouched

    stories = list(read_stories(corpora / "reuters21578-train"))[:SAMPLE]
    docs, _ = transform_folder(stories)
    assert len(docs) == len(stories)  # none quarantined
    assert not [s.newid for s in stories if lede_lost(s, docs[s.newid]["body"])]
    body = prf([match(gold_body(s), docs[s.newid]["body"]) for s in stories])["f1"]
    floor = prf([match(gold_body(s), untouched(s)) for s in stories])["f1"]
    assert body >= 0.995 and body >= floor
    agency = sum(docs[s.newid]["agency"] == "Reuters" for s in stories) / len(stories)
    assert agency >= 0.99
