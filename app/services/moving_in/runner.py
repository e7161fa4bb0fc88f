"""``import KIND FILE``: a dry run by default (every refused row listed, what would be
created counted); ``apply=True`` writes it all in one transaction, or nothing if a
single row is refused. A file imported twice changes nothing the second time."""

from __future__ import annotations

from pathlib import Path

from app.domain.roles import Action
from app.services.access.context import Context
from app.services.moving_in import earlier, goods, master, numbers, units, warranty_numbers
from app.services.moving_in.files import read_rows
from app.services.moving_in.report import ImportRefused, ImportReport, Progress
from app.services.transaction import write_transaction

UNIT_KINDS = ("stock", "sold")


def _plan(ctx: Context, kind: str, rows, report: ImportReport, progress: Progress | None):
    if kind == "catalogue":
        return master.plan_catalogue(rows, report, progress)
    if kind == "suppliers":
        return master.plan_suppliers(rows, report, progress)
    if kind == "warranties":
        return warranty_numbers.plan(ctx, rows, report, progress)
    if kind == "numbers":
        return numbers.plan(rows, report, progress)
    if kind == "quantities":
        return goods.plan(ctx, kind, rows, report, progress)
    return master.plan_customers(rows, report, progress)


def _apply(kind: str, plan) -> None:
    if kind == "catalogue":
        master.apply_catalogue(plan)
    elif kind == "suppliers":
        master.apply_suppliers(plan)
    elif kind == "warranties":
        warranty_numbers.apply(plan)
    elif kind == "numbers":
        numbers.apply(plan)
    elif kind == "quantities":
        goods.apply(plan)
    else:
        master.apply_customers(plan)


def import_file(
    ctx: Context,
    kind: str,
    path: str | Path,
    *,
    apply: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Check (and with ``apply``, write) one file of ``kind``.

    A dry run returns the report with every refused row; a real run raises
    ``ImportRefused`` (nothing written) if any row is refused.
    """
    ctx.require(Action.SETTINGS)
    rows = read_rows(kind, path)

    def new_report() -> ImportReport:
        return ImportReport(kind, Path(path).name, rows=len(rows), applied=apply)

    report = new_report()
    if kind in UNIT_KINDS:
        return _import_units(ctx, kind == "sold", rows, report, new_report, progress)
    if not apply:
        _plan(ctx, kind, rows, report, progress)
        return report
    with write_transaction():
        plan = _plan(ctx, kind, rows, report, progress)
        if report.refused:
            raise ImportRefused(report)
        _apply(kind, plan)
    return report


def _import_units(ctx, sold: bool, rows, report, new_report, progress) -> ImportReport:
    """Units are read (every serial checked by its product's rules) before the write lock
    is taken, so the counter seats wait only for the ledger check and the writing."""
    items, stamp = units.parse_units(ctx, sold, rows, report, progress)
    earlier.against_ledger(items, report, sold)
    if not report.applied:
        return report
    if report.refused:
        raise ImportRefused(report)
    with write_transaction():
        # Checked again under the lock: what another seat did meanwhile counts.
        report = new_report()
        if units.parse_units(ctx, sold, [], report, None)[1] != stamp:
            items, _stamp = units.parse_units(ctx, sold, rows, report, progress)
        new = earlier.against_ledger(items, report, sold)
        if report.refused:
            raise ImportRefused(report)
        units.apply_units(ctx, new, sold, progress)
    return report
