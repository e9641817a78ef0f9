"""Main-text extraction and text cleaning on the Zyte/Scrapinghub article-extraction-benchmark.

HTML level: newsetl's ``extract_html`` against trafilatura (default, and favor_precision=True)
on the same 181 pages in the same run.

Text level: each page's "scraped text", the visible text of the article's region of the page
with its junk, one line per block element, scored untouched and after ``clean_text``. The
region is the article's container, as a scraper's selector picks it: starting from the
deepest element that holds 98% of the gold body's shingles, the nearest element marked up as
the article (``<article>``, ``<main>``, ``role="article"|"main"``, ``itemprop="articleBody"``,
an ``itemtype`` ending in Article or BlogPosting), or that deepest element when the page marks
none. The container is what a scraper dumps: headline, byline, captions, share bar, tags and
teasers around the story, as the seed file shows. The deepest element alone is chosen by
looking at the answer, so it starts at the story's first paragraph and ends at its last and
carries junk only from inside the story (or the whole page, when the story is split across
containers); it is reported too ("tightest region"), as a harder floor for the cleaner. Both
regions hold the same gold, so the untouched recall is the same.

Scoring is the benchmark's evaluate.py (scrapinghub/article-extraction-benchmark): tokens
are ``\\w+`` matches (case kept), shingles are 4-token n-grams counted as a multiset; per
document TP/FP/FN are normalized to sum to 1; precision is the mean per-document precision
over documents with a non-empty prediction, recall the mean per-document recall over
documents with a gold body, F1 the harmonic mean of those two means (no bootstrap CIs).

    .venv/bin/python benchmarks/extraction.py [--json] [--limit N]
"""

from __future__ import annotations

import argparse
import gzip
import json
import platform
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import trafilatura
from lxml import etree
from lxml.html import HtmlElement, fromstring

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from transforms.clean import clean_text  # noqa: E402
from transforms.dateline import parse_dateline  # noqa: E402
from transforms.html import extract_html  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpora" / "article-extraction-benchmark"

_TOKEN = re.compile(r"\w+")
_NGRAM = 4
# The scraped region is the deepest element still holding this share of the gold shingles.
_REGION_COVERAGE = 0.98
_BLOCK_TAGS = frozenset(
    {
        *("address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt"),
        *("figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6"),
        *("header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table"),
        *("td", "th", "tr", "ul"),
    }
)
_INVISIBLE_TAGS = frozenset({"script", "style", "noscript", "template", "svg", "head"})
# How a page marks up its article container (what a scraper's selector picks).
_CONTAINER_TAGS = frozenset({"article", "main"})
_CONTAINER_ROLES = frozenset({"article", "main"})
_ARTICLE_ITEMTYPE = re.compile(r"(?:Article|BlogPosting)/?$")

Counts = tuple[float, float, float]


def shingles(text: str) -> Counter[tuple[str, ...]]:
    """4-token shingles as the benchmark counts them (a text shorter than 4 is one shingle)."""
    tokens = _TOKEN.findall(text or "")
    return Counter(
        tuple(tokens[i : i + _NGRAM]) for i in range(max(1, len(tokens) - _NGRAM + 1)) if tokens
    )


def match(true: str, pred: str) -> Counts:
    """Normalized (TP, FP, FN) of one document."""
    gold, got = shingles(true), shingles(pred)
    tp = sum((gold & got).values())
    fp = sum((got - gold).values())
    fn = sum((gold - got).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def _ratio(tp: float, wrong: float, other: float) -> float:
    if wrong == other == 0:
        return 1.0
    return tp / (tp + wrong) if tp else 0.0


def prf(counts: list[Counts]) -> dict[str, float]:
    """Mean per-document precision (over documents with a prediction) and recall (over
    documents with a gold body), F1 of the two means: evaluate.py's metrics_from_tp_fp_fns."""
    precisions = [_ratio(tp, fp, fn) for tp, fp, fn in counts if tp + fp > 0]
    recalls = [_ratio(tp, fn, fp) for tp, fp, fn in counts if tp + fn > 0]
    precision = sum(precisions) / len(precisions) if precisions else 0.0
    recall = sum(recalls) / len(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def load(limit: int | None) -> Iterator[tuple[str, str, str, str]]:
    """(id, url, html, gold body) per page, in id order."""
    gold = json.loads((CORPUS / "ground-truth.json").read_text(encoding="utf-8"))
    for key in sorted(gold)[:limit]:
        raw = gzip.decompress((CORPUS / "html" / f"{key}.html.gz").read_bytes())
        yield key, gold[key]["url"], raw.decode("utf-8", "replace"), gold[key]["articleBody"]


def _visible_lines(element: HtmlElement) -> str:
    """Text of `element` as a scraper dumps it: a line break at every block element."""
    parts: list[str] = []
    hidden = 0
    for event, node in etree.iterwalk(element, events=("start", "end")):
        tag = node.tag if isinstance(node.tag, str) else ""
        if event == "start":
            hidden += tag in _INVISIBLE_TAGS
            if tag in _BLOCK_TAGS:
                parts.append("\n")
            if not hidden and node.text and tag:
                parts.append(node.text)
            continue
        hidden -= tag in _INVISIBLE_TAGS
        if tag in _BLOCK_TAGS:
            parts.append("\n")
        if not hidden and node.tail and node is not element:
            parts.append(node.tail)
    return "".join(parts)


def _gold_region(tree: HtmlElement, gold: str) -> HtmlElement:
    """The deepest element that still holds `_REGION_COVERAGE` of the gold shingles."""
    want = shingles(gold)
    need = _REGION_COVERAGE * sum(want.values())
    node = tree
    while True:
        for child in node:
            if not isinstance(child.tag, str) or child.tag in _INVISIBLE_TAGS:
                continue
            if sum((shingles(_visible_lines(child)) & want).values()) >= need:
                node = child
                break
        else:
            return node


def _is_article_container(element: HtmlElement) -> bool:
    return (
        element.tag in _CONTAINER_TAGS
        or (element.get("role") or "").strip().lower() in _CONTAINER_ROLES
        or "articlebody" in (element.get("itemprop") or "").lower()
        or _ARTICLE_ITEMTYPE.search(element.get("itemtype") or "") is not None
    )


def scraped_regions(html: str, gold: str) -> tuple[str, str]:
    """Visible text of the article's container and of the tightest region holding the gold."""
    try:
        tree = fromstring(html)
    except (etree.ParserError, ValueError):
        return "", ""
    tightest = _gold_region(tree, gold)
    container = next(
        (node for node in (tightest, *tightest.iterancestors()) if _is_article_container(node)),
        tightest,
    )
    return _visible_lines(container), _visible_lines(tightest)


Page = tuple[str, str | None, str]  # input, url, gold body


def run(name: str, fn: Callable[[str, str | None], str], pages: list[Page]) -> dict[str, object]:
    """Score `fn(input, url)` over the pages, with its time per document (after one untimed
    call, so that loading data files once is not billed to the row)."""
    for source, url, _ in pages[:1]:
        fn(source, url)
    start = time.perf_counter()
    outputs = [fn(source, url) for source, url, _ in pages]
    elapsed = time.perf_counter() - start
    counts = [match(gold, out) for out, (_, _, gold) in zip(outputs, pages, strict=True)]
    return {"name": name, **prf(counts), "ms_per_doc": 1000 * elapsed / max(1, len(pages))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--limit", type=int, default=None, help="first N pages only")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        sys.exit(f"corpus not found: {CORPUS}")
    pages = list(load(args.limit))
    html_pages: list[Page] = [(html, url, gold) for _, url, html, gold in pages]
    html_rows = [
        run("newsetl extract_html", lambda h, u: extract_html(h, u).body, html_pages),
        run("trafilatura default", lambda h, u: trafilatura.extract(h, url=u) or "", html_pages),
        run(
            "trafilatura favor_precision",
            lambda h, u: trafilatura.extract(h, url=u, favor_precision=True) or "",
            html_pages,
        ),
    ]
    regions = [(scraped_regions(html, gold), gold) for _, _, html, gold in pages]
    parse_dateline("CAIRO (AP) —")  # clean_text reads datelines: load the gazetteer untimed
    text_rows = []
    for label, which in (("article container", 0), ("tightest region", 1)):
        text_pages: list[Page] = [(texts[which], None, gold) for texts, gold in regions]
        text_rows += [
            run(f"{label}: untouched", lambda t, _: t, text_pages),
            run(f"{label}: clean_text", lambda t, _: clean_text(t).body, text_pages),
        ]
    report = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "documents": len(pages),
        "python": platform.python_version(),
        "trafilatura": version("trafilatura"),
        "html": html_rows,
        "text": text_rows,
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(
        f"article-extraction-benchmark: {len(pages)} pages, {report['date']}, "
        f"python {report['python']}, trafilatura {report['trafilatura']}"
    )
    rows: list[dict[str, object]]
    for title, rows in (("HTML -> body", html_rows), ("scraped text -> body", text_rows)):
        print(f"\n{title:32} {'precision':>9} {'recall':>7} {'F1':>7} {'ms/doc':>7}")
        for row in rows:
            print(
                f"{row['name']:32} {row['precision']:9.4f} {row['recall']:7.4f} "
                f"{row['f1']:7.4f} {row['ms_per_doc']:7.1f}"
            )


if __name__ == "__main__":
    main()
