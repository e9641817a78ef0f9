"""Authors, language and the page's own URL in the real index: filters, facets, other languages."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from newsetl.es.indices import ensure_alias
from newsetl.es.load import load
from newsetl.es.query import SearchQuery
from newsetl.es.search import search
from newsetl.pipeline import transform_paths

pytestmark = pytest.mark.integration

ALIAS = "t-meta"

GERMAN = """<html lang="de"><head><title>Neue Sanktionen gegen Reedereien</title>
<link rel="canonical" href="https://www.zeitung.example/politik/2024-03-05/neue-sanktionen">
<meta name="author" content="Anna Schmidt"></head><body><article>
<h1>Neue Sanktionen gegen Reedereien</h1><p class="byline">Von Anna Schmidt</p>
<p>Die Regierung hat am Dienstag neue Sanktionen gegen mehrere Reedereien beschlossen, die
Öl aus dem Embargo-Gebiet transportiert haben sollen. Die Maßnahmen gelten ab April.</p>
<p>Nach Angaben des Ministeriums sind insgesamt zwölf Unternehmen betroffen. Ihre Konten
werden eingefroren, und ihre Schiffe dürfen keine europäischen Häfen mehr anlaufen.</p>
</article></body></html>"""

ENGLISH = """<html lang="en"><head><title>Harbour expansion approved</title>
<meta property="og:url" content="https://news.example.com/local/harbour-expansion-approved">
<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2024-03-04",
"author": [{"@type": "Person", "name": "Jane Doe"}, {"@type": "Person", "name": "John Roe"}]}
</script></head><body><article><h1>Harbour expansion approved</h1>
<p>The city council voted on Monday to expand the harbour, a project that has divided
residents for a decade. Supporters say the new docks will bring jobs and trade.</p>
<p>Opponents fear the noise and the traffic, and plan to challenge the decision in court,
where similar sanctions against the port authority were struck down last year.</p>
</article></body></html>"""




def _index(client: Elasticsearch, tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "de.html").write_text(GERMAN, "utf-8")
    (raw / "en.html").write_text(ENGLISH, "utf-8")
    batch = transform_paths(sorted(raw.iterdir()), raw, now=datetime.now(UTC))
    assert not batch.rejected
    ensure_alias(client, ALIAS)
    load(client, ALIAS, batch.docs)
    client.indices.refresh(index=ALIAS)


def _titles(client: Elasticsearch, **kwargs: object) -> list[str | None]:
    result = search(client, ALIAS, SearchQuery(**kwargs))  # type: ignore[arg-type]
    return [h.title for h in result.hits]


def test_metadata_fields_search_filter_and_facet(client: Elasticsearch, tmp_path: Path) -> None:
    _index(client, tmp_path)
    german, english = "Neue Sanktionen gegen Reedereien", "Harbour expansion approved"
    # A German page is found by its own words and by their inflections.
    assert _titles(client, text="Sanktionen") == [german]
    assert _titles(client, text="Sanktion") == [german]
    assert _titles(client, text="Reederei") == [german]
    # English stays English: stemmed, and the German page does not crowd it out.
    assert _titles(client, text="harbours") == [english]
    assert _titles(client, language=["de"]) == [german]
    assert _titles(client, language=["en"]) == [english]
    assert _titles(client, author=["jane doe"]) == [english]
    assert _titles(client, author=["Anna Schmidt"]) == [german]
    assert _titles(client, site=["zeitung.example"]) == [german]
    result = search(client, ALIAS, SearchQuery())
    facets = {name: {f.value: f.count for f in buckets} for name, buckets in result.facets.items()}
    assert facets["author"] == {"Anna Schmidt": 1, "Jane Doe": 1, "John Roe": 1}
    assert facets["language"] == {"de": 1, "en": 1}
    assert facets["site"] == {"zeitung.example": 1, "news.example.com": 1}
    by_title = {h.title: h for h in result.hits}
    assert by_title[english].authors == ("Jane Doe", "John Roe")
    assert by_title[german].url == "https://www.zeitung.example/politik/2024-03-05/neue-sanktionen"
