"""The connection reports read through: a read-only database beside the main one (a
PostgreSQL streaming replica, or a SQLite file opened read-only), for one block of code in
one thread.

The models stay bound to ``db``. Peewee keeps one connection per thread for each database,
so for the length of a report the calling thread's connection to the main database is set
aside and the reports connection put in its place: every query the report makes in this
thread, look-ups included, goes to the reports database, while the seat's other threads
(the screen, a sale finishing in another worker) keep the main one. ``Database.bind_ctx``
cannot do this: it rebinds the models for every thread at once (``Metadata.database`` is
one attribute), so a sale made while a report runs would go to the read-only replica.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import peewee

from db.connection import db
from db.database import BUSY_TIMEOUT_MS, is_postgres_url

ENV = "SERIALDESK_REPORTS_DB"
# Every transaction on the reports connection is read-only: a write is refused by the server.
READ_ONLY = "-c default_transaction_read_only=on"
CONNECT_TIMEOUT_S = 5
RECHECKS = 3


def reports_url(configured: str | None) -> str | None:
    """SERIALDESK_REPORTS_DB if set (set but empty: the main database), else ``configured``
    (the seat's ``reports_database``); None means reports read the main database."""
    env = os.environ.get(ENV)
    if env is not None:
        return env.strip() or None
    return (configured or "").strip() or None


def make_reports_database(url: str) -> peewee.Database:
    """Build (not yet connect) a read-only database for a URL or a SQLite file path."""
    if is_postgres_url(url):
        from playhouse.db_url import connect as connect_url  # psycopg2: db.drivers

        database = connect_url(url.replace("postgres://", "postgresql://", 1))
        params = database.connect_params
        params.setdefault("connect_timeout", CONNECT_TIMEOUT_S)
        params.setdefault("application_name", "serialdesk-reports")
        params["options"] = " ".join(filter(None, [params.get("options"), READ_ONLY]))
        return database
    path = Path(url.removeprefix("sqlite:///") if url.startswith("sqlite:") else url)
    # mode=ro: never created, never written (query_only as well, should a pragma slip by).
    uri = f"{path.expanduser().resolve().as_uri()}?mode=ro"
    return peewee.SqliteDatabase(
        uri,
        uri=True,
        pragmas={"query_only": 1, "cache_size": -8_000, "temp_store": "file"},
        timeout=BUSY_TIMEOUT_MS / 1000,
    )


def same_kind(database: peewee.Database) -> bool:
    """Whether ``database`` speaks the main database's SQL (both SQLite or both PostgreSQL)."""
    main = db.obj
    if isinstance(main, peewee.SqliteDatabase):
        return isinstance(database, peewee.SqliteDatabase)
    return isinstance(database, peewee.PostgresqlDatabase) and isinstance(
        main, peewee.PostgresqlDatabase
    )


@contextmanager
def reading_from(database: peewee.Database) -> Iterator[peewee.Database]:
    """Within the block, this thread's queries through ``db`` run on ``database``.

    Connects first (``peewee.OperationalError`` when it cannot be reached) and closes the
    connection afterwards; the thread's own connection to the main database, open or not,
    is put back as it was."""
    if not same_kind(database):
        raise ValueError("the reports database is not the same kind as the main database")
    state = db.obj._state  # this thread's connection state (a threading.local)
    if state.transactions:
        raise RuntimeError("a report cannot read another database inside a transaction")
    database.connect(reuse_if_open=True)
    saved = dict(vars(state))  # this thread's: connection, closed, transactions...
    state.set_connection(database.connection())
    try:
        yield database
    finally:
        vars(state).clear()
        vars(state).update(saved)
        database.close()


@dataclass(frozen=True)
class Replay:
    """How current a PostgreSQL standby is, as it knows itself."""

    standby: bool  # False: not in recovery (a primary, or a promoted replica)
    caught_up: bool  # it has replayed all the changes it received
    receiving: bool  # its WAL receiver is connected to the primary
    last_replayed: datetime | None  # commit time of the last change replayed
    now: datetime

    @property
    def behind_s(self) -> float | None:
        """Seconds since the last change replayed (None: nothing replayed since start)."""
        if self.last_replayed is None:
            return None
        return max(0.0, (self.now - self.last_replayed).total_seconds())


def replay_of(database: peewee.Database) -> Replay | None:
    """How far ``database`` (a PostgreSQL standby) has replayed; None on SQLite.

    WAL that is not a commit (a checkpoint, a snapshot of running transactions) is
    replayed as soon as it arrives; a standby of an idle primary caught in that moment
    would count the whole idle time since the last commit as lag. So a standby found
    behind is asked again, a few times 50 ms apart, before it is taken to be behind."""
    if not isinstance(database, peewee.PostgresqlDatabase):
        return None
    for attempt in range(RECHECKS):
        if attempt:
            time.sleep(0.05)
        row = database.execute_sql(
            "SELECT pg_is_in_recovery(),"
            " pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn(),"
            " EXISTS (SELECT 1 FROM pg_stat_wal_receiver),"
            " pg_last_xact_replay_timestamp(), now()"
        ).fetchone()
        replay = Replay(bool(row[0]), bool(row[1]), bool(row[2]), row[3], row[4])
        if not replay.standby or replay.caught_up:
            break
    return replay
