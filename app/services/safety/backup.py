"""Backups of the shop's SQLite file while seats keep selling, and restoring one.

A backup is SQLite's online backup API in one step: one read snapshot, so the
copy is consistent however busy the seats are, and no seat waits for it (WAL).
The copy is checked (``PRAGMA integrity_check``, schema version) before it is
given its name, so a file called a backup is one. PostgreSQL has its own tools:
``POSTGRES_HELP`` says which.
"""

from __future__ import annotations

import os
import sqlite3
import time
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from app.domain.errors import Busy, Refused
from app.domain.roles import Action
from app.domain.serials import plain_text
from app.services.access.context import Context
from db.connection import db, is_sqlite
from db.database import BUSY_DEADLINE_S, BUSY_TIMEOUT_MS
from db.history import HEADS_SQL, heads_of, heads_text
from db.migrations import LANES_VERSION, LATEST
from db.number_floor import raise_floor
from db.private_files import create_private_file, make_private_folder
from db.write_queue import QueueTimeout, queue_for

POSTGRES_HELP = (
    "This shop runs on PostgreSQL: back it up with its own tools. Backup: "
    "pg_dump -Fc -f serialdesk.dump 'URL' (consistent while seats sell). Restore into an "
    "empty database, all seats stopped: pg_restore --clean --if-exists -d 'URL' serialdesk.dump."
)


@dataclass(frozen=True)
class BackupResult:
    path: str
    bytes: int
    schema_version: int
    history_rows: int
    history_head: str
    removed: tuple[str, ...] = ()


@dataclass(frozen=True)
class BackupInfo:
    """What a backup file holds, checked before a restore."""

    path: str
    schema_version: int
    history_rows: int
    history_head: str


def live_path() -> Path:
    """The SQLite file the seats use; refuse on PostgreSQL with how to back it up."""
    if not is_sqlite():
        raise Refused(POSTGRES_HELP)
    return Path(db.obj.database)


def backup(path: str | os.PathLike, *, overwrite: bool = False) -> BackupResult:
    """Copy the live database to ``path`` consistently, while seats keep working."""
    live = live_path()
    target = Path(plain_text(str(path), "backup path")).expanduser()
    if target.is_dir():
        target = target / f"{live.stem}-{datetime.now(UTC):%Y%m%d-%H%M%S}.db"
    if target.exists() and not overwrite:
        raise Refused(f"{target} already exists. Choose a new name.")
    if target.resolve() == live.resolve():
        raise Refused("A backup cannot overwrite the live database.")
    info = _copy(db.connection(), target)
    _anchor(target, copy_head=info.history_head)
    return BackupResult(
        str(target),
        target.stat().st_size,
        info.schema_version,
        info.history_rows,
        info.history_head,
    )


def _anchor(target: Path, why: str = "backup", **extra) -> None:
    """Every backup and restore anchors the history on this seat (a restore starts the
    anchors afresh); a seat without the key, or a database kept busy past the deadline,
    skips it: the copy is made, and a backup must not fail for that."""
    from app.services.safety import integrity  # integrity's checks are not backup's imports

    try:
        integrity.anchor(why, backup=target.name, **extra)
    except (Refused, Busy):
        pass


def _copy(source: sqlite3.Connection, target: Path) -> BackupInfo:
    """``source`` copied to ``target`` in one read snapshot, checked, then given its name.
    The copy holds the PIN hashes: it is made 0600 in a 0700 folder, whatever the umask."""
    make_private_folder(target.parent)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    create_private_file(partial)
    copy = sqlite3.connect(partial)
    try:
        source.backup(copy)  # all pages in one step: one consistent snapshot
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        copy.commit()
    finally:
        copy.close()
    _fsync(partial)
    try:
        info = inspect(partial)
    except Refused:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, target)
    _fsync(target.parent)
    return info


def rotate(keep: int, directory: str | os.PathLike | None = None) -> BackupResult:
    """Today's backup in the data dir's ``backups`` folder; keep the newest ``keep`` days."""
    if keep < 1:
        raise Refused("Keep at least one backup (--rotate 1 or more).")
    live = live_path()
    folder = Path(directory) if directory else live.parent / "backups"
    result = backup(folder / f"{live.stem}-{datetime.now().date().isoformat()}.db", overwrite=True)
    daily = sorted(folder.glob(f"{live.stem}-????-??-??.db"), reverse=True)
    removed = []
    for old in daily[keep:]:
        old.unlink()
        removed.append(str(old))
    return BackupResult(**{**result.__dict__, "removed": tuple(removed)})


def inspect(path: str | os.PathLike) -> BackupInfo:
    """Check a backup file: a whole SQLite file, a SerialDesk schema this version can run."""
    file = Path(plain_text(str(path), "backup path")).expanduser()
    if not file.is_file():
        raise Refused(f"There is no backup file {file}.")
    try:
        conn = sqlite3.connect(f"file:{file}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise Refused(f"{file} cannot be opened: {exc}.") from None
    try:
        check = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
        if check != ["ok"]:
            raise Refused(f"{file} is damaged: {check[0]}.")
        version = conn.execute("SELECT MAX(version) FROM schema_version").fetchone()[0]
        rows = conn.execute("SELECT COUNT(*) FROM unit_event").fetchone()[0]
        if version is not None and version >= LANES_VERSION:
            found = heads_of(conn.execute(HEADS_SQL).fetchall())
        else:  # one chain, from before lanes
            last = conn.execute(
                "SELECT seq, hash FROM unit_event WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1"
            ).fetchone()
            found = heads_of([(0, *last)] if last else [])
    except sqlite3.DatabaseError as exc:
        raise Refused(f"{file} is not a SerialDesk database ({exc}).") from None
    finally:
        conn.close()
    if not version or version > LATEST:
        raise Refused(f"{file} is at schema version {version}; this SerialDesk runs {LATEST}.")
    return BackupInfo(str(file), version, rows, heads_text(found) if rows else "empty")


def restore(ctx: Context, path: str | os.PathLike) -> BackupInfo:
    """Replace the live database with a checked backup, in one step under the write lock.

    A manager's job. A safety copy of the live database (``backups/before-restore-*.db``)
    is taken under the same lock, so every sale a seat was told is saved is in the
    restored file or in that copy. Document numbers go on above the highest one issued
    before the restore (``db.number_floor``): a number on a receipt is never issued again.
    Seats that stay open see the restored data from their next transaction on.
    """
    ctx.require(Action.SETTINGS)
    info = inspect(path)
    live = live_path()
    safety = live.parent / "backups" / f"before-restore-{datetime.now(UTC):%Y%m%d-%H%M%S}.db"
    with ExitStack() as stack:
        # Seats queue for the write lock (db/write_queue.py): the restore takes its turn
        # like a sale, so no seat's write is waiting half-way when the file changes.
        queue = queue_for(db.obj.database)
        if queue is not None:
            try:
                stack.enter_context(queue.turn(time.monotonic() + BUSY_DEADLINE_S))
            except QueueTimeout:
                raise Busy(
                    f"Seats kept the database busy for {BUSY_DEADLINE_S:.0f} seconds. "
                    "Nothing was restored; try again."
                ) from None
        check = _replace(live, Path(plain_text(str(path), "backup path")).expanduser(), safety)
    if check != ["ok"]:
        raise Refused(f"The restored database fails its check: {check[0]}. Restore again.")
    _anchor(Path(path), "restore")
    return info


def _replace(live: Path, backup_file: Path, safety: Path) -> list[str]:
    """Copy ``backup_file`` over ``live`` holding its write lock from the first page to the
    commit; the safety copy and the number mark are taken inside, before anything is
    committed. Return the restored file's integrity check."""
    source = sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True)
    target = sqlite3.connect(live, timeout=BUSY_TIMEOUT_MS / 1000)
    kept: list[BackupInfo] = []

    def under_the_lock(status: int, _remaining: int, _total: int) -> None:
        # After the first page is copied (SQLITE_OK) the restore holds the write lock and
        # has committed nothing: other connections read the last state any seat committed.
        if kept or status != sqlite3.SQLITE_OK:
            return
        reader = sqlite3.connect(f"file:{live}?mode=ro", uri=True)
        try:
            highest = reader.execute("SELECT MAX(id) FROM document").fetchone()[0] or 0
            raise_floor(live, highest)
            kept.append(_copy(reader, safety))
        finally:
            reader.close()

    try:
        if source.execute("PRAGMA page_count").fetchone()[0] < 2:
            raise Refused(f"{backup_file} holds no SerialDesk data.")
        # One page a step: the first step takes the lock, the callback keeps the copy.
        source.backup(target, pages=1, progress=under_the_lock)
        if not kept:
            raise RuntimeError("the restore finished before its safety copy was taken")
        target.execute("PRAGMA journal_mode=WAL")
        return [r[0] for r in target.execute("PRAGMA integrity_check").fetchall()]
    finally:
        source.close()
        target.close()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
