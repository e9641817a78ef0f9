"""Clean a scraper's dump of an article container down to the article's paragraphs.

The dump holds the story plus furniture before, inside and after it (menus, share buttons,
bylines, captions, "Read more" links, newsletter pitches). Junk is removed in three passes,
each recorded in `Cleaned.removed` so nothing disappears silently:

1. per paragraph: known patterns (data/boilerplate.txt), the site's learned keys, the
   headline, and repeats of a long paragraph (galleries print each caption twice or more);
2. runs of three or more non-prose paragraphs (link lists, menus, tag clouds), unless a
   colon announces them or they are mostly figures (the story's own list or table);
3. non-prose paragraphs before the first and after the last prose paragraph (headline,
   kicker, byline, "Find more coverage at").

A lone short paragraph between prose paragraphs survives: dropping a real paragraph
(a subheading, a one-line quote) is worse than keeping a stray label.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from transforms.boilerplate import is_boilerplate, line_key
from transforms.paragraphs import PROSE_MIN_WORDS, is_prose, repaired_paragraphs, word_count
from transforms.repair import repair_text

# Fewer than this many labels in a row can be a subheading or a short list inside a story.
_MIN_JUNK_RUN = 3
# Shorter lines legitimately repeat (schedules, recipes, table cells); longer ones are printed
# twice by galleries and lightboxes, never by the story itself.
_REPEAT_MIN_WORDS = PROSE_MIN_WORDS
# A run of labels at least this share of which hold digits is a table or schedule, not a menu.
_DATA_SHARE = 0.5
_DIGIT = re.compile(r"\d")


@dataclass(frozen=True)
class Cleaned:
    """The article body (paragraphs joined by one blank line) and what was taken out."""

    body: str
    removed: tuple[str, ...]


def clean_text(
    text: str, *, site_boilerplate: Collection[str] = (), title: str | None = None
) -> Cleaned:
    """Repair `text` and strip it to the article's paragraphs.

    `site_boilerplate` holds `line_key` keys learned for the document's site (see
    `transforms.boilerplate.learn_boilerplate`). A paragraph repeating `title` (dumps often
    start with the headline) is removed too. Idempotent; never adds a word.
    """
    paragraphs = repaired_paragraphs(text)
    title_key = (line_key(repair_text(title)) if title else "") or None
    keep = [
        not is_boilerplate(p, site_boilerplate) and line_key(p) != title_key for p in paragraphs
    ]
    _drop_repeats(paragraphs, keep)
    prose = [is_prose(p) for p in paragraphs]
    _drop_label_runs(paragraphs, keep, prose)
    _trim_edges(keep, prose)
    body = "\n\n".join(p for p, k in zip(paragraphs, keep, strict=True) if k)
    removed = tuple(p for p, k in zip(paragraphs, keep, strict=True) if not k)
    return Cleaned(body=body, removed=removed)


def _drop_repeats(paragraphs: Sequence[str], keep: list[bool]) -> None:
    """Unkeep later copies of a long paragraph (the first copy stays)."""
    seen: set[str] = set()
    for i, paragraph in enumerate(paragraphs):
        if word_count(paragraph) < _REPEAT_MIN_WORDS:
            continue
        if paragraph in seen:
            keep[i] = False
        seen.add(paragraph)


def _drop_label_runs(paragraphs: Sequence[str], keep: list[bool], prose: list[bool]) -> None:
    """Unkeep maximal runs (among kept paragraphs) of `_MIN_JUNK_RUN`+ non-prose ones.

    A run announced by a colon ("Tour dates:", "The finalists are:") is the story's own list,
    and so is one that is mostly data (schedules, results, prices: lines holding digits).
    """
    run: list[int] = []
    before = ""
    for i in [*range(len(keep)), -1]:
        if i >= 0 and not keep[i]:
            continue
        if i >= 0 and not prose[i]:
            run.append(i)
            continue
        announced = before.endswith(":") or (run and paragraphs[run[0]].endswith(":"))
        data = sum(bool(_DIGIT.search(paragraphs[j])) for j in run) >= _DATA_SHARE * len(run)
        if len(run) >= _MIN_JUNK_RUN and not announced and not data:
            for j in run:
                keep[j] = False
        run = []
        before = paragraphs[i] if i >= 0 else ""


def _trim_edges(keep: list[bool], prose: list[bool]) -> None:
    """Unkeep non-prose paragraphs before the first and after the last kept prose one."""
    anchors = [i for i, (k, p) in enumerate(zip(keep, prose, strict=True)) if k and p]
    if not anchors:
        return
    for i in range(len(keep)):
        if i < anchors[0] or i > anchors[-1]:
            keep[i] = False
