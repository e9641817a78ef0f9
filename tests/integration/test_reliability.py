"""Hostile input through the real flow, and secrets kept out of logs, artifacts and errors."""

from __future__ import annotations

import base64
import logging
import threading
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from flows.ingest import ingest
from newsetl.cli import main
from newsetl.config import Settings
from newsetl.es import ledger
from newsetl.es.indices import current_index
from newsetl.es.load import RefusedWritesError
from tests.hostile import build

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("prefect_server")]
SECRET = "pw-SECRET-4242"


def test_hostile_corpus_through_the_flow(
    tmp_path: Path, client: Elasticsearch, es_env: Settings
) -> None:
    raw = tmp_path / "raw"
    cases = build(raw)
    counts = ingest(raw_dir=str(raw), index="t-hostile")
    indexed = sum(c.outcome == "indexed" for c in cases)
    assert counts["seen"] == len(cases)
    assert (counts["indexed"], counts["quarantined"], counts["duplicates"]) == (
        indexed,
        len(cases) - indexed,
        0,
    )
    stored = {
        (e.path, q["line"]): q["reason"]
        for e in ledger.scan(client, current_index(client, "t-hostile"))
        for q in e.quarantine
    }
    for case in cases:
        if case.outcome != "indexed":
            assert stored[(case.name, case.line)].startswith(case.outcome)
    again = ingest(raw_dir=str(raw), index="t-hostile")
    assert (again["seen"], again["indexed"], again["quarantined"]) == (
        len(cases),
        0,
        len(cases) - indexed,
    )


def test_credentials_never_reach_logs_artifacts_or_errors(
    tmp_path: Path,
    es_env: Settings,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_text("Title\n\nLISBON (Reuters) - Text of the story.\n")
    (raw / "bad.json").write_text("{")
    # The OSS engine ignores credentials, so the run succeeds while carrying them everywhere.
    monkeypatch.setenv("NEWSETL_ES_USERNAME", "elastic")
    monkeypatch.setenv("NEWSETL_ES_PASSWORD", SECRET)
    with caplog.at_level(logging.DEBUG):
        ingest(raw_dir=str(raw), index="t-secrets")
    assert caplog.records and SECRET not in caplog.text
    with get_client(sync_client=True) as prefect:
        artifacts = prefect.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["ingest-summary"]))
        )
    assert artifacts and all(SECRET not in str(a.data) for a in artifacts)
    monkeypatch.setenv("NEWSETL_ES_URL", f"http://elastic:{SECRET}@127.0.0.1:9")
    monkeypatch.setenv("NEWSETL_ES_API_KEY", SECRET)
    assert main(["run", "--raw-dir", str(raw), "--index", "t-secrets"]) == 1
    out, err = capsys.readouterr()
    assert "127.0.0.1:9" in err and "unreachable" in err
    assert SECRET not in out + err + caplog.text


def _block(client: Elasticsearch, alias: str, on: bool) -> None:
    index = current_index(client, alias)
    client.indices.put_settings(index=index, settings={"index.blocks.write": True if on else None})


def test_write_blocked_index_retries_then_fails_clearly_then_recovers(
    tmp_path: Path, client: Elasticsearch, es_env: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A write block on the index (as an admin or the disk flood stage sets one): never
    quarantined, retried, then a clear failure; lifted mid-run, the retries carry it through.
    (The flood-stage block itself is lifted by the node on its own once disk is free.)"""
    from tests.integration.test_incremental import _raw, _snapshot

    monkeypatch.setenv("NEWSETL_RETRY_DELAYS", "[1, 1]")
    raw = _raw(tmp_path, n=4)
    ingest(raw_dir=str(raw), index="t-block")
    (raw / "s01.txt").write_text("Changed\n\nLISBON (Reuters) - A changed story about ferries.\n")
    ingest(raw_dir=str(raw), index="t-block-clean")
    _block(client, "t-block", on=True)
    try:
        state = ingest(raw_dir=str(raw), index="t-block", return_state=True)
        assert state.is_failed()
        with pytest.raises(RefusedWritesError, match="cluster_block_exception"):
            state.result()
        timer = threading.Timer(2.0, _block, (client, "t-block", False))
        timer.start()
        counts = ingest(raw_dir=str(raw), index="t-block")
        timer.join()
    finally:
        _block(client, "t-block", on=False)
    assert (counts["updated"], counts["quarantined"]) == (1, 0)
    assert _snapshot(client, "t-block") == _snapshot(client, "t-block-clean")


def test_password_from_a_prefect_secret_block(
    es_env: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from prefect.blocks.system import Secret

    from newsetl.es.client import connect

    Secret(value=SECRET).save("newsetl-es-password", overwrite=True)
    monkeypatch.setenv("NEWSETL_ES_USERNAME", "elastic")
    monkeypatch.setenv("NEWSETL_ES_PASSWORD_BLOCK", "newsetl-es-password")
    client = connect(Settings())
    auth = client._headers["authorization"]
    assert auth.startswith("Basic ")
    assert base64.b64decode(auth.split()[1]).decode() == f"elastic:{SECRET}"
