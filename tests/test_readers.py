"""Readers: every format, gzip, sidecars, charsets, and the reasons bad files are refused."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from newsetl.readers import RawRecord, Rejected, discover, read_file


def _read(path: Path, root: Path) -> list[RawRecord | Rejected]:
    return list(read_file(path, root))


def test_txt_first_line_is_title(tmp_path: Path) -> None:
    p = tmp_path / "a.txt"
    p.write_text("\n\n  The Title  \n\nCAIRO (AP) — Body.\n")
    [rec] = _read(p, tmp_path)
    assert isinstance(rec, RawRecord)
    assert rec.title == "The Title"
    assert rec.text is not None and "CAIRO (AP) — Body." in rec.text
    assert rec.format == "txt" and rec.path == "a.txt"


def test_html_keeps_page(tmp_path: Path) -> None:
    p = tmp_path / "sub" / "page.htm"
    p.parent.mkdir()
    p.write_text("<html><body><p>Hello</p></body></html>")
    [rec] = _read(p, tmp_path)
    assert isinstance(rec, RawRecord)
    assert rec.format == "html" and rec.path == "sub/page.htm" and rec.html is not None


@pytest.mark.parametrize("date_key", ["published", "date", "datePublished", "publish_date"])
def test_json_record_fields(tmp_path: Path, date_key: str) -> None:
    p = tmp_path / "r.json"
    p.write_text(
        json.dumps(
            {
                "url": "https://www.example.com/a",
                "title": "T",
                "body": "Text.",
                date_key: "2024-02-13",
            }
        )
    )
    [rec] = _read(p, tmp_path)
    assert isinstance(rec, RawRecord)
    assert (rec.url, rec.title, rec.text, rec.date, rec.site) == (
        "https://www.example.com/a",
        "T",
        "Text.",
        "2024-02-13",
        "example.com",
    )


def test_jsonl_bad_line_quarantines_only_that_line(tmp_path: Path) -> None:
    p = tmp_path / "feed.jsonl"
    p.write_text(
        json.dumps({"url": "u1", "text": "one"})
        + "\n{broken\n"
        + json.dumps({"url": "u3", "title": 42, "text": "x"})
        + "\n"
        + json.dumps({"url": "u4", "text": "four"})
        + "\n"
    )
    items = _read(p, tmp_path)
    good = [i for i in items if isinstance(i, RawRecord)]
    bad = [i for i in items if isinstance(i, Rejected)]
    assert [r.url for r in good] == ["u1", "u4"]
    assert [(r.line, r.reason.split(":")[0]) for r in bad] == [
        (2, "invalid JSON"),
        (3, "field for 'title' has type int, expected a string"),
    ]


def test_gzip_and_sidecar(tmp_path: Path) -> None:
    p = tmp_path / "story.txt.gz"
    p.write_bytes(gzip.compress(b"Title\nBody text.\n"))
    (tmp_path / "story.json").write_text(
        json.dumps({"url": "https://x.org/s", "published": "2024-01-02"})
    )
    assert list(discover(tmp_path)) == [p]  # the sidecar is metadata, not an article
    [rec] = _read(p, tmp_path)
    assert isinstance(rec, RawRecord)
    assert (rec.title, rec.url, rec.date, rec.site) == (
        "Title",
        "https://x.org/s",
        "2024-01-02",
        "x.org",
    )


def test_gzipped_body_under_a_plain_name_is_read(tmp_path: Path) -> None:
    """A page saved from a gzip-encoded response keeps its `.html` name: read by its magic
    bytes it is the same record as the page itself, not quarantined as binary."""
    html = b"<html><head><title>Dam opens</title></head><body><p>" + b"Water. " * 50
    plain, packed = tmp_path / "plain.html", tmp_path / "packed.html"
    plain.write_bytes(html)
    packed.write_bytes(gzip.compress(html))
    [a], [b] = _read(plain, tmp_path), _read(packed, tmp_path)
    assert isinstance(a, RawRecord) and isinstance(b, RawRecord)
    assert (b.title, b.text, b.html) == (a.title, a.text, a.html)


def test_legacy_charsets_are_detected(tmp_path: Path) -> None:
    p = tmp_path / "old.txt"
    p.write_bytes("Caf\u00e9 d\u00e9j\u00e0 vu \u201cquoted\u201d\n".encode("cp1252") * 20)
    [rec] = _read(p, tmp_path)
    assert isinstance(rec, RawRecord)
    assert rec.title is not None and rec.title.startswith("Café déjà vu")


def test_utf16_with_bom(tmp_path: Path) -> None:
    p = tmp_path / "u16.txt"
    p.write_bytes("Título\nCuerpo del artículo.\n".encode("utf-16"))
    [rec] = _read(p, tmp_path)
    assert isinstance(rec, RawRecord) and rec.title == "Título"


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", b"", "empty file"),
        ("blank.html", b"  \n\t\n", "empty file"),
        (
            "image.html",
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4,
            "undecodable",
        ),
        ("bad.json", b"{not json", "invalid JSON"),
        ("list.json", b"[1, 2]", "record is a JSON list"),
        (
            "cut.txt.gz",
            gzip.compress(b"Title\n" + b"body " * 1000)[:40],
            "corrupt or truncated gzip",
        ),
        (
            "cut.html",
            gzip.compress(b"<p>" + b"body " * 1000, mtime=0)[:40],
            "corrupt or truncated gzip",
        ),
    ],
)
def test_bad_files_are_rejected_with_reason(
    tmp_path: Path, name: str, content: bytes, reason: str
) -> None:
    p = tmp_path / name
    p.write_bytes(content)
    [item] = _read(p, tmp_path)
    assert isinstance(item, Rejected)
    assert item.reason.startswith(reason), item.reason


def test_size_limit(tmp_path: Path) -> None:
    p = tmp_path / "big.txt"
    p.write_text("Title\n" + "word " * 1000)
    [item] = list(read_file(p, tmp_path, max_bytes=100))
    assert isinstance(item, Rejected) and "over the 100-byte limit" in item.reason


def test_discover_skips_hidden_unknown_and_symlink_loops(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("A\nb")
    (tmp_path / ".hidden.txt").write_text("A\nb")
    (tmp_path / "notes.md").write_text("x")
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "loop").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "d" / "b c é.HTML").write_text("<p>x</p>")
    assert [p.relative_to(tmp_path).as_posix() for p in discover(tmp_path)] == [
        "a.txt",
        "d/b c é.HTML",
    ]
