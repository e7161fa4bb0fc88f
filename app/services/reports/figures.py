"""Report figures over the whole ledger: supplier failure rate, repeat defects, returns
by branch, technicians' repeat repairs, and warranty cost against margin. Each is one or
two GROUP BY queries in the database (or reads the figures kept as written,
ledger/totals.py)."""

from __future__ import annotations

from decimal import Decimal

import peewee as pw

from app.services.ledger import totals
from app.services.ledger.documents import Kind
from app.services.ledger.lookups import find_branch, find_product, find_supplier
from app.services.reports.base import Filters, Report, doc_filters, employee_by_login, money
from db.models import (
    Branch,
    DayTotal,
    Document,
    DocumentLine,
    Employee,
    Product,
    RepairTicket,
    Supplier,
    Unit,
)


def supplier_failure(f: Filters) -> Report:
    """Per supplier and model: units received, units back under warranty, and their ratio.

    A unit counts once, from the day it first came back under warranty (a covered
    repair, a return while its warranty ran, a replacement): ``Unit.came_back``, kept
    as those happen. Counted from the (supplier, product, came_back) index alone.
    """
    query = (
        Unit.select(Unit.supplier, Unit.product, pw.fn.COUNT(Unit.id), pw.fn.COUNT(Unit.came_back))
        .where(Unit.supplier.is_null(False))
        .group_by(Unit.supplier, Unit.product)
    )
    suppliers = dict(Supplier.select(Supplier.id, Supplier.name).tuples())
    products = {
        pid: (sku, name)
        for pid, sku, name in Product.select(Product.id, Product.sku, Product.name).tuples()
    }
    rows = []
    for s, p, n, bad in _units_of(query, f).tuples():
        rate = (Decimal(bad) * 100 / n).quantize(Decimal("0.1")) if n else Decimal("0.0")
        rows.append((suppliers[s], products[p][0], products[p][1], n, bad, rate))
    rows.sort(key=lambda r: (-r[5], r[0], r[1]))
    return Report(
        "supplier-failure",
        "Supplier failure rate (units back under warranty / units received)",
        ["supplier", "sku", "product", "received", "failed", "failure_pct"],
        rows[: f.limit] if f.limit else rows,
    )


def _units_of(query, f: Filters):
    """Narrow a query on Unit by the supplier and product filters."""
    if f.supplier:
        query = query.where(Unit.supplier == find_supplier(f.supplier).id)
    if f.product:
        query = query.where(Unit.product == find_product(f.product).id)
    return query


def repeat_defects(f: Filters, min_repairs: int = 2) -> Report:
    """Models whose units came in for repair more than once."""
    if f.date_from or f.date_to:
        query = _repeat_defects_between(f, min_repairs)
    else:
        # Each unit counts its tickets as they are opened (``Unit.repair_count``): one walk of
        # the (product, repairs) index.
        repeated = pw.fn.SUM(pw.Case(None, [(Unit.repair_count >= min_repairs, 1)], 0))
        repeat_repairs = pw.fn.SUM(
            pw.Case(None, [(Unit.repair_count >= min_repairs, Unit.repair_count)], 0)
        )
        query = (
            Unit.select(Unit.product, pw.fn.COUNT(Unit.id), repeated, repeat_repairs)
            .where(Unit.repair_count > 0)
            .group_by(Unit.product)
            .having(repeated > 0)
        )
        query = _units_of(query, f)
    products = {
        pid: (sku, name)
        for pid, sku, name in Product.select(Product.id, Product.sku, Product.name).tuples()
    }
    rows = []
    for pid, units, rep, rep_repairs in query.tuples():
        share = (Decimal(int(rep)) * 100 / units).quantize(Decimal("0.1"))
        rows.append((*products[pid], units, int(rep), int(rep_repairs), share))
    rows.sort(key=lambda r: (-r[3], r[0]))
    return Report(
        "repeat-defects",
        f"Models with units repaired {min_repairs}+ times",
        ["sku", "product", "units_repaired", "units_repeat", "repeat_repairs", "repeat_pct"],
        rows[: f.limit] if f.limit else rows,
    )


def _repeat_defects_between(f: Filters, min_repairs: int):
    """Repeat defects counting only the tickets opened between the dates."""
    # The tickets come from their documents, found per branch in the (kind, branch,
    # business_date) index over just those dates: naming every branch lets the index
    # be used past its branch column.
    branches = [b for (b,) in Branch.select(Branch.id).tuples()]
    per_unit = (
        RepairTicket.select(
            RepairTicket.unit.alias("unit_id"), pw.fn.COUNT(RepairTicket.id).alias("n")
        )
        .join(Document)
        .where(
            Document.kind == Kind.REPAIR,
            Document.branch.in_(branches),
            RepairTicket.unit.is_null(False),
        )
        .group_by(RepairTicket.unit)
    )
    if f.date_from:
        per_unit = per_unit.where(Document.business_date >= f.date_from)
    if f.date_to:
        per_unit = per_unit.where(Document.business_date <= f.date_to)
    repeated = pw.fn.SUM(pw.Case(None, [(per_unit.c.n >= min_repairs, 1)], 0))
    repeat_repairs = pw.fn.SUM(pw.Case(None, [(per_unit.c.n >= min_repairs, per_unit.c.n)], 0))
    query = (
        Unit.select(Unit.product, pw.fn.COUNT(Unit.id), repeated, repeat_repairs)
        .join(per_unit, on=(Unit.id == per_unit.c.unit_id))
        .group_by(Unit.product)
        .having(repeated > 0)
    )
    return _units_of(query, f)


def returns_by_branch(f: Filters) -> Report:
    """Per branch: return documents, units returned and the refunds paid."""
    if f.customer or f.employee or f.product:
        counted = _returns_by_branch_from_lines(f)
    else:
        # Units and refunds from the day totals, the documents counted per branch from
        # the (kind, branch, business_date) index alone.
        figures = DayTotal.select(
            DayTotal.branch, pw.fn.SUM(DayTotal.quantity), pw.fn.SUM(DayTotal.amount_cents)
        ).where(DayTotal.kind == totals.RETURN)
        if f.date_from:
            figures = figures.where(DayTotal.day >= f.date_from)
        if f.date_to:
            figures = figures.where(DayTotal.day <= f.date_to)
        if f.branch:
            figures = figures.where(DayTotal.branch == find_branch(f.branch).id)
        figures = figures.group_by(DayTotal.branch)
        documents = (
            Document.select(Document.branch, pw.fn.COUNT(Document.id))
            .where(Document.kind == Kind.RETURN)
            .group_by(Document.branch)
        )
        docs = dict(doc_filters(documents, f).tuples())
        counted = [
            (branch, docs.get(branch, 0), units, totals.money(refund))
            for branch, units, refund in figures.tuples()
        ]
    branches = {b.id: (b.code, b.name) for b in Branch.select(Branch.id, Branch.code, Branch.name)}
    rows = sorted(
        (*branches[branch], docs, int(units), money(refund))
        for branch, docs, units, refund in counted
    )
    return Report(
        "returns-by-branch",
        "Customer returns by branch",
        ["branch", "name", "returns", "units", "refunded"],
        rows,
    )


def _returns_by_branch_from_lines(f: Filters) -> list[tuple]:
    """Returns by branch narrowed by customer, employee or product: from the lines."""
    query = (
        Document.select(
            Document.branch,
            pw.fn.COUNT(pw.fn.DISTINCT(Document.id)),
            pw.fn.SUM(DocumentLine.quantity),
            pw.fn.SUM(DocumentLine.price),  # a return line's price is its whole refund
        )
        .join(DocumentLine, on=(DocumentLine.document == Document.id))
        .where(Document.kind == Kind.RETURN)
        .group_by(Document.branch)
    )
    query = doc_filters(query, f)
    if f.product:
        query = query.where(DocumentLine.product == find_product(f.product).id)
    return list(query.tuples())


def technician_repeats(f: Filters) -> Report:
    """Per technician: tickets on units, and how many of those units came back again later."""
    # Each ticket is marked when its unit comes in again (ledger/totals.py), so this is one
    # walk of the (technician, unit, came_back_again) index.
    query = (
        RepairTicket.select(
            RepairTicket.technician,
            pw.fn.COUNT(RepairTicket.id),
            pw.fn.SUM(pw.Case(None, [(RepairTicket.came_back_again, 1)], 0)),
        )
        .where(RepairTicket.technician.is_null(False), RepairTicket.unit.is_null(False))
        .group_by(RepairTicket.technician)
    )
    if f.employee:
        query = query.where(RepairTicket.technician == employee_by_login(f.employee).id)
    if f.product:
        query = query.where(RepairTicket.product == find_product(f.product).id)
    counted = [(tech, n, int(again or 0)) for tech, n, again in query.tuples()]
    names = dict(Employee.select(Employee.id, Employee.login).tuples())
    full = dict(Employee.select(Employee.id, Employee.name).tuples())
    rows = []
    for tech, n, again in counted:
        rate = (Decimal(again) * 100 / n).quantize(Decimal("0.1"))
        rows.append((names[tech], full[tech], n, again, rate))
    rows.sort(key=lambda r: (-r[3], r[0]))
    return Report(
        "technician-repeats",
        "Technicians: units repaired that came back for another repair",
        ["technician", "name", "tickets", "came_back", "came_back_pct"],
        rows,
    )


def warranty_cost_over_margin(f: Filters, include_all: bool = False) -> Report:
    """Products whose warranty cost (parts on covered repairs + replacement units issued)
    exceeds the margin made selling them.

    Read from the day totals (ledger/totals.py), kept per kind, branch, product and day as
    sales, replacements and parts are written: at most a row per product, branch and day.
    """
    query = DayTotal.select(
        DayTotal.product,
        DayTotal.kind,
        pw.fn.SUM(DayTotal.quantity),
        pw.fn.SUM(DayTotal.amount_cents),
        pw.fn.SUM(DayTotal.cost_cents),
    ).where(DayTotal.kind.in_([totals.SALE, totals.REPLACEMENT, totals.COVERED_PARTS]))
    query = query.group_by(DayTotal.kind, DayTotal.product)
    if f.date_from:
        query = query.where(DayTotal.day >= f.date_from)
    if f.date_to:
        query = query.where(DayTotal.day <= f.date_to)
    if f.branch:
        query = query.where(DayTotal.branch == find_branch(f.branch).id)
    if f.product:
        query = query.where(DayTotal.product == find_product(f.product).id)
    zero = Decimal("0.00")
    sold: dict[int, tuple[int, Decimal]] = {}
    part_cost: dict[int, Decimal] = {}
    replaced: dict[int, Decimal] = {}
    for pid, kind, quantity, amount, cost in query.tuples():
        if kind == totals.SALE:
            sold[pid] = (int(quantity), totals.money(amount) - totals.money(cost))
        elif kind == totals.COVERED_PARTS:
            part_cost[pid] = totals.money(cost)
        elif kind == totals.REPLACEMENT:
            replaced[pid] = totals.money(cost)
    products = {
        pid: (sku, name)
        for pid, sku, name in Product.select(Product.id, Product.sku, Product.name).tuples()
    }
    rows = []
    for pid in set(sold) | set(part_cost) | set(replaced):
        units, made = sold.get(pid, (0, zero))
        parts, units_cost = part_cost.get(pid, zero), replaced.get(pid, zero)
        cost = parts + units_cost
        if include_all or cost > made:
            sku, name = products[pid]
            rows.append((sku, name, units, made, parts, units_cost, cost, cost - made))
    rows.sort(key=lambda r: (-r[7], r[0]))
    return Report(
        "warranty-cost",
        "Products whose warranty cost exceeds their margin",
        [
            "sku",
            "product",
            "units_sold",
            "margin",
            "parts_cost",
            "replacement_cost",
            "warranty_cost",
            "excess",
        ],
        rows,
    )
