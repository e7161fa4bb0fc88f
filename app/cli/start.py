"""Plain ``serialdesk`` and ``serialdesk init``: the first run, the database, the demo shop."""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta

from app.cli.render import join
from app.cli.session import (
    EXIT_BUG,
    EXIT_OK,
    database_url,
    emit,
    open_db,
    opt,
    seat_reports_database,
    shown_url,
    sqlite_path,
    upgrade_schema,
)
from app.config import load_config
from app.domain.errors import Refused
from db.connection import db
from db.migrations import current_version
from db.models import Unit


def _refuse_a_missing_seat_database(args) -> None:
    """A seat file that names its database means that one: a seat never makes a demo shop
    in its place (staff would sell into it). Only the default place gets a first-run demo."""
    if opt(args, "db") or os.environ.get("SERIALDESK_DB"):
        return
    config = load_config()
    path = sqlite_path(config.database) if config.database else None
    if path is not None and not path.exists():
        raise Refused(
            f"The seat settings in {config.path} name the database {path}, which does not "
            "exist. Nothing was created: correct the path, or make it with 'serialdesk init'."
        )


def cmd_welcome(args) -> int:
    """Plain ``serialdesk``: the counter screens. A first run creates a demo shop."""
    _refuse_a_missing_seat_database(args)
    created = open_db(args, create=True)
    summary = None
    if created:  # the demo's modules only for a first run: a seat starts without them
        from app.demo.build import load_demo

        summary = load_demo(_demo_start())
    if opt(args, "json"):
        return emit(
            args,
            {"database": shown_url(database_url(args)), "created": created, "demo": summary},
            str,
        )
    if not in_a_browser() and (not sys.stdin.isatty() or not sys.stdout.isatty()):
        # Not a terminal (a script, a pipe): say where things are instead of drawing screens.
        from app.demo.master_data import EMPLOYEES

        logins = [(e[0], e[2], e[4]) for e in EMPLOYEES] if summary else []
        print(
            welcome_text(shown_url(database_url(args)), created, summary, _example_serial(), logins)
        )
        return EXIT_OK
    from app.tui import SerialDeskApp

    config = load_config()
    branch = opt(args, "branch") or config.branch
    # The seat file's replica is the seat file's database's: not one --db names.
    reports_database = seat_reports_database(args)
    app = SerialDeskApp(replace(config, branch=branch, reports_database=reports_database))
    app.run()
    if app.crash_message:  # the traceback is in the log; one line says where
        print(app.crash_message, file=sys.stderr)
        return EXIT_BUG
    return EXIT_OK


def in_a_browser() -> bool:
    """Started by ``serialdesk serve`` (textual-serve): stdin and stdout are its pipes, and
    Textual's web driver, named in TEXTUAL_DRIVER, draws the screens into the browser."""
    return os.environ.get("TEXTUAL_DRIVER", "").endswith("web_driver:WebDriver")


def _example_serial() -> str | None:
    """A unit with a long life to try the passport on: replaced under warranty, else the first."""
    replaced = Unit.select(Unit.replaces).where(Unit.replaces.is_null(False))
    return (
        Unit.select(Unit.serial).where(Unit.id.in_(replaced)).scalar()
        or Unit.select(Unit.serial).order_by(Unit.id).scalar()
    )


def _demo_start() -> datetime:
    from app.demo.build import DEMO_DAYS

    start = datetime.now(UTC).date() - timedelta(days=DEMO_DAYS)
    return datetime.combine(start, time(0, 0), tzinfo=UTC)


def cmd_init(args) -> int:
    from app.demo.build import database_is_empty, load_demo

    open_db(args, create=True)
    if opt(args, "key_old_history"):
        # A manager's say (the door asked for one): key this old, unkeyed history on a
        # seat that already keeps a key (db.history_upgrade says why that is refused).
        from db.history_upgrade import allow_keying_old_history

        allow_keying_old_history()
        try:
            upgrade_schema(db.obj)
        finally:
            allow_keying_old_history(False)
    summary = load_demo(_demo_start()) if args.demo else None
    result = {
        "database": shown_url(database_url(args)),
        "schema_version": current_version(db),
        "empty": database_is_empty(),
        "demo": summary,
    }

    def render(r) -> str:
        text = f"Database ready: {r['database']} (schema version {r['schema_version']})."
        if summary is not None:
            return join(text, demo_text(summary))
        if r["empty"]:
            text += " It is empty: 'serialdesk init --demo' loads a demo shop (into an empty one)."
        return text

    return emit(args, result, render)


# --- what they print ----------------------------------------------------------------------


def demo_text(s) -> str:
    return (
        f"Demo shop loaded: {s.branches} branches, {s.employees} employees, {s.products} products, "
        f"{s.customers} customers; {s.first_day} to {s.last_day}: {s.sales} sales "
        f"({s.units_sold} units with customers), {s.returns} returns, {s.transfers} transfers, "
        f"{s.repairs} repairs, {s.replacements} replacement(s), "
        f"{s.supplier_returns} supplier returns, {s.adjustments} adjustments, "
        f"{s.stocktakes} stocktake(s)."
    )


COMMANDS = [
    ("passport SERIAL", "a unit's whole life: state, customer, warranty, history"),
    ("products", "the catalogue: tracking modes, prices, stock"),
    ("stock [--serials]", "what is on the shelves, by branch"),
    ("customers TEXT", "find a customer by name or phone"),
    ("receive", "a delivery: serials as arguments or --file"),
    ("sell / sale S-N", "a sale: serials, GS1 scans, SKU:QTY / show one"),
    ("return", "a customer return, by serial, warranty number or line"),
    ("transfer-out / -in", "move stock between branches ('transfers': in transit)"),
    ("supplier-return", "units back to the supplier"),
    ("adjust", "write-off, found, quarantine, release, correction"),
    ("stocktake", "open / scan / unscan / status / close"),
    ("repair", "intake / status / part / collect / show / list"),
    ("replace OLD NEW", "a warranty replacement"),
    ("set-mode", "the tracking mode of a product or a product type"),
]


def welcome_text(database: str, created: bool, summary, example: str | None, logins) -> str:
    lines = [f"SerialDesk · database {database}"]
    if created:
        lines.append("First run: created the database with a demo shop.")
        if summary is not None:
            lines.append(demo_text(summary))
    lines += [
        "",
        "The counter screens need a terminal (80x24 or more): run serialdesk in one.",
        "Everything also works from the command line (serialdesk --help lists it all):",
        "",
    ]
    width = max(len(c) for c, _ in COMMANDS)
    lines += [f"  {c.ljust(width)}  {what}" for c, what in COMMANDS]
    lines.append("")
    if example:
        lines.append(f"Try:  serialdesk passport {example}")
    if logins:
        shown = ", ".join(f"{login} ({role}, PIN {pin})" for login, role, pin in logins)
        lines.append(f"Demo logins: {shown}.")
    lines.append(
        "Commands that change anything, or show customers or costs, need proof of who runs "
        "them: --employee LOGIN with the PIN in SERIALDESK_PIN or --pin-file F (asked at a "
        "terminal), or an API token in SERIALDESK_TOKEN. See serialdesk --help."
    )
    return "\n".join(lines)
