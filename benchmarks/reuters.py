"""Reuters-21578 as the benchmarks read it: one parser for every benchmark that uses it."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPORA = REPO.parent / "shared" / "corpora"
REUTERS = CORPORA / "reuters21578-train"

_STORY = re.compile(r'<REUTERS[^>]*NEWID="(\d+)"[^>]*>(.*?)</REUTERS>', re.S)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")


@dataclass(frozen=True)
class ReutersStory:
    newid: int
    date: str  # as written, e.g. "26-FEB-1987 15:01:01.79"
    dateline: str  # "" when the story has none
    title: str
    body: str  # as in the SGML: the wire's line breaks, "Reuter" sign-off included
    topics: tuple[str, ...]


def _tag(block: str, name: str) -> str:
    m = re.search(rf"<{name}>(.*?)</{name}>", block, re.S)
    return _CONTROL.sub("", html.unescape(m.group(1))) if m else ""


def read_stories(corpus: Path = REUTERS) -> Iterator[ReutersStory]:
    """Every story with a body, in file order; SGML is read as latin-1, as distributed."""
    for path in sorted(corpus.glob("reut2-*.sgm")):
        for newid, block in _STORY.findall(path.read_text("latin-1")):
            body = _tag(block, "BODY")
            if not body.strip():
                continue
            topics = tuple(re.findall(r"<D>(.*?)</D>", block.split("</TOPICS>")[0]))
            yield ReutersStory(
                newid=int(newid),
                date=_tag(block, "DATE").strip(),
                dateline=_tag(block, "DATELINE"),
                title=_tag(block, "TITLE").strip(),
                body=body,
                topics=topics,
            )
