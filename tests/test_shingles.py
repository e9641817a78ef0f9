"""Near-duplicate fingerprints and story grouping (pure): typography, figures, determinism."""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest
from datasketch import MinHash
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.shingles import (
    DEFAULT,
    EMPTY,
    SCHEME,
    SEED,
    Fingerprint,
    Grouping,
    KeyFilter,
    Member,
    agency_of_site,
    figures_disagree,
    fingerprint,
    group,
    same_story,
    shingles,
    signature,
    similarity,
    words,
)

RNG = random.Random(1)
VOCAB = [
    "".join(RNG.choice("abcdefghiklmnoprstuw") for _ in range(RNG.randint(3, 8)))
    for _ in range(300)
]


def _text(seed: int, paragraphs: int = 5) -> str:
    rng = random.Random(seed)
    return "\n\n".join(" ".join(rng.choice(VOCAB) for _ in range(30)) for _ in range(paragraphs))


def test_typography_and_case_do_not_matter() -> None:
    plain = 'He said "it\'s over" - the 6-3/8 pct rate held.'
    fancy = "HE SAID \u201cIT\u2019S OVER\u201d \u2014 THE 6\u20133/8 PCT RATE HELD."
    assert words(plain) == words(fancy)
    assert fingerprint(plain).text_hash == fingerprint(fancy).text_hash
    assert not figures_disagree(fingerprint(plain), fingerprint(fancy))


def test_shingles_of_short_and_empty_texts() -> None:
    assert shingles(["a", "b"], 5) == {b"a b"}
    assert shingles([], 5) == set()
    assert len(shingles(list("abcdefg"), 5)) == 3
    assert fingerprint("  -- \u2014 ") is EMPTY and EMPTY.band_keys() == []


@settings(max_examples=200, deadline=None)
@given(st.sets(st.binary(max_size=40), max_size=60), st.sampled_from([1, 16, 128]))
def test_signature_is_datasketchs(grams: set[bytes], num_perm: int) -> None:
    """`signature` is `MinHash.update_batch`'s signature, value for value: the stored
    signatures and band keys must not change with how they are computed."""
    sketch = MinHash(num_perm=num_perm, seed=SEED, scheme=SCHEME)
    sketch.update_batch(list(grams))
    found = signature(grams, num_perm)
    assert found.dtype == np.uint32
    assert found.tolist() == sketch.hashvalues.tolist()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="ab\u00e9\u6f22", min_size=1, max_size=3), max_size=12),
       st.integers(min_value=1, max_value=6))
def test_shingles_are_the_joined_windows(tokens: list[str], k: int) -> None:
    windows = [tokens[i : i + k] for i in range(max(len(tokens) - k + 1, 1))] if tokens else []
    assert shingles(tokens, k) == {" ".join(w).encode("utf-8") for w in windows}


def test_trimmed_and_edited_copies_are_the_same_story() -> None:
    story = _text(1, 8)
    paragraphs = story.split("\n\n")
    trimmed = "\n\n".join(paragraphs[:5])
    dropped = "\n\n".join(paragraphs[:3] + paragraphs[4:])
    for copy in (trimmed, dropped, story.upper() + "\n\nSign up for our newsletter."):
        assert same_story(fingerprint(story), fingerprint(copy))
    assert not same_story(fingerprint(story), fingerprint(_text(2, 8)))


def test_other_figures_make_another_story() -> None:
    """Templated reports: the same wording with other figures is a different story."""
    template = _text(3, 3)
    first = fingerprint(f"{template} The Fed added 1.5 billion dlrs at 6-3/8 pct.")
    second = fingerprint(f"{template} The Fed added 2.0 billion dlrs at 6-1/4 pct.")
    assert similarity(first, second)[0] >= DEFAULT.jaccard
    assert not same_story(first, second)


def test_figures_in_any_script() -> None:
    """Figures written in Arabic-Indic or other non-ASCII digits are figures too (they once
    crashed the fingerprint), and different ones still veto a match."""
    template = _text(3, 3)
    first = fingerprint(f"{template} The rate rose to ۱۲ pct.")
    second = fingerprint(f"{template} The rate rose to ۱۷ pct.")
    assert first.numbers and first.numbers != second.numbers
    assert not same_story(first, second)


def test_similarity_estimates_jaccard() -> None:
    a, b = _text(4, 10), _text(5, 10)
    half = "\n\n".join(a.split("\n\n")[:5] + b.split("\n\n")[:5])
    sa, sh = shingles(words(a), 5), shingles(words(half), 5)
    true = len(sa & sh) / len(sa | sh)
    assert abs(similarity(fingerprint(a), fingerprint(half))[0] - true) < 0.12


@given(st.text(min_size=1, max_size=400))
@settings(max_examples=60, deadline=None)
def test_encode_round_trips(text: str) -> None:
    fp = fingerprint(text + " 12 words and 3.5 more")
    back = Fingerprint.decode(fp.encode(), fp.text_hash)
    assert (back.hashvalues == fp.hashvalues).all()
    assert (back.size, back.numbers) == (fp.size, fp.numbers)
    assert back.band_keys() == fp.band_keys()
    assert Fingerprint.decode(None, None) is EMPTY


def test_agency_sites_and_subdomains() -> None:
    assert agency_of_site("apnews.com") == "AP"
    assert agency_of_site("www.uk.reuters.com") == "Reuters"
    assert agency_of_site("notreuters.com") is None
    assert agency_of_site(None) is None


def test_canonical_agency_then_earliest_then_longest() -> None:
    story = _text(6, 6)
    fp, longer = fingerprint(story), fingerprint(story + " extra words at the end")
    base = [
        Member("a", fp, "paper.com", "2024-01-02T00:00:00Z", 100),
        Member("b", fp, "apnews.com", "2024-01-03T00:00:00Z", 100),
        Member("c", longer, "blog.net", "2024-01-01T00:00:00Z", 104),
    ]
    assert [i for i, s in group(base).items() if s.story_canonical] == ["b"]
    assert [i for i, s in group(base[::2]).items() if s.story_canonical] == ["c"]
    undated = [Member("a", fp, None, None, 100), Member("c", longer, None, None, 104)]
    assert [i for i, s in group(undated).items() if s.story_canonical] == ["c"]
    stories = group(base)
    assert {s.story_id for s in stories.values()} == {"a"}
    assert stories["a"].story_exact and stories["b"].story_exact and not stories["c"].story_exact


_SITES = st.sampled_from([None, "apnews.com", "paper.com", "uk.reuters.com"])
_DATES = st.one_of(
    st.none(),
    st.sampled_from(["2024-01-02T00:00:00Z", "2024-01-02T00:00:00.5Z", "2024-01-02", "2023-12"]),
)


@given(
    st.lists(
        st.tuples(_SITES, _DATES, st.integers(0, 10**6), st.text("abc0", min_size=1, max_size=4)),
        min_size=2,
        max_size=6,
        unique_by=lambda m: m[3],
    )
)
def test_rank_key_orders_as_the_canonical_rank(
    fields: list[tuple[str | None, str | None, int, str]],
) -> None:
    """The engine sorts on `rank_key` to find the canonical copy: it must agree with `group`."""
    members = [Member(i, EMPTY, site, when, n) for site, when, n, i in fields]
    by_tuple = sorted(members, key=Member.canonical_rank)
    assert sorted(members, key=Member.rank_key) == by_tuple


@st.composite
def collections(draw: st.DrawFn) -> list[Member]:
    """Members drawn from a few stories, each copy trimmed at a random paragraph."""
    members = []
    for n in range(draw(st.integers(1, 12))):
        paragraphs = _text(draw(st.integers(0, 3)), 6).split("\n\n")
        keep = draw(st.integers(3, 6))
        fp = fingerprint("\n\n".join(paragraphs[:keep]))
        date = draw(st.sampled_from([None, "2024-01-01T00:00:00Z", "2024-01-02T00:00:00Z"]))
        members.append(Member(f"d{n:02d}", fp, draw(st.sampled_from([None, "reuters.com"])), date))
    return members


@given(collections(), st.randoms(use_true_random=False))
@settings(max_examples=40, deadline=None)
def test_grouping_is_order_independent_and_consistent(
    members: list[Member], rng: random.Random
) -> None:
    shuffled = list(members)
    rng.shuffle(shuffled)
    stories = group(members)
    assert group(shuffled) == stories
    by_story: dict[str, list[str]] = {}
    for doc_id, story in stories.items():
        by_story.setdefault(story.story_id, []).append(doc_id)
    for story_id, ids in by_story.items():
        assert story_id == min(ids)
        assert {stories[i].story_size for i in ids} == {len(ids)}
        assert sum(stories[i].story_canonical for i in ids) == 1


def _reference_stories(members: list[Member]) -> dict[str, str]:
    """Story ids by brute force: every pair sharing a band key, joined when the same story."""
    ordered = sorted(members, key=lambda m: m.id)
    story = {m.id: m.id for m in ordered}

    def root(doc: str) -> str:
        while story[doc] != doc:
            doc = story[doc]
        return doc

    for a, b in itertools.combinations(ordered, 2):
        keys = set(a.fingerprint.band_keys()) & set(b.fingerprint.band_keys())
        if keys and same_story(a.fingerprint, b.fingerprint):
            ra, rb = root(a.id), root(b.id)
            story[max(ra, rb)] = min(ra, rb)
    return {m.id: root(m.id) for m in ordered}


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 12), st.integers(0, 3)), min_size=1, max_size=25))
def test_grouping_equals_the_brute_force_pairs(drawn: list[tuple[int, int]]) -> None:
    """Copies, trimmed copies and unrelated stories: the bucketed union-find finds the same
    stories as joining every candidate pair."""
    members = []
    for n, (seed, cut) in enumerate(drawn):
        words_ = _text(seed, paragraphs=4).split()
        kept = " ".join(words_[: len(words_) - 7 * cut])
        members.append(Member(f"doc{n:02d}", fingerprint(kept)))
    grouped = group(members)
    assert {m: s.story_id for m, s in grouped.items()} == _reference_stories(members)


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 12), st.integers(0, 3)), min_size=1, max_size=25),
    st.randoms(use_true_random=False),
)
def test_grouping_grown_one_member_at_a_time_equals_the_brute_force_pairs(
    drawn: list[tuple[int, int]], rng: random.Random
) -> None:
    """Members added one at a time, in any order, with the stories asked for after each: at
    every step they are the stories of the members added so far, found by brute force (a
    grouping that forgot a bucket or a join of an earlier step would differ)."""
    members = []
    for n, (seed, cut) in enumerate(drawn):
        words_ = _text(seed, paragraphs=4).split()
        kept = " ".join(words_[: len(words_) - 7 * cut])
        members.append(Member(f"doc{n:02d}", fingerprint(kept)))
    rng.shuffle(members)
    grouping = Grouping()
    for k, member in enumerate(members, 1):
        grouping.add(member)
        grouping.add(member)  # a member added again changes nothing
        assert len(grouping) == k
        grown = grouping.stories()
        assert {m: s.story_id for m, s in grown.items()} == _reference_stories(members[:k])
    assert grouping.stories() == group(members)


_KEYS = st.lists(st.text(max_size=30), max_size=80)


@given(_KEYS, _KEYS, st.sampled_from([8, 64, 1 << 12]))
def test_key_filter_never_refuses_an_added_key(
    added: list[str], asked: list[str], bits: int
) -> None:
    """A band query asks only the keys the filter may hold: it must hold every key added
    (in any order, added in any number of calls), and answer in the order asked."""
    held = KeyFilter(bits)
    for start in range(0, len(added), 7):
        held.add(added[start : start + 7])
    query = [*asked, *added]
    kept = held.may_hold(query)
    assert set(added) <= set(kept)
    assert kept == [key for key in query if key in set(kept)]  # a subsequence, in order


def test_key_filter_is_selective_and_saturates_to_yes() -> None:
    keys = [f"{i % 37}:{i:016x}" for i in range(20_000)]
    roomy, tiny = KeyFilter(1 << 20), KeyFilter(8)
    roomy.add(keys[:10_000])
    tiny.add(keys[:10_000])
    assert len(roomy.may_hold(keys[10_000:])) < 100  # about 0.3% false yeses expected
    assert tiny.may_hold(keys[10_000:]) == keys[10_000:]  # every bit set: all asked
    assert KeyFilter().may_hold(keys) == []  # an empty store holds no key


def test_key_filter_sizes_are_powers_of_two() -> None:
    for bits in (0, 4, 100):
        with pytest.raises(ValueError):
            KeyFilter(bits)
