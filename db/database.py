"""The database handle: deferred, opened once per process on SQLite or PostgreSQL.

SQLite runs in WAL mode with foreign keys on and a busy timeout; every write
transaction begins with ``BEGIN IMMEDIATE`` so it holds the write lock from its
first read, and two seats can never both sell one unit. On PostgreSQL the same
guarantee comes from conditional updates (``... WHERE state = 'in_stock'``)
that re-check the row after waiting for its lock.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import peewee
from platformdirs import user_data_dir
from playhouse.db_url import connect as connect_url

db = peewee.DatabaseProxy()

BUSY_TIMEOUT_MS = 15_000

# synchronous=FULL: a till can lose power; a sale reported complete must survive it.
SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": BUSY_TIMEOUT_MS,
    "synchronous": "full",
    "cache_size": -64_000,
    "temp_store": "memory",
}


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
        database = connect_url(url.replace("postgres://", "postgresql://", 1))
        database.connect_params.setdefault("connect_timeout", 10)
        return database
    path = url.removeprefix("sqlite:///") if url.startswith("sqlite:") else url
    if path != ":memory:":
        Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
        path = str(Path(path).expanduser())
    return peewee.SqliteDatabase(
        path, pragmas=SQLITE_PRAGMAS, timeout=BUSY_TIMEOUT_MS / 1000, returning_clause=True
    )


def open_database(url: str | None = None, *, migrate: bool = True) -> peewee.Database:
    """Point the models at ``url`` (default: ``default_url()``) and bring its schema up to date."""
    database = make_database(url or default_url())
    db.initialize(database)
    database.connect(reuse_if_open=True)
    if migrate:
        from db.migrations import migrate as run_migrations

        run_migrations(database)
    return database


def close_database() -> None:
    if db.obj is not None and not db.is_closed():
        db.close()


def is_sqlite() -> bool:
    return isinstance(db.obj, peewee.SqliteDatabase)


@contextmanager
def write_transaction():
    """One all-or-nothing write that holds the write lock from its start.

    Nested calls become savepoints inside the outer transaction.
    """
    if is_sqlite() and db.transaction_depth() == 0:
        with db.atomic("IMMEDIATE") as txn:
            yield txn
    else:
        with db.atomic() as txn:
            yield txn
