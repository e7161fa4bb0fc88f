"""Where reports read: the main database, or the seat's reports database (a PostgreSQL
streaming replica at a chain's head office, or a SQLite copy), read-only.

A replica that cannot be reached is said so, and the report is not run on the main
database in its place: the replica is there to keep heavy reports off the counter, and a
report quietly moved onto the counter's database when the replica is down would slow
every sale in the chain with nobody knowing why. Staff are told how to run it on the
main database on purpose (clear the setting). A replica behind the counter says how far,
on the report itself.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import datetime
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import peewee

from app.domain.errors import Refused
from db.reports_connection import (
    ENV,
    Replay,
    make_reports_database,
    reading_from,
    replay_of,
    reports_url,
    same_kind,
)

__all__ = ["freshness", "reading_reports", "reports_url"]

# A replica this close to the last change it replayed is as good as up to date.
BEHIND_S = 1.0

_databases: dict[str, peewee.Database] = {}
_lock = threading.Lock()


def _database(url: str) -> peewee.Database:
    """One Database object per reports URL (each thread gets its own connection from it)."""
    with _lock:
        if url not in _databases:
            _databases[url] = make_reports_database(url)
        return _databases[url]


def shown(url: str) -> str:
    """The URL without its password, fit for a message."""
    parsed = urlparse(url)
    if parsed.password:
        return urlunparse(parsed._replace(netloc=parsed.netloc.replace(parsed.password, "***")))
    return url


@contextmanager
def reading_reports(configured: str | None) -> Iterator[str]:
    """Run the block on the reports database (``configured``, or SERIALDESK_REPORTS_DB);
    yields the sentence to put on the report about where its figures come from ("" when
    it reads the main database)."""
    url = reports_url(configured)
    if url is None:
        yield ""
        return
    database = _database(url)
    if not same_kind(database):
        raise Refused(
            f"The reports database {shown(url)} is not the same kind as the main database "
            "(both PostgreSQL, or both SQLite): correct reports_database in the seat settings."
        )
    stack = ExitStack()
    try:
        stack.enter_context(reading_from(database))
    except peewee.OperationalError as exc:
        raise Refused(_unreachable(url, exc)) from None
    with stack:
        try:
            yield freshness(replay_of(database)) or _not_a_replica(url, database)
        except (peewee.OperationalError, peewee.InternalError) as exc:
            raise Refused(_failed(exc)) from None


def _reason(exc: Exception) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _unreachable(url: str, exc: Exception) -> str:
    return (
        f"The reports database {shown(url)} cannot be reached ({_reason(exc)}). The report "
        "was not run on the counter's database instead, to keep the counter quick: start "
        "the reports database again, or clear reports_database in the seat settings (or "
        f"{ENV}) to run reports on the main database."
    )


def _failed(exc: Exception) -> str:
    """What went wrong on the reports database while a report ran, in a sentence."""
    text = str(exc)
    if "read-only" in text or "readonly" in text:
        return (
            "Reports only read, and the reports database is read-only: this report tried "
            f"to write ({_reason(exc)}). Nothing was written."
        )
    if "conflict with recovery" in text:
        return (
            "The replica stopped this report to keep up with the counter's changes. "
            "Run it again; if it keeps happening, the replica's administrator can turn on "
            "hot_standby_feedback."
        )
    return f"The reports database failed while the report ran ({_reason(exc)}). Run it again."


def _not_a_replica(url: str, database: peewee.Database) -> str:
    """Where the figures come from when that is not a standby: a SQLite copy is as old as
    its last write; a PostgreSQL database that is not a standby follows nothing."""
    if isinstance(database, peewee.SqliteDatabase):
        path = Path(database.database.removeprefix("file:").split("?")[0])
        files = [f for f in (path, path.with_name(path.name + "-wal")) if f.exists()]
        if files:
            written = datetime.fromtimestamp(max(f.stat().st_mtime for f in files))
            return f"Figures from the copy {path.name}, last written {written:%Y-%m-%d %H:%M}."
        return f"Figures from the copy {path.name}."
    return f"Figures from {shown(url)}, which is not a replica: as current as its own writes."


def freshness(replay: Replay | None) -> str:
    """How current the figures are, in a sentence for the report ("" when not a replica)."""
    if replay is None or not replay.standby:
        return ""
    behind = replay.behind_s
    at = replay.last_replayed.astimezone().strftime("%H:%M:%S") if replay.last_replayed else ""
    if not replay.receiving:
        since = f"as of {at}" if at else "as of an unknown time"
        return (
            f"Figures {since}: the replica is not receiving the counter's changes, "
            "so anything after that is missing."
        )
    if replay.caught_up or behind is None or behind < BEHIND_S:
        now = replay.now.astimezone().strftime("%H:%M:%S")
        return f"Figures from the replica, up to date at {now}."
    return f"Figures as of {at}: the replica is {behind:.0f} s behind the counter."
