"""Prepared queries (db/prepared.py) and the fast single-row writes (db/bulk.py) give what
Peewee's own queries give, on both backends, and refuse what they cannot prepare."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.services.stock.receiving import ReceiptLine, receive
from db.bulk import create_row, update_where
from db.connection import db
from db.models import Customer, DayTotal, Document, Product, ProductType, Unit
from db.prepared import Prepared

BY_NAME = Prepared(lambda name: Customer.select().where(Customer.name == name), str)
BY_ID = Prepared(lambda cid: Customer.select().where(Customer.id == cid).tuples(), int)
UNITS = Prepared(
    lambda serial, product: (
        Unit.select(Unit, Product, ProductType)
        .join(Product)
        .join(ProductType)
        .where(Unit.serial == serial, Unit.product == product)
        .order_by(Unit.id)
    ),
    str,
    int,
)


def test_prepared_rows_match_peewee(shop):
    for name in ("Anna", "Ben", "50% off", "it's %s"):
        Customer.create(name=name, phone="")
    for name in ("Anna", "50% off", "it's %s", "nobody"):
        got = [(c.id, c.name) for c in BY_NAME.rows(name)]
        want = [(c.id, c.name) for c in Customer.select().where(Customer.name == name)]
        assert got == want
    anna = Customer.get(Customer.name == "Anna")
    assert BY_ID.first(anna.id) == (anna.id, "Anna", "", anna.email, anna.created_at)
    assert BY_ID.first(-5) is None


def test_prepared_joins_and_runs_again_after_a_new_connection(shop):
    receive(shop.manager, "ToolCo", [ReceiptLine("DR-18", ["DRILL-1"], cost="50")])
    unit = Unit.get(Unit.serial == "DRILL-1")
    for _ in range(2):
        [found] = UNITS.rows(unit.serial, unit.product_id)
        assert found.id == unit.id and found.product.type.name == unit.product.type.name
        db.close()
        db.connect()  # PostgreSQL: a new connection has no prepared statement yet


def test_prepared_refuses_what_peewee_converts():
    with pytest.raises(TypeError, match="Decimal"):
        Prepared(lambda v: Product.select().where(Product.price == v), Decimal).rows(1)
    converted = Prepared(lambda price: Product.select().where(Product.price == price), str)
    with pytest.raises(TypeError, match="converted"):
        converted.rows("1.00")  # a money field turns the text into an amount: never bound wrong


def test_prepared_upsert_with_a_date(shop):
    upsert = Prepared(
        lambda branch, product, day, n: DayTotal.insert(
            kind="test", branch=branch, product=product, day=day, lines=n
        ).on_conflict(
            conflict_target=[DayTotal.kind, DayTotal.product, DayTotal.branch, DayTotal.day],
            update={DayTotal.lines: DayTotal.lines + n},
        ),
        int,
        int,
        date,
        int,
    )
    product = Product.get(Product.sku == "DR-18").id
    upsert.cursor(shop.manager.branch_id, product, date(2026, 5, 1), 2)
    upsert.cursor(shop.manager.branch_id, product, date(2026, 5, 1), 3)
    upsert.cursor(shop.manager.branch_id, product, date(2026, 5, 2), 1)
    rows = DayTotal.select().where(DayTotal.kind == "test").order_by(DayTotal.day)
    assert [(r.day, r.lines) for r in rows] == [(date(2026, 5, 1), 5), (date(2026, 5, 2), 1)]


def test_create_row_and_update_where_match_peewee(shop):
    ctx = shop.manager
    doc = create_row(Document, kind="sale", branch=ctx.branch_id, employee=ctx.employee_id,
                     total=Decimal("12.50"), business_date=date(2026, 1, 2), note="x")  # fmt: skip
    stored = Document.get_by_id(doc.id)
    assert (stored.kind, stored.total, stored.business_date, stored.note) == (
        "sale", Decimal("12.50"), date(2026, 1, 2), "x",
    )  # fmt: skip
    assert stored.status == doc.status and stored.created_at is not None
    assert update_where(Document, {"note": "y", "total": Decimal("3")}, id=doc.id, kind="x") == 0
    assert update_where(Document, {"note": "y", "total": Decimal("3")}, id=doc.id, kind="sale") == 1
    stored = Document.get_by_id(doc.id)
    assert (stored.note, stored.total) == ("y", Decimal("3.00"))
