"""Known and learned boilerplate: which paragraphs are a site's furniture, not its story.

Two sources: the pattern file `data/boilerplate.txt` (kinds of junk seen on many sites,
extendable without code), and keys learned per site from how often a paragraph recurs
across that site's documents (a pure decision here; the flow keeps the counts).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from functools import cache
from importlib.resources import files

from transforms.paragraphs import collapse, repaired_paragraphs, word_count

_PATTERN_FILE = "boilerplate.txt"
# Longer paragraphs are content even when repeated (wire services reuse background).
LEARNABLE_MAX_WORDS = 30
_DIGITS = re.compile(r"\d+")
_EDGE_PUNCT = re.compile(r"^[\W_]+|[\W_]+$")


@cache
def _patterns() -> tuple[re.Pattern[str], ...]:
    """The patterns of the data file, compiled case-insensitive, one by one: tried in turn
    they run about 2.5 times faster than one alternation of them all (measured on Reuters
    paragraphs), and the pattern test is a fifth of the cleaner's time.

    A pattern that does not compile is reported with its line number: a user's typo in the
    data file must fail loudly, not silently stop removing a kind of junk.
    """
    text = files("transforms").joinpath("data", _PATTERN_FILE).read_text(encoding="utf-8")
    patterns = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        try:
            patterns.append(re.compile(line, re.IGNORECASE))
        except re.error as error:
            raise ValueError(f"{_PATTERN_FILE} line {number}: {error}") from error
    return tuple(patterns)


def matches_pattern(paragraph: str) -> bool:
    """True when a boilerplate pattern matches the whole (collapsed) paragraph."""
    text = collapse(paragraph)
    return any(pattern.fullmatch(text) for pattern in _patterns())


def is_boilerplate(paragraph: str, site_boilerplate: Collection[str] = ()) -> bool:
    """True for a known-pattern paragraph or one whose key was learned for the site."""
    return matches_pattern(paragraph) or (
        bool(site_boilerplate) and line_key(paragraph) in site_boilerplate
    )


def line_key(line: str) -> str:
    """Normalize a line so its recurrences across a site's documents compare equal.

    Case, spacing, edge punctuation and numbers vary between copies of the same furniture
    ("12 Comments" / "3 comments", "© 2023" / "© 2024"), so they are folded away.
    """
    key = _DIGITS.sub("0", collapse(line).casefold())
    return _EDGE_PUNCT.sub("", key)


def line_keys(text: str) -> frozenset[str]:
    """The distinct non-empty keys of a document's paragraphs: what a site counter counts.

    Paragraphs are cut exactly as `clean_text` cuts them, so a key learned here matches the
    paragraph the cleaner later sees.
    """
    keys = (line_key(paragraph) for paragraph in repaired_paragraphs(text))
    return frozenset(key for key in keys if key)


def learn_boilerplate(
    line_doc_counts: Mapping[str, int],
    n_docs: int,
    *,
    min_docs: int = 5,
    min_share: float = 0.05,
    max_words: int = LEARNABLE_MAX_WORDS,
) -> frozenset[str]:
    """Keys that recur in enough of a site's documents to be furniture rather than story.

    A key qualifies when it appears in at least `min_docs` documents and in at least
    `min_share` of the site's `n_docs`. Keys longer than `max_words` never qualify: wire
    services repeat whole background paragraphs across stories, and those are content.
    """
    threshold = max(min_docs, min_share * n_docs)
    return frozenset(
        key
        for key, count in line_doc_counts.items()
        if count >= threshold and key and word_count(key) <= max_words
    )
