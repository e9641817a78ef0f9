from __future__ import annotations

import pytest

from newsetl.es.shim import plain_media_type


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("application/vnd.elasticsearch+json; compatible-with=8", "application/json"),
        ("application/vnd.elasticsearch+x-ndjson; compatible-with=9", "application/x-ndjson"),
        ("application/vnd.elasticsearch+json;compatible-with=8", "application/json"),
        ("application/json", "application/json"),
        ("text/plain", "text/plain"),
    ],
)
def test_media_types_are_made_plain(given: str, expected: str) -> None:
    assert plain_media_type(given) == expected
