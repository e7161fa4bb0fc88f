"""Master data, and the tracking-mode switch rules through the catalog."""

from __future__ import annotations

import pytest

from app.domain.errors import NotFound, PermissionDenied, Refused
from app.services.counter.returns import ReturnItem, customer_return
from app.services.counter.selling import SaleItem, preview_item, sell
from app.services.kits import assembly
from app.services.shop import catalog, products
from app.services.stock.adjustments import adjust
from app.services.stock.receiving import ReceiptLine, check_serial, receive
from app.services.stock.transfers import TransferItem, transfer_in, transfer_out
from db.models import Product, ProductType
from tests.conftest import IMEIS
from tests.support import (
    fast_shop,  # noqa: F401
    receive_drills,
    receive_phones,
    receive_quantity,
    refused,
    seeded_shop,  # noqa: F401
    sell_serials,
)


def mode_of(sku: str) -> str:
    from app.services.ledger.lookups import find_product
    from app.services.ledger.product_settings import settings_of

    return settings_of(find_product(sku)).mode.value


def product_row(sku: str):
    return Product.select(Product.tracking_mode).where(Product.sku == sku).tuples().get()


@pytest.mark.parametrize("sku", ["AC-CASE", "WA-CL"])
@pytest.mark.parametrize("target", ["strict", "warranty"])
def test_into_a_serial_mode_only_at_stock_zero(shop, sku, target):
    receive_quantity(shop.inventory, sku, 2)
    receive_quantity(shop.inventory_b, sku, 1)
    before = product_row(sku)
    with refused("still has 3 in stock without serials.*only at stock 0"):
        catalog.set_product_mode(shop.manager, sku, target)
    assert product_row(sku) == before
    sell(shop.cashier, [SaleItem(product=sku, quantity=2)])
    with refused("still has 1 in stock"):  # stock at another branch counts too
        catalog.set_product_mode(shop.manager, sku, target)
    sell(shop.cashier_b, [SaleItem(product=sku)])
    catalog.set_product_mode(shop.manager, sku, target)
    assert mode_of(sku) == target
    # now it is received and sold by serial
    receive(shop.inventory, "ToolCo", [ReceiptLine(sku, ["NEW-1"])])
    with refused("sold by serial"):
        sell(shop.cashier, [SaleItem(product=sku)])
    sell_serials(shop.cashier, ["NEW-1"])


def test_goods_in_transit_count_as_stock_for_the_switch(shop):
    receive_quantity(shop.inventory, "AC-CASE", 4)
    out = transfer_out(shop.inventory, "B", [TransferItem(product="AC-CASE", quantity=4)])
    with refused("still has 4 in stock without serials"):
        catalog.set_product_mode(shop.manager, "AC-CASE", "strict")
    transfer_in(shop.inventory_b, out.number)
    with refused("still has 4 in stock"):
        catalog.set_product_mode(shop.manager, "AC-CASE", "strict")


@pytest.mark.parametrize(("sku", "serials"), [("PH-X1", IMEIS[:1]), ("DR-18", ["D-1"])])
@pytest.mark.parametrize("target", ["none", "warranty_no_serial"])
def test_never_out_of_a_serial_mode_once_units_exist(shop, sku, serials, target):
    catalog.set_product_mode(shop.manager, sku, target)  # no units yet: allowed
    catalog.set_product_mode(shop.manager, sku, None)  # back to its type's mode
    receive(shop.inventory, "ToolCo", [ReceiptLine(sku, serials)])
    sell_serials(shop.cashier, serials)  # sold: no stock, but the units have a history
    with refused("already has serialized units in its history.*Create a new product"):
        catalog.set_product_mode(shop.manager, sku, target)
    assert product_row(sku) == (None,)


def test_between_serial_modes_is_allowed_with_units(shop):
    receive_phones(shop.inventory, IMEIS[:2])
    catalog.set_product_mode(shop.manager, "PH-X1", "warranty")
    assert mode_of("PH-X1") == "warranty"
    assert receive_phones(shop.inventory, IMEIS[:1]).warnings  # now only warned about
    catalog.set_product_mode(shop.manager, "PH-X1", "strict")
    assert mode_of("PH-X1") == "strict"


def test_product_override_and_back_to_the_type(shop):
    catalog.set_product_mode(shop.manager, "AC-CASE", "warranty_no_serial")
    assert product_row("AC-CASE") == ("warranty_no_serial",)
    receive_quantity(shop.inventory, "AC-CASE", 1)
    catalog.set_product_mode(shop.manager, "AC-CASE", None)
    assert product_row("AC-CASE") == (None,) and mode_of("AC-CASE") == "none"


def test_type_mode_switch_checks_every_product_that_follows_the_type(shop):
    catalog.add_product("AC-2", "Cable", "Accessories", "5")
    receive_quantity(shop.inventory, "AC-2", 1)
    with refused("Cable still has 1 in stock"):
        catalog.set_type_mode(shop.manager, "Accessories", "strict")
    assert ProductType.get(ProductType.name == "Accessories").tracking_mode == "none"
    # a product with its own mode does not follow the type, so it does not block it
    catalog.set_product_mode(shop.manager, "AC-2", "none")
    with refused("Set a warranty period first"):
        catalog.set_type_mode(shop.manager, "Accessories", "strict")
    catalog.set_type_mode(shop.manager, "Watches", "strict")  # no watch in stock
    assert mode_of("WA-CL") == "strict"


def test_type_mode_never_leaves_serials_once_units_exist(shop):
    receive_drills(shop.inventory, ["D-1"])
    with refused("Cordless drill 18V already has serialized units"):
        catalog.set_type_mode(shop.manager, "Power tools", "none")
    catalog.set_type_mode(shop.manager, "Power tools", "strict")


def test_mode_switch_refusals(shop):
    with refused("may not change the settings", PermissionDenied):
        catalog.set_product_mode(shop.cashier, "AC-CASE", "strict")
    with refused("may not change the settings", PermissionDenied):
        catalog.set_type_mode(shop.inventory, "Accessories", "strict")
    with refused("Unknown tracking mode 'serial'"):
        catalog.set_product_mode(shop.manager, "AC-CASE", "serial")
    with refused("No product with SKU or barcode 'ZZ'", NotFound):
        catalog.set_product_mode(shop.manager, "ZZ", "strict")
    with refused("No product type 'Boats'", NotFound):
        catalog.set_type_mode(shop.manager, "Boats", "strict")


# ---------------------------------------------------------------- master data


def test_product_and_type_validation(shop):
    with pytest.raises(Refused, match="already exists"):
        catalog.add_product("ph-x1", "Again", "Phones", "1")
    with pytest.raises(Refused, match="already exists"):
        catalog.add_product("PH-X2", "Same barcode", "Phones", "1", gtin="4006381333931")
    with pytest.raises(Refused, match="not a valid GTIN"):
        catalog.add_product("PH-X3", "Bad barcode", "Phones", "1", gtin="4006381333932")
    with pytest.raises(Refused, match="price cannot be negative"):
        catalog.add_product("PH-X4", "Negative", "Phones", "-1")
    with pytest.raises(Refused, match="price must be more than 0.00"):
        catalog.add_product("PH-X4", "Free", "Phones", "0")
    with pytest.raises(NotFound, match="No product type 'Boats'"):
        catalog.add_product("BT-1", "Boat", "Boats", "1")
    with pytest.raises(Refused, match="needs a warranty period"):
        catalog.add_product_type("Tablets", "strict")
    with pytest.raises(Refused, match="Unknown tracking mode"):
        catalog.add_product_type("Tablets", "loose", warranty_months=12)
    with pytest.raises(Refused, match="Unknown check"):
        catalog.add_product_type("Tablets", "strict", warranty_months=12, check_kind="luhn")
    with pytest.raises(Refused, match="empty alternative"):
        catalog.add_product_type("Tablets", "strict", warranty_months=12, serial_pattern="A#|")
    with pytest.raises(Refused, match="between 0 and 240"):
        catalog.add_product_type("Tablets", "strict", warranty_months=-1)
    with pytest.raises(Refused, match="control characters|empty"):
        catalog.add_product("\x00", "x", "Phones", "1")
    t = catalog.add_product_type("Cables", "none", warranty_months=12)
    assert t.warranty_months == 0  # no tracking: no warranty


def test_people_and_places(shop):
    with pytest.raises(Refused, match="already exists"):
        catalog.add_branch("a", "Again")
    with pytest.raises(Refused, match="Unknown role 'boss'"):
        catalog.add_employee("zed", "Zed", "boss", "1234")
    with pytest.raises(Refused, match="4 to 12 digits"):
        catalog.add_employee("zed", "Zed", "cashier", "12")
    with pytest.raises(NotFound, match="No branch"):
        catalog.add_employee("zed", "Zed", "cashier", "1234", "Q")
    with pytest.raises(Refused, match="already exists"):
        catalog.add_employee("MIA", "Mia 2", "cashier", "1234")
    with pytest.raises(Refused, match="not a phone number"):
        catalog.add_customer("Ann", "12")
    ann = catalog.add_customer("Ann  Buyer", "+44 (0)7700 900123")
    assert (ann.name, ann.phone) == ("Ann Buyer", "+4407700900123")
    assert [c.id for c in catalog.search_customers("ann")] == [ann.id]
    assert [c.id for c in catalog.search_customers("900123")] == [ann.id]
    assert catalog.search_customers("  ") == []


def test_list_products_counts_units_or_quantities(shop):
    receive_phones(shop.inventory, IMEIS[:3])
    receive_quantity(shop.inventory, "AC-CASE", 7)
    receive_quantity(shop.inventory_b, "AC-CASE", 2)
    sell_serials(shop.cashier, IMEIS[:1])
    rows = {r.sku: r for r in catalog.list_products()}
    assert rows["PH-X1"].in_stock == 2 and rows["PH-X1"].tracking_mode == "strict"
    assert rows["AC-CASE"].in_stock == 9
    here = {r.sku: r.in_stock for r in catalog.list_products(shop.inventory_b.branch_id)}
    assert here == {"AC-CASE": 2, "DR-18": 0, "PH-X1": 0, "WA-CL": 0}


# ---------------------------------------------------------------- products (back office)


def test_a_manager_adds_a_product_with_its_rules(shop):
    added = products.new_product(shop.manager, " ph-x2 ", "Phone X2", "Phones", "599", "96385074")
    assert (added.sku, added.gtin, added.active) == ("PH-X2", "00000096385074", True)
    assert products.shown_gtin(added.gtin) == "96385074"
    assert products.shown_gtin("04006381333931") == "4006381333931"
    plain = products.new_product(shop.manager, "AC-3", "Strap", "Accessories", "9.5", " ")
    assert (plain.gtin, str(plain.price)) == (None, "9.50")
    with refused("may not change the settings", PermissionDenied):
        products.new_product(shop.cashier, "AC-4", "Strap 2", "Accessories", "9")
    with refused("product with SKU 'PH-X1' already exists"):
        products.new_product(shop.manager, "ph-x1", "Again", "Phones", "1")
    # the barcode of another product, typed as EAN-13 while it is stored as 14 digits
    with refused("barcode 4006381333931 already exists: PH-X1"):
        products.new_product(shop.manager, "PH-X3", "Same barcode", "Phones", "1", "4006381333931")
    with refused("not a valid GTIN"):
        products.new_product(shop.manager, "PH-X3", "Bad barcode", "Phones", "1", "4006381333932")
    with refused("price must be more than 0.00"):
        products.new_product(shop.manager, "PH-X3", "Free phone", "Phones", "0")
    with refused("price 'ten' is not a number"):
        products.new_product(shop.manager, "PH-X3", "Phone", "Phones", "ten")
    with refused("product name is empty"):
        products.new_product(shop.manager, "PH-X3", "  ", "Phones", "10")
    with refused("No product type 'Boats'", NotFound):
        products.new_product(shop.manager, "BT-1", "Boat", "Boats", "10")


def test_a_manager_adds_a_product_type(shop):
    made = products.new_product_type(shop.manager, "Tablets", "strict", "24", "auto")
    assert (made.tracking_mode, made.warranty_months, made.print_mode) == ("strict", 24, "auto")
    assert "Tablets" in products.product_type_names()
    with refused("may not change the settings", PermissionDenied):
        products.new_product_type(shop.inventory, "Bikes", "warranty", "24", "offer")
    with refused("product type 'Tablets' already exists"):
        products.new_product_type(shop.manager, "Tablets", "warranty", "12", "offer")
    with refused("'2y' is not a whole number"):
        products.new_product_type(shop.manager, "Bikes", "warranty", "2y", "offer")
    with refused("needs a warranty period"):
        products.new_product_type(shop.manager, "Bikes", "warranty", "", "offer")
    with refused("Unknown print mode 'always'"):
        products.new_product_type(shop.manager, "Bikes", "warranty", "24", "always")
    assert "Bikes" not in products.product_type_names()


def test_a_manager_changes_name_price_and_barcode(shop):
    def change(sku="DR-18", **kw):
        values = dict(name="Drill 18V", price="139.5", gtin="", active=True) | kw
        return products.update_product(shop.manager, sku, **values)

    saved = change(gtin="5901234123457")  # its own barcode again is no clash
    assert (saved.name, str(saved.price), saved.gtin) == ("Drill 18V", "139.50", "05901234123457")
    assert change().gtin is None  # a barcode can be taken off
    with refused("barcode 4006381333931 already exists: PH-X1"):
        change(gtin="4006381333931")
    with refused("price must be more than 0.00"):
        change(price="0.00")
    with refused("price cannot be negative"):
        change(price="-5")
    with refused("product name is empty"):
        change(name="")
    with refused("may not change the settings", PermissionDenied):
        products.update_product(shop.cashier, "DR-18", name="x", price="1", gtin="", active=True)
    with refused("No product with SKU or barcode 'ZZ-1'", NotFound):
        change(sku="ZZ-1")
    row = Product.get(Product.sku == "DR-18")
    assert (row.name, str(row.price), row.gtin) == ("Drill 18V", "139.50", None)


def test_no_deactivation_while_stock_is_left(shop):
    def deactivate(sku: str):
        item = Product.get(Product.sku == sku)
        return products.update_product(
            shop.manager, sku, name=item.name, price=str(item.price), gtin="", active=False
        )

    receive_quantity(shop.inventory, "AC-CASE", 2)
    with refused("Phone case still has 2 in stock"):
        deactivate("AC-CASE")
    transfer_out(shop.inventory, "B", [TransferItem(product="AC-CASE", quantity=2)])
    with refused("still has 2 in stock, in quarantine, on the way"):  # on its way to B
        deactivate("AC-CASE")
    receive_drills(shop.inventory, ["D-1"])
    with refused("Cordless drill 18V still has 1"):
        deactivate("DR-18")
    sell_serials(shop.cashier, ["D-1"])
    receive_drills(shop.inventory, ["D-2"])
    adjust(shop.manager, "quarantine", serials=["D-2"], reason="box crushed")
    with refused("Cordless drill 18V still has 1"):  # it may go back on the shelf
        deactivate("DR-18")
    adjust(shop.manager, "write_off", serials=["D-2"], reason="unsellable")
    assert deactivate("DR-18").active is False  # sold or gone: nothing stranded
    rows = {r.sku: r for r in catalog.list_products()}
    assert not rows["DR-18"].active and rows["AC-CASE"].active


def test_an_inactive_product_is_neither_sold_nor_received(shop):
    receive_drills(shop.inventory, ["D-1"])
    sale = sell_serials(shop.cashier, ["D-1"])
    for sku in ("DR-18", "AC-CASE"):
        item = Product.get(Product.sku == sku)
        products.update_product(
            shop.manager, sku, name=item.name, price=str(item.price), gtin="", active=False
        )
    with refused("Cordless drill 18V \\(DR-18\\) is inactive and can no longer be received"):
        receive_drills(shop.inventory, ["D-2"])
    with refused("is inactive and can no longer be received"):
        check_serial("DR-18", "D-2")
    with refused("Phone case \\(AC-CASE\\) is inactive and can no longer be received"):
        receive_quantity(shop.inventory, "AC-CASE", 1)
    with refused("Phone case \\(AC-CASE\\) is inactive and can no longer be sold"):
        sell(shop.cashier, [SaleItem(product="AC-CASE")])
    # a serial never received (warranty mode), and a unit a customer brought back
    with refused("is inactive and can no longer be sold"):
        sell(shop.cashier, [SaleItem(serial="D-9", product="DR-18")])
    customer_return(shop.cashier, [ReturnItem(serial="D-1")], sale=sale.number)
    with refused("Cordless drill 18V \\(DR-18\\) is inactive and can no longer be sold"):
        sell_serials(shop.cashier, ["D-1"])
    with refused("is inactive"):
        preview_item(shop.cashier, SaleItem(serial="D-1"))
    item = Product.get(Product.sku == "DR-18")
    products.update_product(
        shop.manager, "DR-18", name=item.name, price=str(item.price), gtin="", active=True
    )
    sell_serials(shop.cashier, ["D-1"])  # active again: sold as before
    receive_drills(shop.inventory, ["D-2"])


def test_an_inactive_kit_is_not_sold_from_its_parts(shop):
    catalog.add_product("KT-DR", "Drill kit", "Power tools", "199.00")
    assembly.define_kit(shop.manager, "KT-DR", [("DR-18", 1), ("AC-CASE", 1)])
    assert {r.sku for r in catalog.list_products() if r.kit} == {"KT-DR"}
    products.update_product(
        shop.manager, "KT-DR", name="Drill kit", price="199", gtin="", active=False
    )
    receive_drills(shop.inventory, ["D-1"])
    receive_quantity(shop.inventory, "AC-CASE", 1)
    with refused("Drill kit \\(KT-DR\\) is inactive and can no longer be sold"):
        sell(shop.cashier, [SaleItem(product="KT-DR", components=["D-1"])])
    with refused("Drill kit \\(KT-DR\\) is inactive"):
        preview_item(shop.cashier, SaleItem(product="KT-DR", components=["D-1"]))
