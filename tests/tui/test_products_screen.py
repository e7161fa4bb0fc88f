"""The manager's Products screen driven with the keyboard: the catalogue with kits marked,
adding a product and a product type, changing and deactivating one; every refusal shows
its reason and writes nothing."""

from __future__ import annotations

from textual.widgets import DataTable, Select

from app.services.kits import assembly
from app.services.shop import catalog
from db.models import Product, ProductType
from screens.backoffice import SCREENS, BackOfficeScreen
from screens.modals.confirm import Confirm
from screens.settings_products import NewProductType, ProductsScreen
from tests.tui.conftest import log_in, make_app, message, settle, type_text

SIZE = (80, 24)


def cell(app, sku: str, column: int) -> str:
    table = app.screen.query_one(DataTable)
    return str(table.get_row(sku)[column])


async def open_products(pilot) -> None:
    await pilot.press("f11")
    assert isinstance(pilot.app.screen, BackOfficeScreen)
    index = [s[0] for s in SCREENS].index("products")
    await pilot.press("home", *["down"] * index, "enter")
    await pilot.pause()


async def fill(pilot, **values: str) -> None:
    for key, value in values.items():
        pilot.app.screen.query_one(f"#{key}").value = value
    await pilot.pause()


async def press(pilot, *keys: str) -> None:
    await pilot.press(*keys)
    await settle(pilot)  # a save runs in a worker: wait for what it shows


async def load_row(pilot, sku: str) -> None:
    table = pilot.app.screen.query_one(DataTable)
    table.focus()
    table.move_cursor(row=table.get_row_index(sku))
    await press(pilot, "enter")


async def test_products_are_for_a_manager_only(counter):
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "ivy")
        await open_products(pilot)
        assert isinstance(app.screen, BackOfficeScreen)
        assert "Products and types is for a manager only" in message(app)


async def test_the_list_shows_stock_status_and_kits(counter):
    catalog.add_product("KT-DR", "Drill kit", "Power tools", "199.00")
    assembly.define_kit(counter.manager, "KT-DR", [("DR-18", 1), ("AC-CASE", 1)])
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "mia")
        await open_products(pilot)
        assert isinstance(app.screen, ProductsScreen)
        assert app.screen.query_one(DataTable).row_count == 5
        assert cell(app, "KT-DR", 5) == "Power tools (kit)"
        assert cell(app, "DR-18", 5) == "Power tools"
        # 5 phones left of 6 (one sold), 9 cases, 2 drills; EAN-13 shown as printed
        assert [cell(app, "PH-X1", c) for c in range(2, 8)] == [
            "499.00",
            "5",
            "yes",
            "Phones",
            "strict",
            "4006381333931",
        ]
        assert (cell(app, "AC-CASE", 3), cell(app, "DR-18", 3)) == ("9", "2")
        assert cell(app, "WA-CL", 6) == "wty no SN"


async def test_add_a_product_with_the_refusals(counter):
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "mia")
        await open_products(pilot)
        screen = app.screen
        await type_text(pilot, "pt-saw18")
        await press(pilot, "enter")
        await type_text(pilot, "Circular saw 18V")
        await press(pilot, "enter")  # on to the type
        assert app.focused is screen.query_one("#type", Select)
        await fill(pilot, price="229", gtin="4006381333931")
        await press(pilot, "f9")
        assert "Choose the new product's type" in message(app)
        # the type picked with the keyboard: the list is sorted, Power tools is third
        screen.query_one("#type", Select).focus()
        await press(pilot, "enter", "down", "down", "down", "enter")
        assert screen.query_one("#type", Select).value == "Power tools"
        await press(pilot, "f9")
        assert "barcode 4006381333931 already exists: PH-X1" in message(app)
        await fill(pilot, gtin="4006381333932")
        await press(pilot, "f9")
        assert "not a valid GTIN" in message(app)
        await fill(pilot, gtin="", price="0")
        await press(pilot, "f9")
        assert "price must be more than 0.00" in message(app)
        await fill(pilot, sku="DR-18", price="229")
        await press(pilot, "f9")
        assert "product with SKU 'DR-18' already exists" in message(app)
        assert Product.select().count() == 4
        await fill(pilot, sku="pt-saw18", gtin="96385074")
        await press(pilot, "f9")
        assert "Added PT-SAW18 (Circular saw 18V) at 229.00" in message(app)
        saw = Product.get(Product.sku == "PT-SAW18")
        assert (saw.type.name, saw.gtin, saw.active) == ("Power tools", "00000096385074", True)
        assert screen.query_one(DataTable).row_count == 5
        assert cell(app, "PT-SAW18", 6) == "warranty" and cell(app, "PT-SAW18", 7) == "96385074"
        assert screen.query_one("#sku").value == "" and screen.query_one("#type").is_blank()


async def test_change_and_deactivate_a_product(counter):
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "mia")
        await open_products(pilot)
        screen = app.screen
        await press(pilot, "f10")
        assert "load it first" in message(app)
        await load_row(pilot, "DR-18")
        assert screen.query_one("#name").value == "Cordless drill 18V"
        assert screen.query_one("#gtin").value == "5901234123457"
        assert app.focused is screen.query_one("#name")
        await fill(pilot, price="139.50", gtin="4006381333931")
        await press(pilot, "f10")
        assert "already exists: PH-X1" in message(app)
        await fill(pilot, price="", gtin="5901234123457")
        await press(pilot, "f10")
        assert "price '' is not a number" in message(app)
        assert str(Product.get(Product.sku == "DR-18").price) == "149.00"
        await fill(pilot, name="Drill 18V brushless", price="139.50")
        await press(pilot, "f10")
        assert "Saved DR-18 (Drill 18V brushless) at 139.50" in message(app)
        assert cell(app, "DR-18", 2) == "139.50"
        # two drills are in stock: a confirmed deactivation is still refused
        await load_row(pilot, "DR-18")
        screen.query_one("#status", Select).value = "inactive"
        await press(pilot, "f10")
        assert isinstance(app.screen, Confirm)
        await press(pilot, "y")
        assert "still has 2 in stock" in message(app)
        assert Product.get(Product.sku == "DR-18").active
        # no watch in stock: "n" keeps it, "y" deactivates it
        await load_row(pilot, "WA-CL")
        screen.query_one("#status", Select).value = "inactive"
        await press(pilot, "f10", "n")
        assert Product.get(Product.sku == "WA-CL").active
        await press(pilot, "f10", "y")
        assert "inactive: no longer sold or received" in message(app)
        assert not Product.get(Product.sku == "WA-CL").active
        assert cell(app, "WA-CL", 4) == "no"
        # and back: no question asked to make it active again
        await load_row(pilot, "WA-CL")
        assert screen.query_one("#status", Select).value == "inactive"
        screen.query_one("#status", Select).value = "active"
        await press(pilot, "f10")
        assert Product.get(Product.sku == "WA-CL").active


async def test_add_a_product_type_from_the_dialog(counter):
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "mia")
        await open_products(pilot)
        screen = app.screen
        await press(pilot, "ctrl+n")
        assert isinstance(app.screen, NewProductType)
        dialog = app.screen
        await press(pilot, "escape")  # cancelled: nothing added
        assert app.screen is screen and ProductType.select().count() == 4
        await press(pilot, "ctrl+n")
        dialog = app.screen
        await type_text(pilot, "Phones")
        await press(pilot, "enter")
        assert app.focused is dialog.query_one("#type-mode")
        await press(pilot, "f10")
        assert "Choose the tracking mode" in str(dialog.query_one("#type-problem").render())
        await press(pilot, "enter", "down", "down", "enter")  # blank, strict, warranty
        assert dialog.query_one("#type-mode", Select).value == "warranty"
        dialog.query_one("#type-months").focus()
        await type_text(pilot, "2y")
        await press(pilot, "enter")
        assert "'2y' is not a whole number" in str(dialog.query_one("#type-problem").render())
        await fill(pilot, **{"type-months": "24"})
        await press(pilot, "f10")
        assert "product type 'Phones' already exists" in str(
            dialog.query_one("#type-problem").render()
        )
        assert ProductType.select().count() == 4
        await fill(pilot, **{"type-name": "Bicycles"})
        await press(pilot, "f10")
        assert app.screen is screen
        assert "Added product type Bicycles" in message(app)
        bikes = ProductType.get(ProductType.name == "Bicycles")
        assert (bikes.tracking_mode, bikes.warranty_months, bikes.print_mode) == (
            "warranty",
            24,
            "offer",
        )
        assert screen.query_one("#type", Select).value == "Bicycles"
        await fill(pilot, sku="BK-CITY", name="City bike", price="899")
        await press(pilot, "f9")
        assert Product.get(Product.sku == "BK-CITY").type.name == "Bicycles"


def test_products_screen(counter, snap_compare):
    async def run_before(pilot):
        await log_in(pilot, "mia")
        await open_products(pilot)

    assert snap_compare(make_app(counter), terminal_size=SIZE, run_before=run_before)


async def test_a_loaded_product_keeps_its_sku_and_type(counter):
    app = make_app(counter)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "mia")
        await open_products(pilot)
        screen = app.screen
        await load_row(pilot, "DR-18")
        assert screen.query_one("#sku").disabled and screen.query_one("#type").disabled
        # F9 does not add a copy of the loaded product; F10 saves the loaded one only.
        await press(pilot, "f9")
        assert "DR-18 is loaded: F10 saves its changes" in message(app)
        await fill(pilot, name="Drill 18V, 2 speeds")
        await press(pilot, "f10")
        assert Product.get(Product.sku == "DR-18").name == "Drill 18V, 2 speeds"
        assert Product.get(Product.sku == "PH-X1").name == "Phone X1 128GB"
        assert not screen.query_one("#sku").disabled
        # Ctrl+L leaves a loaded product for a new one.
        await load_row(pilot, "PH-X1")
        await press(pilot, "ctrl+l")
        assert screen.loaded is None and screen.query_one("#sku").value == ""
        assert not screen.query_one("#type").disabled
