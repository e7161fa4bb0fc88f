"""Checkout in all four tracking modes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from app.domain.errors import NotFound, PermissionDenied
from app.services.counter.repairs import intake
from app.services.counter.replacements import replace
from app.services.counter.returns import ReturnItem, customer_return
from app.services.counter.selling import SaleItem, sell
from app.services.shop import catalog
from app.services.stock.adjustments import adjust
from app.services.stock.receiving import ReceiptLine, receive
from app.services.stock.supplier_returns import SupplierReturnItem, supplier_return
from app.services.stock.transfers import TransferItem, transfer_out
from db.models import Document, DocumentLine, StockLevel, Unit, UnitEvent, WarrantyNumber
from tests.conftest import IMEIS
from tests.support import (
    customer,
    events,
    fast_shop,  # noqa: F401
    receive_drills,
    receive_phones,
    receive_quantity,
    refused,
    seeded_shop,  # noqa: F401
    sell_serials,
    unit,
)

PHONE_GTIN = "04006381333931"


def qty(sku: str, branch_id: int) -> int:
    from app.services.ledger.lookups import find_product
    from app.services.ledger.stock_levels import stock_quantity

    return stock_quantity(find_product(sku).id, branch_id)


def test_strict_sale_of_a_unit_in_stock_here(shop):
    receive_phones(shop.inventory, IMEIS[:2])
    ann = customer()
    shop.clock.advance(days=3)
    sale = sell_serials(shop.cashier, [IMEIS[0]], customer_id=ann.id)
    assert sale.total == Decimal("499.00") and sale.customer == "Ann Buyer"
    assert sale.warnings == []
    (line,) = sale.lines
    assert (line.sku, line.serial, line.quantity, line.price) == (
        "PH-X1",
        IMEIS[0],
        1,
        Decimal("499.00"),
    )
    assert line.warranty_start == date(2026, 1, 18) and line.warranty_end == date(2028, 1, 18)
    assert line.print_mode == "auto"
    u = unit(IMEIS[0])
    assert (u.state, u.customer_id, u.branch.code) == ("sold", ann.id, "A")
    assert (u.warranty_start, u.warranty_end) == (date(2026, 1, 18), date(2028, 1, 18))
    assert events(IMEIS[0]) == ["receive", "sell"]
    doc = Document.get(Document.kind == "sale")
    assert sale.number == f"S-{doc.id}"
    assert (doc.customer_id, doc.employee.login, doc.total, doc.payment_method) == (
        ann.id,
        "cal",
        Decimal("499.00"),
        "cash",
    )
    assert DocumentLine.get(DocumentLine.document == doc).cost == Decimal("300.00")
    assert unit(IMEIS[1]).state == "in_stock"


def test_warranty_end_is_calendar_months_from_the_sale_day(shop):
    catalog.add_product_type("Short", "strict", warranty_months=1)
    catalog.add_product("SH-1", "Short warranty thing", "Short", "5")
    receive(shop.inventory, "ToolCo", [ReceiptLine("SH-1", ["A1", "A2"])])
    shop.clock.now = datetime(2028, 1, 31, 12, 0, tzinfo=UTC)
    (line,) = sell_serials(shop.cashier, ["A1"]).lines
    assert line.warranty_end == date(2028, 2, 29)
    shop.clock.now = datetime(2027, 1, 31, 12, 0, tzinfo=UTC)
    (line,) = sell_serials(shop.cashier, ["A2"]).lines
    assert line.warranty_end == date(2027, 2, 28)


def test_strict_refusals_name_the_problem_and_change_nothing(shop):
    receive_phones(shop.inventory, IMEIS[:6])
    receive_phones(shop.inventory_b, [IMEIS[10]])
    first = sell_serials(shop.cashier, [IMEIS[0]])
    transfer_out(shop.inventory, "B", [TransferItem(serial=IMEIS[1])])
    adjust(shop.inventory, "quarantine", serials=[IMEIS[2]], reason="dented")
    sell_serials(shop.cashier, [IMEIS[3]])
    intake(shop.cashier, IMEIS[3], complaint="no sound")
    c = shop.cashier
    with refused(f"{IMEIS[0]} was sold on 2026-01-15 at Main Street \\({first.number}\\)"):
        sell_serials(c, [IMEIS[0]])
    with refused("cannot be sold again"):
        sell_serials(c, [IMEIS[0]])
    with refused(f"{IMEIS[10]} is in stock at Harbour, not here. Transfer it here first."):
        sell_serials(c, [IMEIS[10]])
    with refused(f"{IMEIS[1]} is in transit to Harbour .*Receive it there first"):
        sell_serials(c, [IMEIS[1]])
    with refused(f"{IMEIS[2]} is in quarantine .*Release it first"):
        sell_serials(c, [IMEIS[2]])
    with refused(f"{IMEIS[3]} is in repair since 2026-01-15"):
        sell_serials(c, [IMEIS[3]])
    with refused(f"Serial {IMEIS[20]} is not known here", NotFound):
        sell_serials(c, [IMEIS[20]])
    with refused(f"Serial {IMEIS[20]} of Phone X1 128GB is not in stock: it was never received"):
        sell(c, [SaleItem(serial=f"01{PHONE_GTIN}21{IMEIS[20]}")])
    with refused("at most 64"):
        sell_serials(c, ["4" * 10_240])
    with refused("not a readable serial"):
        sell_serials(c, ["\x1b[2J\x07"])
    with refused("empty"):
        sell_serials(c, [" \r\n"])
    with refused(f"{IMEIS[4]} is in the cart twice"):
        sell_serials(c, [IMEIS[4], IMEIS[4]])
    with refused("Phone X1 128GB is sold by serial: scan the unit's serial"):
        sell(c, [SaleItem(product="PH-X1")])
    with refused("Phone X1 128GB is sold by serial"):
        sell(c, [SaleItem(serial="4006381333931")])  # its product barcode
    # one unsellable item refuses the whole cart
    with refused("cannot be sold again"):
        sell_serials(c, [IMEIS[4], IMEIS[5], IMEIS[0]])
    assert unit(IMEIS[4]).state == "in_stock"


def test_units_that_left_us_are_not_sold(shop):
    receive_phones(shop.inventory, IMEIS[:4])
    sell_serials(shop.cashier, [IMEIS[0]])
    replace(shop.technician, IMEIS[0], IMEIS[1])
    supplier_return(
        shop.inventory, "PhoneCo", [SupplierReturnItem(serial=IMEIS[2])], reason="faulty"
    )
    adjust(shop.manager, "write_off", serials=[IMEIS[3]], reason="stolen")
    with refused(f"{IMEIS[0]} was replaced under warranty on 2026-01-15 \\(WR-"):
        sell_serials(shop.cashier, [IMEIS[0]])
    with refused(f"{IMEIS[2]} was returned to the supplier on 2026-01-15 \\(RMA-"):
        sell_serials(shop.cashier, [IMEIS[2]])
    with refused(f"{IMEIS[3]} was written off on 2026-01-15 \\(ADJ-"):
        sell_serials(shop.cashier, [IMEIS[3]])


def test_gs1_scan_at_checkout(shop):
    receive_phones(shop.inventory, IMEIS[:1])
    sale = sell(shop.cashier, [SaleItem(serial=f"]C101{PHONE_GTIN}21{IMEIS[0]}")])
    assert sale.lines[0].serial == IMEIS[0] and unit(IMEIS[0]).state == "sold"


def test_gs1_scan_for_another_product_than_chosen_is_refused(shop):
    receive_phones(shop.inventory, IMEIS[:1])
    with refused("The barcode is for Phone X1 128GB, but Cordless drill 18V was chosen"):
        sell(shop.cashier, [SaleItem(serial=f"01{PHONE_GTIN}21{IMEIS[0]}", product="DR-18")])


def test_sold_unit_is_sold_again_only_after_a_return(shop):
    receive_phones(shop.inventory, IMEIS[:1])
    sell_serials(shop.cashier, [IMEIS[0]])
    customer_return(shop.cashier, [ReturnItem(serial=IMEIS[0])])
    again = sell_serials(shop.cashier, [IMEIS[0]])
    assert unit(IMEIS[0]).state == "sold" and again.lines[0].serial == IMEIS[0]
    assert events(IMEIS[0]) == ["receive", "sell", "customer_return", "sell"]


# ---------------------------------------------------------------- warranty mode


def test_warranty_mode_sells_an_unknown_serial_with_a_warning(shop):
    ann = customer()
    sale = sell(shop.cashier, [SaleItem(serial="dx-77", product="DR-18")], customer_id=ann.id)
    assert sale.warnings == ["DX-77 was never received; recorded on this sale (warranty mode)."]
    u = unit("DX-77")
    assert (u.state, u.customer_id, u.warranty_end) == ("sold", ann.id, date(2029, 1, 15))
    ev = UnitEvent.get(UnitEvent.unit == u)
    assert (ev.event, ev.from_state, ev.to_state, ev.note) == (
        "sell",
        None,
        "sold",
        "never received",
    )
    with refused("DX-79 is in the cart twice"):
        sell(shop.cashier, [SaleItem(serial="DX-79", product="DR-18")] * 2)
    # without a product to attach it to, an unknown serial cannot be sold
    with refused("DX-78 is not known here.*scan the product barcode first", NotFound):
        sell(shop.cashier, [SaleItem(serial="DX-78")])


def test_warranty_mode_sells_a_unit_recorded_at_another_branch_with_a_warning(shop):
    receive_drills(shop.inventory_b, ["D-1"])
    sale = sell_serials(shop.cashier, ["D-1"])
    assert sale.warnings == ["D-1 was recorded at Harbour; sold here (warranty mode)."]
    assert unit("D-1").branch.code == "A" and unit("D-1").state == "sold"


def test_warranty_mode_a_sold_unit_is_not_sold_again(shop):
    receive_drills(shop.inventory, ["D-1"])
    sell_serials(shop.cashier, ["D-1"])
    with refused("D-1 was sold on .*cannot be sold again"):
        sell_serials(shop.cashier, ["D-1"])


def test_warranty_mode_duplicate_serials_received_with_a_warning_can_both_be_sold(shop):
    receive_drills(shop.inventory, ["D-1"])
    assert receive_drills(shop.inventory, ["D-1"]).warnings
    sell_serials(shop.cashier, ["D-1"])
    sell_serials(shop.cashier, ["D-1"])
    assert [u.state for u in Unit.select().where(Unit.serial == "D-1")] == ["sold", "sold"]
    with refused("cannot be sold again"):
        sell_serials(shop.cashier, ["D-1"])


# ---------------------------------------------------------------- no-serial modes


def test_warranty_without_serials_issues_one_warranty_number_per_unit(shop):
    receive_quantity(shop.inventory, "WA-CL", 5)
    ann = customer()
    sale = sell(shop.cashier, [SaleItem(product="WA-CL", quantity=3)], customer_id=ann.id)
    (line,) = sale.lines
    assert line.serial is None and line.quantity == 3
    assert sale.total == Decimal("269.70")
    assert len(set(line.warranty_numbers)) == 3
    assert all(n.startswith("W") and len(n) == 11 for n in line.warranty_numbers)
    assert line.warranty_end == date(2027, 1, 15) and line.print_mode == "offer"
    rows = list(WarrantyNumber.select())
    assert {r.number for r in rows} == set(line.warranty_numbers)
    assert all(
        (r.customer_id, r.state, r.warranty_end) == (ann.id, "active", date(2027, 1, 15))
        for r in rows
    )
    assert qty("WA-CL", shop.cashier.branch_id) == 2
    assert Unit.select().count() == 0


def test_no_tracking_mode_sells_quantities_without_warranty(shop):
    receive_quantity(shop.inventory, "AC-CASE", 4)
    sale = sell(shop.cashier, [SaleItem(product="AC-CASE", quantity=4)])
    (line,) = sale.lines
    assert (line.warranty_start, line.warranty_end, line.warranty_numbers, line.print_mode) == (
        None,
        None,
        [],
        "never",
    )
    assert qty("AC-CASE", shop.cashier.branch_id) == 0
    # a scanned product barcode works as well as the SKU
    catalog.add_product("AC-2", "Cable", "Accessories", "5.00", gtin="96385074")
    receive_quantity(shop.inventory, "AC-2", 1)
    assert sell(shop.cashier, [SaleItem(serial="96385074")]).lines[0].sku == "AC-2"


@pytest.mark.parametrize("sku", ["WA-CL", "AC-CASE"])
def test_quantity_sale_refused_beyond_stock_here(shop, sku):
    receive_quantity(shop.inventory, sku, 2)
    receive_quantity(shop.inventory_b, sku, 10)
    with refused("Only 2 of .* in stock here, not 3"):
        sell(shop.cashier, [SaleItem(product=sku, quantity=3)])
    with refused("quantity 0 is not valid"):
        sell(shop.cashier, [SaleItem(product=sku, quantity=0)])
    with refused("Only 0 of .* not 1"):  # two lines of one cart share the stock
        sell(shop.cashier, [SaleItem(product=sku, quantity=2), SaleItem(product=sku, quantity=1)])
    assert qty(sku, shop.cashier.branch_id) == 2


def test_mixed_cart_of_all_four_modes(shop):
    receive_phones(shop.inventory, IMEIS[:1])
    receive_drills(shop.inventory, ["D-1"])
    receive_quantity(shop.inventory, "WA-CL", 1)
    receive_quantity(shop.inventory, "AC-CASE", 2)
    sale = sell(
        shop.manager,  # the cases go below list price: a manager may
        [
            SaleItem(serial=IMEIS[0]),
            SaleItem(serial="D-1"),
            SaleItem(product="WA-CL"),
            SaleItem(product="AC-CASE", quantity=2, price="15"),
        ],
        payment_method="card",
    )
    assert sale.total == Decimal("499.00") + Decimal("149.00") + Decimal("89.90") + Decimal("30.00")
    assert [line.print_mode for line in sale.lines] == ["auto", "offer", "offer", "never"]
    assert StockLevel.select().where(StockLevel.quantity > 0).count() == 0


# ---------------------------------------------------------------- payment and price


def test_payment_rules(shop):
    receive_quantity(shop.inventory, "AC-CASE", 10)
    item = [SaleItem(product="AC-CASE")]
    sale = sell(shop.cashier, item, tendered="20")
    assert (sale.total, sale.paid, sale.change) == (
        Decimal("19.90"),
        Decimal("20.00"),
        Decimal("0.10"),
    )
    with refused("Paid 10.00 is less than the total 19.90"):
        sell(shop.cashier, item, tendered="10")
    with refused("A card payment must be exactly the total 19.90"):
        sell(shop.cashier, item, payment_method="card", tendered="50")
    with refused("Unknown payment method 'bitcoin'"):
        sell(shop.cashier, item, payment_method="bitcoin")
    with refused("amount paid cannot be negative"):
        sell(shop.cashier, item, tendered="-5")
    with refused("price cannot be negative"):
        sell(shop.cashier, [SaleItem(product="AC-CASE", price="-1")])
    with refused("price 'free' is not a number"):
        sell(shop.cashier, [SaleItem(product="AC-CASE", price="free")])
    assert sell(shop.manager, [SaleItem(product="AC-CASE", price="0")]).total == Decimal("0.00")


def test_sale_refusals_before_the_cart(shop):
    with refused("The cart is empty"):
        sell(shop.cashier, [])
    with refused("No customer #999", NotFound):
        sell(shop.cashier, [SaleItem(product="AC-CASE")], customer_id=999)
    with refused("Scan a serial or a product barcode"):
        sell(shop.cashier, [SaleItem()])


@pytest.mark.parametrize("who", ["inventory", "technician"])
def test_only_cashiers_and_managers_sell(shop, who):
    receive_phones(shop.inventory, IMEIS[:1])
    with refused("may not sell", PermissionDenied):
        sell_serials(getattr(shop, who), [IMEIS[0]])
    sell_serials(shop.manager, [IMEIS[0]])


def test_a_price_below_the_list_price_needs_a_manager(shop):
    receive_quantity(shop.inventory, "AC-CASE", 5)
    with refused("below its list price needs a manager", PermissionDenied):
        sell(shop.cashier, [SaleItem(product="AC-CASE", price="5.00")])
    sale = sell(shop.cashier, [SaleItem(product="AC-CASE", price="5.00")], approver=shop.approver())
    assert sale.total == Decimal("5.00")
    assert Document.get_by_id(int(sale.number.split("-")[1])).approved_by.login == "mia"
    # A manager may, and a higher price needs nobody.
    sell(shop.manager, [SaleItem(product="AC-CASE", price="5.00")])
    sell(shop.cashier, [SaleItem(product="AC-CASE", price="25.00")])
