from __future__ import annotations

import codecs

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.decode import UndecodableError, decode_bytes

TEXTS = [
    ("Le président a déclaré que la réforme était « nécessaire » — déjà.", "cp1252"),
    ("Der Präsident erklärte, dass die Gespräche über die Größe weitergehen.", "latin-1"),
    ("Президент России заявил сегодня, что переговоры продолжаются успешно.", "cp1251"),
    ("Israel’s “talks” – progress…", "utf-8"),
    ("Israel’s “talks” – progress…", "utf-16"),
    ("Israel’s “talks” – progress…", "utf-8-sig"),
]


@pytest.mark.parametrize(("text", "encoding"), TEXTS)
def test_round_trip(text: str, encoding: str) -> None:
    assert decode_bytes((text + "\n").encode(encoding) * 5).startswith(text)


def test_binary_is_refused() -> None:
    with pytest.raises(UndecodableError, match="binary"):
        decode_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))


def test_broken_utf16_after_bom_is_refused() -> None:
    with pytest.raises(UndecodableError):
        decode_bytes(codecs.BOM_UTF16_LE + b"\x00\xd8")  # a lone surrogate


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_any_bytes_decode_or_refuse_with_reason(data: bytes) -> None:
    try:
        assert isinstance(decode_bytes(data), str)
    except UndecodableError as exc:
        assert str(exc)
