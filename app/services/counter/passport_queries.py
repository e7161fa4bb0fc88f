"""The passport's queries, and how they run: each is built once per kind of database.

Peewee building a query's SQL anew for every serial cost more than the database
running it, so the SQL (and how peewee maps its columns) is kept and reused with
each new serial or unit id.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable

import peewee as pw

from db.connection import db
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


def lines_query(unit_id: int) -> pw.ModelSelect:
    return (
        DocumentLine.select(
            DocumentLine.document,
            DocumentLine.price,
            DocumentLine.cost,
            DocumentLine.condition,
            DocumentLine.disposition,
        )
        .where(DocumentLine.unit == unit_id)
        .tuples()
    )


def replaced_by_query(unit_id: int) -> pw.ModelSelect:
    return Unit.select(Unit.serial).where(Unit.replaces == unit_id).tuples()


def serial_query(unit_id: int) -> pw.ModelSelect:
    return Unit.select(Unit.serial).where(Unit.id == unit_id).tuples()


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


def repairs_query(unit_id: int) -> pw.ModelSelect:
    return (
        RepairTicket.select(RepairTicket.document, RepairTicket.status)
        .where(RepairTicket.unit == unit_id)
        .tuples()
    )


_COMPILED: dict[tuple, list] = {}
# A cursor wrapper's own state while it reads rows; the rest is set up once per query.
_READ_STATE = frozenset({"cursor", "count", "index", "initialized", "populated", "row_cache"})


def run_query(name: str, build: Callable[[object], pw.ModelSelect], value) -> list:
    """Rows of the query ``build(value)``, whose one parameter is ``value``.

    Its SQL, and how peewee maps the result columns, are worked out once per kind
    of database and reused with each new value; the rows are then read by peewee's
    own cursor wrapper, exactly as ``list(query)`` would read them.
    """
    database = db.obj
    key = (name, type(database), database.param, database.quote)
    compiled = _COMPILED.get(key)
    if compiled is None:
        query = build(value)
        sql, params = query.sql()
        if params != [value]:  # not a one-parameter query: run it as it is
            return list(query)
        compiled = _COMPILED[key] = [query, sql, None]
    query, sql, mapping = compiled
    wrapper = query._get_cursor_wrapper(_execute(database, name, sql, value))
    if mapping is None:
        wrapper.initialize()
        compiled[2] = {k: v for k, v in vars(wrapper).items() if k not in _READ_STATE}
    else:
        vars(wrapper).update(mapping)
    wrapper.initialized = True
    return list(wrapper.iterator())


_PREPARED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _execute(database: pw.Database, name: str, sql: str, value):
    """Run a compiled query; on PostgreSQL as a statement prepared once per connection,
    so the server does not plan the ten-table history join anew for every serial."""
    if not isinstance(database, pw.PostgresqlDatabase) or sql.count("%") != 1:
        return database.execute_sql(sql, (value,))
    statement = f"serialdesk_passport_{name}"
    prepared = _PREPARED.setdefault(database.connection(), set())
    if statement not in prepared:
        database.execute_sql(f"PREPARE {statement} AS {sql.replace('%s', '$1')}")
        prepared.add(statement)
    return database.execute_sql(f"EXECUTE {statement} (%s)", (value,))
