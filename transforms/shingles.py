"""Near-duplicate stories: MinHash fingerprints of cleaned bodies, LSH band keys, grouping.

Pure: text in, values out. A wire story reprinted by many outlets differs by a trimmed ending,
a dropped paragraph, a new headline or typography; word shingles of the normalized text survive
all of these. Each body gets a MinHash signature (datasketch) and LSH band keys; documents that
share a band key are candidates, and a candidate pair is a duplicate when its estimated Jaccard
similarity, or the estimated containment of the shorter text in the longer (a trimmed copy),
clears a threshold. Stories are the connected groups of duplicates, so the grouping depends only
on the set of documents, never on the order they arrived in. The band keys and the compact
signature are stored in each indexed document (see `newsetl.es.stories`), which is what makes
matching incremental without rescanning the index.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
from datasketch import MinHash, MinHashLSH
from datasketch.minhash import _fmix  # the scheme's pre-mix: what `update_batch` applies

try:  # CPython's own SHA-1: the same digests, and half the cost of OpenSSL's for a shingle,
    # whose hashing is mostly the setting up of a context (OpenSSL allocates one per call)
    from _sha1 import sha1 as _sha1
except ImportError:  # an interpreter built without it
    _sha1 = hashlib.sha1

# Signature layout and hashing are part of what is stored in the index: changing SEED, SCHEME
# or the word pattern invalidates stored signatures (reindex).
SEED = 1
SCHEME = "affine32"  # datasketch's uint32 permutations; pinned, not left to the default
_WORD = re.compile(r"\w+")  # punctuation dropped: every quote, apostrophe and dash style alike
# Figures ("1.5", "6-3/8", "300,000"): their separators, whatever the dash, become "."
_NUMBER = re.compile(r"\d+(?:[^\w\s]\d+)*")
_SEPARATOR = re.compile(r"\D")
MAX_NUMBERS = 64  # figures kept per document, in text order (a trimmed copy keeps a prefix)


@dataclass(frozen=True)
class DupParams:
    """Matching thresholds; the defaults are the ones benchmarks/duplicates.py measured.

    `jaccard`: estimated Jaccard of the shingle sets at or above which two bodies are the same
    story. `containment`: estimated share of the shorter body's shingles found in the longer
    one at or above which they are too (a trimmed or lightly extended copy), provided their
    Jaccard is at least `lsh_threshold`, the point where LSH banding (chosen by datasketch for
    that threshold) starts to find candidates. `numbers_missing`: a pair is vetoed when more
    than this share of the figures of the body with fewer figures is absent from the other:
    templated reports and same-day follow-ups ("Fed adds 1.5 billion dlrs of reserves ...")
    share their wording but not their figures, which outlets do not change.

    On the Reuters benchmark the defaults give pairwise precision 0.995 and recall 0.980 (other
    thresholds: `benchmarks/duplicates.py --sweep`). `jaccard`, `containment` and
    `numbers_missing` only judge candidates and may change between runs; `shingle_words`,
    `num_perm` and `lsh_threshold` shape the band keys and signatures stored in the index, so
    changing them needs a reindex.
    """

    shingle_words: int = 5
    num_perm: int = 128
    lsh_threshold: float = 0.3
    jaccard: float = 0.4
    containment: float = 0.8
    numbers_missing: float = 0.2

    @property
    def bands(self) -> tuple[int, int]:
        """(bands, rows per band): datasketch's optimum for `lsh_threshold` and `num_perm`."""
        return _banding(self.lsh_threshold, self.num_perm)


DEFAULT = DupParams()


@cache
def _banding(threshold: float, num_perm: int) -> tuple[int, int]:
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    return lsh.b, lsh.r


@cache
def _permutations(num_perm: int) -> Any:
    """datasketch draws permutations per MinHash; drawing them once makes fingerprints cheap."""
    return MinHash(num_perm=num_perm, seed=SEED, scheme=SCHEME).permutations


def words(text: str) -> list[str]:
    """Lowercased, compatibility-folded word tokens: what outlets' typography cannot change."""
    return _words(unicodedata.normalize("NFKC", text))


def _words(folded: str) -> list[str]:
    """`words` of a text already NFKC-normalized."""
    return _WORD.findall(folded.casefold())


def shingles(tokens: Sequence[str], k: int) -> set[bytes]:
    """Overlapping k-word shingles; a text shorter than k words is one shingle.

    Each token is encoded once and the shingles joined as bytes (UTF-8 encodes a join as
    the join of the encodings), `zip` giving each window without slicing the list.
    """
    if len(tokens) <= k:
        return {" ".join(tokens).encode("utf-8")} if tokens else set()
    encoded = [token.encode("utf-8") for token in tokens]
    return set(map(b" ".join, zip(*(encoded[i:] for i in range(k)), strict=False)))


@dataclass(frozen=True, eq=False)
class Fingerprint:
    """A body's MinHash signature, its shingle count and the hash of its normalized text."""

    hashvalues: np.ndarray  # uint32, one per permutation; empty when the text has no words
    size: int  # distinct shingles
    text_hash: str  # identical normalized bodies, identical hash: exact copies
    numbers: frozenset[int] = frozenset()  # 32-bit hashes of the first MAX_NUMBERS figures
    # band keys by (bands, rows): grouping asks for a document's keys more than once
    _bands: dict[tuple[int, int], tuple[str, ...]] = field(default_factory=dict, repr=False)

    def encode(self) -> str:
        """Base64 of little-endian uint32s: shingle count, permutations, signature, figures."""
        head = [self.size, len(self.hashvalues)]
        raw = np.concatenate(
            [np.array(head, "<u4"), self.hashvalues, np.array(sorted(self.numbers), "<u4")]
        )
        return base64.b64encode(raw.astype("<u4").tobytes()).decode("ascii")

    @classmethod
    def decode(cls, encoded: str | None, text_hash: str | None) -> Fingerprint:
        """Inverse of `encode` (a missing value is an empty fingerprint, matched by nothing)."""
        if not encoded or not text_hash:
            return EMPTY
        raw = np.frombuffer(base64.b64decode(encoded), dtype="<u4")
        size, perms = int(raw[0]), int(raw[1])
        numbers = frozenset(int(n) for n in raw[2 + perms :])
        return cls(raw[2 : 2 + perms].astype(np.uint32), size, text_hash, numbers)

    def band_keys(self, params: DupParams = DEFAULT) -> list[str]:
        """One key per LSH band, `<band>:<hash of its rows>`; sharing any key makes a candidate."""
        if not self.size:
            return []
        if params.bands not in self._bands:
            b, r = params.bands
            # one copy of the signature's bytes, sliced: a band's bytes as its rows' own
            data, size = self.hashvalues.tobytes(), r * self.hashvalues.itemsize
            blake2b = hashlib.blake2b
            self._bands[params.bands] = tuple(
                [
                    f"{i}:{blake2b(data[i * size : (i + 1) * size], digest_size=8).hexdigest()}"
                    for i in range(b)
                ]
            )
        return list(self._bands[params.bands])


EMPTY = Fingerprint(np.zeros(0, np.uint32), 0, "")


def _figures(folded: str) -> frozenset[int]:
    """32-bit hashes of the first MAX_NUMBERS distinct figures of an NFKC-normalized text,
    separators unified."""
    found = dict.fromkeys(_SEPARATOR.sub(".", n) for n in _NUMBER.findall(folded))
    return frozenset(
        int.from_bytes(hashlib.blake2b(n.encode("utf-8"), digest_size=4).digest(), "little")
        for n in list(found)[:MAX_NUMBERS]
    )


def fingerprint(text: str, params: DupParams = DEFAULT) -> Fingerprint:
    folded = unicodedata.normalize("NFKC", text)  # once, for the words and the figures
    tokens = _words(folded)
    if not tokens:
        return EMPTY
    grams = shingles(tokens, params.shingle_words)
    digest = hashlib.blake2b(" ".join(tokens).encode("utf-8"), digest_size=12).hexdigest()
    return Fingerprint(signature(grams, params.num_perm), len(grams), digest, _figures(folded))


_MAX_HASH = np.uint32((1 << 32) - 1)  # an affine32 MinHash's value before any update


def signature(grams: Iterable[bytes], num_perm: int) -> np.ndarray:
    """The MinHash signature datasketch's `MinHash.update_batch` gives `grams` (SEED, SCHEME),
    value for value (`tests/test_shingles.py` compares them), computed without a `MinHash`:
    its hash function (`sha1_hash32`: the first four bytes of SHA-1, little-endian) run in
    one comprehension and read as one array, then its pre-mix and permutations as it
    applies them. Building a `MinHash` per body and hashing each shingle through a function
    call were most of a wire story's fingerprint."""
    sha1 = _sha1
    hashed = b"".join([sha1(gram).digest()[:4] for gram in grams])
    if not hashed:
        return np.full(num_perm, _MAX_HASH, dtype=np.uint32)
    hv = _fmix(np.frombuffer(hashed, dtype="<u4").astype(np.uint32).reshape(-1, 1), 32)
    a, b = _permutations(num_perm)
    return np.asarray(np.minimum((hv * a + b).min(axis=0), _MAX_HASH), dtype=np.uint32)


def similarity(a: Fingerprint, b: Fingerprint) -> tuple[float, float]:
    """Estimated (Jaccard, containment of the smaller shingle set in the larger)."""
    if not (a.size and b.size) or len(a.hashvalues) != len(b.hashvalues):
        return 0.0, 0.0
    if a.text_hash == b.text_hash:
        return 1.0, 1.0
    j = float(np.count_nonzero(a.hashvalues == b.hashvalues)) / len(a.hashvalues)
    shared = j * (a.size + b.size) / (1 + j)  # |A∩B| from J = |A∩B| / (|A| + |B| - |A∩B|)
    return j, min(1.0, shared / min(a.size, b.size))


def figures_disagree(a: Fingerprint, b: Fingerprint, params: DupParams = DEFAULT) -> bool:
    """More than `numbers_missing` of the figure-poorer body's figures are not in the other."""
    fewer, more = sorted((a.numbers, b.numbers), key=len)
    missing = len(fewer - more)
    return missing > params.numbers_missing * len(fewer)


def same_story(a: Fingerprint, b: Fingerprint, params: DupParams = DEFAULT) -> bool:
    j, contained = similarity(a, b)
    similar = j >= params.jaccard or (j >= params.lsh_threshold and contained >= params.containment)
    return similar and not figures_disagree(a, b, params)


@cache
def _agency_sites() -> dict[str, str]:
    text = resources.files("transforms").joinpath("data", "agency_sites.json").read_text("utf-8")
    return {k: v for k, v in json.loads(text).items() if not k.startswith("_")}


def agency_of_site(site: str | None) -> str | None:
    """The wire agency whose own site `site` is (subdomains included), else None."""
    host = (site or "").casefold().removeprefix("www.")
    while host:
        if host in _agency_sites():
            return _agency_sites()[host]
        host = host.partition(".")[2]
    return None


@dataclass(frozen=True)
class Member:
    """What grouping needs of a document."""

    id: str
    fingerprint: Fingerprint
    site: str | None = None
    published_at: str | None = None  # ISO-8601 UTC: string order is time order
    length: int = 0  # words

    def canonical_rank(self) -> tuple[bool, bool, str, int, str]:
        """Lowest ranks first: the agency's own copy, then the earliest, then the longest."""
        return (
            agency_of_site(self.site) is None,
            self.published_at is None,
            self.published_at or "",
            -self.length,
            self.id,
        )

    def rank_key(self) -> str:
        """`canonical_rank` as one string whose order is the tuple's (`story_rank`, indexed with
        the document): the engine finds a story's canonical member by sorting on it, so the
        canonical copy is read at query time and nothing is rewritten when a better one joins.

        The date is padded with spaces, which sort below every character of an ISO date, so a
        shorter timestamp orders before its longer extensions exactly as in the tuple.
        """
        agency, undated, published, length, doc_id = self.canonical_rank()
        return (
            f"{int(agency)}{int(undated)}{published:<{_RANK_DATE}}"
            f"{_RANK_LENGTH + length:0{len(str(_RANK_LENGTH))}d}{doc_id}"
        )


# Widths of `rank_key`'s fields: an ISO-8601 instant with nanoseconds and an offset fits in 40
# characters; a body longer than a billion words does not exist.
_RANK_DATE = 40
_RANK_LENGTH = 10**10 - 1


@dataclass(frozen=True)
class Story:
    """A document's story in a grouping of members held in memory (`group`).

    `story_id` is the smallest document id of the group (deterministic whatever the order);
    `story_exact` marks a member whose normalized body is identical to another member's (the
    same text under another URL). The index stores only `story_id`, given once
    (`newsetl.es.stories`): sizes, canonical copies and exact copies are counted when read.
    """

    story_id: str
    story_size: int
    story_canonical: bool
    story_exact: bool


class Grouping:
    """Stories of members added one at a time: a union-find over LSH band-key buckets.

    A new member is tested against the members already in each bucket of its band keys, so
    every pair sharing a key is judged once, when the later of the two arrives; the stories
    are the connected groups of same-story pairs, whatever the order members came in.
    Learning asks for the stories of growing evidence again and again
    (`newsetl.learned.Learning`): kept, each member costs its buckets once, not at every ask.
    """

    def __init__(self, params: DupParams = DEFAULT) -> None:
        self.params = params
        self._members: list[Member] = []
        self._seen: set[str] = set()
        self._parent: list[int] = []
        # Each band key's members: the first one's index alone until a second shares the key
        # (most keys have one member, and a list per key was most of the allocations).
        self._buckets: dict[str, int | list[int]] = {}
        # The first member of each normalized text: its exact copies join it and stay out of
        # the buckets (see `add`).
        self._texts: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._members)

    def _find(self, i: int) -> int:
        parent = self._parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def add(self, member: Member) -> None:
        """Join `member` to the stories of the members it is the same story as (a member
        whose id was added before is ignored)."""
        if member.id in self._seen:
            return
        self._seen.add(member.id)
        i = len(self._members)
        self._members.append(member)
        self._parent.append(i)
        if member.fingerprint.size:
            first = self._texts.setdefault(member.fingerprint.text_hash, i)
            if first != i:
                # An exact copy has the first's band keys and is judged the same story as
                # whatever the first is: it joins the first's story, and the first stands for it
                # in the buckets. A story repeated k times costs its buckets once, not k times.
                self._parent[i] = self._find(first)
                return
        for key in member.fingerprint.band_keys(self.params):
            bucket = self._buckets.get(key)
            if bucket is None:
                self._buckets[key] = i
                continue
            if isinstance(bucket, int):
                bucket = self._buckets[key] = [bucket]
            for j in bucket:
                ri, rj = self._find(i), self._find(j)
                if ri != rj and same_story(
                    member.fingerprint, self._members[j].fingerprint, self.params
                ):
                    self._parent[max(ri, rj)] = min(ri, rj)
            bucket.append(i)

    def stories(self) -> dict[str, Story]:
        """Each member's story, members in order of id."""
        components: dict[int, list[Member]] = defaultdict(list)
        for i in sorted(range(len(self._members)), key=lambda k: self._members[k].id):
            components[self._find(i)].append(self._members[i])
        stories: dict[str, Story] = {}
        for group_members in components.values():
            canonical = min(group_members, key=Member.canonical_rank).id
            copies = Counter(m.fingerprint.text_hash for m in group_members if m.fingerprint.size)
            for m in group_members:
                stories[m.id] = Story(
                    story_id=group_members[0].id,  # members come in order of id
                    story_size=len(group_members),
                    story_canonical=m.id == canonical,
                    story_exact=copies[m.fingerprint.text_hash] > 1,
                )
        return stories


def group(members: Iterable[Member], params: DupParams = DEFAULT) -> dict[str, Story]:
    """Each member's story: connected groups of same-story pairs among LSH candidates (the
    last member given under an id stands for it).

    Exact copies always share every band key, so they are candidates and then duplicates.
    """
    grouping = Grouping(params)
    for member in {m.id: m for m in members}.values():
        grouping.add(member)
    return grouping.stories()


class KeyFilter:
    """A Bloom filter of band keys: which keys a store may hold, never a key it does hold
    answered no.

    A batch's band query asks the index for every band key of its new texts: 37 a text, tens
    of thousands a batch, each a lookup in the index's term dictionary, and in a collection of
    distinct stories almost none is there. A run that fills a store from empty adds each
    batch's keys here as it writes them, and asks the store only for the keys the filter may
    hold: the candidates found are the same (a key left out is in no stored document), and a
    false yes only asks for a key the store does not have. Its size is fixed, so a run's
    memory does not grow with it; past a few million keys it says yes more often, and a
    query asks for more keys again, never fewer than it must.

    Keys are hashed with Python's own string hash (SipHash), which differs between processes:
    a filter lives in the process that built it, for one run.
    """

    BITS = 1 << 25  # 4 MiB: at 3.7 million keys (100,000 texts) about 2% false yeses
    HASHES = 3

    def __init__(self, bits: int = BITS) -> None:
        if bits < 8 or bits & (bits - 1):
            raise ValueError("a KeyFilter's bits are a power of two, at least 8")
        self._bytes = np.zeros(bits // 8, dtype=np.uint8)
        self._mask = np.uint64(bits - 1)

    def _positions(self, keys: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """(byte, bit mask) of each key's HASHES bits, one row per key (double hashing)."""
        hashed = np.fromiter(map(hash, keys), dtype=np.int64, count=len(keys)).view(np.uint64)
        low, step = hashed & np.uint64(0xFFFFFFFF), (hashed >> np.uint64(32)) | np.uint64(1)
        rounds = np.arange(self.HASHES, dtype=np.uint64)
        bits = (low[:, None] + rounds[None, :] * step[:, None]) & self._mask
        return bits >> np.uint64(3), np.left_shift(1, bits & np.uint64(7)).astype(np.uint8)

    def add(self, keys: Sequence[str]) -> None:
        if keys:
            where, bit = self._positions(keys)
            np.bitwise_or.at(self._bytes, where, bit)

    def may_hold(self, keys: Sequence[str]) -> list[str]:
        """The keys the filter may hold, in their order: all that were added, and a few more."""
        if not keys:
            return []
        where, bit = self._positions(keys)
        held = ((self._bytes[where] & bit) != 0).all(axis=1)
        return [key for key, kept in zip(keys, held.tolist(), strict=True) if kept]
