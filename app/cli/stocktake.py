"""``serialdesk stocktake open|scan|unscan|status|close``: counting the shelves by serial."""

from __future__ import annotations

from dataclasses import dataclass

from app.cli.identity import approver
from app.cli.render import join, label, shown, table, to_json
from app.cli.session import (
    EXIT_OK,
    PartlyRefused,
    UsageError,
    context,
    emit,
    items_of,
    open_db,
    opt,
)
from app.domain.errors import DomainError
from app.services.stock import stocktake


def cmd_stocktake_open(args) -> int:
    open_db(args)
    number = stocktake.open_stocktake(context(args), product_type=args.type)
    return emit(args, stocktake.status(number), stocktake_text)


def cmd_stocktake_scan(args) -> int:
    """Scan every serial given; a refused one is listed and the rest still counted."""
    open_db(args)
    ctx = context(args)
    outcomes, refused = [], []
    for raw in items_of(args):
        try:
            serial, result = stocktake.scan(ctx, args.number, raw)
            outcomes.append(ScanOutcome(serial, result))
        except DomainError as exc:
            outcomes.append(ScanOutcome(raw, "refused", exc.message))
            refused.append(f"{raw}: {exc.message}")
    if not outcomes:
        raise UsageError("scan at least one serial (arguments or --file)")
    status = stocktake.status(args.number)
    problem = ""
    if refused:
        problem = (
            refused[0]
            if len(outcomes) == 1
            else (f"{len(refused)} of {len(outcomes)} scan(s) refused; first: {refused[0]}")
        )
    if opt(args, "json"):
        error = {"type": "Refused", "message": problem} if problem else None
        print(to_json({"scans": outcomes, "status": status, "error": error}))
    else:
        print(shown(scans_text(outcomes, status)))
    if problem:
        raise PartlyRefused(problem)
    return EXIT_OK


def cmd_stocktake_unscan(args) -> int:
    open_db(args)
    stocktake.unscan(context(args), args.number, args.serial)
    return emit(args, stocktake.status(args.number), stocktake_text)


def cmd_stocktake_status(args) -> int:
    open_db(args)
    return emit(args, stocktake.status(args.number), stocktake_text)


def cmd_stocktake_close(args) -> int:
    open_db(args)
    ctx = context(args)
    result = stocktake.close(
        ctx, args.number, write_off_missing=args.write_off_missing, approver=approver(args)
    )
    return emit(args, result, stocktake_text)


# --- what they print ----------------------------------------------------------------------


def stocktake_text(s) -> str:
    head = (
        f"{s.number} ({s.status}) at {s.branch}, {s.scope}: "
        f"{s.counted} of {s.expected} expected unit(s) counted, {len(s.missing)} missing."
    )
    missing = ("Missing: " + ", ".join(s.missing)) if s.missing else ""
    problems = ""
    if s.problems:
        problems = "Blocking the close: " + ", ".join(
            f"{serial} ({label(result)})" for serial, result in s.problems
        )
    return join(head, missing, problems)


@dataclass
class ScanOutcome:
    serial: str
    result: str
    message: str = ""


def scans_text(outcomes: list[ScanOutcome], status) -> str:
    rows = [(o.serial, label(o.result), o.message) for o in outcomes]
    return join(table(["Serial", "Result", "Note"], rows), stocktake_text(status))
