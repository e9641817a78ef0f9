"""`transforms.ngram_walk`: py3langid's feature counts found at once are the walk's, exactly.

The language chosen must not move by one document: the counts and their order are compared
with py3langid's own `visit_counts` on any text, the automaton property the shortcut rests
on is checked on the model, and whole rankings are compared with py3langid's identifier.
"""

from __future__ import annotations

import itertools
import random
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from py3langid.langid import MODEL_FILE, LanguageIdentifier, visit_counts

from transforms.language import _identifier, detect_language
from transforms.ngram_walk import FeatureWalk


def _walked(data: bytes) -> tuple[list[int], list[float]] | None:
    ident = _identifier()
    counted = visit_counts(ident.tk_nextmove, ident._rowbase, ident.tk_output, data)
    if counted is None:
        return None
    return list(counted.keys()), [float(v) for v in counted.values()]


def _found(data: bytes) -> tuple[list[int], list[float]] | None:
    found = _identifier().walk.counts(data)
    return None if found is None else (found[0].tolist(), found[1].tolist())


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_counts_equal_the_walk_on_any_text(text: str) -> None:
    data = _identifier()._encode(text)
    assert _found(data) == _walked(data)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_counts_equal_the_walk_on_any_bytes(data: bytes) -> None:
    assert _found(data) == _walked(data)


def test_counts_on_edge_inputs() -> None:
    for data in (b"", b"a", b"\x00" * 50, bytes(range(256)) * 4, "日本語のテキスト".encode()):
        assert _found(data) == _walked(data)


def test_states_are_the_walks_states() -> None:
    """Not only the counted features: every position's state, on mixed-script text."""
    ident = _identifier()
    rng = random.Random(7)
    alphabet = "the quick brown fox Ελληνικά русский 中文 عربى  .,;-\n"
    for _ in range(50):
        data = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 300))).encode()
        state, expected = 0, []
        for byte in data:
            state = ident.tk_nextmove[ident._rowbase[state] + byte]
            expected.append(state)
        assert ident.walk.states(data).tolist() == expected


def _trie_strings(walk: FeatureWalk) -> np.ndarray:
    """Each state's string as a number (big-endian bytes), breadth first from the root."""
    moves, bases = walk.moves.astype(np.int64), walk.bases
    strings = np.zeros(len(bases), dtype=np.uint64)
    every_byte = np.arange(256, dtype=np.int64)
    for depth in range(walk.max_depth):
        parents = np.flatnonzero(walk.depths == depth)
        targets = moves[bases[parents][:, None] + every_byte]
        child = walk.depths[targets] == depth + 1
        letters = np.broadcast_to(every_byte, targets.shape)[child].astype(np.uint64)
        above = np.broadcast_to(parents[:, None], targets.shape)[child]
        strings[targets[child]] = (strings[above] << np.uint64(8)) | letters
    return strings


def test_model_is_the_aho_corasick_machine_of_its_trie() -> None:
    """The property the shortcut rests on, for a sample of states and every byte: a move
    leads to the trie node of the longest suffix of the state's string plus the byte."""
    walk: FeatureWalk = _identifier().walk
    moves = walk.moves.astype(np.int64)
    keys = _trie_strings(walk) | (walk.depths.astype(np.uint64) << np.uint64(56))
    order = np.argsort(keys)
    sorted_keys = keys[order]
    rng = np.random.default_rng(5)
    sample = rng.choice(len(walk.bases), size=3000, replace=False)
    text = (_trie_strings(walk)[sample][:, None] << np.uint64(8)) | np.arange(256, dtype=np.uint64)
    length = (walk.depths[sample] + 1)[:, None].repeat(256, axis=1)
    expected = np.zeros(text.shape, dtype=np.int64)  # the root: no suffix is a node
    for size in range(1, walk.max_depth + 2):  # longer suffixes overwrite shorter ones
        suffix = (text & np.uint64((1 << (8 * size)) - 1)) | np.uint64(size << 56)
        at = np.minimum(np.searchsorted(sorted_keys, suffix), len(keys) - 1)
        hit = (sorted_keys[at] == suffix) & (length >= size)
        expected[hit] = order[at[hit]]
    assert (moves[walk.bases[sample][:, None] + np.arange(256)] == expected).all()


def test_rankings_equal_py3langids_own(corpora: Path) -> None:
    """Whole rankings (every language's probability, bit for bit) on Reuters stories."""
    from benchmarks.reuters import REUTERS, read_stories

    plain = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    for story in itertools.islice(read_stories(REUTERS), 300):
        text = f"{story.title or ''}\n\n{story.body}"[:5000]
        assert _identifier().rank(text) == plain.rank(text)


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=600))
def test_rankings_equal_py3langids_own_on_any_text(text: str) -> None:
    """The float32 weights give py3langid's float16 products bit for bit, on any text."""
    assert _identifier().rank(text) == _plain().rank(text)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=400), st.text(alphabet="ab ", max_size=60)))
def test_best_is_the_first_of_the_ranking(text: str) -> None:
    """The language `detect_language` reads without a declaration is `rank`'s first, with
    its probability, bit for bit (ties too: featureless text scores every language alike)."""
    assert _identifier().best(text) == _plain().rank(text)[0]


@cache
def _plain() -> LanguageIdentifier:
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def test_detected_languages_unchanged() -> None:
    plain = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    samples = [
        "Der Bundestag hat am Donnerstag ein neues Gesetz beschlossen, das die Mieten begrenzt.",
        "Le gouvernement a annoncé jeudi une réforme des retraites contestée par les syndicats.",
        "The central bank raised its benchmark interest rate by a quarter point on Wednesday.",
        "El presidente anunció el lunes un plan para reducir la inflación en los próximos meses.",
    ]
    for text in samples:
        assert _identifier().rank(text) == plain.rank(text)
        assert detect_language(text) == plain.rank(text)[0][0]


@pytest.fixture(scope="module", autouse=True)
def _loaded() -> None:
    _identifier()


def test_letters_counted_up_to_the_minimum() -> None:
    """Below 40 letters the declaration decides; from 40 on, the model (the count stops at
    40 instead of listing every letter of the body)."""
    short = "Der Hund 1234 " + "a" * (39 - 7)
    assert sum(c.isalpha() for c in short) == 39
    assert detect_language(short, "fr") == "fr"
    longer = "Der Bundestag hat am Donnerstag ein Gesetz beschlossen " * 3
    assert detect_language(longer, "fr") == "de"
