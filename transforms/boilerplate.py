"""Known and learned boilerplate: which paragraphs are a site's furniture, not its story.

Two sources: the pattern file `data/boilerplate.txt` (kinds of junk seen on many sites,
extendable without code), and keys learned per site from how many different stories of that
site carry a paragraph (a pure decision here; `newsetl.learned` gathers the evidence).

A learned key only ever removes a paragraph that is not prose (`is_prose`): a label, a
slogan, a button, a teaser line. Recurrence across stories cannot tell furniture from a
sentence that a wire service or a developing story repeats on purpose ("Both officials spoke
on condition of anonymity ..."), nor from a copy the story grouping failed to recognise, so a
sentence is never taken out on learned evidence alone; sentence-shaped furniture is the
pattern file's job (kinds of junk, written once) and the cleaner's structure (prose outside
the article's stretch).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from functools import cache, lru_cache
from importlib.resources import files

from transforms.paragraphs import collapse, is_prose, word_count
from transforms.regex_screen import PatternSet

_PATTERN_FILE = "boilerplate.txt"
# Longer paragraphs are content even when repeated (wire services reuse background).
LEARNABLE_MAX_WORDS = 30
# Five unrelated stories sharing a line is already more than chance; the share keeps a large
# site's occasional coincidences out. Neither depends on a corpus.
MIN_STORIES = 5
MIN_SHARE = 0.05
_DIGITS = re.compile(r"\d+")
# Paragraphs remembered by `learnable` (as `transforms.paragraphs` remembers its answers).
_MEMO = 4096
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


@cache
def _pattern_set() -> PatternSet:
    """The patterns, each tried only on the paragraphs that hold what it needs."""
    return PatternSet(_patterns())


def matches_pattern(paragraph: str) -> bool:
    """True when a boilerplate pattern matches the whole (collapsed) paragraph.

    The same answer as trying every pattern in turn, for a fraction of the tries: on ASCII
    text a pattern is tried only when the words its match needs are there
    (`transforms.regex_screen`).
    """
    return _pattern_set().fullmatch_any(collapse(paragraph))


def is_boilerplate(paragraph: str, site_boilerplate: Collection[str] = ()) -> bool:
    """True for a known-pattern paragraph, or a non-prose one whose key was learned for the
    site (a learned key never removes a sentence: see the module)."""
    return matches_pattern(paragraph) or (
        bool(site_boilerplate) and learnable(paragraph) and line_key(paragraph) in site_boilerplate
    )


@lru_cache(maxsize=_MEMO)
def learnable(paragraph: str) -> bool:
    """A paragraph that learned evidence may speak for: short, not prose, free of figures.

    Templated lines with figures ("Shr 1.10 dlrs vs 90 cts", "Net 2.1 mln") recur across a
    wire's stories yet are content; furniture with figures ("12 Comments", "© 2024") is the
    pattern file's job.

    Remembered like `is_prose`: the learner's evidence and the cleaner ask it of the same
    paragraphs. The figure test reads ASCII text with one search (there `str.isdigit` is
    true of 0-9 alone), other text character by character, as `str.isdigit` decides.
    """
    if paragraph.isascii():
        figures = _DIGITS.search(paragraph) is not None
    else:
        figures = any(map(str.isdigit, paragraph))
    return (
        word_count(paragraph) <= LEARNABLE_MAX_WORDS
        and not figures
        and not is_prose(paragraph)
    )


def line_key(line: str) -> str:
    """Normalize a line so its recurrences across a site's documents compare equal.

    Case, spacing, edge punctuation and numbers vary between copies of the same furniture
    ("12 Comments" / "3 comments", "© 2023" / "© 2024"), so they are folded away.
    """
    key = _DIGITS.sub("0", collapse(line).casefold())
    return _EDGE_PUNCT.sub("", key)


def furniture_keys(paragraphs: Iterable[str]) -> frozenset[str]:
    """The distinct keys of a document's learnable paragraphs: what the learner counts.

    `paragraphs` are cut exactly as `clean_text` cuts them (`repaired_paragraphs`), so a key
    learned here matches the paragraph the cleaner later sees.
    """
    keys = (line_key(p) for p in paragraphs if learnable(p))
    return frozenset(key for key in keys if key)


def learn_boilerplate(
    line_story_counts: Mapping[str, int],
    n_stories: int,
    *,
    min_stories: int = MIN_STORIES,
    min_share: float = MIN_SHARE,
    max_words: int = LEARNABLE_MAX_WORDS,
) -> frozenset[str]:
    """Keys that recur in enough of a site's different stories to be furniture.

    Counts are of stories, not documents: every copy and near-copy of one text counts once
    (`newsetl.learned` groups them), so no number of republished copies can make a story's
    own lines look like furniture. A key qualifies when at least `min_stories` different
    stories carry it, and at least `min_share` of the site's `n_stories`. Keys longer than
    `max_words` never qualify.
    """
    threshold = max(min_stories, min_share * n_stories)
    return frozenset(
        key
        for key, count in line_story_counts.items()
        if count >= threshold and key and word_count(key) <= max_words
    )
