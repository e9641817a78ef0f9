"""Source names: what a raw folder is called in ids and in the ledger (`newsetl.sources`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from newsetl.config import Settings
from newsetl.errors import UsageError, configuration_message
from newsetl.sources import check_name, same_folder, source_name


def test_the_default_is_the_folder_name_not_its_path(tmp_path: Path) -> None:
    a, b = tmp_path / "x" / "scraperA", tmp_path / "y" / "scraperA"
    a.mkdir(parents=True)
    b.mkdir(parents=True)
    assert source_name(None, a) == source_name(None, b) == "scraperA"  # a move keeps it
    assert source_name("wire", a) == "wire"
    assert source_name(None, Path("/")) == "raw"


@pytest.mark.parametrize("bad", ["", "a/b", " lead", "trail ", "tab\there", "x" * 201])
def test_bad_names_are_refused_with_the_variable(bad: str) -> None:
    with pytest.raises(UsageError):
        check_name(bad)
    with pytest.raises(ValidationError) as caught:
        Settings(source=bad)
    message = configuration_message(caught.value)
    assert message.startswith("NEWSETL_SOURCE: ") and "pydantic" not in message


@given(st.text(min_size=1, max_size=200))
def test_a_name_is_accepted_exactly_when_it_cannot_be_confused_with_a_path(name: str) -> None:
    control = any(ord(c) < 32 or ord(c) == 127 for c in name)
    ok = "/" not in name and name == name.strip() and not control
    try:
        check_name(name)
    except UsageError:
        assert not ok
    else:
        assert ok


def test_same_folder_sees_through_a_symlink(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real)
    assert same_folder(tmp_path / "link", real)
    assert not same_folder(tmp_path / "gone", real)
