"""One writing run per index at a time: a lock document in the cluster, held on a lease.

A Prefect tag concurrency limit did this before, and a run killed by Ctrl-C left its slot
taken for ever: every later run waited without a word. This lock cannot be left behind:
its holder renews a short lease while it runs, so a killed holder's lock expires by itself
(at once when the holder was a process of this machine that is no longer alive), and a run
that has to wait says for whom, once. Runs on other machines share the lock: it lives in the
cluster they all write to, in `newsetl-locks`, one document per locked index.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from elasticsearch import ApiError, ConflictError, Elasticsearch, NotFoundError

LOCK_INDEX = "newsetl-locks"
LEASE_SECONDS = 60.0  # a holder renews every third of this; a dead one frees the index after it
POLL_SECONDS = 2.0


def _now() -> float:
    return time.time()


def _stamp(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="seconds")


_held_here: set[str] = set()  # owners of the locks this process holds right now


def _alive_here(holder: dict[str, Any]) -> bool:
    """False only when the holder ran on this machine and is gone: its process ended, or it
    is this process and no longer holds it (a release the cluster did not get, in an outage)."""
    if holder.get("host") != socket.gethostname():
        return True
    if holder.get("pid") == os.getpid():
        return holder.get("owner") in _held_here
    try:
        os.kill(int(holder.get("pid", 0)), 0)
    except ProcessLookupError:
        return False
    except (OSError, ValueError):
        return True
    return True


def describe(holder: dict[str, Any]) -> str:
    return (
        f"run {holder.get('run') or '?'} (pid {holder.get('pid')} on {holder.get('host')}), "
        f"holding it since {_stamp(float(holder.get('since', 0)))}"
    )


def holder_of(client: Elasticsearch, index: str) -> dict[str, Any] | None:
    """Who holds the lock on `index` now (an expired lease counts as free), or None."""
    try:
        found = client.get(index=LOCK_INDEX, id=index)
    except NotFoundError:
        return None
    holder: dict[str, Any] = found["_source"]
    if float(holder.get("expires", 0)) < _now() or not _alive_here(holder):
        return None
    return holder


def break_lock(client: Elasticsearch, index: str) -> bool:
    """Remove the lock on `index` whoever holds it (recovery by hand); False if there was none."""
    try:
        client.delete(index=LOCK_INDEX, id=index, refresh=True)
    except NotFoundError:
        return False
    return True


class IndexLock:
    """The lock on one index for one run; use `hold(...)`."""

    def __init__(
        self,
        client: Elasticsearch,
        index: str,
        *,
        run: str = "",
        lease: float = LEASE_SECONDS,
        poll: float = POLL_SECONDS,
        log: Callable[[str], None] = print,
    ) -> None:
        self.client, self.index, self.lease, self.poll, self.log = client, index, lease, poll, log
        self.owner = uuid.uuid4().hex
        self.run = run
        self.since = 0.0
        self._version: tuple[int, int] | None = None  # (seq_no, primary_term) of our document
        self._stop = threading.Event()
        self._renewer: threading.Thread | None = None
        self.lost = False

    def _doc(self) -> dict[str, Any]:
        return {
            "owner": self.owner,
            "run": self.run,
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "since": self.since,
            "expires": _now() + self.lease,
        }

    def _ensure_index(self) -> None:
        if not self.client.indices.exists(index=LOCK_INDEX):
            self.client.options(ignore_status=400).indices.create(
                index=LOCK_INDEX,
                settings={"number_of_shards": 1, "number_of_replicas": 0},
                mappings={"dynamic": False, "properties": {"expires": {"type": "double"}}},
            )

    def _try(self) -> dict[str, Any] | None:
        """Take the lock if free (or expired, or its holder is dead); else return the holder."""
        self.since = _now()
        try:
            resp = self.client.index(
                index=LOCK_INDEX, id=self.index, document=self._doc(), op_type="create"
            )
        except ConflictError:
            pass
        else:
            self._version = (resp["_seq_no"], resp["_primary_term"])
            _held_here.add(self.owner)
            return None
        try:
            found = self.client.get(index=LOCK_INDEX, id=self.index)
        except NotFoundError:
            return {}  # released between the two calls: try again at once
        holder: dict[str, Any] = found["_source"]
        if float(holder.get("expires", 0)) >= _now() and _alive_here(holder):
            return holder
        try:  # take over an expired lease, unless someone else just did
            resp = self.client.index(
                index=LOCK_INDEX,
                id=self.index,
                document=self._doc(),
                if_seq_no=found["_seq_no"],
                if_primary_term=found["_primary_term"],
            )
        except ConflictError:
            return {}
        self.log(f"took over the write lock on {self.index} from {describe(holder)} (gone)")
        self._version = (resp["_seq_no"], resp["_primary_term"])
        _held_here.add(self.owner)
        return None

    def _refusable_try(self, said: str | None) -> dict[str, Any] | None:
        """`_try`, with a cluster that refuses the write (a full write queue) waited out:
        said once, as a wait, not a failed run."""
        try:
            return self._try()
        except ApiError as exc:
            if exc.meta.status != 429:
                raise
            if said != "refused":
                self.log(f"waiting for the write lock on {self.index}: the cluster refused "
                         "the write (429, its write queue is full); trying again")
            return {"refused": True}

    def acquire(self, timeout: float | None = None) -> None:
        self._ensure_index()
        started = _now()
        said: str | None = None
        while (holder := self._refusable_try(said)) is not None:
            if holder.get("refused"):
                said = "refused"
                time.sleep(self.poll)
                continue
            if holder and holder.get("owner") != said:
                said = holder.get("owner")
                self.log(
                    f"waiting for the write lock on {self.index}: {describe(holder)}; "
                    f"it frees itself within {self.lease:.0f}s of that run stopping"
                )
            if timeout is not None and _now() - started > timeout:
                taken = describe(holder)
                raise TimeoutError(f"the write lock on {self.index} stayed taken: {taken}")
            if holder:
                time.sleep(self.poll)
        self._renewer = threading.Thread(target=self._renew, name=f"lock-{self.index}", daemon=True)
        self._renewer.start()

    def _renew(self) -> None:
        while not self._stop.wait(self.lease / 3):
            assert self._version is not None
            try:
                resp = self.client.index(
                    index=LOCK_INDEX,
                    id=self.index,
                    document=self._doc(),
                    if_seq_no=self._version[0],
                    if_primary_term=self._version[1],
                )
            except (ConflictError, NotFoundError):
                self.lost = True
                self.log(f"lost the write lock on {self.index}: another run took it over")
                return
            except Exception:  # an unreachable cluster: try again next beat
                continue
            self._version = (resp["_seq_no"], resp["_primary_term"])

    def release(self) -> None:
        self._stop.set()
        if self._renewer is not None:  # a renewal in flight would move the version on, and
            self._renewer.join(timeout=self.lease / 3)  # the delete below would then miss
        _held_here.discard(self.owner)
        if self._version is None or self.lost:
            return
        try:
            self.client.delete(
                index=LOCK_INDEX,
                id=self.index,
                if_seq_no=self._version[0],
                if_primary_term=self._version[1],
                refresh=True,
            )
        except (ConflictError, NotFoundError):
            pass
        except Exception as exc:  # the lease frees it soon anyway
            self.log(f"could not release the write lock on {self.index} ({exc}); it expires")


@contextmanager
def hold(client: Elasticsearch, index: str, **options: Any) -> Iterator[IndexLock]:
    """Hold the write lock on `index` for the block; released however the block ends."""
    lock = IndexLock(client, index, **options)
    lock.acquire()
    try:
        yield lock
    finally:
        lock.release()


@contextmanager
def hold_live(
    client: Elasticsearch, resolve: Callable[[], str], **options: Any
) -> Iterator[IndexLock]:
    """Hold the write lock of the index an alias points at (`resolve()`), looked up again
    once the lock is held: a reindex holds the live index's lock until it has swapped the
    alias, so a run that waited for it writes into the new index, never the replaced one."""
    while True:
        index = resolve()
        with hold(client, index, **options) as lock:
            if resolve() == index:
                yield lock
                return
        options.get("log", print)(f"{index} was replaced while waiting; locking the new index")
