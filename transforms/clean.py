"""Clean a scraper's dump of an article container down to the article's paragraphs.

The dump holds the story plus furniture before, inside and after it (menus, share buttons,
bylines, captions, teaser lists, comment forms, newsletter pitches). Paragraphs are judged
in context, and everything taken out is recorded in `Cleaned.removed`:

1. known junk: patterns (data/boilerplate.txt), the site's learned keys, the headline,
   teaser lists (`transforms.teasers`), and copies of a long paragraph (galleries print each
   caption twice or more);
2. the story's own lists stay: short lines announced by a colon, tables and schedules
   (lines with figures), rows built alike ("England (Group A): 10th appearance");
3. other runs of three or more short lines go (menus, link lists, tag clouds);
4. the article is the stretch of the dump whose prose outweighs the furniture inside it (a
   maximum-sum segment), so prose far from the story (sidebars, comment forms, footers) goes
   while a one-line paragraph or the reporters' line next to the story stays;
5. a headline, deck or photo caption that a byline or timestamp separates from the story
   goes, unless it opens with a dateline;
6. a wire sign-off closing the text (" REUTER", "-- Reuters", "(AP)", "(Reporting by ...;
   Editing by ...)") goes, and the agency it credits is kept in `Cleaned.agency`.

A lone short paragraph inside the story survives: dropping a real paragraph (a subheading,
a one-line quote) is worse than keeping a stray label.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from transforms.boilerplate import is_boilerplate, line_key
from transforms.dateline import parse_dateline
from transforms.paragraphs import (
    PROSE_MIN_WORDS,
    is_prose,
    repaired_paragraphs,
    text_words,
    word_count,
)
from transforms.repair import repair_text
from transforms.signoff import read_signoff
from transforms.teasers import teaser_runs

# Fewer than this many labels in a row can be a subheading or a short list inside a story;
# as many rows alike already make a list or a table.
_MIN_RUN = 3
# Shorter lines legitimately repeat (schedules, recipes, table cells); longer ones are printed
# twice by galleries and lightboxes, never by the story itself. Copies are compared on their
# opening words, because a gallery also prints the caption cut short ("... more").
_REPEAT_MIN_WORDS = PROSE_MIN_WORDS
_REPEAT_OPENING_WORDS = 30
# A run of short lines is a table or schedule when at least this share holds figures and few
# of its lines are figure-free sentences (teaser headlines with a year in them are not data).
_DATA_SHARE = 0.5
_TEXT_SHARE = 0.25
_TEXT_MIN_WORDS = 4
_DIGIT = re.compile(r"\d")
_WORD = re.compile(r"\w+")
_LETTER_WORD = re.compile(r"\w*[^\W\d_]{2}\w*")
# Punctuation that structures a list row ("June 9 – Tampa, FL", "Path A: Iceland, Bulgaria").
_MARKS = re.compile(r"[():;,–—@|/\[\]]")
# Scores for finding the article's stretch, in words of prose: a line of furniture costs a
# little (ads and credits sit inside stories), a row of the story's own list earns a little
# (a schedule at the end of a story belongs to it).
_FURNITURE_COST = 2.0
_ROW_GAIN = 1.0
# A byline or timestamp line: "By Jane Roe", "Updated 5:32 PM", "Nov. 19, 2019".
_BYLINE_START = re.compile(r"(?:by|published|updated|posted)\b", re.IGNORECASE)
_BYLINE = re.compile(
    _BYLINE_START.pattern + r"|.*\b(?:\d{1,2}:\d{2}|(?:19|20)\d{2})\b", re.IGNORECASE
)
_BYLINE_MAX_WORDS = 12
# The last sentence, then a few words that may be a sign-off run onto it.
_GLUED_SIGNOFF = re.compile(r"(?P<story>.*[.!?…][\"”’')\]]*) (?P<signoff>\S+(?: \S+){0,2})")
# At most this many words after the story that are no sentence: a tail ("More"), not text.
_TAIL_MAX_WORDS = 3
# A header (headline, deck, caption) is one or two paragraphs, small next to the story.
_HEADER_MAX_PARAGRAPHS = 2
_HEADER_MAX_SHARE = 0.25


@dataclass(frozen=True)
class Cleaned:
    """The article body (paragraphs joined by one blank line), what was taken out, and the
    agency a sign-off credited (None without one)."""

    body: str
    removed: tuple[str, ...]
    agency: str | None = None


def clean_text(
    text: str, *, site_boilerplate: Collection[str] = (), title: str | None = None
) -> Cleaned:
    """Repair `text` and strip it to the article's paragraphs.

    `site_boilerplate` holds `line_key` keys learned for the document's site (see
    `transforms.boilerplate.learn_boilerplate`). A paragraph repeating `title` (dumps often
    start with the headline) is removed too. Idempotent; never adds a word.
    """
    paragraphs = _split_glued_signoff(repaired_paragraphs(text))
    title_key = (line_key(repair_text(title)) if title else "") or None
    junk = [is_boilerplate(p, site_boilerplate) for p in paragraphs]
    teasers = _teasers(paragraphs, junk)
    known = [not j and line_key(p) != title_key for p, j in zip(paragraphs, junk, strict=True)]
    if not any(known):  # the headline repeated above nothing else is the item (a notice)
        known = [not j for j in junk]
    agency = _drop_signoffs(paragraphs, known)
    signed = _signed_end(paragraphs, known)
    dated = _opens_with_dateline(paragraphs, known)
    if dated and (signed < len(paragraphs) or not any(junk)):
        # A wire item that opens with its dateline and is closed by its sign-off, or carries
        # none of the furniture patterns know (a feed, an archive dump, a body this function
        # already cleaned, whose sign-off has gone), is edited copy from its dateline on: no
        # menus sit inside it, so only known junk and a trailing teaser list go (a dividend
        # notice's last row stays). A web page's dump carries furniture that patterns know
        # ("Advertisement", "Share this"), and is judged in context.
        kept = [i for i in range(signed) if known[i] and not _trailing(i, teasers, paragraphs)]
    else:  # judged in context: only here, as the dated item above never needs it
        kept = _kept(paragraphs, [k and not t for k, t in zip(known, teasers, strict=True)])
    if not kept:  # judging found nothing: the lines that are not known junk are the item
        kept = [i for i in range(signed) if known[i]]
    survivors = set(kept)
    return Cleaned(
        body="\n\n".join(paragraphs[i] for i in kept),
        removed=tuple(p for i, p in enumerate(paragraphs) if i not in survivors),
        agency=agency,
    )


def _kept(paragraphs: Sequence[str], known: Sequence[bool]) -> list[int]:
    """Indices that survive judging in context (steps 2 to 5)."""
    keep = _keep_in_context(paragraphs, list(known))
    kept = [i for i, k in enumerate(keep) if k]
    # Judging again what survived, until nothing changes, makes cleaning idempotent: a list
    # cut short at the article's end is judged as it will be read.
    while not all(keep := _keep_in_context([paragraphs[i] for i in kept], [True] * len(kept))):
        kept = [i for i, k in zip(kept, keep, strict=True) if k]
    return kept


def _split_glued_signoff(paragraphs: list[str]) -> list[str]:
    """A sign-off run onto the last sentence ("... an ounce. REUTER") made its own paragraph,
    so that it leaves the body like one on its own line; the last sentence is the one before
    any sign-off lines (feeds repeat the credit: "... he said. REUTER" then " Reuter")."""
    last = len(paragraphs) - 1
    while last >= 0 and (read_signoff(paragraphs[last]) is not None or _tail(paragraphs[last])):
        last -= 1
    m = _GLUED_SIGNOFF.match(paragraphs[last]) if last >= 0 else None
    if m is None or read_signoff(m["signoff"]) is None:
        return paragraphs
    return [*paragraphs[:last], m["story"], m["signoff"], *paragraphs[last + 1 :]]


def _teasers(paragraphs: Sequence[str], junk: Sequence[bool]) -> list[bool]:
    """Other stories' headlines, each with one label. Known junk between them ("More", a
    share button) does not end their run: the run is judged as it reads once the junk has
    gone, so a body cleaned twice loses the same lines. Without a sentence in the text there
    is no story for them to be other than, and rows ending alike are the item's own."""
    flags = [False] * len(paragraphs)
    if not any(map(is_prose, paragraphs)):
        return flags
    rest = [i for i, j in enumerate(junk) if not j]
    for i, teaser in zip(rest, teaser_runs([paragraphs[i] for i in rest]), strict=True):
        flags[i] = teaser
    return flags


def _trailing(i: int, teasers: Sequence[bool], paragraphs: Sequence[str]) -> bool:
    """A teaser of a wire item: one after the item's last sentence. Rows before it (a table
    under the dateline, a list the story announces) are the item's own, whatever their shape,
    and so is the dateline's paragraph."""
    return teasers[i] and not any(is_prose(p) for p in paragraphs[i:])


def _tail(paragraph: str) -> bool:
    """A few words after the story that are no sentence (a take's "More", a desk code): the
    sign-off glued to the last sentence sits before them."""
    return len(paragraph.split()) <= _TAIL_MAX_WORDS and not is_prose(paragraph)


def _opens_with_dateline(paragraphs: Sequence[str], known: Sequence[bool]) -> bool:
    first = next((p for p, k in zip(paragraphs, known, strict=True) if k), None)
    return first is not None and parse_dateline(first) is not None


def _signed_end(paragraphs: Sequence[str], known: Sequence[bool]) -> int:
    """Where the story ends when a sign-off closes it: the index of the last sign-off seen
    from the end (only sign-offs and known junk follow it), else `len(paragraphs)`."""
    end = len(paragraphs)
    for i in reversed(range(len(paragraphs))):
        if read_signoff(paragraphs[i]) is not None:
            end = i
        elif known[i]:
            break
    return end


def _drop_signoffs(paragraphs: Sequence[str], keep: list[bool]) -> str | None:
    """Unkeep the sign-offs closing the text (step 6), looking past known junk after them (a
    sign-off learned as the site's furniture still names the agency); the agency credited
    nearest the story wins."""
    agency = None
    for i in reversed(range(len(paragraphs))):
        signoff = read_signoff(paragraphs[i])
        if signoff is None and keep[i]:
            break
        if signoff is not None:
            keep[i] = False
            agency = signoff.agency or agency
    return agency


def _keep_in_context(paragraphs: Sequence[str], keep: list[bool]) -> list[bool]:
    """Update `keep` by what surrounds each paragraph (steps 1 to 5 of the module)."""
    prose = [is_prose(p) for p in paragraphs]
    if not any(k and p for k, p in zip(keep, prose, strict=True)):
        # No sentence to tell the story from its furniture: the short lines are the item
        # (a table, a notice), and only known junk has gone.
        return keep
    _drop_repeats(paragraphs, keep, prose)
    listed, rows = _story_lists(paragraphs, keep, prose)
    _drop_label_runs(keep, prose, listed)
    _keep_article(paragraphs, keep, prose, rows)
    while _drop_header(paragraphs, keep, prose):
        pass
    return keep


def _drop_repeats(paragraphs: Sequence[str], keep: list[bool], prose: Sequence[bool]) -> None:
    """Unkeep later copies of a long paragraph, and the first copy too when only furniture
    separates it from the next (a caption and its gallery copy; a story quoting itself has
    prose between)."""
    seen: dict[tuple[str, ...], int] = {}
    for i, paragraph in enumerate(paragraphs):
        opening = tuple(_WORD.findall(paragraph)[:_REPEAT_OPENING_WORDS])
        if len(opening) < _REPEAT_MIN_WORDS:
            continue
        if opening in seen:
            keep[i] = False
            if not any(prose[seen[opening] + 1 : i]):
                keep[seen[opening]] = False
        seen[opening] = i


def _runs(keep: Sequence[bool], prose: Sequence[bool]) -> list[tuple[int | None, list[int]]]:
    """Maximal runs of kept non-prose paragraphs, each with the kept paragraph before it."""
    runs: list[tuple[int | None, list[int]]] = []
    run: list[int] = []
    before: int | None = None
    for i in range(len(keep)):
        if not keep[i]:
            continue
        if not prose[i]:
            run.append(i)
            continue
        if run:
            runs.append((before, run))
        run, before = [], i
    if run:
        runs.append((before, run))
    return runs


def _shape(line: str) -> str:
    """The first two distinct structuring marks of a line ("" with fewer)."""
    marks: list[str] = []
    for mark in _MARKS.findall(line):
        if mark not in marks:
            marks.append(mark)
            if len(marks) == 2:
                return "".join(marks)
    return ""


def _is_data(line: str) -> bool:
    """A row with figures and words ("June 9 – Tampa, FL", "Palm Bay 18 22 13 17 — 70"), not
    a bare number or a gallery counter."""
    return bool(_DIGIT.search(line)) and _LETTER_WORD.search(line) is not None


def _story_lists(
    paragraphs: Sequence[str], keep: Sequence[bool], prose: Sequence[bool]
) -> tuple[list[bool], list[bool]]:
    """Which short lines belong to the story's own lists (`listed`), and which of those are
    rows that tie a list to the story even past its last sentence (`rows`).

    A run of short lines is the story's when a colon announces it ("Tour dates:"; the list
    ends where furniture interrupts it) or when it is mostly figures (a table, one cell per
    line). Inside any run, three or more consecutive rows with figures, or built alike (same
    punctuation), are a list too: menus and teaser headlines are neither.
    """
    listed = [False] * len(paragraphs)
    rows = [False] * len(paragraphs)
    for before, run in _runs(keep, prose):
        lines = [paragraphs[j] for j in run]
        if before is None and parse_dateline(lines[0]) is not None:
            # A dateline on a line of its own opens the item: the short lines under it are
            # its rows (a results table, a dividend notice), whatever their shape.
            for j in run:
                listed[j] = rows[j] = True
            continue
        if (before is not None and paragraphs[before].endswith(":")) or lines[0].endswith(":"):
            for k, j in enumerate(run):
                if k and not all(keep[run[k - 1] + 1 : j]):
                    break
                listed[j] = rows[j] = True
            continue
        figures = sum(bool(_DIGIT.search(line)) for line in lines)
        texts = sum(
            not _DIGIT.search(line) and word_count(line) >= _TEXT_MIN_WORDS for line in lines
        )
        if figures >= _DATA_SHARE * len(run) and texts <= _TEXT_SHARE * len(run):
            for j in run:
                listed[j] = True
                rows[j] = _is_data(paragraphs[j])
            continue
        for stretch in _stretches(run, [_is_data(line) for line in lines]):
            for j in stretch:
                listed[j] = rows[j] = True
        for stretch in _stretches(run, [_shape(line) for line in lines]):
            for j in stretch:
                listed[j] = rows[j] = True
    return listed, rows


def _stretches(run: list[int], labels: Sequence[object]) -> list[list[int]]:
    """Consecutive members of `run` sharing a truthy label, at least `_MIN_RUN` long."""
    found: list[list[int]] = []
    start = 0
    for k in range(1, len(run) + 1):
        if k == len(run) or labels[k] != labels[start]:
            if labels[start] and k - start >= _MIN_RUN:
                found.append(run[start:k])
            start = k
    return found


def _drop_label_runs(keep: list[bool], prose: Sequence[bool], listed: Sequence[bool]) -> None:
    """Unkeep runs (among kept paragraphs) of `_MIN_RUN`+ short lines not in a story list."""
    run: list[int] = []
    for i in [*range(len(keep)), -1]:
        if i >= 0 and not keep[i]:
            continue
        if i >= 0 and not prose[i] and not listed[i]:
            run.append(i)
            continue
        if len(run) >= _MIN_RUN:
            for j in run:
                keep[j] = False
        run = []


def _keep_article(
    paragraphs: Sequence[str], keep: list[bool], prose: Sequence[bool], rows: Sequence[bool]
) -> None:
    """Unkeep everything outside the stretch whose score is highest: kept prose scores its
    words, a list row `_ROW_GAIN`, other kept lines nothing, removed lines `_FURNITURE_COST`
    against. Leading and trailing labels fall outside; prose beyond a long block of furniture
    does too unless it outweighs it. With no prose or list at all there is no story to
    anchor on, and every kept line stays: a one-line text is all the article there is."""
    best, best_span = 0.0, (0, len(keep))
    total, start = 0.0, 0
    for i, paragraph in enumerate(paragraphs):
        if total <= 0:
            total, start = 0.0, i
        if not keep[i]:
            total -= _FURNITURE_COST
        elif prose[i]:
            total += text_words(paragraph)
        elif rows[i]:
            total += _ROW_GAIN
        if total > best:
            best, best_span = total, (start, i + 1)
    first, end = best_span
    for i in [*range(first), *range(end, len(keep))]:
        keep[i] = False


def _drop_header(paragraphs: Sequence[str], keep: list[bool], prose: Sequence[bool]) -> bool:
    """Unkeep a headline, deck or caption opening the text: at most two prose paragraphs,
    small next to what follows, then a byline or timestamp before the next prose. A dateline
    means the story has started. True when something was dropped."""
    island: list[int] = []
    byline = False
    for i in range(len(keep)):
        if keep[i] and prose[i]:
            if byline:
                break
            island.append(i)
            if len(island) > _HEADER_MAX_PARAGRAPHS:
                return False
        elif island and not byline:
            byline = _is_byline(paragraphs[i], removed=not keep[i])
    else:
        return False
    if parse_dateline(paragraphs[island[0]]):
        return False
    words = sum(text_words(paragraphs[j]) for j in island)
    story = sum(text_words(p) for p, k, pr in zip(paragraphs, keep, prose, strict=True) if k and pr)
    if words > _HEADER_MAX_SHARE * (story - words):
        return False
    for j in range(i):  # up to the story's first paragraph
        keep[j] = False
    return True


def _is_byline(line: str, *, removed: bool) -> bool:
    """A byline or timestamp line; a kept one must say so ("By", "Updated"), since a
    subheading may hold a year."""
    if word_count(line) > _BYLINE_MAX_WORDS:
        return False
    return (_BYLINE if removed else _BYLINE_START).match(line) is not None
