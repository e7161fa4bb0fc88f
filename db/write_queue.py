"""Seats take a SQLite file's write lock in the order they asked for it.

SQLite's own busy handler polls in growing sleeps (up to 100 ms), while the seat that
has just committed takes the lock again at once: in a race for 100 units one seat got
66 and five got none, and the worst sale waited 8 s. So every SerialDesk write on a
SQLite file first queues here, in a CLH queue (Craig, Landin and Hagersten) made of
lock files in a folder beside the database:

- a writer creates a file of its own and holds an exclusive ``flock`` on it;
- under a short mutex it reads the queue's tail (the writer before it) and names its
  own file as the new tail;
- it waits until the file before it is unlocked, deletes that file (it is the only one
  waiting on it), writes, and unlocks its own file: the writer after it goes next.

Waiting is on a file of the writer just ahead, so the order is first come, first
served whatever the scheduler does. The kernel drops a killed seat's locks, so a dead
seat never blocks the queue. Writers outside SerialDesk (the sqlite3 shell, a backup
tool) do not queue; they still meet SQLite's busy handling, which stays in place.
"""

from __future__ import annotations

import fcntl
import itertools
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_numbers = itertools.count()

# Off only to measure what the queue is worth (bench/seats.py --no-queue).
ENABLED = True


class QueueTimeout(Exception):
    """The writer ahead did not finish before the deadline."""


class WriteQueue:
    """The queue of writers of one SQLite file."""

    def __init__(self, database_path: str | Path) -> None:
        self.folder = Path(f"{database_path}-writers")
        # Whoever may write the database may queue for it: the files take its mode.
        try:
            self.mode = os.stat(database_path).st_mode & 0o666 or 0o600
        except FileNotFoundError:
            self.mode = 0o600
        self.folder.mkdir(mode=self.mode | (self.mode & 0o444) >> 2, exist_ok=True)
        self._tail = self.folder / "tail"
        self._mutex = self.folder / "mutex"

    @contextmanager
    def turn(self, deadline: float) -> Iterator[None]:
        """Wait for this writer's turn (``time.monotonic()`` deadline), hold it inside."""
        mine = self.folder / f"w-{os.getpid()}-{threading.get_ident()}-{next(_numbers)}"
        fd = os.open(mine, os.O_CREAT | os.O_RDWR, self.mode)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)  # nobody can know the file yet: immediate
            ahead = self._join(mine.name)
            if ahead and ahead != mine.name:
                self._wait_for(self.folder / ahead, deadline)
            yield
        finally:
            # The writer behind us (if any) goes now; it deletes our file. If nobody is
            # behind, the next writer finds the file unlocked and deletes it.
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def _join(self, name: str) -> str:
        """Name ``name`` as the tail; return the name of the writer before it ("" if none)."""
        fd = os.open(self._mutex, os.O_CREAT | os.O_RDWR, self.mode)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            tail = os.open(self._tail, os.O_CREAT | os.O_RDWR, self.mode)
            try:
                ahead = os.pread(tail, 256, 0).decode("ascii", "replace").strip()
                os.ftruncate(tail, 0)
                os.pwrite(tail, name.encode("ascii"), 0)
            finally:
                os.close(tail)
            return ahead
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def _wait_for(self, ahead: Path, deadline: float) -> None:
        try:
            fd = os.open(ahead, os.O_RDWR)
        except FileNotFoundError:
            return  # its writer finished and the file was cleared away: nobody ahead
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            waiter = _Waiter(ahead, fd)
            if not waiter.wait(deadline):
                raise QueueTimeout from None  # the waiter closes the file once it is free
        ahead.unlink(missing_ok=True)
        os.close(fd)


class _Waiter(threading.Thread):
    """Blocks on the lock of the file ahead, so the turn is taken the moment it is freed
    (no polling delay); the caller waits on it with a deadline and may give up."""

    def __init__(self, path: Path, fd: int) -> None:
        super().__init__(name="serialdesk-write-queue", daemon=True)
        self.path, self.fd = path, fd
        self.done = threading.Event()
        self.guard = threading.Lock()
        self.given_up = False
        self.start()

    def run(self) -> None:
        fcntl.flock(self.fd, fcntl.LOCK_EX)
        with self.guard:
            self.done.set()
            given_up = self.given_up
        if given_up:  # nobody else waits on that file: clear it away
            self.path.unlink(missing_ok=True)
            os.close(self.fd)

    def wait(self, deadline: float) -> bool:
        """True once the file ahead is free; False if the deadline came first."""
        if self.done.wait(max(0.0, deadline - time.monotonic())):
            return True
        with self.guard:
            if self.done.is_set():
                return True
            self.given_up = True
            return False


_queues: dict[str, WriteQueue] = {}
_queues_lock = threading.Lock()


def queue_for(database_path: str) -> WriteQueue | None:
    """The write queue of a SQLite file (None for an in-memory database)."""
    if not ENABLED or database_path in ("", ":memory:") or database_path.startswith("file:"):
        return None
    with _queues_lock:
        queue = _queues.get(database_path)
        if queue is None:
            queue = _queues[database_path] = WriteQueue(database_path)
        return queue
