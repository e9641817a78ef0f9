"""The `newsetl search` and `newsetl kibana` subcommands: their options and what they print."""

from __future__ import annotations

import argparse
import html
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsetl.config import Settings
from newsetl.es.query import MAX_SIZE, SearchInputError, SearchQuery, build_request

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

    from newsetl.es.search import Hit, SearchResult


def add_query_arguments(parser: argparse.ArgumentParser, *, required: bool = False) -> None:
    """The question: free text and filters. `newsetl search` and `newsetl watch add` share them,
    so a filter means the same in both."""
    parser.add_argument(
        "query",
        nargs=None if required else "?",
        default="",
        help='free text; "quoted phrase" is exact, AND / OR / NOT and -word work as expected'
        + ('; "" for filters only' if required else ""),
    )
    dates = parser.add_argument_group("dates (YYYY, YYYY-MM, YYYY-MM-DD or ISO time; inclusive)")
    dates.add_argument("--from", dest="published_from", metavar="DATE", help="published from")
    dates.add_argument("--to", dest="published_to", metavar="DATE", help="published until")
    dates.add_argument("--mentioned-from", metavar="DATE", help="mentions a date from")
    dates.add_argument("--mentioned-to", metavar="DATE", help="mentions a date until")
    where = parser.add_argument_group("filters (repeat an option for any of several values)")
    for name, what in (
        ("agency", "news agency (AP, Reuters, ...)"),
        ("agency-source", "where the agency was read: dateline, signoff, credit, byline, site"),
        ("site", "source site (apnews.com)"),
        ("city", "dateline city"),
        ("country", "dateline country, name or ISO code"),
        ("author", "author or contributor name"),
        ("language", "language, ISO 639-1 code (en, de, fr)"),
    ):
        where.add_argument(
            f"--{name}", action="append", default=[], metavar=name.upper(), help=f"{what}; any case"
        )
    where.add_argument("--near", metavar="PLACE", help='"Cairo", "Paris, France" or "lat,lon"')
    where.add_argument(
        "--within", default="50km", metavar="DISTANCE", help="from --near (default 50km)"
    )


def query_filters(args: argparse.Namespace) -> dict[str, Any]:
    """SearchQuery keyword arguments from `add_query_arguments`' options."""
    return {
        "text": args.query,
        "published_from": args.published_from,
        "published_to": args.published_to,
        "mentioned_from": args.mentioned_from,
        "mentioned_to": args.mentioned_to,
        "agency": args.agency,
        "agency_source": args.agency_source,
        "site": args.site,
        "city": args.city,
        "country": args.country,
        "author": args.author,
        "language": args.language,
        # `--source` is the common option naming a raw folder (`newsetl run --source`): given
        # to a search, it keeps that folder's documents; the NEWSETL_SOURCE setting does not.
        "source": [args.source] if getattr(args, "source", None) else [],
        "near": args.near,
        "within": args.within,
    }


def add_search_arguments(parser: argparse.ArgumentParser) -> None:
    add_query_arguments(parser)
    parser.add_argument(
        "--sort", choices=["relevance", "date"], default="relevance", help="date: newest first"
    )
    parser.add_argument("--size", type=int, default=10, help=f"hits per page, 1-{MAX_SIZE}")
    parser.add_argument("--after", metavar="CURSOR", help="the `next` cursor of the previous page")
    parser.add_argument(
        "--all-copies",
        action="store_true",
        help="every copy of a story (default: one hit per story, 'N other outlets')",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help='one object: {"total", "stories", "articles", "hits", "facets", "next"}; with '
        '--suggest {"suggestions"}',
    )
    parser.add_argument(
        "--suggest", action="store_true", help="print titles completing the query as typed"
    )
    parser.add_argument(
        "--export",
        metavar="FILE",
        type=Path,
        help="write every hit (not one page) to FILE.jsonl or FILE.csv",
    )


def run_search(args: argparse.Namespace, settings: Settings) -> int:
    from elasticsearch import NotFoundError

    from newsetl.es.client import connect
    from newsetl.es.search import search, suggest_titles

    try:
        query = SearchQuery(
            **query_filters(args),
            sort=args.sort,
            size=args.size,
            after=args.after,
            collapse=not args.all_copies,
        )
        build_request(query)  # a value to fix is said before any connection is tried
        if args.export is not None:
            return _export(connect(settings), settings.index, query, args)
        if args.suggest:
            titles = suggest_titles(connect(settings), settings.index, query.text, size=query.size)
            if args.json:
                print(json.dumps({"suggestions": titles}, ensure_ascii=False))
            for title in [] if args.json else titles:
                print(title)
            return 0
        result = search(connect(settings), settings.index, query)
    except SearchInputError as exc:
        print(f"newsetl search: {exc}", file=sys.stderr)
        return 2
    except NotFoundError:
        print(
            f"newsetl search: no index {settings.index!r} yet; `newsetl run` creates it",
            file=sys.stderr,
        )
        return 1
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False))
    else:
        _print_result(result, collapsed=query.collapse)
    return 0


def _export(client: Any, alias: str, query: SearchQuery, args: argparse.Namespace) -> int:
    from newsetl.es.search import iter_hits
    from newsetl.export import check_path, write_hits

    path = check_path(args.export)
    count = write_hits(iter_hits(client, alias, query), path)
    what = _plural(count, "story") + " (one copy each)" if query.collapse else None
    if args.json:
        print(json.dumps({"exported": count, "path": str(path), "collapsed": query.collapse}))
    else:
        print(f"exported {what or _plural(count, 'article')} to {path}")
    return 0


def add_show_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("id", metavar="ID", help="a document id (the `id` of a hit)")


def _story_line(client: Elasticsearch, index: str, doc_id: str, doc: dict[str, Any]) -> str:
    """"a1 (4 copies, canonical: a3, 1 with the same words)": counted now, not stored."""
    from newsetl.es.stories import exact_copies, story_facts

    story_id = doc.get("story_id") or doc_id
    facts = story_facts(client, index, [story_id]).get(story_id)
    size = facts.size if facts else 1
    parts = [_plural(size, "copy")]
    if size > 1 and facts and facts.canonical:
        canonical = facts.canonical
        parts.append("this one canonical" if canonical == doc_id else f"canonical: {canonical}")
    if exact := exact_copies(client, index, doc):
        parts.append(f"{exact} with the same words")
    return f"{story_id} ({', '.join(parts)})"


def run_show(args: argparse.Namespace, settings: Settings) -> int:
    """One stored document: readable, or with --json exactly as stored."""
    from elasticsearch import NotFoundError

    from newsetl.es.client import connect

    client = connect(settings)
    try:
        found = client.get(index=settings.index, id=args.id)
    except NotFoundError:
        print(f"newsetl show: no document {args.id!r} in {settings.index!r}", file=sys.stderr)
        return 2
    doc = found["_source"]
    if args.json:
        print(json.dumps(doc, ensure_ascii=False))
        return 0
    source = doc.get("source") or {}
    dateline = doc.get("dateline") or {}
    place = ", ".join(
        p for p in (dateline.get("city"), dateline.get("region"), dateline.get("country")) if p
    )
    rows = [
        ("id", doc.get("id")),
        ("title", doc.get("title")),
        (
            "published",
            f"{doc.get('published_at') or 'unknown'}"
            f" (from {doc.get('published_at_source') or 'none'})",
        ),
        ("dateline", f"{dateline.get('text') or ''}  {place}".strip() or None),
        ("agency", doc.get("agency")),
        ("site", source.get("site")),
        ("url", source.get("url")),
        ("file", source.get("path")),
        ("story", _story_line(client, settings.index, args.id, doc)),
        ("words", doc.get("word_count")),
        ("removed", f"{len(doc.get('removed') or [])} lines (see --json)"),
    ]
    for key, value in rows:
        if value not in (None, ""):
            print(f"{key:>9}: {value}")
    print()
    print(doc.get("body") or "")
    return 0


def _plural(n: int, word: str) -> str:
    """ "1 story", "2 stories", "3 copies", "4 articles"."""
    if n == 1:
        return f"1 {word}"
    plural = word[:-1] + "ies" if word.endswith("y") else word + "s"
    return f"{n:,} {plural}"


def count_line(result: SearchResult, collapsed: bool) -> str:
    """Explicit about what is counted: '12 stories, 31 articles' (one hit per story), or
    '31 articles in 12 stories' (every copy listed)."""
    stories, articles = _plural(result.stories, "story"), _plural(result.articles, "article")
    return f"{stories}, {articles}" if collapsed else f"{articles} in {stories}"


def source_of(hit: Hit) -> str:
    """Where the copy comes from: its site, else its file."""
    return hit.site or (f"file {hit.path}" if hit.path else "source unknown")


def _print_result(result: SearchResult, collapsed: bool = True) -> None:
    """Ranked hits for a terminal; matched words bold on a tty, [bracketed] elsewhere."""
    tty = sys.stdout.isatty()
    marks = ("\033[1m", "\033[0m") if tty else ("[", "]")
    print(count_line(result, collapsed))
    for rank, hit in enumerate(result.hits, start=1):
        place = ", ".join(p for p in (hit.city, hit.region, hit.country) if p)
        meta = " | ".join(
            p for p in (hit.published_at or "date unknown", place, hit.agency, source_of(hit)) if p
        )
        snippet = html.unescape(hit.snippet.replace("<em>", marks[0]).replace("</em>", marks[1]))
        print(f"{rank}. {hit.title or '(untitled)'}  (score {hit.score or 0:.2f})")
        print(f"   {meta}")
        if hit.url:
            print(f"   {hit.url}")
        print(f"   {snippet}")
        if collapsed and hit.other_outlets:
            sites = f" ({', '.join(hit.other_sites)}…)" if hit.other_sites else ""
            plural = "s" if hit.other_outlets > 1 else ""
            print(f"   + {hit.other_outlets} other outlet{plural}{sites}")
        elif not collapsed and hit.story_size > 1:
            print(f"   one of {hit.story_size} copies of story {hit.story_id}")
    for name, buckets in result.facets.items():
        if buckets:
            shown = ", ".join(f"{b.value} ({b.count})" for b in buckets)
            print(f"articles by {name}: {shown}")
    if result.next:
        print(f"next page: --after {result.next}")


def add_kibana_arguments(parser: argparse.ArgumentParser) -> None:
    from newsetl.kibana import SAVED_OBJECTS

    parser.add_argument("action", choices=["import"], help="import the saved objects")
    parser.add_argument(
        "--file", type=Path, default=SAVED_OBJECTS, help="saved objects NDJSON (default: bundled)"
    )


def run_kibana(args: argparse.Namespace, settings: Settings) -> int:
    from newsetl.kibana import ImportFailedError, KibanaSettings, import_saved_objects

    try:
        summary = import_saved_objects(KibanaSettings(), settings, args.file)
    except ImportFailedError as exc:
        print(f"newsetl kibana: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(summary))
    else:
        print(f"imported {summary['imported']} saved objects into Kibana at {summary['kibana']}")
    return 0
