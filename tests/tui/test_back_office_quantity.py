"""Goods without serials (phone cases, cables) on the back-office screens: scanned by SKU or
barcode into lines with a quantity, next to the serials, on adjustments, transfers and
supplier returns; with the refusals (too many, a serial product's barcode, an unknown code)."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Select

from app.config import SeatConfig
from app.services.ledger.lookups import find_product
from app.services.ledger.stock_levels import stock_quantity
from app.services.shop.catalog import add_product
from app.services.stock.receiving import ReceiptLine, receive
from app.tui import SerialDeskApp
from db.models import Document
from screens.adjustments import AdjustmentsScreen
from screens.modals.ask import AskText
from screens.supplier_returns import SupplierReturnsScreen
from screens.transfers import TransfersScreen
from screens.widgets.stocklines import StockLines
from tests.conftest import IMEIS
from tests.tui.conftest import log_in, make_app, settle, type_text
from tests.tui.test_back_office import approve, enter, focus, message, open_back_office, state

SIZE = (80, 24)
CABLE_BARCODE = "5000000000012"
PHONE_BARCODE = "4006381333931"  # PH-X1: tracked by serial


@pytest.fixture
def shop(counter):
    """The counter shop (9 cases at A) with 5 USB cables that have a barcode."""
    add_product("AC-CBL", "USB cable", "Accessories", "9.90", gtin=CABLE_BARCODE)
    receive(counter.inventory, "PhoneCo", [ReceiptLine("AC-CBL", quantity=5, cost="2")])
    return counter


def stock(sku: str, ctx) -> int:
    return stock_quantity(find_product(sku).id, ctx.branch_id)


def lines(app) -> list[tuple[str, str | None, int]]:
    return [(x.sku, x.serial, x.quantity) for x in app.screen.query_one(StockLines).lines]


async def set_quantity(pilot, text: str) -> None:
    await pilot.press("ctrl+n")
    await settle(pilot)
    assert isinstance(pilot.app.screen, AskText)
    await pilot.press("ctrl+u")
    await enter(pilot, text)


async def scan_refusals(pilot) -> None:
    """A serial product's barcode and an unknown code are refused; the lines stay as they were."""
    before = lines(pilot.app)
    await enter(pilot, PHONE_BARCODE)
    assert "Phone X1 128GB is tracked by serial: scan the unit's serial" in message(pilot.app)
    await enter(pilot, "ZZ-999")
    assert "'ZZ-999' is not a serial, SKU or barcode known here" in message(pilot.app)
    await enter(pilot, "AC-CASE*\u00b2")  # not a count: read as a code, and refused
    assert "AC-CASE" in message(pilot.app)
    assert lines(pilot.app) == before


async def test_write_off_of_pieces_with_a_managers_approval(shop):
    app = make_app(shop)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "ivy")
        await open_back_office(pilot, 2)
        assert isinstance(app.screen, AdjustmentsScreen)
        await enter(pilot, "dropped in the stock room")
        for code in ("AC-CASE", CABLE_BARCODE, "ac-case", IMEIS[1]):
            await enter(pilot, code)
        assert lines(app) == [("AC-CASE", None, 2), ("AC-CBL", None, 1), ("PH-X1", IMEIS[1], 1)]
        await scan_refusals(pilot)
        await enter(pilot, IMEIS[1])
        assert "already on the list" in message(app)
        # Ctrl+N on a unit's line is refused; on the case's line it sets the quantity
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert "is one unit" in message(app)
        app.screen.query_one(StockLines).move_cursor(row=0)
        await set_quantity(pilot, "20")
        assert lines(app)[0] == ("AC-CASE", None, 20)
        await pilot.press("f10")
        await settle(pilot)
        await approve(pilot)
        assert "Only 9 of Phone case in stock here, not 20" in message(app)
        assert (stock("AC-CASE", shop.inventory), stock("AC-CBL", shop.inventory)) == (9, 5)
        assert state(IMEIS[1]) == "in_stock"
        await set_quantity(pilot, "3")
        await pilot.press("f10")
        await settle(pilot)
        await approve(pilot)
        assert "Saved ADJ-" in message(app) and "1 unit(s), AC-CASE -3, AC-CBL -1" in message(app)
        assert (stock("AC-CASE", shop.inventory), stock("AC-CBL", shop.inventory)) == (6, 4)
        assert state(IMEIS[1]) == "written_off"
        assert lines(app) == []
        doc = Document.select().where(Document.kind == "adjustment").get()
        assert doc.approved_by.login == "mia"


async def test_found_correction_and_refused_quarantine_of_pieces(shop):
    app = make_app(shop)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "mia")
        await open_back_office(pilot, 2)
        kind = app.screen.query_one("#kind", Select)
        kind.value = "quarantine"
        await enter(pilot, "looks damaged")
        await enter(pilot, "AC-CASE")
        await pilot.press("f10")
        await settle(pilot)
        assert "Quantity stock is only written off, found or corrected" in message(app)
        assert stock("AC-CASE", shop.inventory) == 9
        # + and - on the focused list change the selected line by one
        table = app.screen.query_one(StockLines)
        table.focus()
        await pilot.press("plus", "plus", "minus", "plus")
        assert lines(app) == [("AC-CASE", None, 3)]
        kind.value = "found"
        await pilot.press("f10")
        await settle(pilot)
        assert "Saved ADJ-" in message(app) and "AC-CASE +3" in message(app)
        assert stock("AC-CASE", shop.inventory) == 12
        kind.value = "correction"
        await focus(pilot, "#reason")
        await enter(pilot, "counted 10")
        await enter(pilot, "AC-CASE")
        await set_quantity(pilot, "-2")
        await pilot.press("f10")
        await settle(pilot)
        assert "correction of AC-CASE -2" in message(app)
        assert stock("AC-CASE", shop.inventory) == 10
        # a set quantity of 0 takes the line off
        await enter(pilot, "AC-CBL*2")
        await set_quantity(pilot, "0")
        assert lines(app) == []


async def test_transfer_of_pieces_out_and_in_at_the_other_branch(shop):
    app = make_app(shop)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "ivy")
        await open_back_office(pilot, 0)
        screen = app.screen
        assert isinstance(screen, TransfersScreen)
        await enter(pilot, "B")
        for code in (IMEIS[1], "AC-CASE", "AC-CASE", CABLE_BARCODE):
            await enter(pilot, code)
        assert screen.outgoing == [IMEIS[1], "AC-CASE", "AC-CBL"]
        assert "1 unit(s) and 3 piece(s)" in str(screen.query_one("#counts").render())
        await scan_refusals(pilot)
        screen.query_one(StockLines).move_cursor(row=1)
        await set_quantity(pilot, "50")
        await pilot.press("f10", "y")
        await settle(pilot)
        assert "Only 9 of Phone case in stock here, not 50" in message(app)
        assert state(IMEIS[1]) == "in_stock" and stock("AC-CASE", shop.inventory) == 9
        assert Document.select().where(Document.kind == "transfer").count() == 0
        await set_quantity(pilot, "4")
        screen.query_one(StockLines).move_cursor(row=2)
        await pilot.press("ctrl+d")  # the cable stays
        await pilot.press("f10", "y")
        await settle(pilot)
        assert "Sent T-" in message(app) and "1 unit(s) and 4 piece(s) to Harbour" in message(app)
        assert stock("AC-CASE", shop.inventory) == 5 and stock("AC-CBL", shop.inventory) == 5
        open_rows = screen.query_one("#open", DataTable)
        in_transit = [str(v) for v in open_rows.get_row_at(0)[4:]]
        assert in_transit == ["1", "4"]  # units, pieces in transit
        number = f"T-{Document.get(Document.kind == 'transfer').id}"

    app_b = SerialDeskApp(SeatConfig(seat="Harbour 1", branch="B"), clock=shop.clock)
    async with app_b.run_test(size=SIZE) as pilot:
        await log_in(pilot, "ian")
        await open_back_office(pilot, 0)
        await focus(pilot, "#number")
        await enter(pilot, number)
        await enter(pilot, "AC-CASE")
        assert f"1 × Phone case received on {number}; 4 still in transit" in message(app_b)
        await enter(pilot, "AC-CASE*9")
        assert "Only 3 of Phone case are on this transfer" in message(app_b)
        await enter(pilot, CABLE_BARCODE)
        assert f"USB cable is not on {number}" in message(app_b)
        await enter(pilot, PHONE_BARCODE)
        assert "scan the unit's serial" in message(app_b)
        assert stock("AC-CASE", shop.inventory_b) == 1
        open_b = app_b.screen.query_one("#open", DataTable).get_row_at(0)
        assert [str(v) for v in open_b[4:]] == ["1", "3"]
        await enter(pilot, IMEIS[1])
        assert "3 still in transit" in message(app_b)
        await pilot.press("f9")
        await settle(pilot)
        assert "3 piece(s) without serials received" in message(app_b)
        assert "complete" in message(app_b)
        assert stock("AC-CASE", shop.inventory_b) == 4 and state(IMEIS[1]) == "in_stock"
        assert app_b.screen.query_one("#open", DataTable).row_count == 0


async def test_supplier_return_of_pieces_with_serials(shop):
    app = make_app(shop)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "ivy")
        await open_back_office(pilot, 3)
        assert isinstance(app.screen, SupplierReturnsScreen)
        for text in ("PhoneCo", "RMA-9", "faulty", IMEIS[2], "AC-CBL*6"):
            await enter(pilot, text)
        assert lines(app) == [("PH-X1", IMEIS[2], 1), ("AC-CBL", None, 6)]
        await scan_refusals(pilot)
        await pilot.press("f10")
        await settle(pilot)
        assert "Send 1 unit(s) and 6 piece(s) back to PhoneCo?" in str(
            app.screen.query_one(".dialog-title").render()
        )
        await pilot.press("y")
        await settle(pilot)
        assert "Only 5 of USB cable in stock here, not 6" in message(app)
        assert state(IMEIS[2]) == "in_stock" and stock("AC-CBL", shop.inventory) == 5
        await type_text(pilot, "-")  # typed into the scan field, not a quantity key
        assert app.focused.value == "-"
        app.focused.value = ""
        for wrong in ("abc", "--3", "1234567"):
            await set_quantity(pilot, wrong)
            assert f"'{wrong}' is not a number of pieces" in message(app)
        await set_quantity(pilot, "-1")
        assert "1 or more" in message(app) and lines(app)[1][2] == 6
        await set_quantity(pilot, "2")
        await pilot.press("f10", "y")
        await settle(pilot)
        assert "Saved RMA-" in message(app)
        assert "1 unit(s) and 2 piece(s) back to PhoneCo" in message(app)
        assert state(IMEIS[2]) == "returned_to_supplier" and stock("AC-CBL", shop.inventory) == 3
