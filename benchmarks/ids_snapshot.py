"""Ids and content hashes of a fixed corpus through `newsetl transform`: the "same index" check.

A redesign of how files are read, parsed and tokenized must leave every document's id and
`content_hash` bit for bit as they were. This writes two folders and runs each through
`newsetl.pipeline.transform_paths` (what `newsetl transform` runs):

- `base`, which needs nothing outside the repository: the repo's `raw/`, the seed story's
  republished copies and unrelated stories with a site's furniture (`benchmarks/copies.py`,
  so learned boilerplate is exercised), and generated wire stories, feeds and pages written
  as `.txt`, `.txt` + sidecar, `.txt.gz`, `.jsonl` and `.html` (with and without sidecar),
  plus files that must be quarantined;
- `corpus`, when `../shared/corpora` exists: Reuters-21578 stories written as `.txt` and
  `.jsonl` as `benchmarks/throughput.py` writes them, and article-extraction-benchmark and
  readability test pages as `.html` with a URL sidecar.

Each document is recorded by its source path as `[id, content_hash]`, each quarantined
record as its reason. `tests/test_ids_unchanged.py` rebuilds the folders and compares with
`tests/data/ids_snapshot.json`. After a deliberate change of what documents hold, regenerate:

    .venv/bin/python benchmarks/ids_snapshot.py --write

Without `--write` it compares with the stored snapshot and prints what differs.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import random
import shutil
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.copies import _WORDS, copies_folder  # noqa: E402
from newsetl.pipeline import transform_paths  # noqa: E402
from newsetl.readers import discover  # noqa: E402

SNAPSHOT = REPO / "tests" / "data" / "ids_snapshot.json"
CORPORA = REPO.parent / "shared" / "corpora"
# A fixed "now": it only rejects impossible dates, but it must not move between runs.
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
REUTERS_STORIES = 300
AEB_PAGES = 60
READABILITY_PAGES = 40

_CITIES = ("CAIRO", "WASHINGTON", "LONDON", "NAIROBI", "TOKYO", "SAO PAULO", "OTTAWA")
_AGENCIES = ("AP", "Reuters", "AFP")
_MONTHS = ("Jan", "Feb", "March", "April", "May", "June", "July", "Aug", "Sept", "Oct")
_FURNITURE = ("Share this article", "Advertisement", "Follow us on social media")


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(_WORDS) for _ in range(rng.randint(10, 26))]
    return " ".join(words).capitalize() + "."


def _paragraphs(rng: random.Random, n: int) -> list[str]:
    return [" ".join(_sentence(rng) for _ in range(rng.randint(1, 4))) for _ in range(n)]


def _wire_story(i: int) -> tuple[str, str, str]:
    """(title, text, ISO date) of a generated wire story: a dateline, mentioned dates, a
    weekday, a sign-off or credit, now and then a byline and a furniture line."""
    rng = random.Random(1600 + i)
    city, agency = rng.choice(_CITIES), rng.choice(_AGENCIES)
    month = rng.randrange(len(_MONTHS))
    day = rng.randint(1, 28)
    lead = rng.choice(
        (
            f"{city} ({agency}) — ",
            f"{city}, {_MONTHS[month]} {day} ({agency}) - ",
            f"{city.title()}, {_MONTHS[month]} {day} - ",
        )
    )
    body = _paragraphs(rng, rng.randint(3, 8))
    body[0] = lead + body[0]
    body.insert(1, f"The talks resume on {_MONTHS[(month + 1) % 10]} {day + 1}, officials said.")
    if rng.random() < 0.4:
        body.insert(0, f"By {rng.choice(('Jane Roe', 'John Doe', 'Ana Silva'))}")
    if rng.random() < 0.5:
        body.insert(rng.randint(1, len(body)), rng.choice(_FURNITURE))
    if rng.random() < 0.3:
        body.append(f"On Tuesday, {rng.choice(_WORDS)} {rng.choice(_WORDS)} were reported.")
    if agency == "Reuters" and rng.random() < 0.5:
        body.append(" REUTER")
    title = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(4, 9))).capitalize()
    iso = f"2024-{month + 1:02d}-{day:02d}T{rng.randint(0, 23):02d}:15:00Z"
    return title, "\n\n".join(body), iso


def _page(i: int) -> tuple[str, str]:
    """(url, html) of a generated news page: navigation, a headline, a byline, a marked
    publication time, the story, related links and a footer."""
    rng = random.Random(3200 + i)
    title, text, iso = _wire_story(10_000 + i)
    site = f"news{i % 4}.example"
    url = f"https://www.{site}/2024/{iso[5:7]}/{iso[8:10]}/story-{i}"
    nav = "".join(f'<li><a href="/{w}">{w.title()}</a></li>' for w in rng.sample(_WORDS, 6))
    related = "".join(
        f'<li><a href="/r/{k}">{_sentence(rng)[:60]}</a></li>' for k in range(rng.randint(2, 5))
    )
    paragraphs = "".join(f"<p>{p}</p>" for p in text.split("\n\n"))
    lang = rng.choice(("en", "en-US", "en-GB"))
    meta = f'<meta property="article:published_time" content="{iso}">' if i % 3 else ""
    author = rng.choice(("Jane Roe", "John Doe", "Ana Silva"))
    page = (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{title} | News {i % 4}</title>{meta}"
        f'<link rel="canonical" href="{url}"></head><body>'
        f'<header><ul class="nav">{nav}</ul></header><main><article>'
        f"<h1>{title}</h1>"
        f'<div class="byline">By <span class="author">{author}</span></div>'
        f'<time datetime="{iso}">{iso[:10]}</time>{paragraphs}'
        f'<aside class="related"><h3>Related</h3><ul>{related}</ul></aside>'
        f"</article></main><footer><p>© 2024 News {i % 4}. All rights reserved.</p>"
        f"</footer></body></html>"
    )
    return url, page


def build_base(root: Path) -> None:
    """The part that needs nothing outside the repository."""
    shutil.copytree(REPO / "raw", root / "raw")
    copies_folder(root / "copies", 5, per_outlet=True, mixed=True, urls=True, others=20)
    copies_folder(root / "flat", 3, per_outlet=False, mixed=True, urls=False, others=12)
    wire = root / "wire"
    wire.mkdir()
    feed: list[str] = []
    for i in range(160):
        title, text, iso = _wire_story(i)
        kind = i % 4
        if kind == 0:
            (wire / f"{i:04d}.txt").write_text(f"{title}\n\n{text}", encoding="utf-8")
        elif kind == 1:
            (wire / f"{i:04d}.txt").write_text(f"{title}\n\n{text}", encoding="utf-8")
            side = {"url": f"https://wire{i % 3}.example/{i}", "date": iso, "author": "Jane Roe"}
            (wire / f"{i:04d}.json").write_text(json.dumps(side), encoding="utf-8")
        elif kind == 2:
            data = gzip.compress(f"{title}\n\n{text}".encode(), mtime=0)
            (wire / f"{i:04d}.txt.gz").write_bytes(data)
        else:
            record = {"url": f"https://feed.example/{i}", "title": title, "text": text}
            if i % 8 == 3:
                record["published"] = iso
            feed.append(json.dumps(record, ensure_ascii=False))
    feed.insert(5, "{not json")
    feed.insert(9, json.dumps({"url": "https://feed.example/empty", "title": "No body"}))
    (wire / "feed.jsonl").write_text("\n".join(feed) + "\n", encoding="utf-8")
    pages = root / "pages"
    pages.mkdir()
    for i in range(40):
        url, html = _page(i)
        (pages / f"{i:03d}.html").write_text(html, encoding="utf-8")
        if i % 2:
            (pages / f"{i:03d}.json").write_text(json.dumps({"url": url}), encoding="utf-8")
    bad = root / "bad"
    bad.mkdir()
    (bad / "empty.txt").write_text("", encoding="utf-8")
    (bad / "broken.json").write_text("{", encoding="utf-8")
    (bad / "truncated.txt.gz").write_bytes(gzip.compress(b"Title\n\nSome text here.")[:-8])


def corpora_present() -> bool:
    return (CORPORA / "reuters21578-train").is_dir()


def build_corpus(root: Path) -> None:
    """The part read from `../shared/corpora` (call only when `corpora_present()`)."""
    from benchmarks.extraction import load
    from benchmarks.throughput import build_corpus as reuters_folder

    reuters_folder(root / "reuters", REUTERS_STORIES)
    aeb = root / "aeb"
    aeb.mkdir()
    for key, url, html, _gold in load(AEB_PAGES):
        (aeb / f"{key}.html").write_text(html, encoding="utf-8")
        (aeb / f"{key}.json").write_text(json.dumps({"url": url}), encoding="utf-8")
    readability = root / "readability"
    readability.mkdir()
    sources = sorted((CORPORA / "readability-test-pages" / "pages").glob("*/source.html"))
    for source in itertools.islice(sources, READABILITY_PAGES):
        name = source.parent.name
        (readability / f"{name}.html").write_bytes(source.read_bytes())


def snapshot_of(root: Path) -> dict[str, Any]:
    """`{source path: [id, content_hash]}` and `{path[:line]: reason}` of one folder."""
    batch = transform_paths(list(discover(root)), root, now=NOW)
    docs = {d["source"]["path"]: [d["id"], d["content_hash"]] for d in batch.docs}
    rejected = {
        r.path if r.line is None else f"{r.path}:{r.line}": r.reason for r in batch.rejected
    }
    return {"documents": dict(sorted(docs.items())), "rejected": dict(sorted(rejected.items()))}


def build_and_snapshot(part: str) -> dict[str, Any]:
    """Write part `base` or `corpus` into a temporary folder and snapshot it."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / part
        root.mkdir()
        (build_base if part == "base" else build_corpus)(root)
        return snapshot_of(root)


def diff(expected: dict[str, Any], got: dict[str, Any]) -> list[str]:
    """What differs between two snapshots of one part, one line each."""
    lines = []
    for kind in ("documents", "rejected"):
        want, have = expected.get(kind, {}), got.get(kind, {})
        for key in sorted(set(want) | set(have)):
            if want.get(key) != have.get(key):
                lines.append(f"{kind} {key}: {want.get(key)} -> {have.get(key)}")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--write", action="store_true", help=f"write {SNAPSHOT.name}")
    args = parser.parse_args()
    parts = ["base", "corpus"] if corpora_present() else ["base"]
    stored = json.loads(SNAPSHOT.read_text("utf-8")) if SNAPSHOT.exists() else {}
    got = {part: build_and_snapshot(part) for part in parts}
    if args.write:
        if "corpus" not in got and "corpus" in stored:
            got["corpus"] = stored["corpus"]  # kept: this machine cannot rebuild it
        SNAPSHOT.parent.mkdir(parents=True, exist_ok=True)
        SNAPSHOT.write_text(json.dumps(got, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    for part, snap in got.items():
        changed = diff(stored.get(part, {}), snap)
        print(
            f"{part}: {len(snap['documents'])} documents, {len(snap['rejected'])} quarantined, "
            f"{len(changed)} differ from the stored snapshot"
        )
        for line in changed[:20]:
            print("  " + line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
