"""An unsigned story's agency, lent by its site's evidence: a pure decision from story counts.

Some wire stories credit no agency anywhere in their own text (a take continued in another
story, a price table, a story cut before its sign-off). Their site's other stories may say
whose desk writes them: when nearly every credited story of the site that opens with the
same dateline *form* ("CITY, M D -", see `transforms.dateline`) credits one agency, an
unsigned story of that form is that agency's too. A form is a house style, not a place, so
a wire's stories share it whatever their city, and a paper's own copy in another style
borrows nothing.

The evidence is counted in stories, not copies, exactly as learned boilerplate counts it
(`newsetl.learned` groups copies): a hundred republished copies of one signed story are one
credited story. The thresholds are the learner's own (`transforms.boilerplate`): at least
`MIN_STORIES` different credited stories, every other agency together at most `MIN_SHARE`
of them, and the form's unsigned stories fewer than the agency's (a form the site mostly
leaves unsigned is the site's own style, whoever signs a few of its stories). Anything less
lends nothing: no agency rather than a wrong one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from transforms.agencies import find_agency
from transforms.authors import text_byline
from transforms.boilerplate import MIN_SHARE, MIN_STORIES
from transforms.dateline import parse_dateline
from transforms.signoff import read_signoff

# A sign-off closes the text: past known junk it sits in the last few paragraphs.
_SIGNOFF_TAIL = 3


@dataclass(frozen=True)
class Credit:
    """What a story's own text says about who wrote it: its dateline's form (None without a
    dateline) and the agency it credits (None when it credits none)."""

    form: str | None
    agency: str | None


NO_CREDIT = Credit(None, None)  # a record whose evidence is not gathered (a page)


def credit(paragraphs: Sequence[str]) -> Credit:
    """The dateline form and own credit of a text cut into paragraphs as the cleaner cuts it
    (`transforms.paragraphs.repaired_paragraphs`): the dateline's agency, a closing sign-off
    (`transforms.signoff`), a credit line or byline in the text (`transforms.agencies`,
    `transforms.authors`), the first that names one."""
    text = "\n\n".join(paragraphs)
    dateline = parse_dateline(text)
    agency = dateline.agency if dateline else None
    for paragraph in reversed(paragraphs[-_SIGNOFF_TAIL:]):
        if agency is not None:
            break
        signoff = read_signoff(paragraph)
        agency = signoff.agency if signoff else None
    agency = agency or find_agency(text) or text_byline(text).agency
    return Credit(dateline.form if dateline else None, agency)


def lent_agency(
    stories: Mapping[str | None, int],
    *,
    min_stories: int = MIN_STORIES,
    min_share: float = MIN_SHARE,
) -> str | None:
    """The agency one dateline form of a site lends its unsigned stories, or None.

    `stories` counts the form's distinct stories per credited agency, None for those that
    credit none. The top agency lends when it credits at least `min_stories` stories, the
    other agencies together at most `min_share` of the credited ones, and the unsigned
    stories are fewer than the agency's.
    """
    credited = {agency: n for agency, n in stories.items() if agency and n > 0}
    if not credited:
        return None
    agency, top = min(credited.items(), key=lambda item: (-item[1], item[0]))
    total = sum(credited.values())
    if top < min_stories or total - top > min_share * total:
        return None
    if stories.get(None, 0) >= top:
        return None
    return agency


def lent_agencies(forms: Mapping[str, Mapping[str | None, int]]) -> dict[str, str]:
    """{form: agency lent} for one site, from each form's story counts (see `lent_agency`)."""
    lent = {form: lent_agency(counts) for form, counts in forms.items()}
    return {form: agency for form, agency in lent.items() if agency is not None}
