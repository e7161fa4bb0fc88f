"""Reports: where a serial is, stock by serial, sales/returns/repairs, warranty and failure figures.

Each report is one or two set-based queries (GROUP BY in the database, never a
loop over units) and returns a ``Report``: a title, column names and plain rows,
ready for a table on screen, CSV or JSON.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import peewee as pw

from app.domain.errors import NotFound, Refused
from app.domain.states import UnitState
from app.services.common import (
    PREFIX,
    Kind,
    find_branch,
    find_customer,
    find_product,
    find_supplier,
    scan_of,
)
from db import totals
from db.models import (
    Branch,
    Customer,
    DayTotal,
    Document,
    DocumentLine,
    Employee,
    Product,
    RepairPart,
    RepairTicket,
    Supplier,
    Unit,
    WarrantyNumber,
)

CENT = Decimal("0.01")


@dataclass
class Filters:
    """What a report is narrowed to; every field is optional."""

    date_from: date | None = None
    date_to: date | None = None
    product: str = ""  # SKU or GTIN
    serial: str = ""
    customer: str = ""  # '#id', exact name or phone
    supplier: str = ""
    branch: str = ""  # branch code
    employee: str = ""  # login
    days: int = 30  # warranties expiring within
    limit: int | None = None  # rows of a listing; None = all


@dataclass
class Report:
    name: str
    title: str
    columns: list[str]
    rows: list[tuple] = field(default_factory=list)

    def as_dicts(self) -> list[dict]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]

    def to_csv(self) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(self.columns)
        for row in self.rows:
            writer.writerow(["" if v is None else _plain(v) for v in row])
        return buffer.getvalue()


def _plain(value) -> str:
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def money(value) -> Decimal:
    """A database sum as money: SQLite gives floats, PostgreSQL Decimals."""
    if value is None:
        return Decimal("0.00")
    return Decimal(str(value)).quantize(CENT)


def _number(kind: str, doc_id: int) -> str:
    return f"{PREFIX[kind]}-{doc_id}"


def _employee(login: str) -> Employee:
    emp = Employee.get_or_none(Employee.login == login.strip().lower())
    if emp is None:
        raise NotFound(f"No employee with login '{login}'.")
    return emp


def _serial(raw: str) -> str:
    serial = scan_of(raw).serial
    if serial is None:
        raise Refused("That is a product barcode: give the unit's serial.")
    return serial


def _doc_filters(query, f: Filters, *, employee_field=None):
    """Narrow a query that joins Document (and DocumentLine, Unit) by the common filters."""
    if f.date_from:
        query = query.where(Document.business_date >= f.date_from)
    if f.date_to:
        query = query.where(Document.business_date <= f.date_to)
    if f.branch:
        query = query.where(Document.branch == find_branch(f.branch).id)
    if f.customer:
        query = query.where(Document.customer == find_customer(f.customer).id)
    if f.employee:
        query = query.where((employee_field or Document.employee) == _employee(f.employee).id)
    return query


# --- listings -----------------------------------------------------------------------------


def where_is(f: Filters) -> Report:
    """Every unit with the serial: product, state, branch, customer, supplier, warranty."""
    if not f.serial.strip():
        raise Refused("Give the serial to look for.")
    serial = _serial(f.serial)
    query = (
        Unit.select(
            Unit.serial,
            Product.sku,
            Product.name,
            Unit.state,
            Branch.name,
            Customer.name,
            Supplier.name,
            Unit.warranty_end,
            Unit.updated_at,
        )
        .join(Product)
        .switch(Unit)
        .join(Branch, pw.JOIN.LEFT_OUTER)
        .switch(Unit)
        .join(Customer, pw.JOIN.LEFT_OUTER)
        .switch(Unit)
        .join(Supplier, pw.JOIN.LEFT_OUTER)
        .where(Unit.serial == serial)
        .order_by(Unit.id)
    )
    rows = [
        (s, sku, name, UnitState(st).label, b or "", c or "", sup or "", end, since.date())
        for s, sku, name, st, b, c, sup, end, since in query.tuples()
    ]
    if not rows:
        raise NotFound(f"Serial {serial} is not known to this shop.")
    columns = [
        "serial",
        "sku",
        "product",
        "state",
        "branch",
        "customer",
        "supplier",
        "warranty_end",
        "since",
    ]
    return Report("where", f"Where is {serial}", columns, rows)


def stock(f: Filters) -> Report:
    """Serials in stock, by branch and product."""
    query = (
        Unit.select(Branch.code, Product.sku, Product.name, Unit.serial, Unit.cost, Unit.updated_at)
        .join(Product)
        .switch(Unit)
        .join(Branch)
        .where(Unit.state == UnitState.IN_STOCK.value)
        .order_by(Branch.code, Product.sku, Unit.serial)
    )
    query = _unit_filters(query, f)
    if f.limit:
        query = query.limit(f.limit)
    rows = [
        (b, sku, name, s, money(cost) if cost is not None else None, since.date())
        for b, sku, name, s, cost, since in query.tuples()
    ]
    return Report(
        "stock",
        "Serials in stock by branch and product",
        ["branch", "sku", "product", "serial", "cost", "since"],
        rows,
    )


def stock_count(f: Filters) -> Report:
    """How many serialized units are in stock, per branch and product."""
    count = pw.fn.COUNT(Unit.id)
    query = (
        Unit.select(Branch.code, Product.sku, Product.name, count)
        .join(Product)
        .switch(Unit)
        .join(Branch)
        .where(Unit.state == UnitState.IN_STOCK.value)
        .group_by(Branch.code, Product.sku, Product.name)
        .order_by(Branch.code, Product.sku)
    )
    query = _unit_filters(query, f)
    return Report(
        "stock-count",
        "Units in stock per branch and product",
        ["branch", "sku", "product", "units"],
        list(query.tuples()),
    )


def _unit_filters(query, f: Filters):
    if f.branch:
        query = query.where(Unit.branch == find_branch(f.branch).id)
    if f.product:
        query = query.where(Unit.product == find_product(f.product).id)
    if f.supplier:
        query = query.where(Unit.supplier == find_supplier(f.supplier).id)
    if f.serial:
        query = query.where(Unit.serial == _serial(f.serial))
    return query


def _lines(kind: str, f: Filters, *columns):
    """Document lines of one kind with their document, branch, employee, customer, unit."""
    query = (
        DocumentLine.select(*columns)
        .join(Document)
        .join(Branch, on=(Document.branch == Branch.id))
        .switch(Document)
        .join(Employee, on=(Document.employee == Employee.id))
        .switch(Document)
        .join(Customer, pw.JOIN.LEFT_OUTER, on=(Document.customer == Customer.id))
        .switch(DocumentLine)
        .join(Product, on=(DocumentLine.product == Product.id))
        .switch(DocumentLine)
        .join(Unit, pw.JOIN.LEFT_OUTER, on=(DocumentLine.unit == Unit.id))
        # ``kind || ''`` and this order: walk the lines newest first, not sort a whole kind
        .where(Document.kind.concat("") == kind)
        .order_by(DocumentLine.document.desc(), DocumentLine.id.desc())
    )
    query = _doc_filters(query, f)
    if f.branch or f.employee or f.customer:
        # The documents then come from that column's index, newest first: order by the
        # document itself so that the walk stops at the limit instead of sorting them all.
        query = query.order_by(Document.id.desc(), DocumentLine.id.desc())
    if f.product:
        query = query.where(DocumentLine.product == find_product(f.product).id)
    if f.serial:
        query = query.where(DocumentLine.serial == _serial(f.serial))
    if f.supplier:
        query = query.where(Unit.supplier == find_supplier(f.supplier).id)
    if f.limit:
        query = query.limit(f.limit)
    return query


def sales(f: Filters) -> Report:
    """Sale lines: date, sale, branch, cashier, customer, product, serial, price, cost, margin."""
    query = _lines(
        Kind.SALE,
        f,
        Document.business_date,
        Document.id,
        Branch.code,
        Employee.login,
        Customer.name,
        Product.sku,
        DocumentLine.serial,
        DocumentLine.quantity,
        DocumentLine.price,
        DocumentLine.cost,
    )
    rows = []
    for day, doc_id, branch, login, cust, sku, serial, qty, price, cost in query.tuples():
        margin = (price - cost) * qty if cost is not None else None
        rows.append(
            (day, _number(Kind.SALE, doc_id), branch, login, cust or "", sku, serial)
            + (qty, price, cost, margin)
        )
    columns = ["date", "sale", "branch", "employee", "customer", "sku", "serial"]
    columns += ["quantity", "price", "cost", "margin"]
    return Report("sales", "Sales", columns, rows)


def returns(f: Filters) -> Report:
    """Customer return lines: date, return, branch, who, customer, product, serial, outcome."""
    query = _lines(
        Kind.RETURN,
        f,
        Document.business_date,
        Document.id,
        Branch.code,
        Employee.login,
        Customer.name,
        Product.sku,
        DocumentLine.serial,
        DocumentLine.quantity,
        DocumentLine.condition,
        DocumentLine.disposition,
        DocumentLine.price,
    )
    rows = [
        (day, _number(Kind.RETURN, doc_id), b, login, c or "", sku, s, q, cond, disp, refund)
        for day, doc_id, b, login, c, sku, s, q, cond, disp, refund in query.tuples()
    ]
    columns = ["date", "return", "branch", "employee", "customer", "sku", "serial", "quantity"]
    columns += ["condition", "disposition", "refund"]
    return Report("returns", "Customer returns", columns, rows)


def repairs(f: Filters) -> Report:
    """Repair tickets: date, ticket, branch, customer, product, serial, technician, status."""
    Technician = Employee.alias()
    parts = RepairPart.select(
        pw.fn.COALESCE(pw.fn.SUM(RepairPart.cost * RepairPart.quantity), 0)
    ).where(RepairPart.ticket == RepairTicket.id)
    query = (
        RepairTicket.select(
            Document.business_date,
            Document.id,
            Branch.code,
            Customer.name,
            Product.sku,
            Unit.serial,
            Technician.login,
            RepairTicket.status,
            RepairTicket.covered,
            parts,
        )
        .join(Document)
        .join(Branch, on=(Document.branch == Branch.id))
        .switch(Document)
        .join(Customer, pw.JOIN.LEFT_OUTER, on=(Document.customer == Customer.id))
        .switch(RepairTicket)
        .join(Product, on=(RepairTicket.product == Product.id))
        .switch(RepairTicket)
        .join(Unit, pw.JOIN.LEFT_OUTER, on=(RepairTicket.unit == Unit.id))
        .switch(RepairTicket)
        .join(Technician, pw.JOIN.LEFT_OUTER, on=(RepairTicket.technician == Technician.id))
        .order_by(Document.id.desc())
    )
    query = _doc_filters(query, f, employee_field=RepairTicket.technician)
    if f.product:
        query = query.where(RepairTicket.product == find_product(f.product).id)
    if f.serial:
        query = query.where(Unit.serial == _serial(f.serial))
    if f.supplier:
        query = query.where(Unit.supplier == find_supplier(f.supplier).id)
    if f.limit:
        query = query.limit(f.limit)
    rows = [
        (day, _number(Kind.REPAIR, doc_id), b, c or "", sku, s or "", tech or "", st)
        + ("yes" if covered else "no", money(cost))
        for day, doc_id, b, c, sku, s, tech, st, covered, cost in query.tuples()
    ]
    columns = ["date", "ticket", "branch", "customer", "sku", "serial", "technician", "status"]
    columns += ["covered", "parts_cost"]
    return Report("repairs", "Repair tickets", columns, rows)


def warranties_expiring(f: Filters, today: date | None = None) -> Report:
    """Customers' warranties (by serial or warranty number) ending within ``f.days`` days."""
    if f.days < 0 or f.days > 3660:
        raise Refused("Give the number of days ahead, 0 to 3660.")
    today = today or date.today()
    last = today + timedelta(days=f.days)
    units = (
        Unit.select(Unit.warranty_end, Unit.serial, Product.sku, Customer.name, Customer.phone)
        .join(Product)
        .switch(Unit)
        .join(Customer, pw.JOIN.LEFT_OUTER)
        .where(
            Unit.state.in_([UnitState.SOLD.value, UnitState.IN_SERVICE.value]),
            Unit.warranty_end.between(today, last),
        )
    )
    numbers = (
        WarrantyNumber.select(
            WarrantyNumber.warranty_end,
            WarrantyNumber.number,
            Product.sku,
            Customer.name,
            Customer.phone,
        )
        .join(Product)
        .switch(WarrantyNumber)
        .join(Customer, pw.JOIN.LEFT_OUTER)
        .where(WarrantyNumber.state == "active", WarrantyNumber.warranty_end.between(today, last))
    )
    if f.product:
        product = find_product(f.product).id
        units = units.where(Unit.product == product)
        numbers = numbers.where(WarrantyNumber.product == product)
    if f.customer:
        customer = find_customer(f.customer).id
        units = units.where(Unit.customer == customer)
        numbers = numbers.where(WarrantyNumber.customer == customer)
    if f.supplier:
        units = units.where(Unit.supplier == find_supplier(f.supplier).id)
        numbers = numbers.where(WarrantyNumber.id < 0)  # no supplier is known for them
    found = list(units.tuples()) + list(numbers.tuples())
    found.sort(key=lambda r: (r[0], r[1]))
    if f.limit:
        found = found[: f.limit]
    rows = [
        (end, (end - today).days, serial, sku, name or "", phone or "")
        for end, serial, sku, name, phone in found
    ]
    return Report(
        "expiring",
        f"Warranties ending by {last.isoformat()}",
        ["warranty_end", "days_left", "serial_or_number", "sku", "customer", "phone"],
        rows,
    )


# --- figures ------------------------------------------------------------------------------


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
    per_unit = (
        RepairTicket.select(
            RepairTicket.unit.alias("unit_id"), pw.fn.COUNT(RepairTicket.id).alias("n")
        )
        .where(RepairTicket.unit.is_null(False))
        .group_by(RepairTicket.unit)
    )
    if f.date_from:
        per_unit = per_unit.join(Document).where(Document.business_date >= f.date_from)
    if f.date_to:
        if not f.date_from:
            per_unit = per_unit.join(Document)
        per_unit = per_unit.where(Document.business_date <= f.date_to)
    repeated = pw.fn.SUM(pw.Case(None, [(per_unit.c.n >= min_repairs, 1)], 0))
    repeat_repairs = pw.fn.SUM(pw.Case(None, [(per_unit.c.n >= min_repairs, per_unit.c.n)], 0))
    query = (
        Unit.select(Product.sku, Product.name, pw.fn.COUNT(Unit.id), repeated, repeat_repairs)
        .join(per_unit, on=(Unit.id == per_unit.c.unit_id))
        .switch(Unit)
        .join(Product)
        .group_by(Product.sku, Product.name)
        .having(repeated > 0)
    )
    if f.product:
        query = query.where(Unit.product == find_product(f.product).id)
    if f.supplier:
        query = query.where(Unit.supplier == find_supplier(f.supplier).id)
    rows = []
    for sku, name, units, rep, rep_repairs in query.tuples():
        share = (Decimal(int(rep)) * 100 / units).quantize(Decimal("0.1"))
        rows.append((sku, name, units, int(rep), int(rep_repairs), share))
    rows.sort(key=lambda r: (-r[3], r[0]))
    return Report(
        "repeat-defects",
        f"Models with units repaired {min_repairs}+ times",
        ["sku", "product", "units_repaired", "units_repeat", "repeat_repairs", "repeat_pct"],
        rows[: f.limit] if f.limit else rows,
    )


def returns_by_branch(f: Filters) -> Report:
    """Per branch: return documents, units returned and the refunds paid."""
    # Grouped by the branch id (the return documents come per branch from the
    # (kind, branch, business_date) index, the lines' figures from a covering index);
    # the branch names are looked up after.
    query = (
        Document.select(
            Document.branch,
            pw.fn.COUNT(pw.fn.DISTINCT(Document.id)),
            pw.fn.SUM(DocumentLine.quantity),
            pw.fn.SUM(DocumentLine.price * DocumentLine.quantity),
        )
        .join(DocumentLine, on=(DocumentLine.document == Document.id))
        .where(Document.kind == Kind.RETURN)
        .group_by(Document.branch)
    )
    query = _doc_filters(query, f)
    if f.product:
        query = query.where(DocumentLine.product == find_product(f.product).id)
    branches = {b.id: (b.code, b.name) for b in Branch.select(Branch.id, Branch.code, Branch.name)}
    rows = sorted(
        (*branches[branch], docs, int(units), money(refund))
        for branch, docs, units, refund in query.tuples()
    )
    return Report(
        "returns-by-branch",
        "Customer returns by branch",
        ["branch", "name", "returns", "units", "refunded"],
        rows,
    )


def technician_repeats(f: Filters) -> Report:
    """Per technician: tickets on units, and how many of those units came back again later."""
    # A ticket whose unit has a later ticket came back. Walked per technician from the
    # (technician, unit) index, each asking the (unit) index for a later ticket: no join
    # of every ticket to a grouped copy of the table, no sort.
    Later = RepairTicket.alias()
    later = Later.select(pw.SQL("1")).where(
        Later.unit == RepairTicket.unit, Later.id > RepairTicket.id
    )
    came_back = (
        RepairTicket.select(RepairTicket.technician, pw.fn.COUNT(RepairTicket.id))
        .where(
            RepairTicket.technician.is_null(False),
            RepairTicket.unit.is_null(False),
            pw.fn.EXISTS(later),
        )
        .group_by(RepairTicket.technician)
    )
    tickets = (
        RepairTicket.select(RepairTicket.technician, pw.fn.COUNT(RepairTicket.id))
        .where(RepairTicket.technician.is_null(False), RepairTicket.unit.is_null(False))
        .group_by(RepairTicket.technician)
    )
    if f.employee:
        tech = _employee(f.employee).id
        came_back = came_back.where(RepairTicket.technician == tech)
        tickets = tickets.where(RepairTicket.technician == tech)
    if f.product:
        product = find_product(f.product).id
        came_back = came_back.where(RepairTicket.product == product)
        tickets = tickets.where(RepairTicket.product == product)
    back = dict(came_back.tuples())
    names = dict(Employee.select(Employee.id, Employee.login).tuples())
    full = dict(Employee.select(Employee.id, Employee.name).tuples())
    rows = []
    for tech, n in tickets.tuples():
        again = back.get(tech, 0)
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

    Read from the day totals (db/totals.py), kept per kind, branch, product and day as
    sales, replacements and parts are written: a year is a few thousand rows.
    """
    query = DayTotal.select(
        DayTotal.product,
        DayTotal.kind,
        pw.fn.SUM(DayTotal.quantity),
        pw.fn.SUM(DayTotal.amount_cents),
        pw.fn.SUM(DayTotal.cost_cents),
    ).group_by(DayTotal.product, DayTotal.kind)
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


@dataclass(frozen=True)
class ReportSpec:
    name: str
    label: str
    run: Callable[..., Report]
    filters: tuple[str, ...]  # which Filters fields it reads


REPORTS: dict[str, ReportSpec] = {
    spec.name: spec
    for spec in [
        ReportSpec("where", "Where is a serial", where_is, ("serial",)),
        ReportSpec("stock", "Serials in stock", stock, ("branch", "product", "supplier")),
        ReportSpec(
            "stock-count",
            "Stock count per branch/product",
            stock_count,
            ("branch", "product", "supplier"),
        ),
        ReportSpec(
            "sales",
            "Sales",
            sales,
            (
                "date_from",
                "date_to",
                "product",
                "serial",
                "customer",
                "supplier",
                "branch",
                "employee",
            ),
        ),
        ReportSpec(
            "returns",
            "Customer returns",
            returns,
            (
                "date_from",
                "date_to",
                "product",
                "serial",
                "customer",
                "supplier",
                "branch",
                "employee",
            ),
        ),
        ReportSpec(
            "repairs",
            "Repairs",
            repairs,
            (
                "date_from",
                "date_to",
                "product",
                "serial",
                "customer",
                "supplier",
                "branch",
                "employee",
            ),
        ),
        ReportSpec(
            "expiring",
            "Warranties expiring",
            warranties_expiring,
            ("days", "product", "customer", "supplier"),
        ),
        ReportSpec(
            "supplier-failure", "Supplier failure rate", supplier_failure, ("supplier", "product")
        ),
        ReportSpec(
            "repeat-defects",
            "Models with repeat defects",
            repeat_defects,
            ("date_from", "date_to", "product", "supplier"),
        ),
        ReportSpec(
            "returns-by-branch",
            "Returns by branch",
            returns_by_branch,
            ("date_from", "date_to", "branch", "product", "customer", "employee"),
        ),
        ReportSpec(
            "technician-repeats",
            "Technicians with repeat repairs",
            technician_repeats,
            ("employee", "product"),
        ),
        ReportSpec(
            "warranty-cost",
            "Warranty cost over margin",
            warranty_cost_over_margin,
            ("date_from", "date_to", "branch", "product"),
        ),
    ]
}


def run(name: str, filters: Filters | None = None, *, today: date | None = None) -> Report:
    """Run a report by name with its filters."""
    spec = REPORTS.get(name)
    if spec is None:
        raise Refused(f"No report '{name}' ({', '.join(REPORTS)}).")
    filters = filters or Filters()
    if spec.run is warranties_expiring:
        return warranties_expiring(filters, today)
    return spec.run(filters)
