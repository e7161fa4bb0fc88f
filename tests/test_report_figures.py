"""Figures kept for the reports as the ledger is written: day totals and the day a unit
first came back under warranty; and the schema step that fills both on an older database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from playhouse.migrate import migrate as run_operations

import db.migrations as migrations
from app.domain.states import Event
from app.services.counter.repairs import add_part, collect, intake
from app.services.counter.replacements import replace
from app.services.counter.returns import ReturnItem, customer_return
from app.services.counter.selling import SaleItem, sell
from app.services.ledger import totals
from app.services.ledger.documents import Kind
from app.services.reports import runner
from app.services.safety import integrity
from app.services.stock.receiving import ReceiptLine, receive
from db.connection import db
from db.database import close_database, open_database
from db.models import (
    AssembledKit,
    AssembledKitPart,
    DayTotal,
    Document,
    DocumentLine,
    KitComponent,
    RepairTicket,
    SchemaVersion,
    Unit,
)
from tests.conftest import IMEIS, make_shop
from tests.support import customer, receive_drills, receive_phones, sell_serials, unit


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
        # two phones back, each refunded 499
        ("return", "PH-X1"): (2, 2, 2 * 49900, 0),
    }
    assert totals.mismatches() == []


def test_returns_by_branch_counts_a_line_refund_once_by_either_path(shop):
    receive(shop.inventory, "PhoneCo", [ReceiptLine("AC-CASE", quantity=10, cost="4")])
    sale = sell(shop.cashier, [SaleItem(product="AC-CASE", quantity=5)])
    shop.clock.advance(days=2)
    customer_return(
        shop.cashier,
        [ReturnItem(sale_line=sale_line_id(sale.number), quantity=3)],
        sale=sale.number,
    )
    # 3 cases back at 19.90: 59.70 refunded, not 3 x 59.70
    expected = [("A", "Main Street", 1, 3, Decimal("59.70"))]
    assert runner.run("returns-by-branch").rows == expected  # from the day totals
    narrowed = runner.Filters(product="AC-CASE")
    assert runner.run("returns-by-branch", narrowed).rows == expected  # from the lines


def test_repairs_are_counted_per_unit_and_a_ticket_knows_its_unit_came_back(shop):
    _ledger(shop)
    assert [unit(s).repair_count for s in IMEIS[:4]] == [1, 0, 1, 0]
    shop.clock.advance(days=-5 * 366 + 30)
    intake(shop.cashier, IMEIS[0], complaint="no sound again", technician="ted")
    assert unit(IMEIS[0]).repair_count == 2
    tickets = RepairTicket.select().where(RepairTicket.unit == unit(IMEIS[0]).id)
    assert [t.came_back_again for t in tickets.order_by(RepairTicket.id)] == [True, False]
    live = _repair_marks()
    totals.rebuild_repair_counts()
    assert _repair_marks() == live
    everything = runner.Filters(date_from=date(2020, 1, 1), date_to=date(2040, 1, 1))
    assert runner.run("repeat-defects").rows == runner.run("repeat-defects", everything).rows
    assert runner.run("repeat-defects").rows[0][:5] == ("PH-X1", "Phone X1 128GB", 2, 1, 2)


def sale_line_id(number: str) -> int:
    doc = Document.get_by_id(int(number.split("-")[1]))
    return DocumentLine.get(DocumentLine.document == doc).id


def _repair_marks():
    units = set(Unit.select(Unit.id, Unit.repair_count).tuples())
    return units, set(RepairTicket.select(RepairTicket.id, RepairTicket.came_back_again).tuples())


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
    day = [p for p in problems if p.startswith("Day total sale of product #")]
    assert len(day) == 1 and "amount_cents 28800" in day[0] and "amount_cents 15000" in day[0]
    # The sale's total no longer adds up either.
    assert len(problems) == 2 and any("lines add up to" in p for p in problems)


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
    rows = {row[1]: row[3:5] for row in runner.run("supplier-failure").rows}
    assert rows == {"PH-X1": (6, 2), "DR-18": (3, 1)}


def test_the_first_day_back_is_kept(shop):
    _ledger(shop)
    shop.clock.advance(days=-5 * 366 + 30)
    again = intake(shop.cashier, IMEIS[0], complaint="no sound again", technician="ted")
    assert again.covered
    assert unit(IMEIS[0]).came_back == date(2026, 1, 25)


def test_a_return_on_the_day_the_warranty_ends_is_not_a_failure_live_or_rebuilt(shop):
    receive_phones(shop.inventory, IMEIS[:2])
    sell_serials(shop.cashier, IMEIS[:2], customer_id=customer("Ann Buyer").id)
    end = unit(IMEIS[0]).warranty_end
    shop.clock.now = shop.clock.now.replace(year=end.year, month=end.month, day=end.day)
    shop.clock.advance(days=-1)  # the warranty's last day
    customer_return(shop.cashier, [ReturnItem(serial=IMEIS[0], disposition="quarantine")])
    shop.clock.advance(days=1)  # the day it ends: no longer under warranty
    customer_return(shop.cashier, [ReturnItem(serial=IMEIS[1], disposition="quarantine")])
    live = [unit(s).came_back for s in IMEIS[:2]]
    assert live == [end.replace(day=end.day - 1), None]
    totals.rebuild_came_back()
    assert [unit(s).came_back for s in IMEIS[:2]] == live


def _as_schema_v1(database, *, early: bool = False) -> None:
    """Take the figures of schema 2 away again: the shape a v1 database has. An early v1
    database also lacks the kit tables and the supplier report's index."""
    migrator = migrations._migrator(database)
    run_operations(
        migrator.drop_index("unit", "unit_supplier_id_product_id_came_back"),
        migrator.drop_index("unit", "unit_product_id_repair_count"),
        migrator.drop_index("unit", "unit_warranty_end_state"),
        migrator.drop_index("repair_ticket", "repair_ticket_technician_id_unit_id_came_back_again"),
        migrator.drop_column("unit", "came_back"),
        migrator.drop_column("unit", "repair_count"),
        migrator.drop_column("repair_ticket", "came_back_again"),
    )
    if not early:
        run_operations(
            migrator.add_index("unit", ("supplier_id", "product_id", "warranty_end"), False),
            migrator.add_index("repair_ticket", ("technician_id", "unit_id"), False),
        )
    else:
        database.drop_tables([AssembledKitPart, AssembledKit, KitComponent])
    database.drop_tables([DayTotal])
    SchemaVersion.delete().execute()
    SchemaVersion.create(version=1)


@pytest.mark.parametrize("early", [False, True], ids=["v1", "early-v1"])
def test_a_v1_database_gets_its_figures_from_the_ledger(db_url, early):
    database = open_database(db_url)
    _ledger(make_shop(db_url))
    before = {
        name: runner.run(name).rows
        for name in (
            "supplier-failure",
            "warranty-cost",
            "sales",
            "repeat-defects",
            "technician-repeats",
            "returns-by-branch",
        )
    }
    came_back = set(
        Unit.select(Unit.id, Unit.came_back).where(Unit.came_back.is_null(False)).tuples()
    )
    marks = _repair_marks()
    kept = _totals()
    with db.atomic():
        _as_schema_v1(database, early=early)
    close_database()
    assert migrations.current_version(open_database(db_url, migrate=False)) == 1
    close_database()
    # The figures' rules live above the database: without them the step is refused whole.
    with pytest.raises(migrations.FillMissing, match="Schema step 2"):
        open_database(db_url)
    close_database()
    assert migrations.current_version(open_database(db_url, migrate=False)) == 1
    close_database()

    database = open_database(db_url, fills=totals.FILLS)
    assert migrations.current_version(database) == migrations.LATEST
    assert all(database.table_exists(m._meta.table_name) for m in (KitComponent, AssembledKit))
    indexes = {index.name for index in database.get_indexes("unit")}
    assert "unit_supplier_id_product_id_came_back" in indexes
    assert "unit_supplier_id_product_id_warranty_end" not in indexes
    assert (
        set(Unit.select(Unit.id, Unit.came_back).where(Unit.came_back.is_null(False)).tuples())
        == came_back
    )
    assert _totals() == kept
    assert _repair_marks() == marks
    assert {name: runner.run(name).rows for name in before} == before
    assert integrity.check().problems == []


def test_the_rebuild_names_the_units_the_ledger_does(shop):
    """Rebuilt from the history, the days units came back are the ones kept live: a unit
    issued as a replacement that is itself later given out again, and a phone returned
    after its warranty and sold again."""
    receive_drills(shop.inventory, ["D-1", "D-2", "D-3"])
    receive_phones(shop.inventory, IMEIS[:1])
    ann = customer("Ann Buyer")
    sell(shop.manager, [SaleItem(serial="D-1"), SaleItem(serial="D-2")], customer_id=ann.id)
    sell_serials(shop.cashier, IMEIS[:1], customer_id=ann.id)
    shop.clock.advance(days=10)
    replace(shop.technician, "D-1", "D-3")
    customer_return(shop.cashier, [ReturnItem(serial="D-3", disposition="in_stock")])
    shop.clock.advance(days=20)
    replace(shop.technician, "D-2", "D-3")
    shop.clock.advance(days=3 * 366)
    customer_return(shop.cashier, [ReturnItem(serial=IMEIS[0], disposition="in_stock")])
    sell_serials(shop.cashier, IMEIS[:1], customer_id=ann.id)
    serials = ["D-1", "D-2", "D-3", IMEIS[0]]
    live = [unit(s).came_back for s in serials]
    assert live[:2] == [date(2026, 1, 25), date(2026, 2, 14)] and live[3] is None
    totals.rebuild_came_back()
    assert [unit(s).came_back for s in serials] == live


def test_the_kinds_and_events_the_totals_name_are_the_ledgers():
    assert (totals.SALE, totals.RETURN, totals.REPLACEMENT) == (
        Kind.SALE,
        Kind.RETURN,
        Kind.REPLACEMENT,
    )
    assert totals.REPLACED_EVENT == Event.REPLACED.value
