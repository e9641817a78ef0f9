"""Bounds on hostile input; beyond them a record is quarantined with the limit named."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 20 * 1024 * 1024  # after gunzip
    max_html_depth: int = 1000  # parsers recurse; deeper pages are attacks or garbage
    max_body_chars: int = 2_000_000


DEFAULT_LIMITS = Limits()
