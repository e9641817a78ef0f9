"""One real local Elasticsearch and one Prefect test server for the whole session."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from newsetl.config import Settings
from newsetl.es.client import connect
from newsetl.es.local import LocalEngine

TEST_PORT = int(os.environ.get("NEWSETL_TEST_PORT", "9290"))


@pytest.fixture(scope="session")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalEngine]:
    eng = LocalEngine(tmp_path_factory.mktemp("engine-state"), port=TEST_PORT, heap="512m")
    eng.up()
    yield eng
    eng.down()
    shutil.rmtree(eng.root, ignore_errors=True)  # as root it is under /var, not pytest's tmp


@pytest.fixture(scope="session")
def prefect_server() -> Iterator[None]:
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture
def es_env(engine: LocalEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Point NEWSETL_* at the test engine and a fresh state folder."""
    monkeypatch.setenv("NEWSETL_ES_URL", engine.url)
    monkeypatch.setenv("NEWSETL_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("NEWSETL_WORKERS", "1")  # inline: tests may monkeypatch the transforms
    return Settings()


@pytest.fixture
def client(es_env: Settings) -> Elasticsearch:
    return connect(es_env)
