"""Reading the JSON of a page's `<script type="application/ld+json">` blocks.

XHTML pages, and CMS plugins written for them, wrap a script's text so that an XML parser
leaves it alone: `<![CDATA[ ... ]]>`, `/*<![CDATA[*/ ... /*]]>*/`, `//<![CDATA[ ... //]]>`
or an HTML comment `<!-- ... -->`. A browser's JSON-LD reader skips those wrappers; a bare
`json.loads` refuses the whole block, and with it the page's declared date, author and URL.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

# A wrapper at the start or the end of the script text, with an optional JS comment around
# the CDATA marker; nothing inside the JSON is touched.
_OPENING = re.compile(r"^\s*(?:(?:/\*\s*|//\s*)?<!\[CDATA\[(?:\s*\*/)?|<!--)\s*")
_CLOSING = re.compile(r"\s*(?:(?:/\*\s*|//\s*)?\]\]>(?:\s*\*/)?|-->)\s*$")


# What the stripped text ends with when `_CLOSING` can match: the regex is tried only then,
# as a search for it walks the whole script (tens of kilobytes on some pages) from every
# position, and a page's scripts are read by the URL, author and date steps.
_CLOSING_ENDS = ("]]>", "*/", "-->")


def unwrap(text: str) -> str:
    """The script text without CDATA or HTML-comment wrappers (each side at most twice,
    for a CDATA section inside a comment)."""
    for _ in range(2):
        opening = _OPENING.match(text)
        if opening:
            text = text[opening.end() :]
        if text.rstrip().endswith(_CLOSING_ENDS):
            text = _CLOSING.sub("", text, count=1)
    return text


# A page's scripts are read by the reader (its URL), the authors and the dates steps: each
# script's text is parsed once for all of them. The value is shared, so it is only read.
_MEMO = 64


def loads(text: str | None) -> Any | None:
    """The JSON value of a JSON-LD script's text, or None when it is not JSON. The value is
    shared by every caller that reads the same text: none may change it."""
    if not text or not text.strip():
        return None
    return _loads(text)


@lru_cache(maxsize=_MEMO)
def _loads(text: str) -> Any | None:
    try:
        return json.loads(unwrap(text), strict=False)
    except (ValueError, RecursionError):  # not JSON, or nested past the parser's depth
        return None
