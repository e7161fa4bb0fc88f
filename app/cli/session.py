"""What every command of ``serialdesk`` starts from: the database, who works (proven by
``app.cli.identity``), the items from the arguments and files, and printing the result as
text or JSON.

``app.cli.entry`` builds the parser and turns errors into exit codes; each command
(``app.cli.counter``, ``app.cli.stock``, ...) calls one service and prints with ``emit``.
"""

from __future__ import annotations

import getpass
import os
import socket
import sys
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import peewee as pw

from app.cli.render import shown, to_json
from app.config import load_config
from app.domain.errors import DomainError, PermissionDenied, Refused
from app.services.access.context import load_context
from db import chain_key, drivers
from db.database import default_url, is_postgres_url, open_database
from db.migrations import LATEST as LATEST_SCHEMA
from db.migrations import current_version
from db.migrations import migrate as migrate_schema

EXIT_OK = 0
EXIT_BUG = 3  # an unexpected error: its traceback in the log (app.crash_log)


class UsageError(Exception):
    """The command line itself is wrong: exit 2."""


class PartlyRefused(Refused):
    """Some items of a bulk command were refused, the rest done; the output is already printed."""


def opt(args, name: str, default=None):
    return getattr(args, name, default)


# --- database, context, approval -------------------------------------------------------


def shown_url(url: str) -> str:
    """A database URL without its password, fit to print."""
    parsed = urlparse(url)
    if parsed.password:
        netloc = parsed.netloc.replace(f":{parsed.password}@", ":***@")
        return urlunparse(parsed._replace(netloc=netloc))
    return url


def database_url(args) -> str:
    """--db, else SERIALDESK_DB, else the seat's settings file, else the data-dir default."""
    if opt(args, "db"):
        return opt(args, "db")
    if os.environ.get("SERIALDESK_DB"):
        return os.environ["SERIALDESK_DB"]
    return load_config().database or default_url()


def sqlite_path(url: str) -> Path | None:
    if is_postgres_url(url) or url in (":memory:", "sqlite:///:memory:"):
        return None
    return Path(url.removeprefix("sqlite:///") if url.startswith("sqlite:") else url).expanduser()


def seat_reports_database(args) -> str | None:
    """The seat file's reports_database, when the main database is the seat file's too: a
    database named by --db or SERIALDESK_DB is not the one the seat's replica copies.
    (SERIALDESK_REPORTS_DB, read by the reports themselves, applies either way.)"""
    if opt(args, "db") or os.environ.get("SERIALDESK_DB"):
        return None
    try:
        return load_config().reports_database
    except DomainError:  # the command has opened its database without the file
        return None


def _seat_key_file() -> str | None:
    """The history key's place from the seat file (else the env or the default, see
    ``db.chain_key``); a seat file that cannot be read names no place."""
    try:
        return load_config().key_file
    except DomainError:
        return None


def open_db(args, *, create: bool = False) -> bool:
    """Open (and migrate) the database; return whether it was new. Refuse a missing one.

    Opened once per command: proving who runs it opens it before the command does."""
    url = database_url(args)
    opened = opt(args, "opened_db")
    if opened is not None and opened[0] == url:
        return opened[1]
    chain_key.use_key_file(_seat_key_file())
    new = _open_db(url, create, upgrade=not opt(args, "key_old_history"))
    args.opened_db = (url, new)
    return new


def _open_db(url: str, create: bool, upgrade: bool = True) -> bool:
    path = sqlite_path(url)
    if not create and path is not None and not path.exists():
        raise Refused(
            f"There is no SerialDesk database at {path}. Create one with 'serialdesk init' "
            "(or 'serialdesk init --demo' for a demo shop), or point --db at yours."
        )
    try:
        database = open_database(url, migrate=False)
        new = current_version(database) == 0
    except pw.DatabaseError as exc:  # also "file is not a database"
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise Refused(f"Cannot open the database {shown_url(url)}: {reason}") from None
    except pw.ImproperlyConfigured:  # no driver for the URL's database
        raise Refused(f"Cannot open the database {shown_url(url)}: {drivers.MISSING}.") from None
    if new and not create:
        raise Refused(
            f"The database {shown_url(url)} has no SerialDesk data yet. "
            "Run 'serialdesk init' (or 'serialdesk init --demo') first."
        )
    if upgrade or new:
        upgrade_schema(database)
    return new


def upgrade_schema(database: pw.Database) -> None:
    """Bring the schema up to date (``db.migrations``); a refused step is a refusal."""
    version = current_version(database)
    if version == LATEST_SCHEMA:
        migrate_schema(database)  # nothing to do (on PostgreSQL: after a seat migrating now)
        return
    # What a step fills and refuses with, loaded only when a step may run.
    from app.services.ledger import totals
    from db.history_upgrade import HistoryBroken, KeyingRefused

    if 0 < version < LATEST_SCHEMA:
        print(
            f"Bringing the database from schema version {version} to {LATEST_SCHEMA} "
            "(once; a ledger of a million units takes a few minutes) ...",
            file=sys.stderr,
            flush=True,
        )
    try:
        migrate_schema(database, totals.FILLS)
    except (HistoryBroken, KeyingRefused) as exc:
        raise Refused(str(exc)) from None


def context(args):
    """Who works, as proven by ``app.cli.identity.prove`` (a token may narrow their role)."""
    proven = opt(args, "proven")
    if proven is None:  # the command's door in app.cli.doors asks for no proof: a bug
        raise UsageError(f"serialdesk {opt(args, 'door', '')} ran without proof of who runs it")
    if proven.read_only:
        raise PermissionDenied("A read-only API token cannot change anything.")
    ctx = load_context(proven.login, opt(args, "branch"))
    return replace(ctx, role=proven.role) if proven.role is not None else ctx


def cli_seat() -> str:
    """This command line's seat name for counting wrong PINs: its host and system user, by
    the process's real uid (``USER`` and ``LOGNAME`` are the caller's to set: a seat named
    by them would start a fresh count at every guess)."""
    if not hasattr(os, "getuid"):
        return f"cli@{socket.gethostname()}:{getpass.getuser()}"
    uid = os.getuid()
    try:
        import pwd

        user = pwd.getpwuid(uid).pw_name
    except (ImportError, KeyError):  # a uid with no entry in the password file
        user = str(uid)
    return f"cli@{socket.gethostname()}:{user}"


def emit(args, result, render) -> int:
    if opt(args, "json"):
        print(to_json(result))
    else:
        print(shown(render(result)))
    return EXIT_OK


# --- reading items ------------------------------------------------------------------------


def read_lines(path: str | None) -> list[str]:
    """Serials from a file, one a line ('-' reads stdin); blank lines and # comments skipped."""
    if not path:
        return []
    try:
        if path == "-":
            text = sys.stdin.read()
        else:
            text = Path(path).expanduser().read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        where = "standard input" if path == "-" else path
        raise Refused(
            f"{where} is not UTF-8 text (byte {exc.object[exc.start]:#04x} at offset "
            f"{exc.start}); nothing was read from it."
        ) from None
    items = []
    for raw in text.splitlines():
        # Only blanks and line ends are trimmed: a GS1 scan may start with its separator.
        line = raw.split("#", 1)[0].strip(" \t\r\n\ufeff")
        if line:
            items.append(line)
    return items


def items_of(args) -> list[str]:
    return list(opt(args, "items", None) or []) + read_lines(opt(args, "file"))


def split_price(token: str) -> tuple[str, str | None]:
    body, at, price = token.partition("@")
    return (body, price) if at else (token, None)


def split_quantity(token: str) -> tuple[str, int] | None:
    """``SKU:QTY`` as (SKU, QTY); None for a serial or a scan."""
    sku, colon, qty = token.rpartition(":")
    if colon and sku and qty.isdigit():
        return sku, int(qty)
    return None
