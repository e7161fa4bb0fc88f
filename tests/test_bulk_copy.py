"""Bulk writes (db/bulk.insert_rows): on PostgreSQL many rows go by COPY, and what is
stored and returned is what the multi-row INSERT stores and returns, on both backends.
Bulk look-ups (db/bulk.select_in): a long list goes to PostgreSQL as one array, and finds
exactly what an IN list finds."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from db import pg_copy
from db.bulk import MIN_ARRAY, insert_rows, pg_array, select_in
from db.connection import db, is_sqlite
from db.models import Customer, Document, DocumentLine, Product, Unit

TRICKY = ["plain", "tab\there", "new\nline", "back\\slash", "\\N", "cr\rlf", "ünï 😀", ""]


def test_text_of_escapes_what_copy_would_misread():
    assert pg_copy.text_of(None) == "\\N"
    assert pg_copy.text_of("\\N") == "\\\\N"  # a serial that reads like NULL stays a serial
    assert pg_copy.text_of("a\tb\nc\rd\\e") == "a\\tb\\nc\\rd\\\\e"
    assert pg_copy.text_of(True) == "t" and pg_copy.text_of(False) == "f"
    assert pg_copy.text_of(Decimal("1E+2")) == "100"
    assert pg_copy.text_of(date(2026, 1, 31)) == "2026-01-31"
    assert pg_copy.text_of(datetime(2026, 1, 31, 9, 5, 1, 7)) == "2026-01-31 09:05:01.000007"
    for value in (datetime(2026, 1, 1, tzinfo=UTC), Decimal("NaN"), b"x", "nul\x00"):
        with pytest.raises(pg_copy.NotCopyable):
            pg_copy.text_of(value)


def _rows(count: int, product_id: int, branch_id: int) -> list[dict]:
    return [
        {
            "serial": f"{TRICKY[n % len(TRICKY)]}-{n}",
            "product": product_id,
            "state": "in_stock",
            "branch": branch_id,
            "cost": Decimal("10.005") if n % 2 else None,
            "updated_at": datetime(2026, 3, 1, 12, 0, n % 60, tzinfo=UTC),
        }
        for n in range(count)
    ]


@pytest.mark.parametrize("count", [3, 250])
def test_bulk_insert_stores_and_returns_what_an_insert_would(shop, count):
    phone = Product.get(Product.sku == "PH-X1")
    branch = shop.inventory.branch_id
    rows = _rows(count, phone.id, branch)
    before = Unit.select().count()
    returned = insert_rows(Unit, rows, returning=(Unit.serial, Unit.id))
    assert len(returned) == count and Unit.select().count() == before + count
    by_serial = {u.serial: u for u in Unit.select().where(Unit.id.in_([i for _s, i in returned]))}
    assert sorted(by_serial) == sorted(r["serial"] for r in rows)
    for serial, unit_id in returned:
        assert by_serial[serial].id == unit_id
    for n, row in enumerate(rows):
        unit = by_serial[row["serial"]]
        assert unit.cost == (Unit.cost.db_value(row["cost"]) if n % 2 else None)  # as rounded
        assert unit.updated_at == row["updated_at"]
        assert unit.flag == "" and unit.product_id == phone.id  # defaults filled in
    # The sequence moved past the ids taken: the next plain insert gets a new id.
    later = Customer.create(name="After", phone="")
    assert later.id
    extra = Unit.create(serial="AFTER-1", product=phone, state="in_stock", branch=branch)
    assert extra.id > max(i for _s, i in returned)


def test_many_rows_go_by_copy_on_postgresql(shop, monkeypatch):
    sent: list[str] = []
    original = db.obj.execute_sql
    monkeypatch.setattr(
        db.obj, "execute_sql", lambda sql, *a: sent.append(sql) or original(sql, *a)
    )
    phone = Product.get(Product.sku == "PH-X1")
    insert_rows(Unit, _rows(300, phone.id, shop.inventory.branch_id), returning=(Unit.id,))
    inserts = [s for s in sent if s.startswith("INSERT")]
    assert inserts == [] if not is_sqlite() else len(inserts) == 1


def test_a_returned_field_copy_cannot_give_falls_back_to_insert(shop):
    """Money read back is the stored (rounded) amount: that needs RETURNING, not COPY."""
    phone = Product.get(Product.sku == "PH-X1")
    ctx = shop.inventory
    doc = Document.create(
        kind="receipt", branch=ctx.branch_id, employee=ctx.employee_id, business_date=date.today()
    )
    lines = [
        {"document": doc.id, "product": phone.id, "serial": f"L{n}", "quantity": 1,
         "price": Decimal("1.005"), "cost": None}
        for n in range(150)
    ]  # fmt: skip
    returned = insert_rows(DocumentLine, lines, returning=(DocumentLine.id, DocumentLine.price))
    assert {Decimal(str(price)) for _i, price in returned} == {
        DocumentLine.price.db_value(Decimal("1.005"))
    }
    assert DocumentLine.select().where(DocumentLine.document == doc.id).count() == 150


def test_a_value_copy_would_read_otherwise_is_found_before_anything_is_sent(shop):
    phone = Product.get(Product.sku == "PH-X1")
    rows = [[f"AWARE-{n}", phone.id, datetime(2026, 1, 1, tzinfo=UTC)] for n in range(150)]
    columns = ["serial", "product_id", "updated_at"]
    assert pg_copy.copy_rows(Unit, columns, rows) is None
    rows[-1][2] = rows[-1][2].replace(tzinfo=None)
    assert pg_copy.copy_rows(Unit, columns, [rows[-1]] * 2 + [["NUL\x00", phone.id, None]]) is None
    assert Unit.select().where(Unit.serial.startswith("AWARE-")).count() == 0


@pytest.mark.parametrize("count", [5, MIN_ARRAY + 50])
def test_a_bulk_look_up_finds_what_an_in_list_finds(shop, count, monkeypatch):
    phone = Product.get(Product.sku == "PH-X1")
    hostile = TRICKY + ['quo"te', "}", "{a,b}", "co,mma", " lead", "NULL", 'a\\"b', "x'y"]
    rows = _rows(count, phone.id, shop.inventory.branch_id)
    for n, text in enumerate(hostile):
        rows[n % count]["serial"] = text
    inserted = dict(insert_rows(Unit, rows, returning=(Unit.serial, Unit.id)))
    asked = [r["serial"] for r in rows] * 2 + ["absent", None] + ["NULL", '"', "\\"]
    columns = (Unit.serial, Unit.id)
    found = select_in(Unit, columns, Unit.serial, asked, chunk=10_000)
    assert sorted(found) == sorted(inserted.items())  # each once, however often asked
    by_id = select_in(Unit, columns, Unit.id, [*inserted.values(), -1] * 2, chunk=10_000)
    assert sorted(by_id) == sorted(inserted.items())
    # The IN list (SQLite's way, and a short list's) finds the same.
    monkeypatch.setattr("db.bulk.MIN_ARRAY", 10**9)
    assert sorted(select_in(Unit, columns, Unit.serial, asked, chunk=10_000)) == sorted(found)


def test_an_array_literal_quotes_every_element():
    assert pg_array(["a", 'b"c', "d\\e", "a", None]) == ("text", '{"a","b\\"c","d\\\\e"}')
    assert pg_array([3, 1, 3]) == ("bigint", "{3,1}")
    assert pg_array([1, "1"]) is None and pg_array([True, 2]) is None
