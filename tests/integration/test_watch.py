"""Monitoring end to end on the real engine: saved searches in the percolator, matched against
each batch a run loads, new matches reported once (CLI, artifact, a real webhook block)."""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from elasticsearch import BadRequestError, Elasticsearch

import newsetl.watch as watch_api
from flows.ingest import ingest
from newsetl.cli import main
from newsetl.config import Settings
from newsetl.es.indices import index_body
from newsetl.es.query import SearchInputError
from newsetl.es.watches import PERCOLATE_STATS, matches_index, watch_index
from tests.conftest import SEED

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("prefect_server")]


def _record(n: int, title: str, text: str) -> str:
    return json.dumps(
        {
            "url": f"https://wire.example.org/{n}",
            "title": title,
            "text": text,
            "published": "2024-03-04T14:30:00Z",
        }
    )


OIL = _record(
    1,
    "Oil prices climb as refinery outage drags on",
    "HOUSTON (Reuters) - Oil prices rose on Monday as a refinery outage in Texas stretched "
    "into a second week, traders said.\n\nRefiners along the Gulf Coast have cut runs.",
)
PARIS = _record(
    2,
    "Paris museum reopens after strike",
    "PARIS (AFP) - The Louvre reopened on Wednesday after a two-day strike by its staff over "
    "crowds and pay, the museum said.\n\nQueues stretched across the courtyard by noon.",
)
LATE_TALKS = _record(
    3,
    "Mediators press on with cease-fire plan in Cairo",
    "CAIRO (AP) - Mediators from Qatar and Egypt pressed on with a cease-fire plan on "
    "Thursday, officials said.\n\nBoth sides sent delegations to the Egyptian capital.",
)


class _Hook(BaseHTTPRequestHandler):
    received: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        type(self).received.append(json.loads(body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def webhook() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A tiny HTTP server on 127.0.0.1 standing in for Slack or any webhook receiver."""
    received: ClassVar[list[dict[str, Any]]] = []
    handler = type("Hook", (_Hook,), {"received": received})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", received
    server.shutdown()
    server.server_close()


def _cli(*argv: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _latest_summary() -> str:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
    from prefect.client.schemas.sorting import ArtifactSort

    with get_client(sync_client=True) as client:
        found = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["ingest-summary"])),
            sort=ArtifactSort.CREATED_DESC,
            limit=1,
        )
    return str(found[0].data)


def test_watch_reports_each_new_match_once(
    tmp_path: Path,
    client: Elasticsearch,
    es_env: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    webhook: tuple[str, list[dict[str, Any]]],
) -> None:
    from prefect.blocks.notifications import CustomWebhookNotificationBlock

    url, received = webhook
    CustomWebhookNotificationBlock(
        name="newsetl test", url=url, json_data={"subject": "{{subject}}", "text": "{{body}}"}
    ).save("watch-test-hook", overwrite=True)
    monkeypatch.setenv("NEWSETL_NOTIFY_BLOCK", "custom-webhook/watch-test-hook")
    alias = "t-watch"
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(SEED, raw / SEED.name)
    (raw / "wire.jsonl").write_text(OIL + "\n" + PARIS + "\n")

    opts = ("--index", alias)
    assert _cli("watch", "add", "talks", "cease-fire hostages", *opts, capsys=capsys)[0] == 0
    # The same filters as search: a country name, and a filter that excludes the story.
    assert _cli("watch", "add", "egypt", "", "--country", "Egypt", *opts, capsys=capsys)[0] == 0
    assert (
        _cli("watch", "add", "in france", "talks", "--country", "FR", *opts, capsys=capsys)[0] == 0
    )
    code, out, _ = _cli("watch", "list", "--json", *opts, capsys=capsys)
    assert code == 0
    listed = json.loads(out)
    assert [w["name"] for w in listed["watches"]] == ["egypt", "in france", "talks"]
    assert listed["watches"][2]["query"] == {"text": "cease-fire hostages"}

    ingest(raw_dir=str(raw), index=alias, batch_size=1)

    code, out, _ = _cli("watch", "matches", "talks", "--json", *opts, capsys=capsys)
    first = json.loads(out)
    assert code == 0 and first["total"] == 1
    assert first["matches"][0]["title"].startswith("Israel and Hamas are making progress")
    assert first["matches"][0]["path"] == SEED.name
    egypt = json.loads(_cli("watch", "matches", "egypt", "--json", *opts, capsys=capsys)[1])
    assert [m["doc_id"] for m in egypt["matches"]] == [first["matches"][0]["doc_id"]]
    assert (
        json.loads(_cli("watch", "matches", "in france", "--json", *opts, capsys=capsys)[1])[
            "total"
        ]
        == 0
    )
    summary = _latest_summary()
    assert "## New matches per watch" in summary
    assert "| talks | 1 |" in summary and "| in france | 0 |" in summary
    assert len(received) == 1  # one message for the run, every watch in it
    assert "2 new matches" in received[0]["subject"]
    assert "talks: 1 new" in received[0]["text"] and "egypt: 1 new" in received[0]["text"]
    assert "Israel and Hamas are making progress" in received[0]["text"]

    # Nothing new: nothing reported, nothing sent.
    counts = ingest(raw_dir=str(raw), index=alias, batch_size=1)
    assert counts["unchanged"] == 3
    assert "| talks | 0 |" in _latest_summary()
    assert len(received) == 1

    # The story changed and still matches: re-indexed, not re-notified.
    seed_text = SEED.read_text()
    (raw / SEED.name).write_text(seed_text + "\n\nThe talks resume on Wednesday, officials said.\n")
    counts = ingest(raw_dir=str(raw), index=alias, batch_size=1)
    assert counts["updated"] == 1
    assert "| talks | 0 |" in _latest_summary()
    assert len(received) == 1
    again = json.loads(_cli("watch", "matches", "talks", "--json", *opts, capsys=capsys)[1])
    assert again == first

    # A new story that matches: reported once, by the watches it matches.
    (raw / "late.jsonl").write_text(LATE_TALKS + "\n")
    ingest(raw_dir=str(raw), index=alias, batch_size=1)
    assert len(received) == 2
    assert "1 new match " in received[1]["subject"] + " "
    assert "egypt: 1 new" in received[1]["text"] and "talks" not in received[1]["text"]
    code, out, _ = _cli("watch", "matches", "egypt", *opts, capsys=capsys)
    assert code == 0 and out.startswith("2 matches of watch 'egypt'")
    assert "Mediators press on with cease-fire plan in Cairo" in out
    assert "wire.example.org/3" in out

    # --since keeps what was found from then on.
    later = json.loads(
        _cli("watch", "matches", "--since", "2999-01-01", "--json", *opts, capsys=capsys)[1]
    )
    assert later["total"] == 0


def test_one_percolate_request_per_batch(
    tmp_path: Path, client: Elasticsearch, es_env: Settings
) -> None:
    """Counted by the engine itself: searches on the watch index during a run."""
    alias = "t-watch-requests"
    raw = tmp_path / "raw"
    raw.mkdir()
    for n in range(6):
        (raw / f"{n}.jsonl").write_text(
            "\n".join(
                _record(100 * n + i, f"Story {n}-{i} on oil", f"Oil story {n} {i}.\n\nMore.")
                for i in range(5)
            )
            + "\n"
        )
    settings = Settings(index=alias)
    watch_api.add("oil", "oil", settings=settings)

    def percolations() -> int:
        stats = client.indices.stats(
            index=watch_index(alias), metric="search", groups=PERCOLATE_STATS
        )
        groups = stats["_all"]["total"]["search"].get("groups", {})
        return int(groups.get(PERCOLATE_STATS, {}).get("query_total", 0))

    before = percolations()
    counts = ingest(raw_dir=str(raw), index=alias, batch_size=2)  # 3 batches of 10 documents
    assert counts["indexed"] == 30
    assert percolations() - before == 3  # one request per batch, not one per document
    assert len(watch_api.matches("oil", settings=settings)) == 30


def test_watch_input_errors_exit_2(
    client: Elasticsearch, es_env: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    opts = ("--index", "t-watch-errors")
    code, _, err = _cli(
        "watch", "add", "x", "oil", "--near", "Atlantis Nowhere", *opts, capsys=capsys
    )
    assert code == 2 and "unknown place" in err
    code, _, err = _cli("watch", "add", "bad/name", "oil", *opts, capsys=capsys)
    assert code == 2 and "invalid watch name" in err
    code, _, err = _cli("watch", "add", "x", "oil", "--from", "yesterday", *opts, capsys=capsys)
    assert code == 2 and "not a date" in err
    assert _cli("watch", "add", "oil", "oil", *opts, capsys=capsys)[0] == 0
    code, _, err = _cli("watch", "add", "oil", "gas", *opts, capsys=capsys)
    assert code == 2 and "exists" in err
    assert _cli("watch", "add", "oil", "gas", "--replace", *opts, capsys=capsys)[0] == 0
    code, _, err = _cli("watch", "remove", "nope", *opts, capsys=capsys)
    assert code == 2 and "no watch named 'nope'" in err
    code, _, err = _cli("watch", "matches", "nope", *opts, capsys=capsys)
    assert code == 2 and "no watch named" in err
    code, _, err = _cli("watch", "matches", "oil", "--since", "last tuesday", *opts, capsys=capsys)
    assert code == 2 and "not a time" in err
    code, out, _ = _cli("watch", "remove", "oil", "--json", *opts, capsys=capsys)
    assert code == 0 and json.loads(out) == {"removed": "oil", "matches_deleted": 0}
    assert _cli("watch", "list", *opts, capsys=capsys)[1].startswith("no watches saved")
    with pytest.raises(SearchInputError, match="unknown filter"):
        watch_api.add("y", "oil", colour="red", settings=Settings(index="t-watch-errors"))


def test_removed_watch_takes_its_matches(
    tmp_path: Path, client: Elasticsearch, es_env: Settings
) -> None:
    alias = "t-watch-remove"
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "wire.jsonl").write_text(OIL + "\n")
    settings = Settings(index=alias)
    watch_api.add("oil", "refinery", settings=settings)
    ingest(raw_dir=str(raw), index=alias)
    assert [m.title for m in watch_api.matches("oil", settings=settings)] == [
        "Oil prices climb as refinery outage drags on"
    ]
    assert watch_api.remove("oil", settings=settings) == 1
    assert client.count(index=matches_index(alias))["count"] == 0
    assert watch_api.list(settings=settings) == []


def test_watches_follow_a_mapping_change(client: Elasticsearch, es_env: Settings) -> None:
    """A watch index made under an older document mapping (no `dateline.city_gazetteer`):
    the next run's check adds the field and stores the queries again, so the new documents,
    which carry it, are percolated instead of refused by the strict mapping."""
    import copy

    from newsetl.es import watches

    alias = "t-watch-mapping"
    old = copy.deepcopy(watches._watch_mapping())
    del old["properties"]["dateline"]["properties"]["city_gazetteer"]
    old["_meta"] = {"newsetl_digest": "older"}
    client.indices.create(
        index=watch_index(alias),
        settings={"number_of_shards": 1, "analysis": index_body()["settings"]["analysis"]},
        mappings=old,
    )
    saved = watches.Watch("rafah", {"text": "families", "city": ["rafah"]}, "2024-01-01")
    watches._store(client, alias, saved)
    doc = {
        "id": "r1",
        "title": "Families flee the city again",
        "body": "RAFAH, Gaza Strip (AP) — Families left the city on Tuesday.",
        "dateline": {"city": "Rafah", "city_gazetteer": "Rafaḩ", "country_code": "PS"},
        "source": {"path": "r1.txt"},
    }
    with pytest.raises(BadRequestError):  # strict: a field the watch index does not know
        watches.percolate(client, alias, [doc])
    watches.ensure_watch_index(client, alias)
    found = watches.record_matches(client, alias, [doc], run="test")
    assert [(m.watch, m.doc_id) for m in found] == [("rafah", "r1")]
    meta = client.indices.get_mapping(index=watch_index(alias))[watch_index(alias)]["mappings"]
    assert meta["_meta"]["newsetl_digest"] == watches._digest()
