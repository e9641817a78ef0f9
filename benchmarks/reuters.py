"""Reuters-21578 as wire text through the user's path: what `newsetl transform` makes of it.

Every story is written as the .txt file a user would have (its <TITLE> line, a blank line,
then <DATELINE> and <BODY> exactly as the SGML holds them: the wire's line wraps, paragraph
indents and " REUTER" sign-off), the folder is run through `newsetl.pipeline.transform_paths`
(what `newsetl transform` runs: reader, decoding, boilerplate learned over the whole folder,
cleaner, normalizer), and each document is scored against the SGML:

- body F1: the 4-gram shingle metric of `benchmarks/extraction.py`. Gold body: the DATELINE
  and the BODY, without the closing sign-off line (a credit, which the pipeline moves to
  `agency`); quarantined stories score an empty body. "untouched" scores the file's text
  below its title line as it is, the floor the cleaner must not fall under;
- lede lost: stories whose body does not hold the gold's dateline at its start, or its first
  sentence (up to 20 tokens) as written;
- quarantined: stories that did not become a document (every story here has a body);
- dateline city and month/day against <DATELINE> (see `gold`); agency against "Reuters",
  over all stories and over the "signed" ones, whose text credits Reuters at all (about 1%
  do not: takes ending " More", price tables, stories cut without a sign-off).

A second, labelled row gives the component figure: `normalize_article` fed the dateline and
body pre-joined, as no user file reaches it. `--no-learning` measures with corpus-learned
boilerplate switched off (the benchmark replaces `newsetl.pipeline.learn` by a function that
learns nothing; the product has no such switch), to show what learning contributes.

`--list` prints every story lost or quarantined (NEWIDs), not the first ten.

    .venv/bin/python benchmarks/reuters.py [--json] [--limit N] [--no-learning] [--list]
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from unittest import mock

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.extraction import match, prf  # noqa: E402
from newsetl import pipeline  # noqa: E402
from newsetl.readers import discover  # noqa: E402
from transforms import gazetteer  # noqa: E402
from transforms.dates import month_number  # noqa: E402
from transforms.normalize import normalize_article  # noqa: E402

CORPORA = REPO.parent / "shared" / "corpora"
REUTERS = CORPORA / "reuters21578-train"

_STORY = re.compile(r'<REUTERS[^>]*NEWID="(\d+)"[^>]*>(.*?)</REUTERS>', re.S)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")
_TOKEN = re.compile(r"\w+")
# The gold's closing credit: the corpus ends stories with "Reuter", "REUTER...", "REUTER^M".
_GOLD_SIGNOFF = re.compile(r"\n[ \t]*reuters?\W*(?:\^M)?\s*$", re.IGNORECASE)
# Any credit in the text: a sign-off line or one run onto the last sentence ("... NIL. REUTER").
_SIGNED = re.compile(r"\breuters?\W*(?:\^M)?\s*$", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?](?=\s|$)")
_LEDE_TOKENS = 20
_REGULAR = re.compile(
    r"[A-Z][A-Z .'&/\-]*(?:, [A-Z][A-Za-z.]*(?: [A-Z][A-Za-z.]*)*)?, "
    r"(?:Jan|Feb|March|April|May|June|July|Aug|Sept|Oct|Nov|Dec) \d{1,2} -"
)
_GOLD_DATE = re.compile(r"([A-Za-z]{3,9})\.?\s*(\d{1,3})\b")


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


@dataclass(frozen=True)
class Gold:
    """A <DATELINE> read as the benchmark's gold: folded city, month and day, and whether it
    is in the wire's regular style ("CITY[, Region], Mon D -")."""

    city: str
    month: int | None
    day: int | None
    regular: bool


def gold(dateline: str) -> Gold:
    text = " ".join(dateline.split())
    head, sep, tail = text.partition(",")
    if not sep:  # "JOHANNESBURG March 13 -", "LONDON -"
        m = _GOLD_DATE.search(text)
        head, tail = (text[: m.start()], text[m.start() :]) if m else (text.rstrip(" -"), "")
    month = day = None
    m = _GOLD_DATE.search(tail)
    if m and month_number(m.group(1)) and 1 <= int(m.group(2)) <= 31:
        month, day = month_number(m.group(1)), int(m.group(2))
    return Gold(gazetteer.fold(head), month, day, bool(_REGULAR.fullmatch(text)))


def file_text(story: ReutersStory) -> str:
    """The .txt file of a story: TITLE, a blank line, DATELINE + BODY as the SGML holds them."""
    return f"{story.title}\n\n{story.dateline}{story.body}"


def untouched(story: ReutersStory) -> str:
    """What the reader hands on below the title line, unchanged."""
    return story.dateline + story.body


def gold_body(story: ReutersStory) -> str:
    """DATELINE and BODY without the closing sign-off line."""
    return _GOLD_SIGNOFF.sub("", untouched(story)).strip()


def write_corpus(stories: Iterable[ReutersStory], folder: Path, *, record_date: bool) -> None:
    """One .txt per story; with `record_date`, a sidecar .json carrying its <DATE>, as a
    crawler that knows the publication time leaves it."""
    for story in stories:
        path = folder / f"{story.newid:05d}.txt"
        path.write_text(file_text(story), encoding="utf-8")
        if record_date:
            sidecar = path.with_suffix(".json")
            sidecar.write_text(json.dumps({"date": story.date}), encoding="utf-8")


def transform_folder(
    stories: list[ReutersStory], *, record_date: bool = False, learning: bool = True
) -> tuple[dict[int, dict[str, Any]], float]:
    """Documents by NEWID after `newsetl transform` of the written folder, and the seconds it
    took. Quarantined stories are absent."""
    with tempfile.TemporaryDirectory(prefix="newsetl-reuters-") as tmp:
        root = Path(tmp)
        write_corpus(stories, root, record_date=record_date)
        off = mock.patch.object(pipeline, "learn", lambda _evidence: {})
        with nullcontext() if learning else off:
            started = time.perf_counter()
            batch = pipeline.transform_paths(list(discover(root)), root, now=datetime.now(UTC))
            seconds = time.perf_counter() - started
    docs = {int(doc["source"]["path"].split(".")[0]): doc for doc in batch.docs}
    return docs, seconds


def lede_tokens(text: str) -> list[str]:
    """Tokens of the first sentence of `text`, at most `_LEDE_TOKENS`."""
    m = _SENTENCE_END.search(text)
    return _TOKEN.findall(text[: m.end()] if m else text)[:_LEDE_TOKENS]


def _contains(tokens: list[str], run: list[str]) -> bool:
    n = len(run)
    return any(tokens[i : i + n] == run for i in range(len(tokens) - n + 1))


def lede_lost(story: ReutersStory, body: str) -> bool:
    """The body does not start with the dateline, or does not hold the first sentence."""
    tokens = _TOKEN.findall(body)
    dateline = _TOKEN.findall(story.dateline)
    lede = lede_tokens(gold_body(story))
    return tokens[: len(dateline)] != dateline or not _contains(tokens, lede)


@dataclass
class Tally:
    """Dateline and agency hits of one row."""

    n: int = 0
    dated: int = 0
    city: int = 0
    day: int = 0
    agency: int = 0
    signed: int = 0
    signed_agency: int = 0

    def add(self, story: ReutersStory, dateline: dict[str, Any] | None, agency: str | None) -> None:
        g = gold(story.dateline)
        dl = dateline or {}
        self.n += 1
        self.city += gazetteer.fold(str(dl.get("city") or "")) == g.city
        if g.month is not None:
            self.dated += 1
            value = str(dl.get("date") or "")
            self.day += value[-5:] == f"{g.month:02d}-{g.day:02d}"
        self.agency += agency == "Reuters"
        if _SIGNED.search(story.body):
            self.signed += 1
            self.signed_agency += agency == "Reuters"

    def figures(self) -> dict[str, float]:
        return {
            "city_accuracy": self.city / max(1, self.n),
            "date_accuracy": self.day / max(1, self.dated),
            "agency_accuracy": self.agency / max(1, self.n),
            "signed_stories": self.signed,
            "agency_accuracy_signed": self.signed_agency / max(1, self.signed),
        }


def run(limit: int | None, *, learning: bool = True, sample: int | None = 10) -> dict[str, Any]:
    stories = list(read_stories())[:limit]
    docs, seconds = transform_folder(stories, learning=learning)
    counts, floor = [], []
    pipeline_tally, component = Tally(), Tally()
    lost: list[int] = []
    now = datetime.now(UTC)
    for story in stories:
        doc = docs.get(story.newid)
        body = doc["body"] if doc else ""
        counts.append(match(gold_body(story), body))
        floor.append(match(gold_body(story), untouched(story)))
        if lede_lost(story, body):
            lost.append(story.newid)
        pipeline_tally.add(story, doc and doc["dateline"], doc and doc["agency"])
        norm = normalize_article(story.dateline.strip() + " " + story.body, now=now)
        component.add(story, norm.dateline, norm.agency)
    return {
        "date": now.isoformat(timespec="seconds"),
        "stories": len(stories),
        "learning": learning,
        "newsetl": {**prf(counts), **pipeline_tally.figures()},
        "untouched": prf(floor),
        "component": component.figures(),
        "lede_lost": len(lost),
        "lede_lost_sample": lost[:sample],
        "quarantined": len(stories) - len(docs),
        "quarantined_sample": sorted({s.newid for s in stories} - set(docs))[:sample],
        "ms_per_doc": 1000 * seconds / max(1, len(stories)),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--limit", type=int, default=None, help="first N stories only")
    parser.add_argument(
        "--no-learning", action="store_true", help="measure with learned boilerplate off"
    )
    parser.add_argument(
        "--list", action="store_true", help="list every story lost or quarantined"
    )
    args = parser.parse_args()
    if not REUTERS.is_dir():
        print(f"corpus not found: {REUTERS}", file=sys.stderr)
        return 2
    r = run(args.limit, learning=not args.no_learning, sample=None if args.list else 10)
    if args.json:
        print(json.dumps(r, indent=2))
        return 0
    print(
        f"Reuters-21578 as .txt files through `newsetl transform`: {r['stories']} stories, "
        f"{r['date']}, learned boilerplate {'on' if r['learning'] else 'off'}, "
        f"{r['ms_per_doc']:.1f} ms/doc"
    )
    head = (
        f"{'row':<44}{'body F1':>8}{'P':>8}{'R':>8}{'city':>8}{'mon/day':>8}{'agency':>8}"
        f"{'signed':>8}"
    )
    print(head)
    n, u, c = r["newsetl"], r["untouched"], r["component"]
    print(
        f"{'newsetl transform (user path)':<44}{n['f1']:8.4f}{n['precision']:8.4f}"
        f"{n['recall']:8.4f}{n['city_accuracy']:8.4f}{n['date_accuracy']:8.4f}"
        f"{n['agency_accuracy']:8.4f}{n['agency_accuracy_signed']:8.4f}"
    )
    print(f"{'untouched text (floor)':<44}{u['f1']:8.4f}{u['precision']:8.4f}{u['recall']:8.4f}")
    print(
        f"{'component: normalize_article, pre-joined':<44}{'':>24}"
        f"{c['city_accuracy']:8.4f}{c['date_accuracy']:8.4f}{c['agency_accuracy']:8.4f}"
        f"{c['agency_accuracy_signed']:8.4f}"
    )
    print(f"signed stories (text credits Reuters): {n['signed_stories']} of {r['stories']}")
    print(f"stories with dateline or first sentence lost: {r['lede_lost']} {r['lede_lost_sample']}")
    print(f"quarantined (all have a body): {r['quarantined']} {r['quarantined_sample']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
