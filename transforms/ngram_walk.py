"""py3langid's feature counts for a whole text at once, instead of one byte at a time.

py3langid scores a text from how often each of its byte n-gram features occurs, counted by
walking its automaton over the text's bytes in a Python loop (`py3langid.langid.
visit_counts`): on a wire story that loop was a fifth of the transform stage's CPU. The
automaton is the Aho–Corasick machine of a trie of byte strings (at most a few bytes long):
after any byte its state is the trie node of the longest suffix, of what has been read, that
is in the trie. So every position's state can be found without walking, for all positions at
once (numpy): the node of the one-byte suffix ending there, then of the two-byte suffix (the
one-byte node's trie child by the next byte), and so on, keeping the longest that exists.
`FeatureWalk.counts` gives what `visit_counts` gives, in the same order (first visit first:
the classifier's floating-point sum depends on it), so the language chosen is the same bit
for bit; `tests/test_language_walk.py` checks the automaton property on the model and
compares the counts with `visit_counts` on all kinds of text.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Sequence

import numpy as np


class FeatureWalk:
    """Feature counts of py3langid's automaton (`nextmove`, `rowbase`, `output`, as in
    `LanguageIdentifier`: next state at `nextmove[rowbase[state] + byte]`, the feature a
    state counts at `output[state]`, negative for none)."""

    def __init__(self, nextmove: array, rowbase: Sequence[int], output: Sequence[int]) -> None:
        self.moves = np.frombuffer(nextmove, dtype=np.dtype(nextmove.typecode))
        self.bases = np.asarray(rowbase, dtype=np.int64)
        self.output = np.asarray(output, dtype=np.int64)
        self.depths = trie_depths(self.moves, self.bases)
        self.max_depth = int(self.depths.max())
        # The first two lengths by table, not by the moves table: `first[b]` is the trie node
        # of the one byte b (0: none), `second[a << 8 | b]` the node of the two bytes a b
        # (0: none). Nearly every position has both, and 256 KiB stay in cache where the
        # moves table's tens of megabytes do not.
        every_byte = np.arange(256, dtype=np.intp)
        root = self.moves[self.bases[0] + every_byte].astype(np.intp)
        self.first = np.where(self.depths[root] == 1, root, 0)
        pair = self.moves[self.bases[self.first][:, None] + every_byte].astype(np.intp)
        known = (self.depths[pair] == 2) & (self.first[:, None] > 0)
        self.second = np.where(known, pair, 0).ravel()

    def states(self, data: bytes) -> np.ndarray:
        """The automaton's state after each byte of `data`, as the walk from the root
        reaches it (the root, 0, where no suffix is a trie node).

        Only the positions whose suffix is still a trie node are carried to the next length:
        the moves table is tens of megabytes, and each position looked up in it is a likely
        cache miss, so the longer suffixes (which few positions have) cost only their own."""
        size = len(data)
        values = np.frombuffer(data, dtype=np.uint8).astype(np.intp)
        state = self.first[values]
        if size < 2 or self.max_depth < 2:
            return state
        # starts[i]: where a suffix begins whose `length` bytes form the trie node node[i]
        node = self.second[(values[:-1] << 8) | values[1:]]
        starts = np.flatnonzero(node)
        node = node[starts]
        state[starts + 1] = node  # longer suffixes overwrite shorter
        for length in range(3, self.max_depth + 1):
            inside = starts < size - length + 1  # the suffix's next byte is in `data`
            starts, node = starts[inside], node[inside]
            node = self.moves[self.bases[node] + values[starts + length - 1]].astype(np.intp)
            child = self.depths[node] == length
            starts, node = starts[child], node[child]
            if not starts.size:
                break
            state[starts + length - 1] = node
        return state

    def counts(self, data: bytes) -> tuple[np.ndarray, np.ndarray] | None:
        """(feature indices, counts as float32) in order of first visit, as
        `visit_counts(...)`'s Counter holds them; None when no feature occurs."""
        features = self.output[self.states(data)]
        # Counted as py3langid counts them, in a dict (insertion order: first visit first):
        # for a text's few hundred features a Counter is several times faster than sorting
        # them (`np.unique`) and sorting again by first visit.
        visits = Counter(features[features >= 0].tolist())
        if not visits:
            return None
        size = len(visits)
        return (
            np.fromiter(visits.keys(), dtype=np.intp, count=size),
            np.fromiter(visits.values(), dtype=np.float32, count=size),
        )


def trie_depths(moves: np.ndarray, bases: np.ndarray) -> np.ndarray:
    """Each state's depth in the trie (its string's length), by a breadth-first walk from the
    root: a state first reached from one of depth d is its trie child, since every other move
    of an Aho–Corasick machine leads to a node of depth at most d, already seen."""
    depths = np.full(len(bases), -1, dtype=np.int64)
    depths[0] = 0
    frontier = np.zeros(1, dtype=np.int64)
    every_byte = np.arange(256, dtype=np.int64)
    level = 0
    while frontier.size:
        targets = moves[bases[frontier][:, None] + every_byte]
        children = targets[depths[targets] < 0]
        if np.unique(children).size != children.size:
            raise ValueError("not an Aho-Corasick automaton: a state with two parents")
        level += 1
        depths[children] = level
        frontier = children.astype(np.int64)
    if (depths < 0).any():
        raise ValueError("automaton states unreachable from the root")
    return depths
