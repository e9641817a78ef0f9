"""News-agency names: normalizing how a dateline or credit line spells them, finding them in text.

The spellings live in ``data/agencies.json`` ("Reuter", "The Associated Press" -> Reuters, AP).
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources


def _key(name: str) -> str:
    return " ".join(name.replace(".", "").casefold().split())


@cache
def _aliases() -> dict[str, str]:
    text = resources.files("transforms").joinpath("data", "agencies.json").read_text("utf-8")
    table: dict[str, list[str]] = {
        k: v for k, v in json.loads(text).items() if not k.startswith("_")
    }
    return {_key(alias): canonical for canonical, aliases in table.items()
            for alias in (canonical, *aliases)}


def agency_name(text: str) -> str | None:
    """Canonical agency for a written name ("Reuter", "A.P.", "Agence France-Presse")."""
    return _aliases().get(_key(text))


# "(CNN) President ..." at a line start, or "... (Reuters) -" before a dash: a credit. Elsewhere
# "(AA)" or "(PA)" in a sentence is an abbreviation, not an agency.
_PAREN = re.compile(
    r"(?:^[ \t]*\(\s*(?P<lead>[A-Za-z][A-Za-z .&'\-]{0,40}?)\s*\)"
    r"|\(\s*(?P<dash>[A-Za-z][A-Za-z .&'\-]{0,40}?)\s*\)\s*(?:\u2014|\u2013|--|-))",
    re.MULTILINE,
)
_CREDIT = re.compile(
    r"(?:©|\(c\)|copyright)\s*(?:\d{4}\s*,?\s*)?(?P<name>[A-Za-z][A-Za-z .&'\-]{1,40}?)"
    r"\s*(?:[.,;]|all rights|$)",
    re.IGNORECASE | re.MULTILINE,
)
# "By Jane Doe, Associated Press", "By Jane Doe | Reuters", "By The Associated Press"
_BYLINE = re.compile(
    r"^by\s+(?:.*?(?:,|\||/|\u2014|\u2013|\s-)\s*)?(?P<name>[^,|/]{2,40}?)\s*$",
    re.IGNORECASE | re.MULTILINE,
)
_EDGE_LINES = 5


def find_agency(body: str) -> str | None:
    """The agency a story credits: "(CNN)" or "(AP) —" near the top, a byline "By ..., Reuters",
    a copyright line or a closing credit line. A mention in a sentence ("told Reuters") is not
    a credit."""
    for m in _PAREN.finditer(body, 0, 600):
        name = agency_name(m["lead"] or m["dash"])
        if name:
            return name
    lines = body.strip().splitlines()
    edges = "\n".join(lines[:_EDGE_LINES] + lines[-_EDGE_LINES:])
    for pattern in (_BYLINE, _CREDIT):
        for m in pattern.finditer(edges):
            name = agency_name(m["name"])
            if name:
                return name
    for line in lines[-_EDGE_LINES:]:
        name = agency_name(line.strip(" -\u2014\u2013()"))
        if name:
            return name
    return None
