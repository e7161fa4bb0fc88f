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


_QUERIES: dict[str, Prepared] = {}


def run_query(name: str, build: Callable[[object], pw.ModelSelect], value) -> list:
    """Rows of the query ``build(value)``, whose one argument is ``value`` (a serial or a
    unit id): built once per kind of database and prepared (``db.prepared``)."""
    prepared = _QUERIES.get(name)
    if prepared is None:
        prepared = _QUERIES.setdefault(name, Prepared(build, type(value)))
    return prepared.rows(value)
