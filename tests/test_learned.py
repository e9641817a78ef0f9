"""Boilerplate learned from the corpus: recurring lines of one site go, repeats inside one
document stay, and the evidence survives runs without double counting."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from newsetl.learned import LearnedStore, evidence, learn, site_of
from newsetl.pipeline import transform_paths
from newsetl.readers import RawRecord, discover

JUNK = "Get the Harbour Gazette delivered to your inbox every single morning"


TOPICS = ["ferries", "bridges", "trams", "docks", "taxes", "schools", "parks", "markets"]


def _story(n: int, extra: str = "") -> str:
    topic = TOPICS[n % len(TOPICS)]
    return (
        f"Council story about {topic}\n\n"
        f"LISBON (Reuters) - The council debated {topic} on {['Monday', 'Friday'][n % 2]}.\n\n"
        f"{extra}"
        f"Residents of ward {'ABCDEFGHIJ'[n % 10]} said {topic} mattered most to them.\n\n"
        f"{JUNK}\n"
    )


def test_line_recurring_across_a_site_is_learned_and_removed(tmp_path: Path) -> None:
    site = tmp_path / "raw" / "gazette"
    site.mkdir(parents=True)
    for n in range(8):
        (site / f"{n}.txt").write_text(_story(n))
    once = "Mayor Costa said: “We will decide by June.”\n\n" * 2
    (site / "quoted.txt").write_text(_story(99, extra=once))
    raw = tmp_path / "raw"
    batch = transform_paths(discover(raw), raw, now=datetime.now(UTC))
    assert len(batch.docs) == 9
    for doc in batch.docs:
        assert JUNK not in doc["body"] and JUNK in doc["removed"]
        assert doc["body"].startswith("LISBON (Reuters)")
    quoted = next(d for d in batch.docs if d["source"]["path"] == "gazette/quoted.txt")
    assert "Mayor Costa said" in quoted["body"]  # repeated in one document only: content


def test_one_document_teaches_nothing() -> None:
    record = RawRecord(path="a/1.txt", format="txt", text=_story(1))
    item = evidence(record)
    assert item is not None and site_of(record) == "folder:a"
    assert learn([item]) == {"folder:a": frozenset()}


def test_store_keeps_evidence_between_runs_without_double_counting(tmp_path: Path) -> None:
    path = tmp_path / "learned.sqlite3"
    records = [RawRecord(path=f"s/{n}.txt", format="txt", text=_story(n)) for n in range(6)]
    items = [e for r in records if (e := evidence(r)) is not None]
    LearnedStore(path).add(items[:3])
    assert LearnedStore(path).learned() == {}  # 3 documents: below the minimum
    store = LearnedStore(path)
    store.add(items[:3])  # the same records again (a re-run): still 3 documents
    assert store.learned() == {}
    store.add(items[3:])
    [(site, keys)] = store.learned().items()
    assert site == "folder:s" and any("harbour gazette" in k for k in keys)
