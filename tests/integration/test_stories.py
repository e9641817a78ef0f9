"""Story grouping against the real local Elasticsearch: incremental, order-independent, and
joining a story writes only the document that joins."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

import pytest
from elasticsearch import Elasticsearch

from newsetl.es.indices import ensure_alias, index_body
from newsetl.es.load import load
from newsetl.es.stories import (
    assign_stories,
    collapse_clause,
    ensure_story_fields,
    exact_copies,
    forget_stories,
    key_filter,
    story_facts,
)
from transforms.shingles import Member, fingerprint, group

pytestmark = pytest.mark.integration

Stories = dict[str, tuple[Any, ...]]


def _paragraphs(rng: random.Random, n: int = 6) -> list[str]:
    letters = "abcdefghijklmnoprstuvw"
    vocab = ["".join(rng.choice(letters) for _ in range(rng.randint(3, 9))) for _ in range(400)]
    return [
        " ".join(rng.choice(vocab) for _ in range(25)) + f" at {rng.randint(2, 999)} dlrs."
        for _ in range(n)
    ]


def _doc(doc_id: str, paras: Sequence[str], site: str, published: str | None) -> dict[str, Any]:
    body = "\n\n".join(paras)
    return {
        "id": doc_id,
        "source": {
            "path": f"{doc_id}.txt",
            "url": f"https://{site}/{doc_id}",
            "site": site,
            "format": "txt",
        },
        "title": f"Title {doc_id}",
        "body": body,
        "agency": None,
        "published_at": published,
        "word_count": len(body.split()),
        "content_hash": f"hash-{doc_id}-{len(body)}",
    }


def _collection() -> list[dict[str, Any]]:
    """Three wire stories with outlet copies, a templated report with other figures, loners."""
    rng = random.Random(9)
    a, b, c = _paragraphs(rng), _paragraphs(rng), _paragraphs(rng)
    template = [p.rsplit(" at ", 1)[0] for p in _paragraphs(rng, 4)]
    docs = [
        _doc("a1", a, "example-news.com", "2024-03-01T10:00:00Z"),
        _doc("a2", a[:4], "local-paper.org", "2024-03-01T09:00:00Z"),  # trimmed, earliest
        _doc("a3", [p.replace('"', "\u201c") for p in a] + ["Follow us."], "apnews.com", None),
        _doc("a4", a, "mirror.net", "2024-03-01T12:00:00Z"),  # exact copy of a1
        _doc("b1", b, "example-news.com", "2024-03-02T10:00:00Z"),
        _doc("b2", [b[0], *b[2:]], "other.com", "2024-03-02T11:00:00Z"),  # a paragraph dropped
        _doc("c1", c, "example-news.com", "2024-03-03T10:00:00Z"),
        _doc("t1", [f"{p} at 1.5 dlrs" for p in template], "wire.com", "2024-03-04T10:00:00Z"),
        _doc("t2", [f"{p} at 2.25 dlrs" for p in template], "wire.com", "2024-03-05T10:00:00Z"),
        _doc("z1", _paragraphs(rng, 2), "example-news.com", None),
    ]
    return docs


def _ingest(
    client: Elasticsearch,
    alias: str,
    docs: Sequence[dict[str, Any]],
    batch: int,
    *,
    filtered: bool = False,
) -> None:
    """`docs` loaded in batches; `filtered`: with the band-key filter of a run that fills
    the index from empty, as `newsetl run` groups them (None when it holds documents)."""
    ensure_alias(client, alias)
    held = key_filter(client, alias) if filtered else None
    for start in range(0, len(docs), batch):
        chunk = [dict(d) for d in docs[start : start + batch]]
        assign_stories(client, alias, chunk, held=held)
        assert not load(client, alias, chunk).rejected
    client.indices.refresh(index=alias)


def _stories(client: Elasticsearch, alias: str) -> Stories:
    """(story_id, copies, canonical, exact) of every document, as the read side counts them."""
    hits = client.search(
        index=alias, size=1000, source_includes=["story_id", "story_text"]
    )["hits"]["hits"]
    facts = story_facts(client, alias, (h["_source"]["story_id"] for h in hits))
    return {
        h["_id"]: (
            (story := h["_source"]["story_id"]),
            facts[story].size,
            facts[story].canonical == h["_id"],
            exact_copies(client, alias, h["_source"]) > 0,
        )
        for h in hits
    }


def _partition(stories: Mapping[str, tuple[Any, ...]]) -> set[frozenset[str]]:
    """Which documents share a story, whatever the stories are called."""
    groups: dict[str, set[str]] = defaultdict(set)
    for doc_id, fields in stories.items():
        groups[fields[0]].add(doc_id)
    return {frozenset(g) for g in groups.values()}


def _unnamed(stories: Stories) -> dict[str, tuple[Any, ...]]:
    return {i: s[1:] for i, s in stories.items()}


def _writes(client: Elasticsearch, alias: str) -> dict[str, tuple[int, int]]:
    """(sequence number, version) of every document: what changes whenever it is written."""
    hits = client.search(
        index=alias, size=1000, seq_no_primary_term=True, version=True, source=False
    )["hits"]["hits"]
    return {h["_id"]: (h["_seq_no"], h["_version"]) for h in hits}


def test_grouping_is_order_and_batch_independent(client: Elasticsearch) -> None:
    docs = _collection()
    shuffled = list(docs)
    random.Random(3).shuffle(shuffled)
    _ingest(client, "t-stories-order-a", docs, batch=3)
    _ingest(client, "t-stories-order-b", shuffled[::-1], batch=2)
    first, second = _stories(client, "t-stories-order-a"), _stories(client, "t-stories-order-b")
    # The same stories, copies and canonical copies whatever the order; each story is named
    # after a member (the one it was first seen with), so only the names may differ.
    assert _partition(first) == _partition(second) and _unnamed(first) == _unnamed(second)
    assert all(s[0] in g for g in _partition(second) for i, s in second.items() if i in g)
    members = [
        Member(
            d["id"], fingerprint(d["body"]), d["source"]["site"], d["published_at"], d["word_count"]
        )
        for d in docs
    ]
    at_once = {
        i: (s.story_id, s.story_size, s.story_canonical, s.story_exact)
        for i, s in group(members).items()
    }
    assert first == at_once  # in id order, incremental equals grouping everything at once
    assert {i: s[0] for i, s in first.items()} == {
        "a1": "a1",
        "a2": "a1",
        "a3": "a1",
        "a4": "a1",
        "b1": "b1",
        "b2": "b1",
        "c1": "c1",
        "t1": "t1",
        "t2": "t2",
        "z1": "z1",
    }
    assert first["a3"][2] and not first["a2"][2]  # the agency's own copy is canonical
    assert first["b1"][2]  # no agency copy: the earliest
    assert first["a1"][3] and first["a4"][3] and not first["a2"][3]  # exact copies flagged
    assert first["a1"][1] == 4 and first["c1"][1] == 1


def test_band_key_filter_finds_the_same_stories_with_fewer_keys(
    client: Elasticsearch, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run that fills an index from empty asks only for band keys the index may hold: the
    stories are the same as asking for every key, in any order and batching, and most keys
    of a new text are not asked. An index that holds documents gets no filter."""
    import newsetl.es.stories as stories

    docs = _collection()
    shuffled = list(docs)
    random.Random(5).shuffle(shuffled)
    asked: list[int] = []
    fetch = stories._fetch

    def counted(client: Elasticsearch, alias: str, field: str, values: Any, **kw: Any) -> Any:
        if field == "story_bands":
            asked.append(len(values))
        return fetch(client, alias, field, values, **kw)

    monkeypatch.setattr(stories, "_fetch", counted)
    _ingest(client, "t-stories-keys-all", docs, batch=3)
    every = sum(asked)
    asked.clear()
    _ingest(client, "t-stories-keys-held", docs, batch=3, filtered=True)
    _ingest(client, "t-stories-keys-held-b", shuffled, batch=2, filtered=True)
    plain, held = _stories(client, "t-stories-keys-all"), _stories(client, "t-stories-keys-held")
    other = _stories(client, "t-stories-keys-held-b")
    assert held == plain
    assert _partition(other) == _partition(plain) and _unnamed(other) == _unnamed(plain)
    assert 0 < sum(asked) < every / 2  # the copies' keys are asked, the loners' are not
    assert key_filter(client, "t-stories-keys-held") is None  # it holds documents now


def test_candidates_past_one_page_are_scrolled(
    client: Elasticsearch, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch's stored candidates come in one search when they fit in a page and are
    scrolled when they may not: the stories are the same either way."""
    import newsetl.es.stories as stories

    docs = _collection()
    _ingest(client, "t-stories-page-one", docs, batch=3)
    _ingest(client, "t-stories-page-two", docs, batch=3)
    scrolls: list[int] = []
    scan = stories.helpers.scan

    def counted(*args: Any, **kwargs: Any) -> Any:
        scrolls.append(1)
        return scan(*args, **kwargs)

    monkeypatch.setattr(stories, "FETCH_PAGE", 2)
    monkeypatch.setattr(stories.helpers, "scan", counted)
    _ingest(client, "t-stories-page-two", docs[::-1], batch=5)  # a re-run: all stored
    one, two = _stories(client, "t-stories-page-one"), _stories(client, "t-stories-page-two")
    assert scrolls and one == two


def test_joining_a_story_writes_only_the_new_copy(client: Elasticsearch) -> None:
    """The k-th copy is one write: no earlier member is rewritten, though the story grows
    and its canonical copy changes (the agency's arrives third)."""
    alias = "t-stories-join"
    copies = [d for d in _collection() if d["id"].startswith("a")]
    for k, doc in enumerate(copies, start=1):
        before = _writes(client, alias) if k > 1 else {}
        _ingest(client, alias, [doc], batch=1)
        after = _writes(client, alias)
        assert set(after) == set(before) | {doc["id"]}
        assert {i: after[i] for i in before} == before, f"copy {k} rewrote earlier members"
        stories = _stories(client, alias)
        assert {s[:2] for s in stories.values()} == {("a1", k)}
    assert [i for i, s in _stories(client, alias).items() if s[2]] == ["a3"]


def _marks(client: Elasticsearch, alias: str) -> dict[str, tuple[str, bool]]:
    """(story_id, marked an exact copy) of every document."""
    client.indices.refresh(index=alias)
    hits = client.search(index=alias, size=1000, source_includes=["story_id", "story_copy"])
    return {
        h["_id"]: (h["_source"]["story_id"], bool(h["_source"].get("story_copy")))
        for h in hits["hits"]["hits"]
    }


def test_six_copies_one_stands_for_the_rest(client: Elasticsearch) -> None:
    """Six exact copies arriving over three batches: one unmarked member stands for the text,
    the others join its story marked; when the representative leaves (deleted, or re-indexed
    with other words) one copy is promoted, and a seventh copy still joins the story."""
    alias = "t-stories-six"
    rng = random.Random(21)
    story, other = _paragraphs(rng), _paragraphs(rng)
    sites = ["one.com", "two.org", "three.net", "four.com", "five.org", "six.net"]
    copies = [_doc(f"s{n}", story, site, None) for n, site in enumerate(sites)]
    _ingest(client, alias, [copies[3], _doc("o1", other, "one.com", None)], batch=2)
    _ingest(client, alias, [copies[5], copies[0], copies[4]], batch=3)
    _ingest(client, alias, [copies[1], copies[2]], batch=1)
    marks = _marks(client, alias)
    assert {marks[f"s{n}"][0] for n in range(6)} == {"s3"} and marks["o1"] == ("o1", False)
    assert [i for i, (_, copy) in sorted(marks.items()) if not copy] == ["o1", "s3"]
    _ingest(client, alias, [copies[3]], batch=1)  # unchanged: the marks stay
    assert _marks(client, alias) == marks

    forget_stories(client, alias, ["s3"])
    client.delete(index=alias, id="s3", refresh=True)
    marks = _marks(client, alias)
    assert [i for i, (_, copy) in sorted(marks.items()) if not copy] == ["o1", "s0"]
    assert len({marks[f"s{n}"][0] for n in (0, 1, 2, 4, 5)}) == 1

    _ingest(client, alias, [_doc("s0", other[:5], "one.com", None)], batch=1)  # other words
    marks = _marks(client, alias)
    assert [i for i, (_, copy) in sorted(marks.items()) if not copy] == ["o1", "s0", "s1"]
    assert marks["s0"][0] == marks["o1"][0] != marks["s1"][0]
    _ingest(client, alias, [_doc("s9", story, "nine.com", None)], batch=1)
    marks = _marks(client, alias)
    assert marks["s9"] == (marks["s1"][0], True)
    assert {marks[i][0] for i in ("s1", "s2", "s4", "s5", "s9")} == {marks["s1"][0]}


def test_late_bridge_merges_stories_and_relabels(client: Elasticsearch) -> None:
    paras = _paragraphs(random.Random(5), 8)
    head = _doc("m-head", paras[:4], "one.com", "2024-01-01T00:00:00Z")
    tail = _doc("m-tail", paras[4:], "two.com", "2024-01-01T00:00:00Z")
    whole = _doc("m-0whole", paras, "three.com", "2023-12-31T00:00:00Z")
    alias = "t-stories-bridge"
    _ingest(client, alias, [head, tail], batch=2)
    assert {s[0] for s in _stories(client, alias).values()} == {"m-head", "m-tail"}
    _ingest(client, alias, [whole], batch=1)
    stored = _stories(client, alias)
    # One story of three, named after one of the two it merged (equal sizes: the smaller id).
    assert stored == {
        "m-head": ("m-head", 3, False, False),
        "m-tail": ("m-head", 3, False, False),
        "m-0whole": ("m-head", 3, True, False),
    }
    forget_stories(client, alias, ["m-0whole"])
    client.delete(index=alias, id="m-0whole", refresh=True)
    assert _stories(client, alias) == {
        "m-head": ("m-head", 1, True, False),
        "m-tail": ("m-tail", 1, True, False),
    }


def test_rerun_and_changed_member(client: Elasticsearch) -> None:
    docs = _collection()
    alias = "t-stories-rerun"
    _ingest(client, alias, docs, batch=4)
    before, written = _stories(client, alias), _writes(client, alias)
    _ingest(client, alias, docs, batch=4)  # unchanged: same stories, nothing rewritten
    assert _stories(client, alias) == before and _writes(client, alias) == written
    changed = _doc("b2", _paragraphs(random.Random(77)), "other.com", "2024-03-02T11:00:00Z")
    _ingest(client, alias, [changed], batch=1)
    after = _stories(client, alias)
    assert after["b1"] == ("b1", 1, True, False) and after["b2"] == ("b2", 1, True, False)


def test_collapse_one_hit_per_story_canonical_first(client: Elasticsearch) -> None:
    alias = "t-stories-collapse"
    _ingest(client, alias, _collection(), batch=10)
    resp = client.search(
        index=alias,
        query={"match_all": {}},
        collapse=collapse_clause(4),
        size=20,
        source_includes=["story_id"],
    )
    hits = resp["hits"]["hits"]
    assert len(hits) == 6  # stories a, b, c, t1, t2, z1: one hit each
    facts = story_facts(client, alias, (h["_source"]["story_id"] for h in hits))
    assert sorted(facts[h["_source"]["story_id"]].size for h in hits) == [1, 1, 1, 1, 2, 4]
    first = {h["_source"]["story_id"]: h["inner_hits"]["story"]["hits"]["hits"][0] for h in hits}
    assert first["a1"]["_id"] == "a3" and first["b1"]["_id"] == "b1"


def test_documents_indexed_before_stories_are_backfilled(client: Elasticsearch) -> None:
    docs = _collection()
    alias = "t-stories-backfill"
    ensure_alias(client, alias)
    assert not load(client, alias, docs).rejected  # an index from before story grouping
    _ingest(client, alias, docs, batch=5)  # the re-run: same content, the loader writes nothing
    stored = _stories(client, alias)
    assert stored["a4"] == ("a1", 4, False, True) and stored["a3"] == ("a1", 4, True, False)
    late = _doc("a5", _collection()[0]["body"].split("\n\n")[:5], "late.com", None)
    _ingest(client, alias, [late], batch=1)  # found through the backfilled band keys
    assert _stories(client, alias)["a5"][:2] == ("a1", 5)


def test_story_fields_added_to_an_older_index(client: Elasticsearch) -> None:
    body = index_body()
    old = {k: v for k, v in body["mappings"]["properties"].items() if not k.startswith("story_")}
    client.indices.create(
        index="t-stories-old-1",
        settings=body["settings"],
        mappings={**body["mappings"], "properties": old},
        aliases={"t-stories-old": {"is_write_index": True}},
    )
    ensure_story_fields(client, "t-stories-old")
    ensure_story_fields(client, "t-stories-old")  # idempotent
    _ingest(client, "t-stories-old", _collection()[:4], batch=4)
    assert _stories(client, "t-stories-old")["a2"][:2] == ("a1", 4)


def test_search_collapses_stories_and_shows_all_copies_on_request(client: Elasticsearch) -> None:
    from newsetl.es.query import SearchQuery
    from newsetl.es.search import search

    alias = "t-stories-search"
    _ingest(client, alias, _collection(), batch=10)
    collapsed = search(client, alias, SearchQuery(size=50, facets=False))
    assert collapsed.total == 6 and len(collapsed.hits) == 6
    story_a = next(h for h in collapsed.hits if h.other_outlets == 3)
    assert story_a.story_id == "a1" and len(story_a.other_sites) == 3 and story_a.story_size == 4
    expanded = search(client, alias, SearchQuery(size=50, facets=False, collapse=False))
    assert expanded.total == 10 and {h.story_id for h in expanded.hits} == {
        h.story_id for h in collapsed.hits
    }
    canonical = {h.id for h in expanded.hits if h.story_canonical}
    assert canonical == {"a3", "b1", "c1", "t1", "t2", "z1"}
    assert {h.id: h.story_size for h in expanded.hits if h.story_id == "b1"} == {"b1": 2, "b2": 2}
    first = search(client, alias, SearchQuery(size=4, facets=False, sort="date"))
    second = search(client, alias, SearchQuery(size=4, facets=False, sort="date", after=first.next))
    assert {h.story_id for h in first.hits}.isdisjoint(h.story_id for h in second.hits)


def test_hits_tell_copies_apart_and_count_explicitly(
    client: Elasticsearch, capsys: pytest.CaptureFixture[str]
) -> None:
    """What a reader sees: every hit's source and URL, one-line snippets, stories and articles
    both counted; with every copy listed, copies told apart by their site, not "+ N others"."""
    import json

    from newsetl.cli import main

    alias = "t-stories-cli"
    _ingest(client, alias, _collection(), batch=10)
    assert main(["search", "--index", alias, "--size", "50"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "6 stories, 10 articles"
    assert "+ 3 other outlets" in out and "articles by site: example-news.com (4)" in out
    assert "https://example-news.com/z1" in out

    assert main(["search", "--index", alias, "--size", "50", "--all-copies"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "10 articles in 6 stories"
    assert "other outlet" not in out
    blocks = out.split("\n\n")[0].split("\n")
    copies_of_a = [i for i, line in enumerate(blocks) if line.startswith("   one of 4 copies")]
    assert len(copies_of_a) == 4
    sites = {blocks[i - 3].rsplit(" | ", 1)[1] for i in copies_of_a}  # the meta line's source
    assert sites == {"example-news.com", "local-paper.org", "apnews.com", "mirror.net"}

    assert main(["search", "--index", alias, "--size", "50", "--all-copies", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["total"], data["stories"], data["articles"]) == (10, 6, 10)
    hit = next(h for h in data["hits"] if h["id"] == "a2")
    assert hit["site"] == "local-paper.org" and hit["url"] == "https://local-paper.org/a2"
    assert hit["path"] == "a2.txt" and hit["story_size"] == 4 and hit["title"] == "Title a2"
    assert {"published_at", "city", "region", "country", "dateline", "agency"} <= set(hit)
    assert all("\n" not in h["snippet"] and "  " not in h["snippet"] for h in data["hits"])
