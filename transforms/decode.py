"""Bytes to text: UTF-8 first, then a detected charset; binary is refused, not guessed at."""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes
from charset_normalizer.utils import is_multi_byte_encoding

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class UndecodableError(ValueError):
    """The bytes are not text in any charset we can trust."""


def decode_bytes(data: bytes) -> str:
    """Decode scraped bytes; raise `UndecodableError` with the reason for binary or garbage."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise UndecodableError(f"invalid {encoding} after its byte-order mark") from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if b"\x00" in data[:65536]:
        raise UndecodableError("binary content (NUL bytes), not text")
    best = from_bytes(data).best()
    if best is None:
        raise UndecodableError("no character encoding fits; binary or corrupt")
    if best.encoding != "cp1252" and not is_multi_byte_encoding(best.encoding):
        # Detection guesses among Latin code pages at random on short text; Windows-1252
        # is by far the most common legacy news encoding, so it wins when it reads as prose.
        western = _as_western(data)
        if western is not None:
            return western
    return str(best)


def _as_western(data: bytes) -> str | None:
    """`data` as cp1252 if that reads as Latin-script prose (accents inside ASCII words)."""
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    high = [i for i, ch in enumerate(text) if ord(ch) > 127]
    if not high:
        return text

    def plausible(i: int) -> bool:
        if text[i] in _TYPOGRAPHY:
            return True
        neighbours = text[max(i - 1, 0) : i] + text[i + 1 : i + 2]
        return any(c.isascii() and c.isalpha() for c in neighbours)

    return text if sum(map(plausible, high)) >= 0.8 * len(high) else None


# Typographic marks that legitimately stand alone between spaces in Western text.
_TYPOGRAPHY = frozenset("‘’“”–—…€\u00a0«»©®°")
