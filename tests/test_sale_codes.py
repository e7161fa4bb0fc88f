"""What a code typed or scanned at checkout means: a product's plain SKU is one piece of
goods without serials, the same at the counter and on the command line; a serial a unit
carries stays that unit."""

from __future__ import annotations

from app.services.counter.selling import SaleItem, preview_item, sell
from app.services.kits import assembly
from app.services.shop import catalog
from tests.conftest import IMEIS
from tests.support import (
    fast_shop,  # noqa: F401
    qty,
    receive_drills,
    receive_phones,
    receive_quantity,
    refused,
    seeded_shop,  # noqa: F401
)


def test_a_plain_sku_of_goods_without_serials_is_one_piece(shop):
    receive_quantity(shop.inventory, "AC-CASE", 5)
    for typed in ("AC-CASE", "ac-case", " AC-CASE "):
        line = preview_item(shop.cashier, SaleItem(serial=typed))
        assert (line.sku, line.serial, line.quantity) == ("AC-CASE", None, 1)
        assert line.item.product == "AC-CASE" and line.item.serial is None
    sale = sell(shop.cashier, [SaleItem(serial="AC-CASE"), SaleItem(serial="AC-CASE", price="25")])
    assert [(x.sku, x.serial, x.quantity, str(x.price)) for x in sale.lines] == [
        ("AC-CASE", None, 1, "19.90"),
        ("AC-CASE", None, 1, "25.00"),
    ]
    assert qty("AC-CASE", shop.cashier) == 3


def test_the_sku_of_a_serial_product_asks_for_the_serial(shop):
    receive_phones(shop.inventory, IMEIS[:1])
    with refused("Phone X1 128GB is sold by serial: scan the unit's serial"):
        preview_item(shop.cashier, SaleItem(serial="PH-X1"))
    with refused("sold by serial"):
        sell(shop.cashier, [SaleItem(serial="PH-X1")])


def test_a_unit_carrying_a_sku_as_its_serial_stays_that_unit(shop):
    # warranty mode lets any serial in, even one that reads like a SKU
    receive_drills(shop.inventory, ["AC-CASE"])
    receive_quantity(shop.inventory, "AC-CASE", 5)
    line = preview_item(shop.cashier, SaleItem(serial="AC-CASE"))
    assert (line.sku, line.serial) == ("DR-18", "AC-CASE")


def test_an_unknown_code_is_still_an_unknown_serial(shop):
    with refused("Serial NOPE-1 is not known here"):
        preview_item(shop.cashier, SaleItem(serial="NOPE-1"))


def test_a_kits_sku_is_not_sold_as_a_piece(shop):
    # the counter asks for its parts (tests/tui/test_checkout.py); a plain sale refuses it
    catalog.add_product("KT-DR", "Drill kit", "Power tools", "199.00")
    assembly.define_kit(shop.manager, "KT-DR", [("DR-18", 1), ("AC-CASE", 1)])
    with refused("Drill kit is sold by serial"):
        sell(shop.cashier, [SaleItem(serial="KT-DR")])
