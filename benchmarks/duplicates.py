"""Near-duplicate story grouping on Reuters-21578: pairwise precision and recall, cost per document.

The labelled set is built from real wire stories (``reut2-NNN.sgm``, latin-1). Base stories are
drawn from days and topics that carry several different stories, so most negative pairs are
hard: different stories on the same TOPICS and DATE, or starting with the same words (templated
earnings, money-market and commodity reports with other figures, same-day follow-ups). The
corpus's own repeats are dropped from the bases so that the labels are sound: a pair whose
exact shingle containment is at least 0.5 the same day (a correction or rewrite re-sent) or 0.9
on different days (a story re-sent later) counts as one story. Templated reports days apart,
sharing most of their wording but not their figures, stay as hard negatives. Each base then
gets 0-4 outlet copies, each made by 1-3 of the edits outlets make: trimmed ending (50-90% of
paragraphs kept), a dropped middle paragraph, two paragraphs swapped, a new headline, boilerplate
lines added, typographic quotes and dashes, a changed dateline credit, copy-editing of a few
words. A copy with no body edit is an exact copy. True pairs are those within one base's family;
the matcher (``transforms.shingles.group``, the code the Elasticsearch path runs) is scored on
every pair.

    .venv/bin/python benchmarks/duplicates.py [--json] [--bases 700] [--seed 7] [--sweep]
"""

from __future__ import annotations

import argparse
import html
import json
import platform
import random
import re
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from importlib.metadata import version
from math import comb
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from transforms.shingles import (  # noqa: E402
    DEFAULT,
    DupParams,
    Member,
    fingerprint,
    group,
    shingles,
    words,
)

CORPUS = REPO.parent / "shared" / "corpora" / "reuters21578-train"
MIN_WORDS = 40
LABEL_SHINGLE_WORDS = 5  # labels are fixed, whatever shingle size the matcher is run with
# Exact shingle containment at which two corpus stories are one story re-sent: a correction or
# rewrite the same day shares half its text; a templated report days apart shares most of it.
SAME_DAY_REPEAT, OTHER_DAY_REPEAT = 0.5, 0.9
BOILERPLATE = [
    "Copyright 1987 Reuters. All rights reserved.",
    "Sign up for our business newsletter to get the day's top stories.",
    "This story has not been edited by staff and is published from a syndicated feed.",
    "Related coverage: markets, companies and the economy.",
    "Follow us on Twitter for the latest updates.",
    "Reporting by our correspondents; editing by the news desk.",
    "Advertisement",
]
COPY_EDITS = {"said": "says", "dlrs": "dollars", "pct": "percent", "mln": "million", "The": "A"}


@dataclass
class Story:
    id: str
    date: str
    topics: tuple[str, ...]
    title: str
    paragraphs: list[str]
    edits: list[str] = field(default_factory=list)
    family: str = ""

    @property
    def body(self) -> str:
        return "\n\n".join(self.paragraphs)


def read_corpus() -> list[Story]:
    stories = []
    pattern = re.compile(r'<REUTERS[^>]*NEWID="(\d+)"[^>]*>(.*?)</REUTERS>', re.S)
    for path in sorted(CORPUS.glob("reut2-*.sgm")):
        for newid, block in pattern.findall(path.read_text("latin-1")):
            body = re.search(r"<BODY>(.*?)</BODY>", block, re.S)
            if not body:
                continue
            text = html.unescape(body.group(1)).replace("\x03", "")
            text = re.sub(r"\s*Reuter\s*$", "", text)
            paras = [" ".join(p.split()) for p in re.split(r"\n {3,}", text) if p.strip()]
            date = re.search(r"<DATE>\s*(\S+)", block)
            title = re.search(r"<TITLE>(.*?)</TITLE>", block, re.S)
            topics = tuple(re.findall(r"<D>(.*?)</D>", block.split("</TOPICS>")[0]))
            stories.append(
                Story(
                    id=f"r{int(newid):05d}",
                    date=date.group(1) if date else "",
                    topics=topics,
                    title=html.unescape(title.group(1)) if title else "",
                    paragraphs=paras,
                )
            )
    return [s for s in stories if len(s.body.split()) >= MIN_WORDS]


def drop_repeats(stories: list[Story], k: int) -> tuple[list[Story], int]:
    """Keep the first of the corpus's own repeats (re-sent, corrected or rewritten stories),
    counting shared shingles exactly through an inverted index."""
    sets = [shingles(words(s.body), k) for s in stories]
    postings: dict[bytes, list[int]] = defaultdict(list)
    for i, grams in enumerate(sets):
        for g in grams:
            postings[g].append(i)
    shared: Counter[tuple[int, int]] = Counter()
    for docs in postings.values():
        if 1 < len(docs) <= 200:
            shared.update((a, b) for i, a in enumerate(docs) for b in docs[i + 1 :])
    dropped: set[int] = set()
    for (a, b), n in shared.items():
        same_day = stories[a].date.split()[0] == stories[b].date.split()[0]
        limit = SAME_DAY_REPEAT if same_day else OTHER_DAY_REPEAT
        if a not in dropped and n >= limit * min(len(sets[a]), len(sets[b])):
            dropped.add(b)
    return [s for i, s in enumerate(stories) if i not in dropped], len(dropped)


def pick_bases(stories: list[Story], n: int, rng: random.Random) -> list[Story]:
    """Bases from (topics, day) cells and first-word groups that hold several stories."""
    cells: dict[tuple[object, ...], list[Story]] = defaultdict(list)
    for s in stories:
        if s.topics:
            cells[(s.topics, s.date)].append(s)
        cells[("lead", *words(s.body)[:4])].append(s)
    crowded = [c for c in cells.values() if len(c) >= 2]
    rng.shuffle(crowded)
    chosen: dict[str, Story] = {}
    for cell in crowded:
        for s in cell[:4]:
            chosen.setdefault(s.id, s)
        if len(chosen) >= n:
            break
    return sorted(chosen.values(), key=lambda s: s.id)[:n]


def _quotes_dashes(paras: list[str]) -> list[str]:
    out = []
    for p in paras:
        p = re.sub(r'"([^"]*)"', "\u201c\\1\u201d", p).replace("'", "\u2019")
        out.append(p.replace(" - ", " \u2014 ").replace("--", "\u2013"))
    return out


def _copy_edit(paras: list[str], rng: random.Random) -> list[str]:
    out = []
    for p in paras:
        tokens = p.split(" ")
        for i, t in enumerate(tokens):
            if t in COPY_EDITS and rng.random() < 0.5:
                tokens[i] = COPY_EDITS[t]
        out.append(" ".join(tokens))
    return out


def edit(base: Story, rng: random.Random, n: int) -> Story:
    """An outlet's copy of `base`: 1-3 edits (none to the body: an exact copy)."""
    paras = list(base.paragraphs)
    title, applied = base.title, []
    kinds = ["trim", "drop", "swap", "headline", "boilerplate", "typography", "dateline", "words"]
    for kind in rng.sample(kinds, rng.randint(1, 3)):
        if kind == "trim" and len(paras) >= 3:
            paras = paras[: max(2, round(len(paras) * rng.uniform(0.5, 0.9)))]
        elif kind == "drop" and len(paras) >= 4:
            del paras[rng.randrange(1, len(paras) - 1)]
        elif kind == "swap" and len(paras) >= 3:
            i = rng.randrange(1, len(paras) - 1)
            paras[i], paras[i + 1] = paras[i + 1], paras[i]
        elif kind == "headline":
            title = f"{base.title.title()} - report"
        elif kind == "boilerplate":
            extra = rng.sample(BOILERPLATE, rng.randint(1, 2))
            paras = [*paras, *extra] if rng.random() < 0.7 else [extra[0], *paras, *extra[1:]]
        elif kind == "typography":
            paras = _quotes_dashes(paras)
        elif kind == "dateline":
            paras[0] = f"NEW YORK (AP) \u2014 {paras[0]}"
        elif kind == "words":
            paras = _copy_edit(paras, rng)
        else:
            continue
        applied.append(kind)
    body_edits = [k for k in applied if k != "headline"]
    return replace(
        base,
        id=f"{base.id}-{n}",
        title=title,
        paragraphs=paras,
        edits=body_edits or ["exact"],
        family=base.id,
    )


def labelled_set(bases: list[Story], rng: random.Random) -> list[Story]:
    docs = []
    for base in bases:
        docs.append(replace(base, family=base.id, edits=["base"]))
        docs += [edit(base, rng, n) for n in range(rng.choice([0, 1, 1, 2, 3, 4]))]
    return docs


def score(docs: list[Story], predicted: dict[str, str]) -> dict[str, float]:
    """Pairwise precision and recall of the predicted grouping against the families."""
    cells = Counter((d.family, predicted[d.id]) for d in docs)
    tp = sum(comb(n, 2) for n in cells.values())
    pred = sum(comb(n, 2) for n in Counter(predicted[d.id] for d in docs).values())
    true = sum(comb(n, 2) for n in Counter(d.family for d in docs).values())
    precision = tp / pred if pred else 1.0
    recall = tp / true if true else 1.0
    return {"precision": precision, "recall": recall, "true_pairs": true, "predicted_pairs": pred}


def hard_negatives(docs: list[Story], predicted: dict[str, str]) -> tuple[int, int]:
    """(hard negative base pairs: same topics and day, or same first four words; merged)."""
    keyed: dict[tuple[object, ...], list[Story]] = defaultdict(list)
    for d in docs:
        if d.edits == ["base"]:
            if d.topics:
                keyed[("t", d.topics, d.date)].append(d)
            keyed[("w", *words(d.body)[:4])].append(d)
    pairs = {(a.id, b.id) for ds in keyed.values() for i, a in enumerate(ds) for b in ds[i + 1 :]}
    merged = sum(1 for a, b in pairs if predicted[a] == predicted[b])
    return len(pairs), merged


def run(bases_wanted: int, seed: int, params: DupParams, sweep: bool) -> dict[str, object]:
    rng = random.Random(seed)
    corpus, repeats = drop_repeats(read_corpus(), LABEL_SHINGLE_WORDS)
    docs = labelled_set(pick_bases(corpus, bases_wanted, rng), rng)
    started = time.perf_counter()
    fps = {d.id: fingerprint(d.body, params) for d in docs}
    fingerprinted = time.perf_counter()
    members = [Member(d.id, fps[d.id], length=len(d.body.split())) for d in docs]
    stories = group(members, params)
    grouped = time.perf_counter()
    predicted = {i: s.story_id for i, s in stories.items()}
    edit_recall: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for d in docs:
        if d.edits != ["base"]:
            for kind in d.edits:
                edit_recall[kind][0] += predicted[d.id] == predicted[d.family]
                edit_recall[kind][1] += 1
    hard, merged = hard_negatives(docs, predicted)
    figures: dict[str, object] = {
        "documents": len(docs),
        "bases": sum(d.edits == ["base"] for d in docs),
        "corpus_repeats_dropped": repeats,
        **score(docs, predicted),
        "hard_negative_pairs": hard,
        "hard_negatives_merged": merged,
        "us_per_doc_fingerprint": (fingerprinted - started) / len(docs) * 1e6,
        "us_per_doc_group": (grouped - fingerprinted) / len(docs) * 1e6,
        "copy_recall_by_edit": {k: round(v[0] / v[1], 4) for k, v in sorted(edit_recall.items())},
        "params": {**params.__dict__, "bands": params.bands},
        "versions": {"python": platform.python_version(), "datasketch": version("datasketch")},
    }
    if sweep:
        rows = []
        for jac in (0.4, 0.5, 0.6, 0.7):
            for con in (0.7, 0.8, 0.9, 1.01):
                p = replace(params, jaccard=jac, containment=con)
                got = {i: s.story_id for i, s in group(members, p).items()}
                rows.append({"jaccard": jac, "containment": con, **score(docs, got)})
        unvetoed = replace(params, numbers_missing=1.0)  # figures ignored
        got = {i: s.story_id for i, s in group(members, unvetoed).items()}
        figures["figure_veto_off"] = score(docs, got)
        figures["sweep"] = rows
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    parser.add_argument("--bases", type=int, default=700, help="base stories (default 700)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--sweep", action="store_true", help="also try other thresholds")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        print(f"corpus not found: {CORPUS}", file=sys.stderr)
        return 1
    f = run(args.bases, args.seed, DEFAULT, args.sweep)
    if args.json:
        print(json.dumps(f))
        return 0
    print(
        f"reuters21578: {f['documents']} documents from {f['bases']} base stories "
        f"({f['corpus_repeats_dropped']} corpus repeats dropped), params {f['params']}"
    )
    print(
        f"{'precision':>10}{'recall':>8}{'true pairs':>12}{'pred pairs':>12}"
        f"{'hard neg':>10}{'merged':>8}{'µs/doc fp':>11}{'µs/doc grp':>12}"
    )
    print(
        f"{f['precision']:>10.4f}{f['recall']:>8.4f}{f['true_pairs']:>12}"
        f"{f['predicted_pairs']:>12}{f['hard_negative_pairs']:>10}"
        f"{f['hard_negatives_merged']:>8}{f['us_per_doc_fingerprint']:>11.0f}"
        f"{f['us_per_doc_group']:>12.0f}"
    )
    print(
        "copy recall by edit: "
        + ", ".join(
            f"{k} {v:.3f}"
            for k, v in f["copy_recall_by_edit"].items()  # type: ignore[attr-defined]
        )
    )
    for row in f.get("sweep", []):  # type: ignore[attr-defined]
        print(
            f"  jaccard {row['jaccard']:.2f} containment {row['containment']:.2f}: "
            f"precision {row['precision']:.4f} recall {row['recall']:.4f}"
        )
    if "figure_veto_off" in f:
        off = f["figure_veto_off"]
        print(f"  figure veto off: precision {off['precision']:.4f} recall {off['recall']:.4f}")  # type: ignore[index]
    print("versions: " + ", ".join(f"{k} {v}" for k, v in f["versions"].items()))  # type: ignore[attr-defined]
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
