"""Evidence for learned boilerplate: which short lines each story of a site carries.

The decision is pure (`transforms.boilerplate.learn_boilerplate`). Evidence is one item per
text record: its site, its learnable line keys, and a MinHash fingerprint of its prose.
Records are grouped into stories with the same near-duplicate machinery as indexed documents
(`transforms.shingles.group`: exact text hashes, then MinHash/LSH), and a line's count is
the number of different stories carrying it, so republished copies of one story count once.
`learn` decides from evidence held in memory (`newsetl transform`); the flow keeps evidence
in Elasticsearch (`newsetl.es.learned`) and reaches the same decision by aggregations.

Each record's evidence also holds its dateline form and the agency its own text credits
(`transforms.lending.credit`): counted in stories the same way, by site and form, they say
which agency a site's unsigned stories of a form are lent (`lend`). They are facts of their
own, never line keys: boilerplate learning does not see them.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property

from newsetl.readers import RawRecord
from transforms.boilerplate import furniture_keys, learn_boilerplate
from transforms.lending import NO_CREDIT, Credit, credit, lent_agencies
from transforms.paragraphs import is_prose, repaired_paragraphs
from transforms.shingles import (
    DEFAULT,
    DupParams,
    Fingerprint,
    Grouping,
    Member,
    fingerprint,
)

# Evidence is grouped with fixed parameters, not the user's NEWSETL_DUP_* settings: what a
# story is for learning shapes every body, so it must not vary between machines or runs.
EVIDENCE_PARAMS: DupParams = DEFAULT
# The agency tally's bounds, the same in memory and in Elasticsearch (one aggregation page:
# 5 sites x 200 forms x 50 agencies stays under the buckets a search may return). A site
# writes a handful of dateline forms and credits a handful of agencies; a site with more
# forms lends nothing, and so does a form with more agencies (unsigned counted as one).
FORMS_PER_SITE = 200
AGENCIES_PER_FORM = 50


@dataclass(frozen=True, eq=False)
class Evidence:
    """What one text record says about its site's furniture."""

    member: str  # `source/path#line`: one record, whatever its file becomes
    path: str  # the raw file, relative to the raw folder
    site: str
    keys: frozenset[str]
    fingerprint: Fingerprint
    credit: Credit
    source: str = ""  # the raw folder's source name (`newsetl.sources`)

    @cached_property
    def id(self) -> str:
        """Kept once computed: `learn` asks for it again at every learning of a run."""
        return hashlib.sha256(self.member.encode("utf-8")).hexdigest()[:32]


def site_of(record: RawRecord, source: str = "") -> str:
    """The site a record speaks for: its URL's host, else the first level of its raw folder,
    named with the folder's source: two scrapers' folders of bare text are not one site, as
    their furniture is not one (a host is the same site whichever folder holds its pages)."""
    if record.site:
        return record.site
    top = record.path.split("/", 1)[0] if "/" in record.path else ""
    return f"folder:{source}/{top}" if source else f"folder:{top}"


def story_text(paragraphs: Sequence[str]) -> str:
    """The text a record's story is recognised by: its prose paragraphs (all paragraphs when
    it has none). Outlets wrap one story in different furniture, which is not prose, so
    copies from different sites compare on what they share."""
    prose = [p for p in paragraphs if is_prose(p)]
    return "\n\n".join(prose or paragraphs)


def evidence(record: RawRecord, source: str = "") -> Evidence | None:
    """The evidence of a text record of the raw folder named `source` (pages are left to
    the HTML extractor)."""
    if not record.text or record.html:
        return None
    paragraphs = repaired_paragraphs(record.text)  # cut once, as the cleaner cuts them
    return Evidence(
        member=f"{source}/{record.path}#{record.line or 0}",
        path=record.path,
        site=site_of(record, source),
        source=source,
        keys=furniture_keys(paragraphs),
        fingerprint=fingerprint(story_text(paragraphs), EVIDENCE_PARAMS),
        credit=credit(paragraphs),
    )


def record_credit(record: RawRecord) -> Credit:
    """The dateline form and own credit of a text record, as its evidence holds them (a page
    gives no evidence, so it has none): what a document is lent an agency by."""
    if not record.text or record.html:
        return NO_CREDIT
    return credit(repaired_paragraphs(record.text))


class Learning:
    """Evidence held in memory, grouped into stories as it arrives (`Grouping`), so a pass
    that learns again as its evidence grows (`newsetl.pipeline.transform_paths`) groups each
    record once, and the final learning and lending share one grouping.

    A record is counted once, by id (a record added again is ignored).
    """

    def __init__(self, items: Iterable[Evidence] = ()) -> None:
        self._items: dict[str, Evidence] = {}
        self._grouping = Grouping(EVIDENCE_PARAMS)
        self.add(items)

    def __len__(self) -> int:
        return len(self._items)

    def add(self, items: Iterable[Evidence]) -> None:
        """Count `items` too, each joined to the stories already grouped."""
        for item in items:
            if item.id not in self._items:
                self._items[item.id] = item
                self._grouping.add(Member(item.id, item.fingerprint))

    def _stories(self) -> Iterator[tuple[Evidence, str]]:
        """Each record with its story: copies and near-copies share one."""
        stories = self._grouping.stories()
        for doc_id, item in self._items.items():
            yield item, stories[doc_id].story_id

    def learned(self) -> dict[str, frozenset[str]]:
        """Learned keys per site: stories counted, not copies."""
        site_stories: dict[str, set[str]] = defaultdict(set)
        key_stories: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        for item, story in self._stories():
            site_stories[item.site].add(story)
            for key in item.keys:
                key_stories[item.site][key].add(story)
        return {
            site: learn_boilerplate(
                {key: len(s) for key, s in key_stories[site].items()}, len(site_stories[site])
            )
            for site in site_stories
        }

    def lent(self) -> dict[str, dict[str, str]]:
        """{site: {dateline form: agency lent}}: each form's distinct stories per credited
        agency (None: credits none), decided by `transforms.lending.lent_agencies`. Records
        without a dateline count for no form."""
        tally: dict[str, dict[str, dict[str | None, set[str]]]] = defaultdict(
            lambda: defaultdict(lambda: defaultdict(set))
        )
        for item, story in self._stories():
            if item.credit.form is not None:
                tally[item.site][item.credit.form][item.credit.agency].add(story)
        lent = {
            site: lent_agencies(
                {
                    form: {agency: len(s) for agency, s in counts.items()}
                    for form, counts in forms.items()
                    if len(counts) <= AGENCIES_PER_FORM
                }
            )
            for site, forms in tally.items()
            if len(forms) <= FORMS_PER_SITE
        }
        return {site: forms for site, forms in lent.items() if forms}


def learn(items: Iterable[Evidence]) -> dict[str, frozenset[str]]:
    """Learned keys per site from evidence held in memory (`Learning.learned`); the last
    item given under an id stands for its record."""
    return Learning({item.id: item for item in items}.values()).learned()


def lend(items: Iterable[Evidence]) -> dict[str, dict[str, str]]:
    """{site: {dateline form: agency lent}} from evidence held in memory (`Learning.lent`);
    the last item given under an id stands for its record."""
    return Learning({item.id: item for item in items}.values()).lent()
