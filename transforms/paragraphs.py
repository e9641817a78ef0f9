"""Split text into paragraphs and tell prose from headings, links and labels.

Cleaning decides per paragraph, so the splitting rules live in one place: both the cleaner
and the boilerplate learner (which counts paragraphs across a site's documents) use them.
"""

from __future__ import annotations

import re
from functools import lru_cache

from transforms.reflow import reflow
from transforms.repair import repair_text
from transforms.sentences import ends_clause, ends_sentence, starts_lowercase

__all__ = ["ends_clause", "starts_lowercase"]  # re-exported: shared with transforms.blocks

_BLANK_LINE = re.compile(r"\n[ \t]*\n")
# Hard wraps happen in long lines; short ones ending without punctuation are menu items.
_WRAP_MIN_CHARS = 30
_WORD = re.compile(r"\w+")
# Chinese and Japanese are written without spaces, so a \w+ run there is a whole phrase;
# about two of these characters make one word.
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_UNSPACED_CHARS_PER_WORD = 2
# "CAIRO (AP) —" or "WASHINGTON -" alone on a line: the dateline split from its paragraph.
_BARE_DATELINE = re.compile(r"^[A-Z][A-Z .,'’-]{1,60}(\([A-Za-z .-]{1,30}\))?\s*[—–-]{1,2}$")
# Long enough that a line without final punctuation is still running text.
PROSE_MIN_WORDS = 20
_MAX_SETTLE = 4
_SENTENCE_MIN_WORDS = 3


def collapse(text: str) -> str:
    """Collapse internal whitespace to single spaces and trim.

    `str.split()` splits on exactly the characters `\\s` matches in a str pattern, and is
    several times faster than substituting them (this runs on every paragraph, often more
    than once)."""
    return " ".join(text.split())


def split_paragraphs(text: str) -> list[str]:
    """Return the non-empty paragraphs of `text`, each collapsed to one line.

    Blank lines and line breaks both separate paragraphs (scrapers emit one line per block),
    except that a line which stops mid-clause and is continued in lower case is rejoined.
    A bare dateline line is joined to the paragraph it introduces.
    """
    paragraphs: list[str] = []
    for block in _BLANK_LINE.split(text):
        lines = [collapse(line) for line in block.split("\n")]
        current = previous = ""
        for line in lines:
            if not line:
                continue
            if _continues(previous, line):
                current = f"{current} {line}"
            else:
                if current:
                    paragraphs.append(current)
                current = line
            previous = line
        if current:
            paragraphs.append(current)
    return _join_bare_datelines(paragraphs)


def _continues(previous: str, line: str) -> bool:
    return len(previous) >= _WRAP_MIN_CHARS and not ends_clause(previous) and starts_lowercase(line)


def _settled(paragraph: str) -> str:
    """Repair again after collapsing: a tab turned space can complete mojibake ("Â\t")."""
    for _ in range(_MAX_SETTLE):
        if paragraph.isascii():  # no mojibake or entity can form from ASCII spacing
            break
        settled = collapse(repair_text(paragraph))
        if settled == paragraph:
            break
        paragraph = settled
    return paragraph


def repaired_paragraphs(text: str) -> list[str]:
    """The paragraphs of `text` after repair, hard-wrapped lines reflowed (`transforms.reflow`):
    what the cleaner judges and the learner counts."""
    return list(_repaired_paragraphs(text))


@lru_cache(maxsize=16)
def _repaired_paragraphs(text: str) -> tuple[str, ...]:
    """Remembered for the last few texts: the learner's evidence and the cleaner cut the
    same record's text one after the other, and it is cut once."""
    return tuple(p for p in map(_settled, split_paragraphs(reflow(repair_text(text)))) if p)


def _join_bare_datelines(paragraphs: list[str]) -> list[str]:
    joined: list[str] = []
    for paragraph in paragraphs:
        if joined and _BARE_DATELINE.match(joined[-1]):
            joined[-1] = f"{joined[-1]} {paragraph}"
        else:
            joined.append(paragraph)
    return joined


# The cleaner and the learner ask these of the same paragraphs many times over (each step of
# judging in context, each pass until it settles): remembered for the last few thousand.
_MEMO = 4096


@lru_cache(maxsize=_MEMO)
def word_count(text: str) -> int:
    """Number of \\w+ tokens."""
    return len(_WORD.findall(text))


@lru_cache(maxsize=_MEMO)
def text_words(text: str) -> int:
    """Approximate number of words, also for scripts written without spaces."""
    return word_count(text) + len(_UNSPACED.findall(text)) // _UNSPACED_CHARS_PER_WORD


@lru_cache(maxsize=_MEMO)
def is_prose(paragraph: str) -> bool:
    """True for running text: a finished sentence, or a line too long to be a label.

    Headlines, link titles, menu items and captions-without-period are not prose; a
    one-sentence paragraph or a short quote ("“No,” he said.") is.
    """
    words = text_words(paragraph)
    if words >= PROSE_MIN_WORDS:
        return True
    return words >= _SENTENCE_MIN_WORDS and ends_sentence(paragraph)
