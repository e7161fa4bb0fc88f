"""Goods receipt in all four tracking modes: every serial checked, all or nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.domain.errors import InvalidSerial, NotFound, PermissionDenied, Refused
from app.services.shop import catalog
from app.services.stock.adjustments import adjust
from app.services.stock.receiving import ReceiptLine, ReceiptRefused, check_serial, receive
from app.services.stock.supplier_returns import SupplierReturnItem, supplier_return
from db.models import Document, DocumentLine, Product, StockLevel, Unit, UnitEvent
from tests.conftest import IMEIS, make_imei
from tests.support import (
    counts,
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


def stock(sku: str, branch_code: str = "A") -> int:
    row = (
        StockLevel.select()
        .join(Product)
        .where(Product.sku == sku)
        .switch(StockLevel)
        .join_from(StockLevel, StockLevel.branch.rel_model)
        .where(StockLevel.branch.rel_model.code == branch_code)
        .first()
    )
    return row.quantity if row else 0


def test_strict_receipt_records_every_unit_with_its_document(shop):
    result = receive_phones(shop.inventory, IMEIS[:3], cost="300", reference="PO-77")
    assert (result.units, result.quantity, result.warnings, result.flagged) == (3, 0, [], [])
    doc = Document.get(Document.kind == "receipt")
    assert result.number == f"GR-{doc.id}"
    assert doc.supplier.name == "PhoneCo" and doc.reference == "PO-77"
    assert doc.branch.code == "A" and doc.employee.login == "ivy"
    assert doc.business_date == date(2026, 1, 15)
    for serial in IMEIS[:3]:
        u = unit(serial)
        assert (u.state, u.branch.code, u.supplier.name, u.cost) == (
            "in_stock",
            "A",
            "PhoneCo",
            Decimal("300.00"),
        )
        assert u.warranty_start is None and u.flag == ""
        ev = UnitEvent.get(UnitEvent.unit == u)
        assert (ev.event, ev.from_state, ev.to_state, ev.document_id) == (
            "receive",
            None,
            "in_stock",
            doc.id,
        )
        assert ev.employee.login == "ivy" and ev.branch.code == "A"
    assert DocumentLine.select().where(DocumentLine.document == doc).count() == 3


def test_receipt_takes_spaces_case_and_gs1_scans(shop):
    gs1 = f"]C101{PHONE_GTIN}21{IMEIS[1]}"
    receive_phones(shop.inventory, [f"  {IMEIS[0]}\r\n", gs1, f"01{PHONE_GTIN}21{IMEIS[2]}"])
    assert {u.serial for u in Unit.select()} == set(IMEIS[:3])
    receive_drills(shop.inventory, ["sn-100 a"])
    assert unit("SN-100A").product.sku == "DR-18"


def test_warranty_mode_receipt_records_serials_without_checks(shop):
    result = receive_drills(shop.inventory, ["DRL-1", "DRL-2"])
    assert result.units == 2 and result.warnings == []
    assert unit("DRL-1").state == "in_stock"


@pytest.mark.parametrize(("sku", "mode"), [("WA-CL", "warranty_no_serial"), ("AC-CASE", "none")])
def test_quantity_receipt_for_goods_without_serials(shop, sku, mode):
    result = receive_quantity(shop.inventory, sku, 5)
    assert (result.units, result.quantity) == (0, 5)
    receive_quantity(shop.inventory, sku, 2)
    assert stock(sku) == 7
    assert Unit.select().count() == 0 and UnitEvent.select().count() == 0
    line = DocumentLine.get(DocumentLine.document == Document.get(number_id(result.number)))
    assert (line.quantity, line.cost, line.serial) == (5, Decimal("10.00"), "")


def number_id(number: str):
    return Document.id == int(number.split("-")[1])


def test_one_receipt_with_all_four_modes(shop):
    result = receive(
        shop.inventory,
        "ToolCo",
        [
            ReceiptLine("PH-X1", IMEIS[:2]),
            ReceiptLine("DR-18", ["D1"]),
            ReceiptLine("WA-CL", quantity=3),
            ReceiptLine("AC-CASE", quantity=10),
        ],
    )
    assert (result.units, result.quantity) == (3, 13)
    assert Document.select().count() == 1
    assert stock("WA-CL") == 3 and stock("AC-CASE") == 10


# ---------------------------------------------------------------- duplicates (workflow)


def test_duplicate_serial_strict_is_refused_warranty_is_warned(shop):
    """A duplicate serial at receipt: strict refuses it, warranty mode warns and records it."""
    receive_phones(shop.inventory, IMEIS[:2])
    with refused(f"{IMEIS[1]}: already in stock; a serial can be active only once") as info:
        receive_phones(shop.inventory, [IMEIS[5], IMEIS[1]])
    assert info.value.problems == [(IMEIS[1], "already in stock; a serial can be active only once")]
    assert "nothing saved" in str(info.value)

    receive_drills(shop.inventory, ["D-1"])
    result = receive_drills(shop.inventory, ["D-1", "D-2"])
    assert result.units == 2
    assert result.warnings == ["D-1 is already in stock (recorded anyway: warranty mode)."]
    assert Unit.select().where(Unit.serial == "D-1").count() == 2


def test_strict_duplicate_is_refused_wherever_the_serial_is_active(shop):
    receive_phones(shop.inventory, IMEIS[:4])
    sell_serials(shop.cashier, [IMEIS[0]])
    adjust(shop.inventory, "quarantine", serials=[IMEIS[1]], reason="scratched")
    receive_phones(shop.inventory_b, [IMEIS[10]])
    for serial, state in [(IMEIS[0], "sold"), (IMEIS[1], "in quarantine"), (IMEIS[10], "in stock")]:
        with refused(f"{serial}: already {state}"):
            receive_phones(shop.inventory, [serial])
    # active under another product counts too: a serial is active only once
    receive_drills(shop.inventory, [IMEIS[20]])
    with refused(f"{IMEIS[20]}: already in stock"):
        receive_phones(shop.inventory, [IMEIS[20]])


def test_a_serial_twice_on_one_receipt_is_refused_in_every_serial_mode(shop):
    with refused("scanned twice on this receipt"):
        receive_phones(shop.inventory, [IMEIS[0], IMEIS[0]])
    with refused("scanned twice on this receipt"):
        receive(
            shop.inventory,
            "ToolCo",
            [ReceiptLine("DR-18", ["X1"]), ReceiptLine("DR-18", ["x1 "])],
        )


# ---------------------------------------------------------------- checks of each serial


def test_imei_check_refuses_bad_serials_and_saves_nothing(shop):
    bad_check = IMEIS[1][:-1] + str((int(IMEIS[1][-1]) + 1) % 10)
    with refused("3 serial\\(s\\) refused, nothing saved") as info:
        receive_phones(shop.inventory, [IMEIS[0], IMEIS[2][:14], bad_check, IMEIS[3][:14] + "00"])
    reasons = dict(info.value.problems)
    assert "exactly 15 digits (this has 14)" in reasons[IMEIS[2][:14]]
    assert "wrong IMEI check digit" in reasons[bad_check]
    assert "exactly 15 digits (this has 16)" in reasons[IMEIS[3][:14] + "00"]


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        ("", "empty"),
        ("AB\x00CD", "not a readable serial"),
        ("\x1b[2J", "not a readable serial"),
        ("9" * 10_240, "at most 64"),
        ("4006381333931", "product barcode, not a serial"),
        ("]C10105901234123457213569380300000", "This barcode is for Cordless drill 18V, not"),
    ],
)
def test_garbage_scans_are_refused_at_receipt(shop, raw, why):
    with refused(why, ReceiptRefused):
        receive_phones(shop.inventory, [raw])


def test_serial_pattern_of_a_product_type(shop):
    catalog.add_product_type(
        "Bikes", "strict", warranty_months=60, serial_pattern="WTU###@ | FR-#####"
    )
    catalog.add_product("BK-1", "City bike", "Bikes", "899")
    receive(shop.inventory, "ToolCo", [ReceiptLine("BK-1", ["wtu123a", "FR-00001"])])
    with refused("does not match this product's serial pattern WTU###@ \\| FR-#####"):
        receive(shop.inventory, "ToolCo", [ReceiptLine("BK-1", ["WTU1234"])])


def test_gtin_check_kind(shop):
    catalog.add_product_type("Cartons", "warranty", warranty_months=6, check_kind="gtin")
    catalog.add_product("CT-1", "Carton", "Cartons", "1")
    receive(shop.inventory, "ToolCo", [ReceiptLine("CT-1", ["96385074"])])
    with refused("wrong GTIN/EAN check digit"):
        receive(shop.inventory, "ToolCo", [ReceiptLine("CT-1", ["96385075"])])


def test_check_serial_checks_one_scan_as_the_screen_does(shop):
    phone = "PH-X1"
    assert check_serial(phone, f" {IMEIS[0]} ") == IMEIS[0]
    with pytest.raises(Refused, match="already on this receipt"):
        check_serial(phone, IMEIS[0], pending={IMEIS[0]})
    with pytest.raises(InvalidSerial, match="IMEI"):
        check_serial(phone, "12345")
    receive_phones(shop.inventory, [IMEIS[0]])
    with pytest.raises(Refused, match="already in stock"):
        check_serial(phone, IMEIS[0])
    drill = "DR-18"
    receive_drills(shop.inventory, ["D-9"])
    assert check_serial(drill, "D-9") == "D-9"  # warranty mode: recorded, not verified
    with pytest.raises(Refused, match="not tracked by serial"):
        check_serial("AC-CASE", "X1")


# ---------------------------------------------------------------- refusals of the receipt


def test_receipt_refusals_change_nothing(shop):
    inv = shop.inventory
    with refused("receipt is empty"):
        receive(inv, "PhoneCo", [])
    with refused("No supplier named 'Nobody'", NotFound):
        receive(inv, "Nobody", [ReceiptLine("PH-X1", IMEIS[:1])])
    with refused("No product with SKU or barcode 'NOPE'", NotFound):
        receive(inv, "PhoneCo", [ReceiptLine("NOPE", IMEIS[:1])])
    with refused("tracked by serial: scan 3 serials, not 0"):
        receive(inv, "PhoneCo", [ReceiptLine("PH-X1", quantity=3)])
    with refused("tracked by serial: scan each unit's serial"):
        receive(inv, "PhoneCo", [ReceiptLine("PH-X1")])
    with refused("scan 3 serials, not 2"):
        receive(inv, "PhoneCo", [ReceiptLine("PH-X1", IMEIS[:2], quantity=3)])
    with refused("not tracked by serial; give a quantity"):
        receive(inv, "ToolCo", [ReceiptLine("WA-CL", ["W1"])])
    with refused("quantity 0 is not valid"):
        receive(inv, "ToolCo", [ReceiptLine("AC-CASE", quantity=0)])
    with refused("quantity -2 is not valid"):
        receive(inv, "ToolCo", [ReceiptLine("AC-CASE", quantity=-2)])
    with refused("cost cannot be negative"):
        receive(inv, "PhoneCo", [ReceiptLine("PH-X1", IMEIS[:1], cost="-1")])
    with refused("cost 'abc' is not a number"):
        receive(inv, "ToolCo", [ReceiptLine("AC-CASE", quantity=1, cost="abc")])
    # one bad line spoils the whole receipt
    with refused("already on this receipt|scanned twice|IMEI"):
        receive(
            inv,
            "PhoneCo",
            [ReceiptLine("AC-CASE", quantity=5), ReceiptLine("PH-X1", [IMEIS[0], "123"])],
        )
    assert counts()["Document"] == 0


@pytest.mark.parametrize("who", ["cashier", "technician"])
def test_only_inventory_and_managers_receive(shop, who):
    with refused("may not receive", PermissionDenied):
        receive_phones(getattr(shop, who), IMEIS[:1])
    receive_phones(shop.manager, IMEIS[:1])


# ---------------------------------------------------------------- received again (workflow)


def test_unit_received_again_after_it_went_back_to_the_supplier_is_flagged(shop):
    receive_phones(shop.inventory, IMEIS[:2])
    supplier_return(
        shop.inventory, "PhoneCo", [SupplierReturnItem(serial=IMEIS[0])], reason="dead on arrival"
    )
    shop.clock.advance(days=20)
    result = receive_phones(shop.inventory, [IMEIS[0], IMEIS[2]], cost="280")
    assert result.flagged == [IMEIS[0]]
    assert result.warnings == [f"{IMEIS[0]}: received again after it went back to the supplier"]
    u = unit(IMEIS[0])
    assert Unit.select().where(Unit.serial == IMEIS[0]).count() == 1  # the same unit, revived
    assert u.state == "in_stock" and u.cost == Decimal("280.00")
    assert "received again on 2026-02-04 after being returned to the supplier" in u.flag
    assert events(IMEIS[0]) == ["receive", "supplier_return", "receive"]
    last = UnitEvent.select().where(UnitEvent.unit == u).order_by(UnitEvent.id.desc()).first()
    assert last.from_state == "returned_to_supplier" and last.note.startswith("flagged")
    assert unit(IMEIS[2]).flag == ""


def test_written_off_unit_received_again_is_flagged(shop):
    receive_drills(shop.inventory, ["D-1"])
    adjust(shop.manager, "write_off", serials=["D-1"], reason="stolen")
    result = receive_drills(shop.inventory, ["D-1"])
    assert result.flagged == ["D-1"] and "after being written off" in unit("D-1").flag


def test_large_receipt_is_checked_in_one_go(shop):
    serials = [make_imei(n) for n in range(1000, 1600)]
    result = receive_phones(shop.inventory, serials)
    assert result.units == 600
    assert Unit.select().where(Unit.state == "in_stock").count() == 600
    assert UnitEvent.select().count() == 600 and DocumentLine.select().count() == 600
    with refused("1 serial\\(s\\) refused"):
        receive_phones(shop.inventory, [make_imei(2000), serials[-1]])
