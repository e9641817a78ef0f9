"""Boilerplate learned from the corpus: which short lines recur across a site's documents.

The decision is pure (`transforms.boilerplate.learn_boilerplate`); this module keeps the
evidence between runs, in SQLite under the state folder. Evidence is stored as membership
(site, line key, record), not as counters, so re-reading a changed or re-driven file never
counts it twice.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import closing
from pathlib import Path

from newsetl.readers import RawRecord
from transforms.boilerplate import LEARNABLE_MAX_WORDS, learn_boilerplate, line_keys
from transforms.paragraphs import word_count


def learnable(key: str) -> bool:
    """Short and free of numbers: templated lines with figures ("Shr 1.10 dlrs vs 90 cts",
    "Net 2.1 mln") recur across a wire's stories yet are content; furniture with numbers
    ("12 Comments", "© 2024") is the pattern file's job."""
    return (
        bool(key) and word_count(key) <= LEARNABLE_MAX_WORDS and not any(c.isdigit() for c in key)
    )


Evidence = tuple[str, str, frozenset[str]]  # (site, record, line keys)


def site_of(record: RawRecord) -> str:
    """The site a record speaks for: its URL's host, else the raw folder's first level."""
    if record.site:
        return record.site
    top = record.path.split("/", 1)[0] if "/" in record.path else ""
    return f"folder:{top}"


def evidence(record: RawRecord) -> Evidence | None:
    """The learnable line keys of a text record (pages are left to the HTML extractor)."""
    if not record.text or record.html:
        return None
    keys = frozenset(filter(learnable, line_keys(record.text)))
    member = f"{record.path}#{record.line or 0}"
    return site_of(record), member, keys


def learn(evidence_items: Iterable[Evidence]) -> dict[str, frozenset[str]]:
    """Learned keys per site from evidence held in memory (`newsetl transform`)."""
    counts: dict[str, dict[str, int]] = {}
    docs: dict[str, int] = {}
    for site, _, keys in evidence_items:
        docs[site] = docs.get(site, 0) + 1
        site_counts = counts.setdefault(site, {})
        for key in keys:
            site_counts[key] = site_counts.get(key, 0) + 1
    return {site: learn_boilerplate(counts[site], docs[site]) for site in docs}


class LearnedStore:
    """Evidence kept between runs; one SQLite file, written by the flow's process only."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        with closing(self._connect()) as db, db:
            db.executescript(
                """
                CREATE TABLE IF NOT EXISTS members (member TEXT PRIMARY KEY, site TEXT);
                CREATE INDEX IF NOT EXISTS members_site ON members (site);
                CREATE TABLE IF NOT EXISTS keys (site TEXT, key TEXT, member TEXT,
                    PRIMARY KEY (site, key, member));
                CREATE INDEX IF NOT EXISTS keys_member ON keys (member);
                """
            )

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=60)

    def add(self, items: Iterable[Evidence]) -> None:
        """Record (or re-record) each record's keys, replacing what it said before."""
        with closing(self._connect()) as db, db:
            for site, member, keys in items:
                db.execute("DELETE FROM keys WHERE member = ?", (member,))
                db.execute("DELETE FROM members WHERE member = ?", (member,))
                db.execute("INSERT INTO members VALUES (?, ?)", (member, site))
                db.executemany(
                    "INSERT OR IGNORE INTO keys VALUES (?, ?, ?)",
                    ((site, key, member) for key in keys),
                )

    def learned(self) -> dict[str, frozenset[str]]:
        """Every site's boilerplate keys, decided from all evidence so far."""
        with closing(self._connect()) as db:
            docs = dict(db.execute("SELECT site, COUNT(*) FROM members GROUP BY site"))
            result = {}
            for site, n_docs in docs.items():
                rows: Iterator[tuple[str, int]] = db.execute(
                    "SELECT key, COUNT(*) FROM keys WHERE site = ? "
                    "GROUP BY key HAVING COUNT(*) > 1",
                    (site,),
                )
                learned = learn_boilerplate(dict(rows), n_docs)
                if learned:
                    result[site] = learned
            return result
