"""Repair broken text: mojibake, entities, odd spaces and invisible characters.

Scraped text arrives double-encoded ("Israelâ€™s"), entity-escaped ("&#8217;"), and
full of characters that look like nothing but break tokenizing and matching (NBSP, zero-width
spaces, soft hyphens, stray controls). Everything downstream (cleaning, dedup keys, search)
assumes this has been done, so `repair_text` is the first step and is idempotent.
"""

from __future__ import annotations

import html
import re
import unicodedata

import ftfy

# ftfy does the encoding work; typographic quotes and dashes are content, so no uncurling,
# and fullwidth forms are left alone (they are legitimate in CJK text).
_FTFY = ftfy.TextFixerConfig(
    unescape_html=False,  # done below, for every entity, whether or not the text holds "<"
    uncurl_quotes=False,
    fix_character_width=False,
    explain=False,
)

# Only well-formed entities (with ";"): html.unescape alone would turn "?a=1&copy=2" into "©=2".
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
# Every Unicode space separator other than the plain space, plus tab-like separators inside lines.
_ODD_SPACE = re.compile(r"[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
# Invisible format characters that carry nothing in news text. ZWJ/ZWNJ (U+200C/D) are kept:
# they are orthographic in Persian and Indic scripts and glue emoji sequences.
_INVISIBLE = re.compile(
    r"[\u00ad\u180e\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)
_LINE_BREAK = re.compile(r"\r\n?|[\u2028\u2029\x0b\x0c\x85]")
# C0/C1 controls except tab and newline, plus DEL.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_MAX_PASSES = 4
# ftfy costs ~0.1 ms a line; only text that holds what it repairs needs it: a Latin-1 lead
# byte followed by a continuation-looking character (UTF-8 read as Latin-1/Windows-1252),
# C1 controls, ligatures, surrogates or terminal escapes. Everything else only needs NFC.
_FTFY_WORK = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192"
    "\u02c6\u02dc\u2013-\u203a\u20ac\u2122]|[\u0080-\u009f\ufb00-\ufb06\ud800-\udfff\x1b]"
)


def _unescape(match: re.Match[str]) -> str:
    return html.unescape(match.group(0))


def _repair_once(text: str) -> str:
    if _FTFY_WORK.search(text):
        text = ftfy.fix_text(text, _FTFY)
    else:
        text = unicodedata.normalize("NFC", text)
    text = _ENTITY.sub(_unescape, text)
    text = _LINE_BREAK.sub("\n", text)
    text = _ODD_SPACE.sub(" ", text)
    text = _INVISIBLE.sub("", text)
    return _CONTROL.sub("", text)


def repair_text(text: str) -> str:
    """Return `text` with mojibake, entities, odd spaces and invisible characters repaired.

    Repairs are applied until nothing changes (double-escaped "&amp;#8217;" needs two passes),
    which also makes the function idempotent.
    """
    known = _recent.get(text)
    if known is not None:
        return known
    given, settled = text, False
    for _ in range(_MAX_PASSES):
        repaired = _repair_once(text)
        if repaired == text:
            settled = True
            break
        text = repaired
    if len(_recent) >= _RECENT_MAX:
        _recent.clear()
    _recent[given] = text
    if settled:  # a fixed point: repairing the result again gives it back
        _recent[text] = text
    return text


# The last few texts repaired and what they became: a record's text is repaired by the
# builder, then by the paragraph splitter and the byline reader it hands it to; once is enough.
_RECENT_MAX = 64
_recent: dict[str, str] = {}
