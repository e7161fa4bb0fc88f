"""The database handle: deferred, opened once per process on SQLite or PostgreSQL.

SQLite runs in WAL mode with foreign keys on and a busy timeout; every write
transaction begins with ``BEGIN IMMEDIATE`` so it holds the write lock from its
first read, and two seats can never both sell one unit. On PostgreSQL the same
guarantee comes from conditional updates (``... WHERE state = 'in_stock'``)
that re-check the row after waiting for its lock.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Mapping
from contextlib import ExitStack, contextmanager
from pathlib import Path
from urllib.parse import urlparse

import peewee
from platformdirs import user_data_dir

from db.connection import ALL_LANES, HISTORY_LOCK, db, is_sqlite, lock_sql
from db.migrations import Fill
from db.migrations import migrate as run_migrations
from db.private_files import create_private_file, make_private_folder
from db.write_queue import QueueTimeout, queue_for

# SQLite waits this long inside one attempt to take the write lock; write_transaction
# retries with backoff until BUSY_DEADLINE_S, then refuses with Busy (nothing saved).
BUSY_TIMEOUT_MS = 5_000
BUSY_DEADLINE_S = 30.0
# A wait for the write lock longer than this counts as a lock wait in STATS.
LOCK_WAIT_S = 0.02

STATS = {"transactions": 0, "lock_waits": 0, "lock_wait_s": 0.0, "retries": 0, "busy": 0}

# synchronous=FULL: a till can lose power; a sale reported complete must survive it.
# An 8 MB page cache and sorts in temporary files: a seat's memory stays flat however big
# the ledger grows (the system's file cache keeps the hot pages anyway; the interior
# pages a look-up walks fit in 8 MB many times over).
SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": BUSY_TIMEOUT_MS,
    "synchronous": "full",
    "cache_size": -8_000,
    "temp_store": "file",
}


class DatabaseBusy(RuntimeError):
    """Another seat held the write lock past the deadline; nothing was written."""


def default_url() -> str:
    """SERIALDESK_DB if set, else a SQLite file in the user's data dir."""
    env = os.environ.get("SERIALDESK_DB")
    if env:
        return env
    return str(Path(user_data_dir("serialdesk", appauthor=False)) / "serialdesk.db")


def is_postgres_url(url: str) -> bool:
    return urlparse(url).scheme in ("postgres", "postgresql")


def make_database(url: str) -> peewee.Database:
    """Build (not yet connect) the database for a URL or a SQLite file path."""
    if is_postgres_url(url):
        from playhouse.db_url import connect as connect_url  # psycopg2: db.drivers

        database = connect_url(url.replace("postgres://", "postgresql://", 1))
        database.connect_params.setdefault("connect_timeout", 10)
        return database
    path = url.removeprefix("sqlite:///") if url.startswith("sqlite:") else url
    if path != ":memory:":
        path = str(Path(path).expanduser())
        # Created here 0600 in a 0700 folder: SQLite gives -wal and -shm the file's mode.
        make_private_folder(Path(path).parent)
        create_private_file(path)
    return peewee.SqliteDatabase(
        path, pragmas=SQLITE_PRAGMAS, timeout=BUSY_TIMEOUT_MS / 1000, returning_clause=True
    )


def open_database(
    url: str | None = None, *, migrate: bool = True, fills: Mapping[int, Fill] | None = None
) -> peewee.Database:
    """Point the models at ``url`` (default: ``default_url()``) and bring its schema up to
    date; ``fills`` fill what a schema step added from the ledger (``db.migrations``)."""
    database = make_database(url or default_url())
    db.initialize(database)
    database.connect(reuse_if_open=True)
    if migrate:
        run_migrations(database, fills)
    return database


def close_database() -> None:
    if db.obj is not None and not db.is_closed():
        db.close()


@contextmanager
def write_transaction(branch: int | None = None, *, history: bool = True):
    """One all-or-nothing write that holds the write lock from its start.

    ``branch``: the branch whose counter work this is. On PostgreSQL it then holds that
    branch's history lane only, and branches write in parallel; without one (shop-wide
    work: the catalogue, settings, imports, anchors) it holds every lane; ``history=False``:
    a write that appends no history and touches no unit (a print job's state), which only
    waits for shop-wide work. On SQLite the file has one write lock. Nested calls become
    savepoints inside the outer transaction. A seat that finds the lock taken waits and
    retries; after ``BUSY_DEADLINE_S`` it raises ``DatabaseBusy`` (the services tell staff
    in their words: ``app.domain.errors.Busy``).
    """
    if db.transaction_depth() > 0:
        with db.atomic() as txn:
            yield txn
        return
    with ExitStack() as stack:
        started = time.monotonic()
        txn = _begin_with_retry(stack, started, branch, history)
        waited = time.monotonic() - started
        STATS["transactions"] += 1
        if waited > LOCK_WAIT_S:
            STATS["lock_waits"] += 1
            STATS["lock_wait_s"] += waited
        yield txn


QUIET_WAIT_S = 10.0  # how long an anchor looks for a moment no branch is writing


@contextmanager
def between_writes():
    """A transaction at a moment no write is open anywhere (an anchor's snapshot: no
    document below the top id is still uncommitted). On PostgreSQL it tries for the
    chain's lock without queueing for it, so a long receipt at one branch does not make
    every other branch wait behind the anchor; after ``QUIET_WAIT_S`` of a chain that is
    never quiet it queues like any shop-wide write. On SQLite: the file's write lock."""
    if is_sqlite() or db.transaction_depth() > 0:
        with write_transaction() as txn:
            yield txn
        return
    deadline = time.monotonic() + QUIET_WAIT_S
    with db.atomic() as txn:
        while time.monotonic() < deadline:
            if db.execute_sql(lock_sql(("pg_try_advisory_xact_lock", HISTORY_LOCK))).fetchone()[0]:
                break
            time.sleep(0.02)
        else:
            db.execute_sql(lock_sql(("pg_advisory_xact_lock", HISTORY_LOCK)))
        txn.history_lanes = ALL_LANES
        yield txn


def _begin_with_retry(stack: ExitStack, started: float, branch: int | None, history: bool):
    if is_sqlite():
        _queue_up(stack, started)
    delay = 0.02
    while True:
        try:
            if is_sqlite():
                return _begin_sqlite(stack, BUSY_DEADLINE_S - (time.monotonic() - started))
            txn = stack.enter_context(db.atomic())
            if not history:
                db.execute_sql(lock_sql(("pg_advisory_xact_lock_shared", HISTORY_LOCK)))
                txn.history_lanes = set()  # an append would take its lane
            elif branch is None:
                db.execute_sql(lock_sql(("pg_advisory_xact_lock", HISTORY_LOCK)))
                txn.history_lanes = ALL_LANES  # db.history appends without asking again
            else:
                db.execute_sql(
                    lock_sql(
                        ("pg_advisory_xact_lock_shared", HISTORY_LOCK),
                        ("pg_advisory_xact_lock", branch),
                    )
                )
                txn.history_lanes = {branch}
            return txn
        except peewee.OperationalError as exc:
            if not is_busy_error(exc):
                raise
            if time.monotonic() - started + delay > BUSY_DEADLINE_S:
                STATS["busy"] += 1
                raise DatabaseBusy(_busy_message()) from exc
        STATS["retries"] += 1
        time.sleep(delay * random.uniform(0.5, 1.5))
        delay = min(delay * 2, 1.0)


def _begin_sqlite(stack: ExitStack, seconds_left: float):
    """``BEGIN IMMEDIATE``. SQLite waits up to its busy timeout inside one attempt: near the
    deadline only as long as is left, so a seat gives up after 30 s, not 30 s and 5 more."""
    left_ms = int(seconds_left * 1000)
    if left_ms >= BUSY_TIMEOUT_MS:
        return stack.enter_context(db.atomic("IMMEDIATE"))
    db.execute_sql(f"PRAGMA busy_timeout = {max(1, left_ms)}")
    try:
        return stack.enter_context(db.atomic("IMMEDIATE"))
    finally:
        db.execute_sql(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")


def _queue_up(stack: ExitStack, started: float) -> None:
    """Wait for this seat's turn in the file's write queue (first come, first served);
    the turn is held until the transaction has committed or rolled back."""
    queue = queue_for(db.obj.database)
    if queue is None:
        return
    try:
        stack.enter_context(queue.turn(started + BUSY_DEADLINE_S))
    except QueueTimeout:
        STATS["busy"] += 1
        raise DatabaseBusy(_busy_message()) from None


def _busy_message() -> str:
    return (
        f"Another seat kept the database busy for {BUSY_DEADLINE_S:.0f} seconds. "
        "Nothing was saved; try again."
    )


# PostgreSQL: a deadlock between two transactions, or a serialization failure. Branches
# write at once, so two seats changing the same rows in opposite orders can meet; the
# server rolls one back, which has saved nothing and may simply try again.
CONFLICT_CODES = {"40P01", "40001"}


def is_conflict_error(exc: BaseException) -> bool:
    """Did PostgreSQL roll this transaction back for a conflict with another seat's?"""
    for error in (exc, getattr(exc, "orig", None), exc.__cause__, exc.__context__):
        if getattr(error, "pgcode", None) in CONFLICT_CODES:
            return True
    return False


def is_busy_error(exc: Exception) -> bool:
    """SQLite's "database is locked" / "busy": another seat holds the write lock."""
    text = str(exc).lower()
    return "locked" in text or "busy" in text
