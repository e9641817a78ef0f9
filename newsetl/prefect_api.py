"""The Prefect API a command talks to: the configured one, else a local server in the state folder.

With PREFECT_API_URL unset, Prefect falls back to a temporary server inside each command. That
server runs no scheduler (so `newsetl serve` never fires a scheduled run), takes the command's
Ctrl-C with it (so the interrupted flow run stays RUNNING in its database for ever), and is
started afresh by every command. newsetl starts `prefect server start` instead: once, in
`<state_dir>/prefect`, in a session of its own so a terminal's Ctrl-C does not reach it, and
reuses it until `newsetl es down`.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class PrefectServerError(RuntimeError):
    """The local Prefect server could not be started; the message says where its log is."""


def configured_url() -> str | None:
    """PREFECT_API_URL from the environment or the active Prefect profile, if any."""
    from prefect.settings import get_current_settings

    url = get_current_settings().api.url
    return str(url) if url else None


def _healthy(api: str) -> bool:
    try:
        with urllib.request.urlopen(f"{api}/health", timeout=2) as resp:
            return bool(resp.status == 200)
    except OSError:
        return False


def _pid(pid_file: Path) -> int | None:
    try:
        pid = int(pid_file.read_text().strip())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None
    return pid


class LocalPrefect:
    """`prefect server start` on 127.0.0.1:`port`, its database and log under `home`."""

    def __init__(self, state_dir: Path, port: int) -> None:
        self.home = state_dir.resolve() / "prefect"
        self.port = port

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    @property
    def pid_file(self) -> Path:
        return self.home / "server.pid"

    def up(self, timeout: float = 180) -> str:
        """Start the server unless it answers already; return its API URL."""
        if _healthy(self.api_url):
            return self.api_url
        if _pid(self.pid_file) is None:
            self.home.mkdir(parents=True, exist_ok=True)
            env = {
                **os.environ,
                "PREFECT_HOME": str(self.home),
                "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
                "PREFECT_API_URL": self.api_url,
            }
            command = [sys.executable, "-m", "prefect", "server", "start"]
            with open(self.home / "server.log", "ab") as log:
                proc = subprocess.Popen(
                    [*command, "--host", "127.0.0.1", "--port", str(self.port)],
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    start_new_session=True,  # a terminal's Ctrl-C must not stop it
                )
            self.pid_file.write_text(str(proc.pid))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if _healthy(self.api_url):
                return self.api_url
            if _pid(self.pid_file) is None:
                break
            time.sleep(0.5)
        raise PrefectServerError(
            f"the local Prefect server on port {self.port} did not start; "
            f"see {self.home / 'server.log'} (or set PREFECT_API_URL to a server of yours)"
        )

    def down(self, timeout: float = 20) -> bool:
        """Stop the server this state folder started; False when none was running."""
        pid = _pid(self.pid_file)
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return False
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGTERM)  # the server and its workers: one session
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and _pid(self.pid_file):
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)
            time.sleep(0.2)
        if _pid(self.pid_file):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
        self.pid_file.unlink(missing_ok=True)
        return True


@contextmanager
def prefect_api(state_dir: Path, port: int) -> Iterator[str]:
    """Run the block against the configured Prefect API, or the state folder's local server."""
    url = configured_url()
    if url:
        yield url
        return
    from prefect.settings import PREFECT_API_URL, temporary_settings

    url = LocalPrefect(state_dir, port).up()
    os.environ["PREFECT_API_URL"] = url  # for the processes the run starts (Dask workers)
    try:
        with temporary_settings(updates={PREFECT_API_URL: url}):
            yield url
    finally:
        os.environ.pop("PREFECT_API_URL", None)
