"""Checkout at 80x24 through the pilot: keystrokes counted, refused scans kept in sight,
customers picked by the highlight, Ctrl+D from any field, and columns that never cut a
serial."""

from __future__ import annotations

from textual.widgets import DataTable
from textual.widgets._footer import FooterKey

from app.services.counter.passport import passport
from app.services.shop import catalog
from app.services.stock.receiving import ReceiptLine, receive
from app.services.stock.transfers import TransferItem, transfer_out
from db.models import Customer, Document
from screens.checkout import CheckoutScreen
from screens.widgets.customer_matches import CustomerMatches
from screens.widgets.scanlog import ScanLog
from tests.conftest import IMEIS
from tests.tui.conftest import log_in, make_app, settle, type_text

SIZE = (80, 24)


class Keys:
    """Presses keys and counts them (a scan or typed name is not a key press here)."""

    def __init__(self, pilot) -> None:
        self.pilot = pilot
        self.count = 0

    async def press(self, *keys: str) -> None:
        for key in keys:
            await self.pilot.press(key)
            self.count += 1


async def scan(pilot, *codes: str) -> None:
    for code in codes:
        await type_text(pilot, code)
        await pilot.press("enter")
    await settle(pilot)


def text(widget) -> str:
    return str(widget.render())


def last_sale() -> Document:
    return Document.select().where(Document.kind == "sale").order_by(Document.id.desc()).get()


async def test_returning_customer_for_cash_in_seven_keys_picks_the_right_one(counter):
    # "Abbott" holds "bo" too, and comes first by name: Enter must still take Bob.
    catalog.add_customer("Abbott Jones", "+44 7700 900777")
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot)
        keys = Keys(pilot)
        await keys.press("f3")
        await scan(pilot, IMEIS[1])
        await keys.press("tab", "b", "o", "enter", "f10", "enter")
        await settle(pilot)
        assert keys.count == 7
        assert "complete" in text(app.screen.message)
        assert passport(IMEIS[1]).customer == "Bob Builder"


async def test_a_new_customer_costs_four_keys_besides_name_and_phone(counter):
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot)
        await pilot.press("f3")
        await scan(pilot, IMEIS[2])
        keys = Keys(pilot)
        await keys.press("tab")
        await type_text(pilot, "Zed Newman")
        await keys.press("enter")  # no match: the new-customer dialog, name filled in
        await keys.press("enter")  # name -> phone
        await type_text(pilot, "0711 222 333")
        await keys.press("enter")
        await settle(pilot)
        assert keys.count == 4
        zed = Customer.get(Customer.name == "Zed Newman")
        assert app.screen.customer_id == zed.id
        shown = text(app.screen.query_one(CustomerMatches))
        assert "Customer: Zed Newman · phone 0711222333" in shown
        await pilot.press("f10", "enter")
        await settle(pilot)
        assert last_sale().customer_id == zed.id


async def test_arrows_move_the_highlight_and_enter_takes_it(counter):
    for name in ("Bobby Tables", "Jim Bob"):
        catalog.add_customer(name, "+44 7700 900555")
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot)
        await pilot.press("f3", "tab", "b", "o")
        matches = app.screen.query_one(CustomerMatches)
        assert [c.name for c in matches.matches] == ["Bob Builder", "Bobby Tables", "Jim Bob"]
        assert text(matches).splitlines()[0].startswith("▸ Bob Builder")  # visibly highlighted
        await pilot.press("down", "down", "up")
        assert text(matches).splitlines()[1].startswith("▸ Bobby Tables")
        await pilot.press("enter")
        bobby = Customer.get(Customer.name == "Bobby Tables")
        assert app.screen.customer_id == bobby.id
        assert "Customer: Bobby Tables · phone +447700900555" in text(matches)
        assert app.screen.focused.id == "scan"


async def test_every_refused_scan_stays_in_sight_after_good_ones(counter):
    transfer_imei = IMEIS[5]
    transfer_out(counter.inventory, "B", [TransferItem(serial=transfer_imei)])
    app = make_app(counter)
    bells = []
    async with app.run_test(size=SIZE) as pilot:
        app.bell = lambda: bells.append(1)
        await log_in(pilot)
        await pilot.press("f3")
        scans = [IMEIS[1], IMEIS[0], IMEIS[2], transfer_imei, IMEIS[3], "NOPE-1", "AC-CASE"]
        await scan(pilot, *scans, IMEIS[4])
        screen = app.screen
        assert len(screen.cart) == 5
        log = screen.query_one(ScanLog)
        refused = [o for o in log.shown() if not o.ok]
        assert [o.scanned for o in refused] == [IMEIS[0], transfer_imei, "NOPE-1"]
        assert "was sold on" in refused[0].outcome and "transit" in refused[1].outcome
        shown = text(log)
        assert all(serial in shown for serial in (IMEIS[0], transfer_imei, "NOPE-1"))
        assert len(bells) == 3
        assert "3 scan(s) refused" in text(screen.query_one("#totals"))


async def test_a_plain_sku_adds_one_piece_and_more_join_its_line(counter):
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot)
        await pilot.press("f3")
        await scan(pilot, "AC-CASE", "ac-case", "AC-CASE*2")
        cart = app.screen.cart
        assert [(line.sku, line.serial, line.quantity) for line in cart] == [("AC-CASE", None, 4)]
        await pilot.press("f10", "enter")
        await settle(pilot)
        assert str(last_sale().total) == "79.60"


async def test_ctrl_d_removes_the_highlighted_line_whatever_has_focus(counter):
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot)
        await pilot.press("f3")
        await scan(pilot, IMEIS[1], IMEIS[2], "AC-CASE")
        screen = app.screen
        footer_keys = [k for k in screen.query(FooterKey) if k.key == "ctrl+d"]
        assert footer_keys and footer_keys[0].region.right <= SIZE[0]  # shown at 80 columns
        assert screen.focused.id == "scan"
        await pilot.press("ctrl+d")  # the last line scanned is the highlighted one
        assert [line.serial for line in screen.cart] == [IMEIS[1], IMEIS[2]]
        await pilot.press("tab")  # the customer field
        await pilot.press("ctrl+d")
        assert [line.serial for line in screen.cart] == [IMEIS[1]]
        table = screen.query_one(DataTable)
        table.focus()
        await scan(pilot)  # let focus land
        await pilot.press("ctrl+d")
        assert screen.cart == [] and table.row_count == 0
        await pilot.press("ctrl+d")
        assert "nothing to remove" in text(screen.message)


async def test_cart_columns_show_a_whole_imei_and_cut_long_names(counter):
    catalog.add_product("PH-LONG", "Nimbus 8 Pro Max 256 GB Midnight Blue Edition", "Phones", "899")
    receive(counter.inventory, "PhoneCo", [ReceiptLine("PH-LONG", IMEIS[20:21], cost="300")])
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot)
        await pilot.press("f3")
        assert isinstance(app.screen, CheckoutScreen)
        table = app.screen.query_one(DataTable)
        # Fixed widths: a row is drawn right at once, not after the table is next idle.
        assert not any(column.auto_width for column in table.ordered_columns)
        width = sum(column.get_render_width(table) for column in table.ordered_columns)
        assert width + 2 <= SIZE[0]  # room for the scrollbar too
        await scan(pilot, IMEIS[20])
        row = [str(value) for value in table.get_row_at(0)]  # cells are plain Text
        assert row[2] == IMEIS[20]
        assert row[1].startswith("Nimbus 8 Pro Max") and row[1].endswith("…")
        assert len(row[1]) == table.ordered_columns[1].width


async def test_an_older_refusal_is_shown_whole_not_cut_at_the_edge(counter):
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot)
        await pilot.press("f3")
        long_code = "NOT-A-SERIAL-BUT-A-LONG-CODE-1"
        await scan(pilot, long_code, IMEIS[1], "NOPE-2", IMEIS[2])
        log = app.screen.query_one(ScanLog)
        refusal = next(o.outcome for o in log.shown() if o.scanned == long_code)
        assert len(refusal) > 70  # longer than a line at 80 columns
        strips = log.render_lines(log.region.reset_offset)
        drawn = " ".join("".join(seg.text for seg in strip) for strip in strips)
        assert " ".join(refusal.split()) in " ".join(drawn.split())  # wrapped, whole
        assert "…" not in drawn
