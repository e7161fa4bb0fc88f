"""The passport opens from any code a unit carries, scanned at the counter: a serial, an IMEI
as printed, a GS1 code (raw, with FNC1, in brackets), a MEID, a warranty number, a masked
card's claim code; a sale's number, or a serial on two products, lists units to open."""

from __future__ import annotations

from textual.widgets import DataTable

from app.services.counter.printing import sell_and_queue_cards
from app.services.counter.selling import SaleItem, sell
from app.services.shop import catalog
from app.services.stock.receiving import ReceiptLine, receive
from db.models import WarrantyNumber
from screens.passport import PassportScreen
from screens.receipt import ReceiptScreen
from tests.conftest import IMEIS
from tests.tui.conftest import log_in, make_app, message, settle, type_text

SIZE = (80, 24)
DRILL_GTIN = "05901234123457"


def header(app) -> str:
    return str(app.screen.query_one("#passport-header").render())


async def look_up(pilot, code: str) -> None:
    """F6, the code as a scanner types it, Enter: the passport (or a list) opens."""
    await pilot.press("f6")
    await type_text(pilot, code)
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, PassportScreen)


def more_codes(shop) -> dict[str, str]:
    """A watch sold with a warranty number, a CDMA phone by MEID, a phone on a card that
    hides its IMEI, and a serial on two products."""
    catalog.add_product_type("CDMA", "strict", warranty_months=12, check_kind="meid")
    catalog.add_product("PH-CD", "CDMA phone", "CDMA", "199.00")
    catalog.add_product_type(
        "Masked", "strict", warranty_months=24, check_kind="imei", print_mode="auto",
        mask_policy="last4",
    )  # fmt: skip
    catalog.add_product("PH-M", "Masked [b]phone", "Masked", "399.00")
    receive(
        shop.inventory,
        "PhoneCo",
        [
            ReceiptLine("WA-CL", quantity=1, cost="30"),
            ReceiptLine("PH-CD", ["29360 87365 0070 3710"], cost="90"),
            ReceiptLine("PH-M", [IMEIS[30]], cost="200"),
        ],
    )
    receive(shop.inventory, "ToolCo", [ReceiptLine("DR-18", [IMEIS[1]], cost="80")])
    buyer = catalog.add_customer("Ann [red]Buyer", "").id
    watch = sell(shop.cashier, [SaleItem(product="WA-CL")], customer_id=buyer)
    carded = sell_and_queue_cards(shop.cashier, [SaleItem(serial=IMEIS[30])], seat="Counter 1")
    return {
        "watch_sale": watch.number,
        "warranty": WarrantyNumber.get().number,
        "claim": carded.queued[0].data.claim_code,
    }


async def test_each_kind_of_code_opens_its_passport(counter):
    codes = more_codes(counter)
    imei = IMEIS[0]
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot)
        for code in (
            imei,
            f"{imei[:2]}-{imei[2:8]}-{imei[8:14]}-{imei[14]}",
            f"{imei[:8]} {imei[8:]}",
        ):
            await look_up(pilot, code)
            assert header(app).startswith(f"{imei}  Phone X1 128GB"), code
            assert "Bob Builder" in header(app)
            await pilot.press("escape")

        for code in (
            f"01{DRILL_GTIN}21D-100",
            f"]C101{DRILL_GTIN}21D-100\x1d",
            f"(01){DRILL_GTIN}(21)D-100",
        ):
            await look_up(pilot, code)
            assert header(app).startswith("D-100  Cordless drill 18V"), code
            assert "GS1 code" in message(app)
            await pilot.press("escape")

        await look_up(pilot, "293608736500703710")  # the MEID in decimal; stored in hex
        assert header(app).startswith("AF0123450ABCDE  CDMA phone")
        assert "MEID/ESN" in message(app)
        await pilot.press("escape")

        await look_up(pilot, codes["warranty"].lower())
        assert header(app).startswith(f"Warranty {codes['warranty']}  Classic watch (WA-CL)")
        assert f"Sold 2026-02-24 {codes['watch_sale']} · customer Ann [red]Buyer" in header(app)
        assert app.screen.query_one("#warranty").has_class("active")
        await pilot.press("escape")

        await look_up(pilot, codes["claim"])  # a card that hides the IMEI carries the sale
        assert header(app).startswith(f"{IMEIS[30]}  Masked [b]phone (PH-M)")
        assert "Warranty card's claim code" in message(app)
        await pilot.press("escape")

        await look_up(pilot, counter.sale_number)  # a sale: its lines, Enter opens a unit
        assert header(app).startswith(f"Sale number {counter.sale_number}")
        table = app.screen.query_one(DataTable)
        assert table.row_count == 2 and table.has_focus
        await pilot.press("enter")
        await settle(pilot)
        assert header(app).startswith(f"{imei}  Phone X1 128GB")
        await pilot.press("escape")
        await pilot.press("down", "enter")  # the case has no unit: nothing opens
        assert app.screen.query_one(DataTable).row_count == 2
        await pilot.press("escape")

        await look_up(pilot, IMEIS[1])  # on a phone and on a drill: choose
        assert header(app) == f"{IMEIS[1]} (IMEI) is on 2 units"
        await pilot.press("down", "enter")
        await settle(pilot)
        assert header(app).startswith(f"{IMEIS[1]}  Cordless drill 18V")
        await pilot.press("escape", "escape")

        await look_up(pilot, "NOPE-1")
        assert "No unit, warranty number or sale carries NOPE-1" in message(app)


async def test_goods_in_takes_the_product_from_a_gs1_scan(counter):
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "ivy")
        await pilot.press("f2")
        assert isinstance(app.screen, ReceiptScreen)
        app.screen.query_one("#serial").focus()
        await pilot.pause()
        for code in (
            f"01{DRILL_GTIN}21D-200",
            f"(01)04006381333931(21){IMEIS[20]}",
            "010950600013435221X9",
        ):
            await type_text(pilot, code)
            await pilot.press("enter")
        rows = [(r.sku, r.serial, r.ok) for r in app.screen.rows]
        assert rows[:2] == [("DR-18", "D-200", True), ("PH-X1", IMEIS[20], True)]
        assert (
            rows[2][2] is False and "GTIN 09506000134352 is no product" in app.screen.rows[2].reason
        )
        assert [(line.product, line.serials) for line in app.screen.lines()] == [
            ("DR-18", ["D-200"]),
            ("PH-X1", [IMEIS[20]]),
        ]
