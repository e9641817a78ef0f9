from __future__ import annotations

import pytest
from pydantic import ValidationError

from newsetl.config import Settings
from newsetl.es.client import redact


def test_env_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSETL_INDEX", "wire")
    monkeypatch.setenv("NEWSETL_ES_URL", "https://es.example:9200")
    monkeypatch.setenv("NEWSETL_ES_PASSWORD", "s3cret-value")
    s = Settings()
    assert s.index == "wire" and not s.uses_local_engine
    assert "s3cret-value" not in repr(s) and "s3cret-value" not in str(s.model_dump())


@pytest.mark.parametrize("name", ["News", "_x", "a b", "a/b", "", "x" * 300, "../etc"])
def test_invalid_index_names(name: str) -> None:
    with pytest.raises(ValidationError):
        Settings(index=name)


def test_redact_drops_credentials() -> None:
    assert redact("https://user:pw@es.example:9243/prefix?x=1") == "https://es.example:9243/prefix"
