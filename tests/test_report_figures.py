"""Figures kept for the reports as the ledger is written: day totals and the day a unit
first came back under warranty; and the schema step that fills both on an older database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from playhouse.migrate import migrate as run_operations

import db.migrations as migrations
from app.services import integrity, reports
from app.services.receiving import ReceiptLine, receive
from app.services.repairs import add_part, collect, intake, replace
from app.services.returns import ReturnItem, customer_return
from app.services.selling import SaleItem, sell
from db import totals
from db.database import close_database, db, open_database
from db.models import DayTotal, Document, DocumentLine, SchemaVersion, Unit
from tests.conftest import IMEIS, make_shop
from tests.support import customer, receive_phones, sell_serials, unit


def _ledger(shop):
    """Sales at two prices, a return in warranty, a covered and an uncovered repair with
    parts, a replacement, and a return long after the warranty ended."""
    receive_phones(shop.inventory, IMEIS[:6])
    receive(shop.inventory, "ToolCo", [ReceiptLine("DR-18", ["D-1", "D-2", "D-3"], cost="90")])
    ann = customer("Ann Buyer")
    sell_serials(shop.cashier, IMEIS[:4], customer_id=ann.id)
    sell(shop.manager, [SaleItem(serial="D-1", price="149"), SaleItem(serial="D-2", price="139")])
    shop.clock.advance(days=10)
    customer_return(shop.cashier, [ReturnItem(serial=IMEIS[1], disposition="quarantine")])
    covered = intake(shop.cashier, IMEIS[0], complaint="no sound", technician="ted")
    add_part(shop.technician, covered.number, "speaker", cost="50", quantity=2)
    collect(shop.technician, covered.number, outcome="repaired")
    damaged = intake(shop.cashier, IMEIS[2], complaint="dropped", damage=True, technician="ted")
    add_part(shop.technician, damaged.number, "screen", cost="80")
    collect(shop.technician, damaged.number, outcome="repaired")
    replace(shop.technician, "D-1", "D-3")
    shop.clock.advance(days=5 * 366)  # every warranty has ended
    customer_return(shop.cashier, [ReturnItem(serial=IMEIS[3], disposition="quarantine")])
    return shop


def _totals() -> dict:
    rows = DayTotal.select(DayTotal.kind, DayTotal.product, *_figure_fields()).tuples()
    found: dict = {}
    for kind, product, *figures in rows:
        sku = unit_sku(product)
        old = found.get((kind, sku), (0, 0, 0, 0))
        found[(kind, sku)] = tuple(a + int(b) for a, b in zip(old, figures, strict=True))
    return found


def _figure_fields():
    return [getattr(DayTotal, name) for name in totals.FIGURES]


def unit_sku(product_id: int) -> str:
    from db.models import Product

    return Product.get_by_id(product_id).sku


def test_day_totals_are_kept_with_each_sale_replacement_and_covered_part(shop):
    _ledger(shop)
    assert _totals() == {
        # (lines, units, amount in cents, cost in cents)
        ("sale", "PH-X1"): (4, 4, 4 * 49900, 4 * 30000),
        ("sale", "DR-18"): (2, 2, 14900 + 13900, 2 * 9000),
        # the unit taken back (no cost) and the unit issued (its cost)
        ("replacement", "DR-18"): (2, 2, 0, 9000),
        # only the covered repair's parts: 2 x 50; the damaged phone's screen is not warranty
        ("covered_parts", "PH-X1"): (1, 2, 0, 10000),
    }
    assert totals.mismatches() == []


def test_a_total_that_disagrees_with_its_lines_is_named_by_verify(shop):
    _ledger(shop)
    assert integrity.check().problems == []
    line = (
        DocumentLine.select()
        .join(Document)
        .where(DocumentLine.serial == "D-2", Document.kind == "sale")
        .get()
    )
    DocumentLine.update(price=Decimal("1.00")).where(DocumentLine.id == line.id).execute()
    problems = integrity.check().problems
    assert len(problems) == 1 and problems[0].startswith("Day total sale of product #")
    assert "amount_cents 28800" in problems[0] and "amount_cents 15000" in problems[0]


def test_a_unit_comes_back_under_warranty_once_by_any_of_three_ways(shop):
    _ledger(shop)
    start = date(2026, 1, 15)
    came_back = {serial: unit(serial).came_back for serial in [*IMEIS[:4], "D-1", "D-2", "D-3"]}
    assert came_back == {
        IMEIS[0]: date(2026, 1, 25),  # a covered repair
        IMEIS[1]: date(2026, 1, 25),  # returned while its warranty ran
        IMEIS[2]: None,  # repaired, but for damage: not the maker's fault
        IMEIS[3]: None,  # returned years after its warranty ended
        "D-1": date(2026, 1, 25),  # replaced
        "D-2": None,
        "D-3": None,  # the replacement itself has not come back
    }
    assert start < date(2026, 1, 25)
    rows = {row[1]: row[3:5] for row in reports.run("supplier-failure").rows}
    assert rows == {"PH-X1": (6, 2), "DR-18": (3, 1)}


def test_the_first_day_back_is_kept(shop):
    _ledger(shop)
    shop.clock.advance(days=-5 * 366 + 30)
    again = intake(shop.cashier, IMEIS[0], complaint="no sound again", technician="ted")
    assert again.covered
    assert unit(IMEIS[0]).came_back == date(2026, 1, 25)


def _as_schema_v1(database) -> None:
    """Take the figures of schema 2 away again: the shape a v1 database has."""
    migrator = migrations._migrator(database)
    run_operations(
        migrator.drop_index("unit", "unit_supplier_id_product_id_came_back"),
        migrator.drop_column("unit", "came_back"),
        migrator.add_index("unit", ("supplier_id", "product_id", "warranty_end"), False),
    )
    database.drop_tables([DayTotal])
    SchemaVersion.delete().execute()
    SchemaVersion.create(version=1)


def test_a_v1_database_gets_its_figures_from_the_ledger(db_url):
    database = open_database(db_url)
    _ledger(make_shop(db_url))
    before = {
        name: reports.run(name).rows for name in ("supplier-failure", "warranty-cost", "sales")
    }
    came_back = set(
        Unit.select(Unit.id, Unit.came_back).where(Unit.came_back.is_null(False)).tuples()
    )
    kept = _totals()
    with db.atomic():
        _as_schema_v1(database)
    close_database()
    assert migrations.current_version(open_database(db_url, migrate=False)) == 1
    close_database()

    database = open_database(db_url)
    assert migrations.current_version(database) == migrations.LATEST == 2
    assert (
        set(Unit.select(Unit.id, Unit.came_back).where(Unit.came_back.is_null(False)).tuples())
        == came_back
    )
    assert _totals() == kept
    assert {name: reports.run(name).rows for name in before} == before
    assert integrity.check().problems == []
