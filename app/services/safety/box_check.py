"""``serialdesk doctor``: is this shop box set up so it can be handed to staff?

Each check gives a ``Finding``: ``ok``, ``warn`` (works, but weaker than it should be) or
``fail`` (someone other than the service account can read or change the shop's data, or the
evidence cannot be checked), with the command that fixes it. ``fix=True`` makes private
what this account owns (files 0600, folders 0700); it never changes an owner, and never
touches what another account owns: that needs the administrator.

What is checked: the account the seats run as; the database file, its WAL, its numbering
mark, its backups and their folders; the seat settings; the history key and its anchors;
the log folder; the database's own settings; and the SSH keys that reach this account
(each must be forced into the counter, with no forwarding).
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from app.domain.roles import Role
from app.domain.text import visible
from app.services.access.pin_policy import min_pin_length
from app.services.safety.ssh_seats import is_counter_command, read_authorized_keys
from db.connection import db, is_sqlite
from db.migrations import LATEST, current_version
from db.number_floor import mark_path
from db.private_files import FILE_MODE, FOLDER_MODE

OK, WARN, FAIL = "ok", "warn", "fail"
DAY = 24 * 3600


@dataclass(frozen=True)
class Finding:
    level: str
    subject: str
    message: str
    fix: str = ""

    def as_dict(self) -> dict:
        return {"level": self.level, "subject": self.subject, "message": self.message} | (
            {"fix": self.fix} if self.fix else {}
        )


@dataclass(frozen=True)
class BoxPaths:
    """The files this box's seats use; ``None`` where there is none (PostgreSQL, no key)."""

    database: Path | None
    seat_file: Path
    key_file: Path | None
    anchor_file: Path | None
    log_file: Path
    authorized_keys: Path


def check_box(paths: BoxPaths, *, fix: bool = False, now: float | None = None) -> list[Finding]:
    now = time.time() if now is None else now
    found = list(_account())
    if paths.database is not None:
        found += _private(paths.database.parent, "the database folder", fix, folder=True)
        found += _private(paths.database, "the database", fix)
        for extra in ("-wal", "-shm"):
            found += _private(
                Path(f"{paths.database}{extra}"), f"the database's {extra}", fix, needed=False
            )
        found += _private(mark_path(paths.database), "the numbering mark", fix, needed=False)
        found += _backups(paths.database.parent / "backups", fix, now)
    found += _private(
        paths.seat_file.parent, "the seat settings folder", fix, folder=True, needed=False
    )
    found += _private(paths.seat_file, "the seat settings", fix, needed=False)
    found += _key(paths, fix, now)
    found += _private(paths.log_file.parent, "the log folder", fix, folder=True, needed=False)
    found += _private(paths.log_file, "the log", fix, needed=False)
    found += list(_database_settings())
    found += list(_ssh(paths.authorized_keys))
    return found


# --- the account and the files ------------------------------------------------------------


def _account() -> Iterator[Finding]:
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        yield Finding(
            WARN,
            "account",
            "The seats run as root. Give the shop's data to a service account (README: "
            "'A shop box you can hand to staff') so a mistake in a seat cannot touch the system.",
            "useradd --system --create-home serialdesk",
        )
    else:
        yield Finding(OK, "account", f"The seats run as uid {os.geteuid()}, not root.")


def _private(
    path: Path, what: str, fix: bool, *, folder: bool = False, needed: bool = True
) -> list[Finding]:
    """The path is owned by this account and nobody else may read or enter it."""
    try:
        info = path.stat()
    except FileNotFoundError:
        if needed:
            return [Finding(FAIL, what, f"{path} does not exist.")]
        return []
    wanted = FOLDER_MODE if folder else FILE_MODE
    mode = stat.S_IMODE(info.st_mode)
    if info.st_uid != os.geteuid():
        return [
            Finding(
                FAIL,
                what,
                f"{path} belongs to uid {info.st_uid}, not to the account the seats run as "
                f"(uid {os.geteuid()}).",
                f"chown {os.geteuid()} {path}  (as root)",
            )
        ]
    if mode & 0o077:
        fix_cmd = f"chmod {wanted:o} {path}"
        if fix:
            os.chmod(path, wanted)
            return [Finding(OK, what, f"{path} was {mode:04o}; made {wanted:04o}.")]
        others = "anyone on the box" if mode & 0o007 else "its group"
        return [Finding(FAIL, what, f"{path} is {mode:04o}: {others} can reach it.", fix_cmd)]
    return [Finding(OK, what, f"{path} is {mode:04o}, this account's only.")]


def _backups(folder: Path, fix: bool, now: float) -> list[Finding]:
    if not folder.is_dir():
        return [
            Finding(
                WARN,
                "backups",
                f"No daily backups in {folder}.",
                "a daily cron job: serialdesk backup --rotate 14",
            )
        ]
    found = _private(folder, "the backups folder", fix, folder=True)
    copies = sorted(folder.glob("*.db"), key=lambda p: p.stat().st_mtime)
    for copy in copies:
        found += [f for f in _private(copy, "a backup", fix) if f.level != OK]
    if not copies:
        found.append(Finding(WARN, "backups", f"{folder} holds no backup yet."))
    elif now - copies[-1].stat().st_mtime > 2 * DAY:
        days = int((now - copies[-1].stat().st_mtime) // DAY)
        found.append(
            Finding(
                WARN,
                "backups",
                f"The newest backup ({copies[-1].name}) is {days} days old.",
                "a daily cron job: serialdesk backup --rotate 14",
            )
        )
    else:
        found.append(Finding(OK, "backups", f"Newest backup: {copies[-1].name}."))
    return found


def _key(paths: BoxPaths, fix: bool, now: float) -> list[Finding]:
    if paths.key_file is None:
        return [Finding(FAIL, "history key", "This database has no history key set up yet.")]
    if not paths.key_file.exists():
        return [
            Finding(
                FAIL,
                "history key",
                f"No history key at {paths.key_file}: this seat cannot write history or "
                "check it. Copy the key file from the shop box (mode 0600).",
            )
        ]
    found = _private(paths.key_file.parent, "the key folder", fix, folder=True)
    found += _private(paths.key_file, "the history key", fix)
    anchors = paths.anchor_file
    if anchors is None or not anchors.exists():
        found.append(
            Finding(
                WARN,
                "anchors",
                "The history head was never written outside the database.",
                "a daily cron job: serialdesk verify (it writes an anchor)",
            )
        )
    else:
        found += _private(anchors, "the anchor file", fix)
        age = now - anchors.stat().st_mtime
        if age > 2 * DAY:
            found.append(
                Finding(
                    WARN,
                    "anchors",
                    f"The last anchor is {int(age // DAY)} days old: rows removed from the "
                    "end since then would not be noticed.",
                    "a daily cron job: serialdesk verify",
                )
            )
    return found


# --- the database ---------------------------------------------------------------------------


def _database_settings() -> Iterator[Finding]:
    version = current_version(db)
    if version != LATEST:
        yield Finding(
            FAIL,
            "schema",
            f"Schema version {version}; this SerialDesk needs {LATEST}.",
            "serialdesk init",
        )
    else:
        yield Finding(OK, "schema", f"Schema version {version}, current.")
    if is_sqlite():
        journal = db.execute_sql("PRAGMA journal_mode").fetchone()[0]
        level = OK if journal.lower() == "wal" else FAIL
        yield Finding(level, "journal", f"SQLite journal mode: {journal} (seats need wal).")
    else:
        superuser = db.execute_sql(
            "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"
        ).fetchone()[0]
        if superuser:
            yield Finding(
                WARN,
                "database role",
                "The seats connect to PostgreSQL as a superuser, who can drop the history's "
                "triggers. Give them a role that owns only the shop's tables.",
            )
        else:
            yield Finding(OK, "database role", "The seats' PostgreSQL role is not a superuser.")
    shortest = min_pin_length(Role.MANAGER)
    if shortest < 6:
        yield Finding(
            WARN,
            "PINs",
            f"Managers' PINs may be {shortest} digits; a stolen file gives them up quickly.",
            "serialdesk add min-pin manager 6",
        )


# --- SSH ---------------------------------------------------------------------------------------


def _ssh(authorized_keys: Path) -> Iterator[Finding]:
    """Every key that reaches this account, in both files sshd reads by default."""
    files = [authorized_keys, authorized_keys.with_name("authorized_keys2")]
    present = [f for f in files if f.exists() or f.is_symlink()]
    if not present:
        yield Finding(OK, "ssh", f"No SSH keys reach this account ({authorized_keys}).")
        return
    total = bad = 0
    for keys in present:
        yield from (f for f in _private(keys, keys.name, False) if f.level != OK)
        try:
            lines = read_authorized_keys(keys)
        except OSError as exc:
            bad += 1
            yield Finding(FAIL, "ssh", f"{keys} cannot be read ({exc.strerror or exc}).")
            continue
        total += len(lines)
        for line in lines:
            finding = _key_line(keys, line)
            if finding is not None:
                bad += 1
                yield finding
    if not bad:
        yield Finding(OK, "ssh", f"All {total} SSH key(s) are forced into the counter.")


def _key_line(keys: Path, line) -> Finding | None:
    where = f"{keys}:{line.number} ({line.key})"
    fix = "serialdesk ssh-seat KEY.pub --seat NAME --install (it replaces the line)"
    if not line.command:
        return Finding(
            FAIL, "ssh", f"{where} opens a shell on the account that owns the shop's data.", fix
        )
    if not is_counter_command(line.command):
        return Finding(
            FAIL,
            "ssh",
            f"{where} forces a command that is not just the counter: {visible(line.command)}",
            fix,
        )
    if line.reopened:
        return Finding(
            FAIL, "ssh", f"{where} turns forwarding back on ({', '.join(line.reopened)}).", fix
        )
    if not line.restricted:
        return Finding(WARN, "ssh", f"{where} allows port or agent forwarding.", fix)
    return None
