"""Raw files to records: discovery, gzip, decoding, and the crawler formats.

Every file yields records or a `Rejected` naming why; nothing raises past `read_file`, so
one bad file never stops a run and nothing is dropped silently.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import zlib
from collections.abc import Collection, Iterator
from dataclasses import dataclass, replace
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from newsetl.limits import DEFAULT_LIMITS
from transforms.boilerplate import matches_pattern
from transforms.decode import UndecodableError, decode_bytes
from transforms.pageurl import page_url
from transforms.paragraphs import is_prose

FORMATS = {".txt": "txt", ".html": "html", ".htm": "html", ".json": "json", ".jsonl": "jsonl"}
DEFAULT_MAX_BYTES = DEFAULT_LIMITS.max_file_bytes


@dataclass(frozen=True)
class RawRecord:
    """One article as the scraper left it, before any cleaning."""

    path: str  # relative to the raw folder, POSIX separators
    format: str  # txt | html | json | jsonl
    line: int | None = None  # 1-based line of a .jsonl record
    url: str | None = None
    title: str | None = None
    text: str | None = None
    html: str | None = None
    date: str | None = None
    site: str | None = None
    authors: str | None = None  # the record's own author field, as written


@dataclass(frozen=True)
class Rejected:
    """A file (or one .jsonl line) that could not become a document, and why."""

    path: str
    reason: str
    line: int | None = None


@cache
def _record_keys() -> dict[str, list[str]]:
    data = json.loads(files("newsetl").joinpath("data/record_keys.json").read_text("utf-8"))
    return {k: v for k, v in data.items() if not k.startswith("_")}


def base_format(path: Path) -> str | None:
    """`a.html.gz` -> `html`; None for files newsetl does not read."""
    name = path.name.lower().removesuffix(".gz")
    return FORMATS.get(os.path.splitext(name)[1])


def _stem(path: Path) -> str:
    name = path.name[:-3] if path.name.lower().endswith(".gz") else path.name
    return name.rsplit(".", 1)[0]


def sidecar_for(path: Path, listed: Collection[str] | None = None) -> Path | None:
    """The `.json` beside a `.txt`/`.html` with the same stem, which holds its metadata.

    `listed`: the names in the file's folder, when the caller has listed it (`discover`):
    a name not there is no file, and is not stat'ed."""
    if base_format(path) not in ("txt", "html"):
        return None
    stem = _stem(path)
    for name in (stem + ".json", stem + ".json.gz"):
        if listed is not None and name not in listed:
            continue
        if (candidate := path.with_name(name)).is_file():
            return candidate
    return None


def discover(root: Path) -> Iterator[Path]:
    """Readable article files under `root`, sorted, sidecars and hidden files excluded.

    Symlinked folders are not followed, so a link loop cannot trap the walk.
    """
    sidecars: set[Path] = set()
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        listed = frozenset(filenames)
        for name in filenames:
            if name.startswith("."):
                continue
            path = Path(dirpath) / name
            if base_format(path) is None:
                continue
            found.append(path)
            side = sidecar_for(path, listed)
            if side is not None:
                sidecars.add(side)
    yield from sorted(p for p in found if p not in sidecars)


@dataclass(frozen=True)
class _Bytes:
    """One file's bytes as on disk, or why they are not usable; `digest` is "" when the
    file could not be read."""

    data: bytes | None
    digest: str
    error: OSError | ValueError | None = None


def _load(path: Path, max_bytes: int) -> _Bytes:
    try:
        size = path.stat().st_size
        if size > max_bytes:  # not held in memory, but still known by its digest
            with path.open("rb") as f:
                digest = hashlib.file_digest(f, "sha256").hexdigest()
            error = ValueError(f"file is {size} bytes, over the {max_bytes}-byte limit")
            return _Bytes(None, digest, error)
        data = path.read_bytes()
    except OSError as exc:
        return _Bytes(None, "", exc)
    return _Bytes(data, hashlib.sha256(data).hexdigest())


@dataclass(frozen=True)
class OpenedFile:
    """A raw file and its sidecar, each read from disk once: the digest that tells an
    unchanged file and the records are both computed from these bytes, and nothing is
    gunzipped or decoded until `read_file` is asked for the records."""

    path: Path
    main: _Bytes
    sidecar: Path | None = None
    side: _Bytes | None = None

    @property
    def sha256(self) -> str:
        """The file's digest; with a sidecar, the digest of both (a touched sidecar whose
        content is the same still leaves the document unchanged); "" when unreadable."""
        if not self.main.digest or (self.side is not None and not self.side.digest):
            return ""
        if self.side is None:
            return self.main.digest
        return hashlib.sha256((self.main.digest + self.side.digest).encode()).hexdigest()


def open_file(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> OpenedFile:
    """Read `path` and its sidecar; never raises (an unreadable file keeps its error for
    `read_file`, which quarantines it with the reason)."""
    side = sidecar_for(path)
    return OpenedFile(
        path, _load(path, max_bytes), side, _load(side, max_bytes) if side is not None else None
    )


def _content(path: Path, loaded: _Bytes, max_bytes: int) -> bytes:
    if loaded.error is not None:
        raise loaded.error
    return _gunzipped(path, loaded.data or b"", max_bytes)


GZIP_MAGIC = b"\x1f\x8b"


def _gunzipped(path: Path, data: bytes, max_bytes: int) -> bytes:
    """The file's bytes, gunzipped when it is named `.gz` or starts with gzip's magic bytes:
    a page saved from a response sent with `Content-Encoding: gzip` keeps its `.html` name
    but holds the compressed body, and is as much the story as the same page named `.gz`."""
    if path.name.lower().endswith(".gz") or data.startswith(GZIP_MAGIC):
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(data)) as gz:
                data = gz.read(max_bytes + 1)  # reads lazily: a zip bomb stops here
        except (OSError, EOFError, zlib.error) as exc:
            raise ValueError(f"corrupt or truncated gzip: {exc}") from exc
        if len(data) > max_bytes:
            raise ValueError(f"decompresses to over the {max_bytes}-byte limit")
    return data


def _pick(record: dict[str, Any], part: str) -> Any:
    for key in _record_keys()[part]:
        value = record.get(key)
        if value not in (None, ""):
            return value
    return None


def _field(record: dict[str, Any], part: str) -> str | None:
    value = _pick(record, part)
    if value is None:
        return None
    if isinstance(value, dict):  # e.g. {"source": {"name": ...}}, {"date": {"$date": ...}}
        value = next((v for v in value.values() if isinstance(v, str | int | float)), None)
        if value is None:
            return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError(f"field for {part!r} has type {type(value).__name__}, expected a string")
    if part in ("title", "text", "html") and not isinstance(value, str):
        raise ValueError(f"field for {part!r} has type {type(value).__name__}, expected a string")
    return str(value)


def _authors(record: dict[str, Any]) -> str | None:
    """The record's author field as one byline string: crawlers write a string, a list of
    strings, or a list of {"name": ...} objects."""
    value = _pick(record, "authors")
    items = value if isinstance(value, list) else [value]
    names = [
        item.get("name") if isinstance(item, dict) else item
        for item in items
    ]
    joined = ", ".join(n.strip() for n in names if isinstance(n, str) and n.strip())
    return joined or None


def site_of(url: str | None) -> str | None:
    if not url:
        return None
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.") or None


def record_from_json(obj: Any, *, path: str, fmt: str, line: int | None = None) -> RawRecord:
    """A crawler's JSON object to a record; raises ValueError with the reason when unusable."""
    if not isinstance(obj, dict):
        raise ValueError(f"record is a JSON {type(obj).__name__}, expected an object")
    url = _field(obj, "url")
    html, text = _field(obj, "html"), _field(obj, "text")
    if not (html or text):
        raise ValueError("record has no article content (no html or text field)")
    url = url or (page_url(html) if html else None)  # the page names itself
    return RawRecord(
        path=path,
        format=fmt,
        line=line,
        url=url,
        title=_field(obj, "title"),
        text=text,
        html=html,
        date=_field(obj, "date"),
        site=site_of(url) or _field(obj, "site"),
        authors=_authors(obj),
    )


def _split_title(text: str) -> tuple[str | None, str]:
    """A text dump's first non-empty line is its title, unless it is furniture of a known
    kind (a breadcrumb "Home | News | World", a share bar): such lines stay in the text, for
    the cleaner to remove and list in `removed`, and the next line is the title. When that
    line is running prose, the dump has no title line: nothing is taken from its text. A
    one-line dump (a wire notice, an alert) is its own text too: the line is the whole item,
    and the cleaner keeps a headline copy that has nothing else beside it."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        if matches_pattern(line) and not is_prose(line):
            continue
        if i and is_prose(line):
            return None, text
        after = lines[i + 1 :]
        rest = after if any(a.strip() for a in after) else [line]
        return line.strip(), "\n".join(lines[:i] + rest)
    for i, line in enumerate(lines):  # furniture only: as before, the first line
        if line.strip():
            rest_text = "\n".join(lines[i + 1 :])
            return line.strip(), rest_text if rest_text.strip() else line
    return None, ""


def _with_sidecar(record: RawRecord, opened: OpenedFile, max_bytes: int) -> RawRecord:
    side = opened.sidecar
    if side is None or opened.side is None:
        return record
    meta = json.loads(decode_bytes(_content(side, opened.side, max_bytes)))
    if not isinstance(meta, dict):
        raise ValueError(f"sidecar {side.name} is not a JSON object")
    url = _field(meta, "url") or record.url  # a sidecar URL wins over the page's own
    return RawRecord(
        path=record.path,
        format=record.format,
        url=url,
        title=_field(meta, "title") or record.title,
        text=record.text,
        html=record.html,
        date=_field(meta, "date"),
        site=site_of(url) or _field(meta, "site"),
        authors=_authors(meta),
    )


def read_file(
    path: Path,
    root: Path,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    opened: OpenedFile | None = None,
) -> Iterator[RawRecord | Rejected]:
    """Records of one raw file, or a `Rejected` for the file or for each bad .jsonl line.

    `opened`: the file as `open_file` already read it (its digest was needed first), so
    it is not read from disk again.
    """
    rel = path.relative_to(root).as_posix() if path.is_relative_to(root) else path.as_posix()
    fmt = base_format(path) or "unknown"
    try:
        opened = opened or open_file(path, max_bytes=max_bytes)
        text = decode_bytes(_content(path, opened.main, max_bytes))
        if fmt == "jsonl":
            yield from _jsonl_records(text, rel)
            return
        if not text.strip():
            raise ValueError("empty file")
        if fmt == "json":
            yield record_from_json(json.loads(text), path=rel, fmt=fmt)
            return
        if fmt == "txt":
            title, body = _split_title(text)
            record = RawRecord(path=rel, format=fmt, title=title, text=body)
        else:  # a page without a sidecar is known by the URL it gives itself
            record = RawRecord(path=rel, format=fmt, html=text, url=page_url(text))
            record = replace(record, site=site_of(record.url))
        yield _with_sidecar(record, opened, max_bytes)
    except UndecodableError as exc:
        yield Rejected(rel, f"undecodable: {exc}")
    except json.JSONDecodeError as exc:
        yield Rejected(rel, f"invalid JSON: {exc}")
    except (OSError, ValueError, RecursionError) as exc:
        yield Rejected(
            rel, f"{exc.__class__.__name__}: {exc}" if isinstance(exc, OSError) else str(exc)
        )


def _jsonl_records(text: str, rel: str) -> Iterator[RawRecord | Rejected]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield record_from_json(json.loads(line), path=rel, fmt="jsonl", line=number)
        except json.JSONDecodeError as exc:
            yield Rejected(rel, f"invalid JSON: {exc}", line=number)
        except (ValueError, RecursionError) as exc:
            yield Rejected(rel, str(exc), line=number)
