"""Evidence for learned boilerplate: which short lines each story of a site carries.

The decision is pure (`transforms.boilerplate.learn_boilerplate`). Evidence is one item per
text record: its site, its learnable line keys, and a MinHash fingerprint of its prose.
Records are grouped into stories with the same near-duplicate machinery as indexed documents
(`transforms.shingles.group`: exact text hashes, then MinHash/LSH), and a line's count is
the number of different stories carrying it, so republished copies of one story count once.
`learn` decides from evidence held in memory (`newsetl transform`); the flow keeps evidence
in Elasticsearch (`newsetl.es.learned`) and reaches the same decision by aggregations.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

from newsetl.readers import RawRecord
from transforms.boilerplate import furniture_keys, learn_boilerplate
from transforms.paragraphs import is_prose, repaired_paragraphs
from transforms.shingles import DEFAULT, DupParams, Fingerprint, Member, fingerprint, group

# Evidence is grouped with fixed parameters, not the user's NEWSETL_DUP_* settings: what a
# story is for learning shapes every body, so it must not vary between machines or runs.
EVIDENCE_PARAMS: DupParams = DEFAULT


@dataclass(frozen=True, eq=False)
class Evidence:
    """What one text record says about its site's furniture."""

    member: str  # `path#line`: one record, whatever its file becomes
    path: str  # the raw file, relative to the raw folder
    site: str
    keys: frozenset[str]
    fingerprint: Fingerprint

    @cached_property
    def id(self) -> str:
        """Kept once computed: `learn` asks for it again at every learning of a run."""
        return hashlib.sha256(self.member.encode("utf-8")).hexdigest()[:32]


def site_of(record: RawRecord) -> str:
    """The site a record speaks for: its URL's host, else the raw folder's first level."""
    if record.site:
        return record.site
    top = record.path.split("/", 1)[0] if "/" in record.path else ""
    return f"folder:{top}"


def story_text(paragraphs: Sequence[str]) -> str:
    """The text a record's story is recognised by: its prose paragraphs (all paragraphs when
    it has none). Outlets wrap one story in different furniture, which is not prose, so
    copies from different sites compare on what they share."""
    prose = [p for p in paragraphs if is_prose(p)]
    return "\n\n".join(prose or paragraphs)


def evidence(record: RawRecord) -> Evidence | None:
    """The evidence of a text record (pages are left to the HTML extractor)."""
    if not record.text or record.html:
        return None
    paragraphs = repaired_paragraphs(record.text)  # cut once, as the cleaner cuts them
    return Evidence(
        member=f"{record.path}#{record.line or 0}",
        path=record.path,
        site=site_of(record),
        keys=furniture_keys(paragraphs),
        fingerprint=fingerprint(story_text(paragraphs), EVIDENCE_PARAMS),
    )


def learn(items: Iterable[Evidence]) -> dict[str, frozenset[str]]:
    """Learned keys per site from evidence held in memory: stories counted, not copies."""
    by_id = {item.id: item for item in items}
    stories = group((Member(i, e.fingerprint) for i, e in by_id.items()), EVIDENCE_PARAMS)
    site_stories: dict[str, set[str]] = defaultdict(set)
    key_stories: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for doc_id, item in by_id.items():
        story = stories[doc_id].story_id
        site_stories[item.site].add(story)
        for key in item.keys:
            key_stories[item.site][key].add(story)
    return {
        site: learn_boilerplate(
            {key: len(s) for key, s in key_stories[site].items()}, len(site_stories[site])
        )
        for site in site_stories
    }
