"""Report listings: where a serial is, serials in stock, sales, returns, repairs and
warranties about to end; each a query of rows, newest first, cut at the screen's limit."""

from __future__ import annotations

from datetime import date, timedelta

import peewee as pw

from app.domain.errors import NotFound, Refused
from app.domain.states import UnitState
from app.services.ledger.documents import Kind
from app.services.ledger.lookups import find_branch, find_customer, find_product, find_supplier
from app.services.reports.base import (
    Filters,
    Report,
    doc_filters,
    money,
    number_of,
    serial_of,
)
from db.models import (
    Branch,
    Customer,
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


def where_is(f: Filters) -> Report:
    """Every unit with the serial: product, state, branch, customer, supplier, warranty."""
    if not f.serial.strip():
        raise Refused("Give the serial to look for.")
    serial = serial_of(f.serial)
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
        query = query.where(Unit.serial == serial_of(f.serial))
    return query


def _lines(kind: str, f: Filters, *columns):
    """Document lines of one kind with their document, branch, employee, customer, unit:
    the head columns of every line listing, then ``columns``."""
    head = (
        Document.business_date,
        Document.id,
        Branch.code,
        Employee.login,
        Customer.name,
        Product.sku,
        DocumentLine.serial,
    )
    query = (
        DocumentLine.select(*head, *columns)
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
    query = doc_filters(query, f)
    if f.branch or f.employee or f.customer:
        # The documents then come from that column's index, newest first: order by the
        # document itself so that the walk stops at the limit instead of sorting them all.
        query = query.order_by(Document.id.desc(), DocumentLine.id.desc())
    if f.product:
        query = query.where(DocumentLine.product == find_product(f.product).id)
    if f.serial:
        query = query.where(DocumentLine.serial == serial_of(f.serial))
    if f.supplier:
        query = query.where(Unit.supplier == find_supplier(f.supplier).id)
    if f.limit:
        query = query.limit(f.limit)
    return query


def _head(kind: str, row: tuple) -> tuple:
    """A line listing's first seven cells, from the head columns ``_lines`` selects."""
    day, doc_id, branch, login, customer, sku, serial = row[:7]
    return (day, number_of(kind, doc_id), branch, login, customer or "", sku, serial)


def _head_columns(document: str) -> list[str]:
    """The names of those seven cells; ``document`` names the second (sale, return)."""
    return ["date", document, "branch", "employee", "customer", "sku", "serial"]


def sales(f: Filters) -> Report:
    """Sale lines: date, sale, branch, cashier, customer, product, serial, price, cost, margin."""
    query = _lines(Kind.SALE, f, DocumentLine.quantity, DocumentLine.price, DocumentLine.cost)
    rows = []
    for row in query.tuples():
        qty, price, cost = row[7:]
        margin = (price - cost) * qty if cost is not None else None
        rows.append(_head(Kind.SALE, row) + (qty, price, cost, margin))
    columns = _head_columns("sale") + ["quantity", "price", "cost", "margin"]
    return Report("sales", "Sales", columns, rows)


def returns(f: Filters) -> Report:
    """Customer return lines: date, return, branch, who, customer, product, serial, outcome."""
    query = _lines(
        Kind.RETURN,
        f,
        DocumentLine.quantity,
        DocumentLine.condition,
        DocumentLine.disposition,
        DocumentLine.price,
    )
    rows = [_head(Kind.RETURN, row) + tuple(row[7:]) for row in query.tuples()]
    columns = _head_columns("return") + ["quantity", "condition", "disposition", "refund"]
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
    query = doc_filters(query, f, employee_field=RepairTicket.technician)
    if f.product:
        query = query.where(RepairTicket.product == find_product(f.product).id)
    if f.serial:
        query = query.where(Unit.serial == serial_of(f.serial))
    if f.supplier:
        query = query.where(Unit.supplier == find_supplier(f.supplier).id)
    if f.limit:
        query = query.limit(f.limit)
    rows = [
        (day, number_of(Kind.REPAIR, doc_id), b, c or "", sku, s or "", tech or "", st)
        + ("yes" if covered else "no", money(cost))
        for day, doc_id, b, c, sku, s, tech, st, covered, cost in query.tuples()
    ]
    columns = ["date", "ticket", "branch", "customer", "sku", "serial", "technician", "status"]
    columns += ["covered", "parts_cost"]
    return Report("repairs", "Repair tickets", columns, rows)


def warranties_expiring(f: Filters, today: date | None = None) -> Report:
    """Customers' warranties (by serial or warranty number) ending within ``f.days`` days
    (30 when not given)."""
    days = 30 if f.days is None else f.days
    if days < 0 or days > 3660:
        raise Refused("Give the number of days ahead, 0 to 3660.")
    today = today or date.today()
    last = today + timedelta(days=days)
    units = (
        Unit.select(Unit.warranty_end, Unit.serial, Product.sku, Customer.name, Customer.phone)
        .join(Product)
        .switch(Unit)
        .join(Customer, pw.JOIN.LEFT_OUTER)
        .where(
            # ``state || ''``: walk the (warranty_end, state) index over the days asked for,
            # not every sold unit by the state index
            Unit.state.concat("").in_([UnitState.SOLD.value, UnitState.IN_SERVICE.value]),
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
