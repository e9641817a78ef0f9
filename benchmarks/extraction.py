"""Main-text extraction and text cleaning on the Zyte/Scrapinghub article-extraction-benchmark.

Every newsetl figure comes from the user's path: the pages are written as files into a temporary
raw folder exactly as a scraper leaves them, and run through ``newsetl.pipeline.transform_paths``
(what ``newsetl transform`` runs: reader, decoding, boilerplate learned over the whole folder,
extractor or cleaner, normalizer); the body of each resulting document is scored, and a page
that was quarantined scores as an empty body. The component figure (``extract_html`` or
``clean_text`` called directly) is printed only as a second, labelled row.

HTML level: ``<id>.html`` files with no URL (a page saved into raw/ has none), and a second
folder where each page has a sidecar ``<id>.json`` carrying its URL. Anchors on the same HTML
in the same run: trafilatura (default, and favor_precision=True) and newspaper4k (parsed from
the HTML string, no download, no NLP), each given the page's URL. The run also lists the pages
quarantined, or that came out empty, on the benchmark and on the mediacloud pages
(``htmldate-mediacloud/pages``, 200 news pages of many countries), with the reason.

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

Written as ``<id>.txt`` files (the first line of a dump is its title, as the reader takes it)
and run through ``transform_paths`` like the pages.

    .venv/bin/python benchmarks/extraction.py [--json] [--limit N]
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import platform
import re
import shutil
import sys
import tempfile
import time
import warnings
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

from newsetl.pipeline import Batch, transform_paths  # noqa: E402
from newsetl.readers import discover  # noqa: E402
from transforms.clean import clean_text  # noqa: E402
from transforms.dateline import parse_dateline  # noqa: E402
from transforms.html import extract_html  # noqa: E402

CORPORA = REPO.parent / "shared" / "corpora"
CORPUS = CORPORA / "article-extraction-benchmark"
MEDIACLOUD = CORPORA / "htmldate-mediacloud"

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


def page_title(html: str) -> str:
    """The page's <title> text, which a scraper writes as the first line of its dump."""
    try:
        title = fromstring(html).findtext(".//title")
    except (etree.ParserError, ValueError):
        return ""
    return " ".join((title or "").split())


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


NEWSPAPER_ERRORS: Counter[str] = Counter()


def newspaper4k(html: str, url: str | None) -> str:
    """newspaper4k's body, parsed from the HTML string: no download, no NLP (its summary and
    keywords want nltk data). Its word tokenizers for Korean, Japanese and Chinese come from
    its `nlp`, `ja` and `zh` extras (no data files); a page it fails on counts as empty."""
    from newspaper import Article

    try:
        article = Article(url or "https://example.invalid/", fetch_images=False)
        article.download(input_html=html)
        article.parse()
    except Exception as exc:  # a third-party tool's failure is its empty answer, counted
        NEWSPAPER_ERRORS[exc.__class__.__name__] += 1
        return ""
    return str(article.text or "")


def write_folder(root: Path, files: dict[str, str], urls: dict[str, str] | None = None) -> None:
    """`files` ({name: content}) into `root`, each with a URL sidecar when `urls` has one."""
    root.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (root / name).write_text(content, encoding="utf-8")
        if urls and name in urls:
            sidecar = root / (name.rsplit(".", 1)[0] + ".json")
            sidecar.write_text(json.dumps({"url": urls[name]}), encoding="utf-8")


def transform_folder(root: Path) -> tuple[Batch, float]:
    """`newsetl transform` over `root`: the batch and its seconds."""
    start = time.perf_counter()
    batch = transform_paths(list(discover(root)), root, now=datetime.now(UTC))
    return batch, time.perf_counter() - start


def bodies(batch: Batch) -> dict[str, str]:
    """Body per file path ("" for a quarantined one)."""
    return {str(doc["source"]["path"]): str(doc["body"]) for doc in batch.docs}


def user_row(name: str, root: Path, names: list[str], golds: list[str]) -> dict[str, object]:
    """Score the bodies `newsetl transform` gives the files `names` of `root`."""
    batch, seconds = transform_folder(root)
    got = bodies(batch)
    counts = [match(gold, got.get(n, "")) for n, gold in zip(names, golds, strict=True)]
    by: Counter[str] = Counter(str(doc["extracted_by"]) for doc in batch.docs)
    return {
        "name": name,
        **prf(counts),
        "ms_per_doc": 1000 * seconds / max(1, len(names)),
        "quarantined": [{"path": r.path, "reason": r.reason} for r in batch.rejected],
        "extracted_by": dict(by),
    }


def failures(root: Path) -> dict[str, object]:
    """Pages of `root` quarantined or left empty by `newsetl transform`, with the reason."""
    batch, _ = transform_folder(root)
    return {
        "pages": len(list(discover(root))),
        "quarantined": [{"path": r.path, "reason": r.reason} for r in batch.rejected],
        "empty": [str(d["source"]["path"]) for d in batch.docs if not str(d["body"]).strip()],
        "fallback": [
            {"path": str(d["source"]["path"]), "extracted_by": d["extracted_by"]}
            for d in batch.docs
            if str(d["extracted_by"]).startswith("fallback:")
        ],
    }


def mediacloud_pages(limit: int | None) -> dict[str, str]:
    """{file name: html} of the mediacloud pages, in name order."""
    folder = MEDIACLOUD / "pages"
    if not folder.is_dir():
        return {}
    paths = sorted(folder.glob("*.html"))[:limit]
    return {p.name: p.read_bytes().decode("utf-8", "replace") for p in paths}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--limit", type=int, default=None, help="first N pages only")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        sys.exit(f"corpus not found: {CORPUS}")
    logging.disable(logging.WARNING)  # trafilatura logs every page it discards
    warnings.filterwarnings("ignore")  # newspaper4k warns that nltk is absent (NLP unused)
    pages = list(load(args.limit))
    names = [f"{key}.html" for key, _, _, _ in pages]
    golds = [gold for _, _, _, gold in pages]
    urls = {f"{key}.html": url for key, url, _, _ in pages}
    html_pages: list[Page] = [(html, url, gold) for _, url, html, gold in pages]
    regions = [(scraped_regions(html, gold), gold) for _, _, html, gold in pages]
    work = Path(tempfile.mkdtemp(prefix="newsetl-extraction-"))
    try:
        # one untimed run loads the data files (gazetteer, patterns), as for every row
        parse_dateline("CAIRO (AP) —")
        write_folder(work / "warm-up", {names[0]: pages[0][2]})
        transform_folder(work / "warm-up")
        htmls = {f"{key}.html": html for key, _, html, _ in pages}
        write_folder(work / "html" / "raw", htmls)
        write_folder(work / "html-url" / "raw", htmls, urls)
        html_rows = [
            user_row("newsetl transform: .html", work / "html" / "raw", names, golds),
            user_row("newsetl transform: .html+url", work / "html-url" / "raw", names, golds),
            run(
                "trafilatura default",
                lambda h, u: trafilatura.extract(h, url=u) or "",
                html_pages,
            ),
            run(
                "trafilatura favor_precision",
                lambda h, u: trafilatura.extract(h, url=u, favor_precision=True) or "",
                html_pages,
            ),
            run("newspaper4k", newspaper4k, html_pages),
            run("component: extract_html", lambda h, u: extract_html(h, u).body, html_pages),
        ]
        text_rows = []
        for label, which in (("article container", 0), ("tightest region", 1)):
            # A dump's first line is its title (the reader takes it so): the page's <title>.
            texts = {
                f"{key}.txt": f"{page_title(html) or key}\n\n{t[which]}"
                for (key, _, html, _), (t, _) in zip(pages, regions, strict=True)
            }
            folder = work / "text" / str(which) / "raw"
            write_folder(folder, texts)
            text_pages: list[Page] = [(t[which], None, gold) for t, gold in regions]
            text_names = [f"{key}.txt" for key, _, _, _ in pages]
            text_rows += [
                run(f"{label}: untouched", lambda t, _: t, text_pages),
                user_row(f"{label}: newsetl transform", folder, text_names, golds),
                run(f"{label}: component clean_text", lambda t, _: clean_text(t).body, text_pages),
            ]
        mediacloud = mediacloud_pages(args.limit)
        write_folder(work / "mediacloud" / "raw", mediacloud)
        checks = {
            "article-extraction-benchmark": failures(work / "html" / "raw"),
            "htmldate-mediacloud": failures(work / "mediacloud" / "raw"),
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "documents": len(pages),
        "python": platform.python_version(),
        "trafilatura": version("trafilatura"),
        "newspaper4k": version("newspaper4k"),
        "html": html_rows,
        "text": text_rows,
        "failures": checks,
        "newspaper4k_errors": dict(NEWSPAPER_ERRORS),
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(
        f"article-extraction-benchmark: {len(pages)} pages, {report['date']}, "
        f"python {report['python']}, trafilatura {report['trafilatura']}, "
        f"newspaper4k {report['newspaper4k']}"
    )
    rows: list[dict[str, object]]
    for title, rows in (("HTML -> body", html_rows), ("scraped text -> body", text_rows)):
        print(f"\n{title:36} {'precision':>9} {'recall':>7} {'F1':>7} {'ms/doc':>7}")
        for row in rows:
            print(
                f"{row['name']:36} {row['precision']:9.4f} {row['recall']:7.4f} "
                f"{row['f1']:7.4f} {row['ms_per_doc']:7.1f}"
            )
    print(f"\nextracted_by (.html): {html_rows[0]['extracted_by']}")
    print(f"newspaper4k failures: {dict(NEWSPAPER_ERRORS) or 'none'}")
    for corpus, found in checks.items():
        quarantined = found["quarantined"]
        assert isinstance(quarantined, list)
        print(
            f"\n{corpus}: {found['pages']} pages, {len(quarantined)} quarantined, "
            f"{len(found['empty'])} empty, fallback used on {len(found['fallback'])}"  # type: ignore[arg-type]
        )
        for item in quarantined:
            print(f"  quarantined {item['path']}: {item['reason']}")
        for item in found["fallback"]:  # type: ignore[attr-defined]
            print(f"  {item['extracted_by']}: {item['path']}")


if __name__ == "__main__":
    main()
