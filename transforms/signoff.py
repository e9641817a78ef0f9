"""The sign-off that closes a wire story: " REUTER", "-- Reuters", "(AP)", "AFP", "(Reporting
by ...; Editing by ...)".

It is a credit line, not story text, so the cleaner takes it out of the body (and lists it in
`removed`), but it is often the only place a wire story names its agency: 1987 Reuters copy
has no "(Reuters)" in its dateline, only the closing "REUTER". The forms live in
``data/signoffs.json`` and the names in ``data/agencies.json``, so another wire's house style
is a data edit.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from transforms.agencies import agency_name

_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class SignOff:
    """A closing credit line; `agency` is the canonical agency it credits, when it names one."""

    agency: str | None


@dataclass(frozen=True)
class _Form:
    pattern: re.Pattern[str]
    agency: str | None  # a house style's agency; None: read it from the `agency` group


@cache
def _forms() -> tuple[_Form, ...]:
    text = resources.files("transforms").joinpath("data", "signoffs.json").read_text("utf-8")
    return tuple(
        _Form(re.compile(form["pattern"], re.IGNORECASE), form.get("agency"))
        for form in json.loads(text)["forms"]
    )


def read_signoff(paragraph: str) -> SignOff | None:
    """The sign-off `paragraph` is, or None for any other line. A bare name counts only when
    it is an agency's ("REUTER", "(AP)"); any other short line ("More", "Ends") is not."""
    text = _SPACE.sub(" ", paragraph).strip()
    for form in _forms():
        m = form.pattern.fullmatch(text)
        if m is None:
            continue
        if "agency" in m.re.groupindex:
            name = agency_name(m["agency"])
            if name is None:
                continue
            return SignOff(name)
        return SignOff(form.agency)
    return None
