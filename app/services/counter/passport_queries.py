"""The passport's queries, and how they run: each is built once per kind of database
and prepared (``db.prepared``): Peewee building a query's SQL anew for every serial cost
more than the database running it."""

from __future__ import annotations

from collections.abc import Callable

import peewee as pw

from db.models import (
    Branch,
    Customer,
    Document,
    DocumentLine,
    Employee,
    Product,
    ProductType,
    RepairTicket,
    Supplier,
    Unit,
    UnitEvent,
)
from db.prepared import Prepared


def unit_query(serial: str) -> pw.ModelSelect:
    return units_query().where(Unit.serial == serial)


def units_query() -> pw.ModelSelect:
    """Units with their product, type, branch, customer and supplier: all a passport needs."""
    return (
        Unit.select(Unit, Product, ProductType, Branch, Customer, Supplier)
        .join(Product)
        .join(ProductType)
        .switch(Unit)
        .join(Branch, pw.JOIN.LEFT_OUTER)
        .switch(Unit)
        .join(Customer, pw.JOIN.LEFT_OUTER)
        .switch(Unit)
        .join(Supplier, pw.JOIN.LEFT_OUTER)
    )


def history_query(unit_id: int) -> pw.ModelSelect:
    Approver = Employee.alias()
    DocBranch = Branch.alias()
    ToBranch = Branch.alias()
    DocEmployee = Employee.alias()
    return (
        UnitEvent.select(
            UnitEvent.at,
            UnitEvent.event,
            UnitEvent.from_state,
            UnitEvent.to_state,
            UnitEvent.note,
            Branch.name,
            Employee.name,
            Approver.name,
            Document.id,
            Document.kind,
            Document.business_date,
            Document.reference,
            Document.status,
            DocBranch.name,
            ToBranch.name,
            DocEmployee.name,
            Customer.name,
            Supplier.name,
        )
        .join(Branch, pw.JOIN.LEFT_OUTER, on=(UnitEvent.branch == Branch.id))
        .switch(UnitEvent)
        .join(Employee, on=(UnitEvent.employee == Employee.id))
        .switch(UnitEvent)
        .join(Approver, pw.JOIN.LEFT_OUTER, on=(UnitEvent.approved_by == Approver.id))
        .switch(UnitEvent)
        .join(Document, pw.JOIN.LEFT_OUTER, on=(UnitEvent.document == Document.id))
        .join(DocBranch, pw.JOIN.LEFT_OUTER, on=(Document.branch == DocBranch.id))
        .switch(Document)
        .join(ToBranch, pw.JOIN.LEFT_OUTER, on=(Document.to_branch == ToBranch.id))
        .switch(Document)
        .join(DocEmployee, pw.JOIN.LEFT_OUTER, on=(Document.employee == DocEmployee.id))
        .switch(Document)
        .join(Customer, pw.JOIN.LEFT_OUTER, on=(Document.customer == Customer.id))
        .switch(Document)
        .join(Supplier, pw.JOIN.LEFT_OUTER, on=(Document.supplier == Supplier.id))
        .where(UnitEvent.unit == unit_id)
        .order_by(UnitEvent.id)
        .tuples()
    )


_QUERIES: dict[str, Prepared] = {}


def run_query(name: str, build: Callable[[object], pw.ModelSelect], value) -> list:
    """Rows of the query ``build(value)``, whose one argument is ``value`` (a serial or a
    unit id): built once per kind of database and prepared (``db.prepared``)."""
    prepared = _QUERIES.get(name)
    if prepared is None:
        prepared = _QUERIES.setdefault(name, Prepared(build, type(value)))
    return prepared.rows(value)


# --- everything after the unit, in one statement ------------------------------------------

# The tagged rows of ``details_query``: a history row, a document line, a repair ticket,
# a unit this one was replaced by, the unit it replaced.
HISTORY, LINE, REPAIR, REPLACED_BY, REPLACES = "h", "l", "t", "r", "s"
# Its columns, in order; a part leaves out (NULL) what it does not have.
DETAIL_COLUMNS = (
    "tag", "sort", "at", "event", "from_state", "to_state", "text", "branch", "employee",
    "approver", "doc_id", "kind", "business_date", "reference", "status", "doc_branch",
    "to_branch", "doc_employee", "customer", "supplier", "price", "cost", "condition",
    "disposition",
)  # fmt: skip


def _part(tag: str, query: pw.ModelSelect, **given) -> pw.ModelSelect:
    """One part of ``details_query``: its tag, then the given columns in their place."""
    values = [pw.SQL(f"'{tag}'")]
    for name in DETAIL_COLUMNS[1:]:
        values.append(given.get(name, pw.SQL("NULL")))
    return query.select(*values)


def details_query(unit_id: int) -> pw.CompoundSelectQuery:
    """A unit's history (with each event's document), its document lines, repair tickets
    and replacement links as one UNION ALL of tagged rows: one statement, one round trip
    to a PostgreSQL server, where there were five. The history comes in event order."""
    history = history_query(unit_id)
    columns = dict(zip(DETAIL_COLUMNS[2:20], history._returning, strict=True))
    history = _part(HISTORY, history.order_by(), sort=UnitEvent.id, **columns)
    lines = _part(
        LINE,
        DocumentLine.select().where(DocumentLine.unit == unit_id),
        sort=DocumentLine.id,
        doc_id=DocumentLine.document,
        price=DocumentLine.price,
        cost=DocumentLine.cost,
        condition=DocumentLine.condition,
        disposition=DocumentLine.disposition,
    )
    repairs = _part(
        REPAIR,
        RepairTicket.select().where(RepairTicket.unit == unit_id),
        sort=RepairTicket.id,
        doc_id=RepairTicket.document,
        status=RepairTicket.status,
    )
    replaced_by = _part(
        REPLACED_BY,
        Unit.select().where(Unit.replaces == unit_id),
        sort=Unit.id,
        text=Unit.serial,
    )
    This = Unit.alias()
    replaces = _part(
        REPLACES,
        Unit.select().join(This, on=(This.replaces == Unit.id)).where(This.id == unit_id),
        sort=Unit.id,
        text=Unit.serial,
    )
    union = history + lines + repairs + replaced_by + replaces
    return union.order_by(pw.SQL("1"), pw.SQL("2"))


# How the parts' columns are read back (the driver gives text or numbers on SQLite).
DETAIL_FIELDS = {
    "at": UnitEvent.at,
    "business_date": Document.business_date,
    "price": DocumentLine.price,
    "cost": DocumentLine.cost,
}


def details(unit_id: int) -> dict[str, list[tuple]]:
    """``details_query`` run (prepared), its rows by tag, columns read as their fields do."""
    query = _QUERIES.get("details")
    if query is None:
        query = _QUERIES.setdefault("details", Prepared(details_query, int))
    places = [(DETAIL_COLUMNS.index(n), f.python_value) for n, f in DETAIL_FIELDS.items()]
    found: dict[str, list[tuple]] = {}
    for row in query.cursor(unit_id).fetchall():
        row = list(row)
        for place, read in places:
            if row[place] is not None:
                row[place] = read(row[place])
        found.setdefault(row[0], []).append(tuple(row))
    return found
