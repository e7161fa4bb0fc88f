"""Kits at the keyboard: assemble from exact serials, take apart with a confirmation,
define (manager only), and sell a kit at the counter by scanning its parts."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable

from app.services.counter.selling import SaleItem, sell
from app.services.kits import assembly
from app.services.shop import catalog
from app.services.stock.receiving import ReceiptLine, receive
from db.models import AssembledKit, Document, KitComponent, StockLevel, Unit
from screens.backoffice import SCREENS, BackOfficeScreen
from screens.checkout import CheckoutScreen
from screens.kits import KitsScreen
from screens.modals.ask import AskText
from screens.modals.confirm import Confirm
from tests.conftest import IMEIS
from tests.tui.conftest import log_in, make_app, message, settle, type_text

SIZE = (80, 24)


@pytest.fixture
def kit_shop(counter):
    """The counter shop plus a drill kit: a drill and two batteries by serial, a charger."""
    catalog.add_product_type("Kits", "strict", warranty_months=36)
    catalog.add_product("KT-DR", "Drill kit 18V", "Kits", "229.00")
    catalog.add_product("KT-PH", "Phone bundle", "Kits", "519.00")
    catalog.add_product("BT-18", "Battery 18V", "Power tools", "49.00")
    catalog.add_product("CH-18", "Charger 18V", "Accessories", "19.00")
    assembly.define_kit(counter.manager, "KT-DR", [("DR-18", 1), ("BT-18", 2), ("CH-18", 1)])
    receive(
        counter.inventory,
        "ToolCo",
        [
            ReceiptLine("BT-18", [f"B-{n}" for n in range(1, 7)], cost="20"),
            ReceiptLine("CH-18", quantity=3, cost="5"),
        ],
    )
    sell(counter.cashier, [SaleItem(serial="B-6")])
    return counter


def progress(app) -> str:
    return str(app.screen.query_one("#progress").render())


def state(serial: str) -> str:
    return Unit.get(Unit.serial == serial).state


async def enter(pilot, text: str) -> None:
    await type_text(pilot, text)
    await pilot.press("enter")
    await settle(pilot)


async def open_kits(pilot) -> KitsScreen:
    await pilot.press("f11")
    assert isinstance(pilot.app.screen, BackOfficeScreen)
    entry = [key for key, *_rest in SCREENS].index("kits")
    await pilot.press(*["down"] * entry, "enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, KitsScreen)
    return pilot.app.screen


async def test_assemble_scans_each_part_and_refuses_wrong_ones(kit_shop):
    other = assembly.assemble_kit(kit_shop.inventory, "KT-DR", ["D-101", "B-2", "B-3"])
    app = make_app(kit_shop)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "ivy")
        screen = await open_kits(pilot)
        assert screen.query_one("#kits", DataTable).row_count == 1
        await enter(pilot, "AC-CASE")
        assert "not a kit" in message(app)
        await focus_field(pilot, "#kit", "")
        await enter(pilot, "KT-DR")
        assert "Still missing: 1 × Cordless drill 18V, 2 × Battery 18V" in progress(app)
        await pilot.press("enter")  # no kit serial: SerialDesk gives a kit number
        for serial, refusal in [
            (IMEIS[1], "not a serial of a component"),
            ("B-6", "was sold on"),
            ("B-2", "assembled into a kit"),
        ]:
            await enter(pilot, serial)
            assert refusal in message(app), serial
        await enter(pilot, "D-100")
        await enter(pilot, "D-100")
        assert "scanned twice" in message(app)
        await enter(pilot, "B-1")
        assert screen.progress.serials == ["D-100", "B-1"]
        assert "Still missing: 1 × Battery 18V" in progress(app)
        await pilot.press("f10")
        await settle(pilot)
        assert "Still missing" in message(app)
        assert state("D-100") == "in_stock"  # nothing was assembled
        await enter(pilot, "B-4")
        await pilot.press("ctrl+d")  # the last scan comes off again
        assert screen.progress.serials == ["D-100", "B-1"]
        await enter(pilot, "B-5")
        assert "F10 assembles" in progress(app)
        await pilot.press("f10")
        await settle(pilot)
        assert "Assembled KA-" in message(app)
        assert {state(s) for s in ("D-100", "B-1", "B-5")} == {"in_kit"}
        assert state("B-4") == "in_stock"
        table = screen.query_one("#kits", DataTable)
        assert table.row_count == 2 and other.serial in [str(k.value) for k in table.rows]


async def focus_field(pilot, selector: str, value: str | None = None) -> None:
    field = pilot.app.screen.query_one(selector)
    if value is not None:
        field.value = value
    field.focus()
    await pilot.pause()


async def test_take_apart_asks_first_and_refuses_what_is_not_a_kit(kit_shop):
    view = assembly.assemble_kit(kit_shop.inventory, "KT-DR", ["D-101", "B-2", "B-3"])
    app = make_app(kit_shop)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "ivy")
        screen = await open_kits(pilot)
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert isinstance(app.screen, AskText)
        await pilot.press("enter")  # the highlighted kit is offered
        await settle(pilot)
        assert isinstance(app.screen, Confirm)
        await pilot.press("n")
        await settle(pilot)
        assert app.screen is screen and state("B-2") == "in_kit"
        await pilot.press("ctrl+t")
        await settle(pilot)
        app.screen.query_one("Input").value = ""
        await enter(pilot, "D-100")
        assert "D-100 is not a kit" in message(app)
        await pilot.press("ctrl+t")
        await settle(pilot)
        await pilot.press("enter", "y")
        await settle(pilot)
        assert f"{view.serial} taken apart" in message(app)
        assert {state(s) for s in ("D-101", "B-2", "B-3")} == {"in_stock"}
        assert screen.query_one("#kits", DataTable).row_count == 0


async def test_a_cashier_may_not_assemble_nor_define(kit_shop):
    app = make_app(kit_shop)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "cal")
        await open_kits(pilot)
        await enter(pilot, "KT-DR")
        await pilot.press("enter")
        for serial in ("D-100", "B-1", "B-4"):
            await enter(pilot, serial)
        await pilot.press("f10")
        await settle(pilot)
        assert "may not receive" in message(app)
        assert state("D-100") == "in_stock"
        await pilot.press("f9")
        await settle(pilot)
        assert "for a manager only" in message(app)
        assert not isinstance(app.screen, AskText)


async def test_a_manager_defines_a_kit(kit_shop):
    app = make_app(kit_shop)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "mia")
        await open_kits(pilot)
        await pilot.press("f9")
        await settle(pilot)
        assert "Type the kit's SKU first" in message(app)
        await enter(pilot, "KT-PH")
        assert "not a kit" in message(app)
        await focus_field(pilot, "#kit")
        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(app.screen, AskText)
        await enter(pilot, "PH-X1 AC-CASE:x")
        assert "not a component" in message(app)
        assert not KitComponent.select().where(KitComponent.kit == product_id("KT-PH")).exists()
        await pilot.press("f9")
        await settle(pilot)
        await enter(pilot, "PH-X1 AC-CASE:2")
        assert "Phone bundle is made of 2 component(s)" in message(app)
        assert "1 × Phone X1 128GB" in progress(app)
        rows = KitComponent.select().where(KitComponent.kit == product_id("KT-PH"))
        assert sorted(r.quantity for r in rows) == [1, 2]


def product_id(sku: str) -> int:
    from db.models import Product

    return Product.get(Product.sku == sku).id


async def test_the_counter_sells_a_kit_by_scanning_its_parts(kit_shop):
    app = make_app(kit_shop)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "cal")
        await pilot.press("f3")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CheckoutScreen)
        await enter(pilot, "KT-DR")
        assert "Drill kit 18V: scan each part" in message(app)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen and screen.kit is None
        assert "Kit cancelled" in message(app)
        await enter(pilot, "KT-DR")
        await enter(pilot, "D-100")
        await enter(pilot, "D-100")
        assert "already in the cart" in message(app)
        await enter(pilot, IMEIS[2])
        assert "not a serial of a component" in message(app)
        await enter(pilot, "B-6")
        assert "was sold on" in message(app)
        await pilot.press("f10")
        await settle(pilot)
        assert "Finish the kit first" in message(app)
        await enter(pilot, "B-1")
        assert "still missing: 1 × Battery 18V" in message(app)
        assert screen.query_one("#cart", DataTable).row_count == 0
        await enter(pilot, "B-4")
        assert screen.query_one("#cart", DataTable).row_count == 1
        assert "Added Drill kit 18V" in message(app)
        await enter(pilot, "B-4")
        assert "already in the cart" in message(app)
        assert state("D-100") == "in_stock"  # nothing moves before payment
        await pilot.press("f10")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, Confirm)  # the kit's warranty card is offered
        await pilot.press("n")
        await settle(pilot)
        assert "complete" in message(app)
    assert {state(s) for s in ("D-100", "B-1", "B-4")} == {"sold"}
    record = AssembledKit.get()
    assert record.status == assembly.KitStatus.SOLD
    sale = Document.select().where(Document.kind == "sale").order_by(Document.id.desc()).get()
    assert sale.total == 229


async def test_the_counter_sells_a_kit_without_serialized_parts_at_once(kit_shop):
    catalog.add_product("KT-CS", "Case bundle", "Kits", "29.00")
    catalog.add_product("KT-BG", "Big case bundle", "Kits", "299.00")
    assembly.define_kit(kit_shop.manager, "KT-CS", [("AC-CASE", 2)])
    assembly.define_kit(kit_shop.manager, "KT-BG", [("AC-CASE", 20)])
    app = make_app(kit_shop)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "cal")
        await pilot.press("f3")
        await settle(pilot)
        screen = app.screen
        cart = screen.query_one("#cart", DataTable)
        await enter(pilot, "KT-DR*2")
        assert "scan one kit at a time" in message(app)
        assert screen.kit is None and cart.row_count == 0
        await enter(pilot, "KT-BG")
        assert "only 9 of Phone case here, 20 needed" in message(app)
        assert screen.kit is None and cart.row_count == 0
        await enter(pilot, "KT-CS")  # nothing to scan: the kit joins the cart at once
        assert "Added Case bundle" in message(app)
        assert screen.kit is None and cart.row_count == 1
        assert case_stock(kit_shop) == 9  # nothing moves before payment
        await pilot.press("f10")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        if isinstance(app.screen, Confirm):  # the kit's warranty card is offered
            await pilot.press("n")
            await settle(pilot)
        assert "complete" in message(app)
    record = AssembledKit.get()
    assert record.status == assembly.KitStatus.SOLD
    assert Unit.get_by_id(record.unit_id).state == "sold"
    assert case_stock(kit_shop) == 7


def case_stock(shop) -> int:
    return StockLevel.get(
        StockLevel.product == product_id("AC-CASE"), StockLevel.branch == shop.cashier.branch_id
    ).quantity


def test_kits_screen_snapshot(kit_shop, snap_compare):
    """The kits screen half-way through an assembly, with one kit already kept here."""
    assembly.assemble_kit(kit_shop.inventory, "KT-DR", ["D-101", "B-2", "B-3"], kit_serial="KIT-7")

    async def run_before(pilot):
        await log_in(pilot, "ivy")
        await open_kits(pilot)
        await enter(pilot, "KT-DR")
        await pilot.press("enter")
        await enter(pilot, "D-100")
        await enter(pilot, "B-1")

    assert snap_compare(make_app(kit_shop), terminal_size=SIZE, run_before=run_before)
