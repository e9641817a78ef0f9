"""An unsigned story is lent its site's agency only on overwhelming evidence: the pure tally
rule, dateline forms, and folders run through `transform_paths` (what `newsetl transform`
runs; the flow's equality with it is `tests/integration/test_lending.py`)."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from newsetl.pipeline import transform_paths
from newsetl.readers import discover
from transforms.boilerplate import MIN_SHARE, MIN_STORIES
from transforms.dateline import parse_dateline
from transforms.lending import credit, lent_agency

NOW = datetime(2026, 12, 1, tzinfo=UTC)
_WORDS = (
    "council", "budget", "harbour", "minister", "grain", "tariff", "election", "court", "railway",
    "strike", "bank", "shares", "profit", "union", "river", "bridge", "school", "hospital",
    "drought", "export", "coffee", "steel", "oil", "talks", "treaty", "mayor", "police", "storm",
    "factory", "airline", "wheat", "copper", "loan", "bond",
)
CITIES = ("TOKYO", "LONDON", "NEW YORK", "PARIS", "CHICAGO", "SYDNEY", "MADRID", "OTTAWA")


def wire_story(n: int, *, signoff: str | None, city: str | None = None) -> str:
    """A distinct wire story (its words drawn by `n`): a title, a "CITY, Month D -" dateline
    and prose, closed by `signoff` (" REUTER", "AFP") or by nothing."""
    rng = random.Random(n)

    def sentence() -> str:
        return " ".join(rng.choice(_WORDS) for _ in range(rng.randint(14, 22))).capitalize() + "."

    place = city or CITIES[n % len(CITIES)]
    title = " ".join(rng.choice(_WORDS) for _ in range(5)).upper()
    lede = f"{place}, April {1 + n % 28} - {sentence()} {sentence()}"
    paragraphs = [title, lede, *(f"{sentence()} {sentence()}" for _ in range(3))]
    if signoff:
        paragraphs.append(signoff)
    return "\n\n".join(paragraphs) + "\n"


def _write(folder: Path, name: str, text: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


def transformed(root: Path) -> dict[str, dict[str, Any]]:
    batch = transform_paths(discover(root), root, now=NOW)
    assert not batch.rejected, batch.rejected
    return {d["source"]["path"]: d for d in batch.docs}


def lent_folder(root: Path) -> None:
    """A site ("wire/") of 20 stories signed REUTER, one signed AFP and two unsigned, all of
    one dateline form; another site ("paper/") of 6 unsigned stories of the same form, which
    the wire's tally would lend Reuters if sites were not told apart."""
    for n in range(20):
        _write(root / "wire", f"signed-{n}.txt", wire_story(n, signoff=" REUTER"))
    _write(root / "wire", "afp.txt", wire_story(50, signoff="AFP"))
    for n in (60, 61):
        _write(root / "wire", f"unsigned-{n}.txt", wire_story(n, signoff=None))
    for n in range(30, 36):
        _write(root / "paper", f"staff-{n}.txt", wire_story(n, signoff=None))


# The tally rule, pure.


def test_one_agency_overwhelming_is_lent() -> None:
    assert lent_agency({"Reuters": MIN_STORIES}) == "Reuters"
    assert lent_agency({"Reuters": 200, "AFP": 10, None: 3}) == "Reuters"  # AFP 4.8%


def test_mixed_agencies_lend_none() -> None:
    assert lent_agency({"Reuters": 6, "AFP": 6}) is None
    assert lent_agency({"Reuters": 100, "AFP": 6}) is None  # AFP 5.7% of the credited
    assert lent_agency({"Reuters": 50, "AFP": 2, "AP": 2}) is None  # others 7.4% together


def test_too_few_stories_lend_none() -> None:
    assert lent_agency({"Reuters": MIN_STORIES - 1}) is None
    assert lent_agency({}) is None
    assert lent_agency({None: 40}) is None


def test_a_form_mostly_unsigned_lends_none() -> None:
    """A paper's own copy in the wire's form, a few wire stories among it: not the wire's."""
    assert lent_agency({"Reuters": 10, None: 10}) is None
    assert lent_agency({"Reuters": 10, None: 200}) is None
    assert lent_agency({"Reuters": 10, None: 9}) == "Reuters"


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.one_of(st.none(), st.sampled_from(["Reuters", "AFP", "AP", "dpa"])),
        st.integers(min_value=0, max_value=400),
    )
)
def test_a_lent_agency_is_the_top_credit_of_an_overwhelming_tally(
    counts: dict[str | None, int],
) -> None:
    agency = lent_agency(counts)
    if agency is None:
        return
    credited = {a: n for a, n in counts.items() if a}
    total = sum(credited.values())
    assert credited[agency] == max(credited.values())
    assert credited[agency] >= MIN_STORIES
    assert total - credited[agency] <= MIN_SHARE * total
    assert counts.get(None, 0) < credited[agency]
    # Fewer of every other agency, or fewer unsigned, never takes the loan back.
    fewer = {a: (n if a == agency else n // 2) for a, n in counts.items()}
    assert lent_agency(fewer) == agency


# Dateline forms: shapes, not words.


@settings(deadline=None)  # the first call loads the gazetteer
@given(
    st.sampled_from(CITIES),
    st.integers(min_value=1, max_value=28),
    st.sampled_from(["January", "April", "Sept", "Dec"]),
)
def test_a_dateline_form_does_not_depend_on_its_city_or_day(
    city: str, day: int, month: str
) -> None:
    dateline = parse_dateline(f"{city}, {month} {day} - The council met on the budget.")
    assert dateline is not None
    assert dateline.form == "CITY, M D -"


def test_forms_tell_house_styles_apart() -> None:
    forms = {
        text: (found.form if (found := parse_dateline(text)) else None)
        for text in (
            "PARIS (AFP) - The president spoke.",
            "LONDON, Feb 13 (Reuters) - Shares fell.",
            "Hayward, Calif. (AP) \u2014 A man was hurt.",
            "TOKYO, April 8 - The ministry said.",
        )
    }
    assert len(set(forms.values())) == 4, forms


def test_credit_reads_the_story_s_own_text() -> None:
    signed = wire_story(1, signoff=" REUTER").split("\n\n")[1:]
    assert credit([p.strip() for p in signed]).agency == "Reuters"
    unsigned = [p.strip() for p in wire_story(1, signoff=None).split("\n\n")[1:]]
    assert credit(unsigned).agency is None
    assert credit(unsigned).form == "CITY, M D -"


# Folders through `newsetl transform`'s path.


def test_unsigned_stories_of_a_signed_form_are_lent_its_agency(tmp_path: Path) -> None:
    lent_folder(tmp_path)
    docs = transformed(tmp_path)
    for n in (60, 61):
        doc = docs[f"wire/unsigned-{n}.txt"]
        assert (doc["agency"], doc["agency_source"]) == ("Reuters", "site")
    for n in range(20):
        doc = docs[f"wire/signed-{n}.txt"]
        assert (doc["agency"], doc["agency_source"]) == ("Reuters", "signoff")
    # A story with its own credit keeps it, whatever its site's others say.
    assert (docs["wire/afp.txt"]["agency"], docs["wire/afp.txt"]["agency_source"]) == (
        "AFP",
        "signoff",
    )
    # Another site, mostly unsigned in the same form: its own stories borrow nothing.
    for n in range(30, 36):
        doc = docs[f"paper/staff-{n}.txt"]
        assert (doc["agency"], doc["agency_source"]) == (None, None)


def test_mixed_agencies_lend_nothing(tmp_path: Path) -> None:
    for n in range(6):
        _write(tmp_path / "wire", f"r-{n}.txt", wire_story(n, signoff=" REUTER"))
        _write(tmp_path / "wire", f"a-{n}.txt", wire_story(100 + n, signoff="AFP"))
    _write(tmp_path / "wire", "unsigned.txt", wire_story(20, signoff=None))
    assert transformed(tmp_path)["wire/unsigned.txt"]["agency"] is None


def test_too_few_signed_stories_lend_nothing(tmp_path: Path) -> None:
    for n in range(MIN_STORIES - 1):
        _write(tmp_path / "wire", f"r-{n}.txt", wire_story(n, signoff=" REUTER"))
    _write(tmp_path / "wire", "unsigned.txt", wire_story(20, signoff=None))
    assert transformed(tmp_path)["wire/unsigned.txt"]["agency"] is None


def test_copies_of_one_signed_story_count_once(tmp_path: Path) -> None:
    """Twelve outlets' copies of one signed story are one credited story, not twelve."""
    story = wire_story(3, signoff=" REUTER")
    for n in range(12):
        _write(tmp_path / "wire", f"copy-{n:02d}.txt", story)
    _write(tmp_path / "wire", "unsigned.txt", wire_story(20, signoff=None))
    docs = transformed(tmp_path)
    assert docs["wire/unsigned.txt"]["agency"] is None
    assert all(docs[f"wire/copy-{n:02d}.txt"]["agency"] == "Reuters" for n in range(12))


def test_another_form_borrows_nothing(tmp_path: Path) -> None:
    for n in range(8):
        _write(tmp_path / "wire", f"r-{n}.txt", wire_story(n, signoff=" REUTER"))
    other_form = wire_story(20, signoff=None).replace(", April ", " April ", 1).replace(
        " - ", " \u2014 ", 1
    )
    _write(tmp_path / "wire", "unsigned.txt", other_form)
    doc = transformed(tmp_path)["wire/unsigned.txt"]
    assert doc["dateline"] is not None
    assert doc["agency"] is None
