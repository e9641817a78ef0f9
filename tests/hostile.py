"""A corpus of hostile and broken raw files, built by the tests themselves.

Each case names the file and the outcome it must end in: indexed, or quarantined with a
reason that starts with the given text.
"""

from __future__ import annotations

import codecs
import gzip
import json
import os
from dataclasses import dataclass
from pathlib import Path

STORY = (
    "Harbour plan approved\n\n"
    "LISBON (Reuters) - The city council approved the harbour plan on Monday after a long "
    "debate, officials said.\n\nWork is expected to start next year.\n"
)
BIG_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class Case:
    name: str  # relative path of the raw file
    outcome: str  # "indexed" or the start of the quarantine reason
    line: int | None = None


def build(raw: Path) -> list[Case]:
    """Write the corpus under `raw`; return the expected outcome of every record."""
    cases: list[Case] = []

    def put(name: str, data: bytes | str, outcome: str) -> None:
        path = raw / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        cases.append(Case(name, outcome))

    put("empty.txt", b"", "empty file")
    put("whitespace.txt", " \n\t \n", "empty file")
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 16
    put("image.html", png, "undecodable")
    put("invalid-utf8.txt", STORY.encode() + b"\xff\xfe\xc3\x28 trailing", "indexed")
    put("utf16-bom.txt", codecs.BOM_UTF16_LE + STORY.encode("utf-16-le"), "indexed")
    put("cp1252.txt", STORY.replace("debate", "débat “long”").encode("cp1252"), "indexed")
    put("latin1.txt", STORY.replace("debate", "Größe café").encode("latin-1"), "indexed")
    put("mojibake.txt", STORY.replace("council", "councilâ€™s"), "indexed")
    with (raw / "huge.txt").open("wb") as f:
        f.write(b"Title\n")
        f.truncate(BIG_BYTES)
    cases.append(Case("huge.txt", "file is"))
    put("no-body.html", "<html><head><title>Only a head</title></head></html>", "no article text")
    deep = "<div>" * 10_000 + "<p>" + STORY.split("\n\n")[1] + "</p>" + "</div>" * 10_000
    put("deep.html", f"<html><body>{deep}</body></html>", "HTML nested 10003 levels deep")
    put("syntax.json", '{"url": "https://e.org/a", "text": ', "invalid JSON")
    put("title-int.json", json.dumps({"title": 42, "text": STORY}), "field for 'title'")
    put(
        "date-yesterday.json",
        json.dumps({"url": "https://e.org/y", "title": "T", "text": STORY, "date": "yesterday"}),
        "indexed",
    )
    lines = [
        json.dumps({"url": "https://e.org/1", "title": "One", "text": STORY}),
        "{not json",
        json.dumps({"url": "https://e.org/3", "title": "Three", "text": STORY}),
    ]
    (raw / "feed.jsonl").write_text("\n".join(lines) + "\n")
    cases += [
        Case("feed.jsonl", "indexed", 1),
        Case("feed.jsonl", "invalid JSON", 2),
        Case("feed.jsonl", "indexed", 3),
    ]
    put("cut.txt.gz", gzip.compress(STORY.encode() * 50)[:60], "corrupt or truncated gzip")
    (raw / "loop").mkdir()
    (raw / "loop" / "again").symlink_to(raw, target_is_directory=True)
    (raw / "dangling.txt").symlink_to(raw / "does-not-exist.txt")
    cases.append(Case("dangling.txt", "FileNotFoundError"))
    put("with space é.txt", STORY, "indexed")
    put("new\nline.txt", STORY, "indexed")
    if os.geteuid() != 0:  # root reads anything: the permission case needs a normal user
        put("locked.txt", STORY, "PermissionError")
        (raw / "locked.txt").chmod(0)
    return cases
