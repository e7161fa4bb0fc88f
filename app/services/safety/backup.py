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
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from app.domain.errors import Refused
from app.domain.roles import Action
from app.domain.serials import plain_text
from app.services.access.context import Context
from db.connection import db, is_sqlite
from db.database import BUSY_TIMEOUT_MS
from db.migrations import LATEST

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
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    source = db.connection()
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
    return BackupResult(
        str(target),
        target.stat().st_size,
        info.schema_version,
        info.history_rows,
        info.history_head,
    )


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
        last = conn.execute(
            "SELECT seq, hash FROM unit_event WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1"
        ).fetchone()
    except sqlite3.DatabaseError as exc:
        raise Refused(f"{file} is not a SerialDesk database ({exc}).") from None
    finally:
        conn.close()
    if not version or version > LATEST:
        raise Refused(f"{file} is at schema version {version}; this SerialDesk runs {LATEST}.")
    return BackupInfo(str(file), version, rows, f"#{last[0]} {last[1]}" if last else "empty")


def restore(ctx: Context, path: str | os.PathLike) -> BackupInfo:
    """Replace the live database with a checked backup, in one step under the write lock.

    A manager's job. A safety copy of the live database is taken first
    (``backups/before-restore-*.db``). Seats that stay open see the restored data
    from their next transaction on; whatever they saved since the backup is gone.
    """
    ctx.require(Action.SETTINGS)
    info = inspect(path)
    live = live_path()
    backup(live.parent / "backups" / f"before-restore-{datetime.now(UTC):%Y%m%d-%H%M%S}.db")
    source = sqlite3.connect(f"file:{Path(path).expanduser()}?mode=ro", uri=True)
    target = sqlite3.connect(live, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        # One step: the copy holds the live file's write lock from start to end, so no
        # seat's write interleaves with it; seats wait (busy timeout) and then go on.
        source.backup(target)
        target.execute("PRAGMA journal_mode=WAL")
        check = [r[0] for r in target.execute("PRAGMA integrity_check").fetchall()]
    finally:
        source.close()
        target.close()
    if check != ["ok"]:
        raise Refused(f"The restored database fails its check: {check[0]}. Restore again.")
    return info


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
