"""Supplier returns, adjustments (write-off, found, quarantine, correction) and stocktakes."""

from __future__ import annotations

import pytest

from app.domain.errors import NotFound, PermissionDenied
from app.services.access.context import approver_from
from app.services.counter.returns import ReturnItem, customer_return
from app.services.ledger.lookups import find_product
from app.services.ledger.stock_levels import stock_quantity
from app.services.stock import stocktake
from app.services.stock.adjustments import adjust
from app.services.stock.items import read_stock_scan
from app.services.stock.receiving import ReceiptLine, receive
from app.services.stock.supplier_returns import SupplierReturnItem, supplier_return
from app.services.stock.transfers import TransferItem, transfer_out
from db.models import Document, DocumentLine, Employee, UnitEvent
from tests.conftest import IMEIS
from tests.support import (
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


def last_event(serial):
    return (
        UnitEvent.select()
        .where(UnitEvent.unit == unit(serial))
        .order_by(UnitEvent.id.desc())
        .first()
    )


def qty(sku, ctx):
    return stock_quantity(find_product(sku).id, ctx.branch_id)


# ---------------------------------------------------------------- supplier returns


def test_supplier_return_of_units_in_stock_quarantined_or_replaced(shop):
    receive_phones(shop.inventory, IMEIS[:5])
    adjust(shop.inventory, "quarantine", serials=[IMEIS[1]], reason="no boot")
    sell_serials(shop.cashier, [IMEIS[2]])
    from app.services.counter.repairs import replace

    replace(shop.technician, IMEIS[2], IMEIS[3])
    result = supplier_return(
        shop.inventory,
        "phoneco",
        [SupplierReturnItem(serial=s) for s in IMEIS[:3]],
        reason="faulty batch",
        reference="RMA-991",
    )
    assert (result.supplier, result.units, result.warnings) == ("PhoneCo", 3, [])
    for serial in IMEIS[:3]:
        assert unit(serial).state == "returned_to_supplier"
        assert last_event(serial).note == "faulty batch"
    doc = Document.get(Document.kind == "supplier_return")
    assert (doc.reference, doc.reason, doc.supplier.name) == ("RMA-991", "faulty batch", "PhoneCo")
    assert result.number == f"RMA-{doc.id}"


def test_supplier_return_refusals(shop):
    receive_phones(shop.inventory, IMEIS[:3])
    receive_phones(shop.inventory_b, [IMEIS[10]])
    sell_serials(shop.cashier, [IMEIS[0]])
    inv = shop.inventory
    with refused(f"{IMEIS[0]} is sold; only units in stock, in quarantine or replaced"):
        supplier_return(inv, "PhoneCo", [SupplierReturnItem(serial=IMEIS[0])], reason="x")
    with refused(f"{IMEIS[10]} is at Harbour, not here"):
        supplier_return(inv, "PhoneCo", [SupplierReturnItem(serial=IMEIS[10])], reason="x")
    with refused("Give the reason"):
        supplier_return(inv, "PhoneCo", [SupplierReturnItem(serial=IMEIS[1])], reason=" ")
    with refused("Nothing to return"):
        supplier_return(inv, "PhoneCo", [], reason="x")
    with refused("No supplier named", NotFound):
        supplier_return(inv, "Acme", [SupplierReturnItem(serial=IMEIS[1])], reason="x")
    with refused("may not return goods to a supplier", PermissionDenied):
        supplier_return(shop.cashier, "PhoneCo", [SupplierReturnItem(serial=IMEIS[1])], reason="x")
    with refused("tracked by serial"):
        supplier_return(inv, "PhoneCo", [SupplierReturnItem(product="PH-X1")], reason="x")
    # all or nothing
    with refused("is sold"):
        supplier_return(
            inv,
            "PhoneCo",
            [SupplierReturnItem(serial=IMEIS[1]), SupplierReturnItem(serial=IMEIS[0])],
            reason="x",
        )
    supplier_return(inv, "PhoneCo", [SupplierReturnItem(serial=IMEIS[1])], reason="x")
    with refused("is returned to the supplier; only units in stock"):
        supplier_return(inv, "PhoneCo", [SupplierReturnItem(serial=IMEIS[1])], reason="x")


def test_supplier_return_to_another_supplier_is_warned(shop):
    receive_drills(shop.inventory, ["D-1"])
    result = supplier_return(
        shop.inventory, "PhoneCo", [SupplierReturnItem(serial="D-1")], reason="wrong item"
    )
    assert result.warnings == ["D-1 came from ToolCo, not PhoneCo."]


@pytest.mark.parametrize("sku", ["WA-CL", "AC-CASE"])
def test_supplier_return_of_quantity_goods(shop, sku):
    receive_quantity(shop.inventory, sku, 5)
    result = supplier_return(
        shop.inventory, "ToolCo", [SupplierReturnItem(product=sku, quantity=2)], reason="damaged"
    )
    assert result.quantity == 2 and qty(sku, shop.inventory) == 3
    with refused("Only 3 of .* not 4"):
        supplier_return(
            shop.inventory, "ToolCo", [SupplierReturnItem(product=sku, quantity=4)], reason="x"
        )


# ---------------------------------------------------------------- adjustments


def test_write_off_needs_a_manager_or_a_managers_approval(shop):
    receive_phones(shop.inventory, IMEIS[:3])
    with refused(
        "Ivy Inventory \\(inventory\\) may not write off. Ask a manager", PermissionDenied
    ):
        adjust(shop.inventory, "write_off", serials=[IMEIS[0]], reason="stolen")
    approver = shop.approver()
    result = adjust(
        shop.inventory, "write_off", serials=[IMEIS[0]], reason="stolen", approver=approver
    )
    assert result.units == [IMEIS[0]] and unit(IMEIS[0]).state == "written_off"
    ev = last_event(IMEIS[0])
    assert (ev.event, ev.employee.login, ev.approved_by.login, ev.note) == (
        "write_off",
        "ivy",
        "mia",
        "stolen",
    )
    assert Document.get(Document.kind == "adjustment").approved_by.login == "mia"
    adjust(shop.manager, "write_off", serials=[IMEIS[1]], reason="broken")
    # only a manager can approve
    with pytest.raises(PermissionDenied, match="not a manager"):
        approver_from(Employee.get(Employee.login == "ted"))


def test_quarantined_unit_is_written_off(shop):
    receive_phones(shop.inventory, IMEIS[:1])
    adjust(shop.inventory, "quarantine", serials=[IMEIS[0]], reason="water damage")
    adjust(shop.manager, "write_off", serials=[IMEIS[0]], reason="beyond repair")
    assert events(IMEIS[0]) == ["receive", "quarantine", "write_off"]
    assert last_event(IMEIS[0]).from_state == "quarantine"


def test_found_brings_a_written_off_unit_back(shop):
    receive_phones(shop.inventory, IMEIS[:1])
    adjust(shop.manager, "write_off", serials=[IMEIS[0]], reason="lost")
    with refused("may not write off", PermissionDenied):
        adjust(shop.inventory, "found", serials=[IMEIS[0]], reason="behind the shelf")
    adjust(shop.manager, "found", serials=[IMEIS[0]], reason="behind the shelf")
    assert unit(IMEIS[0]).state == "in_stock"
    assert events(IMEIS[0]) == ["receive", "write_off", "found"]
    with refused(f"{IMEIS[0]} is in stock; 'found' cannot make it in stock"):
        adjust(shop.manager, "found", serials=[IMEIS[0]], reason="again")


def test_quarantine_and_release(shop):
    receive_phones(shop.inventory, IMEIS[:2])
    adjust(shop.technician, "quarantine", serials=[IMEIS[0]], reason="battery swelling")
    assert unit(IMEIS[0]).state == "quarantine"
    with refused("in quarantine .*Release it first"):
        sell_serials(shop.cashier, [IMEIS[0]])
    with refused("may not quarantine", PermissionDenied):
        adjust(shop.cashier, "release", serials=[IMEIS[0]], reason="ok")
    adjust(shop.inventory, "release", serials=[IMEIS[0]], reason="battery replaced")
    sell_serials(shop.cashier, [IMEIS[0]])
    with refused("is sold; 'quarantine' cannot make it in quarantine"):
        adjust(shop.inventory, "quarantine", serials=[IMEIS[0]], reason="x")
    with refused("is in stock; 'release' cannot make it in stock"):
        adjust(shop.inventory, "release", serials=[IMEIS[1]], reason="x")


def test_correction_sets_the_real_state_as_a_new_event(shop):
    receive_phones(shop.inventory, IMEIS[:1])
    sell_serials(shop.cashier, IMEIS[:1])
    with refused("may not make corrections", PermissionDenied):
        adjust(shop.inventory, "correction", serials=[IMEIS[0]], to_state="in_stock", reason="x")
    with refused("needs the state the unit really is in"):
        adjust(shop.manager, "correction", serials=[IMEIS[0]], to_state="gone", reason="x")
    adjust(
        shop.manager,
        "correction",
        serials=[IMEIS[0]],
        to_state="in_stock",
        reason="sale keyed on the wrong phone",
    )
    assert unit(IMEIS[0]).state == "in_stock"
    ev = last_event(IMEIS[0])
    assert (ev.event, ev.from_state, ev.to_state) == ("correction", "sold", "in_stock")
    assert events(IMEIS[0]) == ["receive", "sell", "correction"]
    sell_serials(shop.cashier, IMEIS[:1])  # the correction put it back


def test_adjustment_refusals(shop):
    receive_phones(shop.inventory_b, IMEIS[:1])
    m = shop.manager
    with refused("Unknown adjustment 'lose'"):
        adjust(m, "lose", serials=[IMEIS[0]], reason="x")
    with refused("Give the reason"):
        adjust(m, "write_off", serials=[IMEIS[0]], reason="")
    with refused("Scan the units to adjust"):
        adjust(m, "write_off", reason="x")
    with refused(f"{IMEIS[0]} is at Harbour, not here"):
        adjust(m, "write_off", serials=[IMEIS[0]], reason="x")
    with refused(f"Serial {IMEIS[9]} is not known", NotFound):
        adjust(m, "write_off", serials=[IMEIS[9]], reason="x")
    with refused("tracked by serial: adjust its units by serial"):
        adjust(m, "write_off", product="PH-X1", quantity_change=1, reason="x")


@pytest.mark.parametrize("sku", ["WA-CL", "AC-CASE"])
def test_quantity_adjustments(shop, sku):
    receive_quantity(shop.inventory, sku, 5)
    m = shop.manager
    adjust(m, "write_off", product=sku, quantity_change=2, reason="broken")
    assert qty(sku, m) == 3
    adjust(m, "found", product=sku, quantity_change=-1, reason="in the back")
    assert qty(sku, m) == 4
    adjust(m, "correction", product=sku, quantity_change=-4, reason="count")
    assert qty(sku, m) == 0
    with refused("Only 0 of .* not 1"):
        adjust(m, "write_off", product=sku, quantity_change=1, reason="x")
    with refused("only written off, found or corrected"):
        adjust(m, "quarantine", product=sku, quantity_change=1, reason="x")
    with refused("may not write off", PermissionDenied):
        adjust(shop.inventory, "found", product=sku, quantity_change=1, reason="x")


def test_one_adjustment_of_serials_and_several_quantity_goods(shop):
    receive_phones(shop.inventory, IMEIS[:2])
    receive_quantity(shop.inventory, "AC-CASE", 5)
    receive_quantity(shop.inventory, "WA-CL", 3)
    m = shop.manager
    result = adjust(
        m, "write_off", serials=[IMEIS[0]], quantities={"AC-CASE": 2, "wa-cl": 1}, reason="flood"
    )
    assert (result.units, result.quantities) == ([IMEIS[0]], {"AC-CASE": -2, "WA-CL": -1})
    assert (qty("AC-CASE", m), qty("WA-CL", m), unit(IMEIS[0]).state) == (3, 2, "written_off")
    doc = Document.get(Document.kind == "adjustment")
    assert sorted(line.quantity for line in doc.lines) == [-2, -1, 1]
    # a correction takes or adds by its sign; the CLI's product + serials work together
    adjust(m, "correction", quantities={"AC-CASE": -3, "WA-CL": 2}, reason="count")
    assert (qty("AC-CASE", m), qty("WA-CL", m)) == (0, 4)
    adjust(
        m, "found", serials=[IMEIS[0]], product="AC-CASE", quantity_change=1, reason="in the back"
    )
    assert (qty("AC-CASE", m), unit(IMEIS[0]).state) == (1, "in_stock")
    # all or nothing: too many of one product refuses the units and the other product too
    with refused("Only 1 of Phone case in stock here, not 2"):
        adjust(
            m, "write_off", serials=[IMEIS[1]], quantities={"WA-CL": 1, "AC-CASE": 2}, reason="x"
        )
    with refused("Quantity stock is only written off, found or corrected"):
        adjust(m, "quarantine", serials=[IMEIS[1]], quantities={"AC-CASE": 1}, reason="x")
    with refused("The quantity 0 is not valid"):
        adjust(m, "found", quantities={"AC-CASE": 0}, reason="x")
    with refused("tracked by serial: adjust its units by serial"):
        adjust(m, "write_off", quantities={"4006381333931": 1}, reason="x")


def test_reading_a_scan_for_a_stock_document(shop):
    receive_phones(shop.inventory, IMEIS[:1])
    receive_quantity(shop.inventory, "AC-CASE", 4)
    inv = shop.inventory
    unit_scan = read_stock_scan(inv, f" {IMEIS[0]} ")
    assert (unit_scan.serial, unit_scan.sku, unit_scan.item.serial) == (
        IMEIS[0],
        "PH-X1",
        IMEIS[0],
    )
    gs1 = read_stock_scan(inv, f"]C1010400638133393121{IMEIS[0]}")
    assert (gs1.serial, gs1.sku) == (IMEIS[0], "PH-X1")
    case = read_stock_scan(inv, "ac-case", 3)
    assert (case.serial, case.sku, case.in_stock) == (None, "AC-CASE", 4)
    assert (case.item.product, case.item.quantity) == ("AC-CASE", 3)
    with refused("Phone X1 128GB is tracked by serial: scan the unit's serial"):
        read_stock_scan(inv, "4006381333931")
    with refused("tracked by serial: scan the unit's serial"):
        read_stock_scan(inv, "PH-X1")
    with refused("'ZZ-404' is not a serial, SKU or barcode known here", NotFound):
        read_stock_scan(inv, "ZZ-404")
    with refused("The quantity 0 is not valid"):
        read_stock_scan(inv, "AC-CASE", 0)


# ---------------------------------------------------------------- stocktake (workflow)


def test_stocktake_refuses_to_close_on_unknown_or_not_in_stock_scans_and_lists_missing(shop):
    receive_phones(shop.inventory, IMEIS[:5])
    receive_phones(shop.inventory_b, [IMEIS[10]])
    sell_serials(shop.cashier, [IMEIS[4]])
    number = stocktake.open_stocktake(shop.inventory)
    assert stocktake.scan(shop.inventory, number, f" {IMEIS[0]}\r\n") == (IMEIS[0], "expected")
    assert stocktake.scan(shop.inventory, number, IMEIS[1])[1] == "expected"
    assert stocktake.scan(shop.inventory, number, "ZZ-404")[1] == "unknown"
    assert stocktake.scan(shop.inventory, number, IMEIS[4])[1] == "not_in_stock"
    assert stocktake.scan(shop.inventory, number, IMEIS[10])[1] == "wrong_branch"
    with refused(f"{IMEIS[0]} was already counted"):
        stocktake.scan(shop.inventory, number, IMEIS[0])
    with refused("That is a product barcode"):
        stocktake.scan(shop.inventory, number, "4006381333931")
    tally = stocktake.status(number)
    assert (tally.status, tally.expected, tally.counted) == ("open", 4, 2)
    assert tally.missing == sorted(IMEIS[2:4])
    assert sorted(tally.problems) == sorted(
        [("ZZ-404", "unknown"), (IMEIS[4], "not_in_stock"), (IMEIS[10], "wrong_branch")]
    )
    with refused("The count cannot close: 3 scanned serial\\(s\\) are not in stock here: .*ZZ-404"):
        stocktake.close(shop.inventory, number)
    # taken off as they were scanned: any case, spaces, or the GS1 code on the box
    for raw in (" zz-404 ", IMEIS[4], f"]C1010400638133393121{IMEIS[10]}"):
        stocktake.unscan(shop.inventory, number, raw)
    with refused("is not on this count", NotFound):
        stocktake.unscan(shop.inventory, number, "ZZ-404")
    # writing the missing off needs a manager's approval; nothing changes without it
    with refused("may not write off", PermissionDenied):
        stocktake.close(shop.inventory, number, write_off_missing=True)
    closed = stocktake.close(shop.inventory, number)
    assert (closed.status, closed.expected, closed.counted, closed.missing) == (
        "closed",
        4,
        2,
        sorted(IMEIS[2:4]),
    )
    assert unit(IMEIS[2]).state == unit(IMEIS[3]).state == "in_stock"  # listed, not written off
    with refused("is closed"):
        stocktake.scan(shop.inventory, number, IMEIS[2])
    with refused("is closed"):
        stocktake.close(shop.inventory, number)


def test_stocktake_writes_off_missing_units_with_a_managers_approval(shop):
    receive_phones(shop.inventory, IMEIS[:3])
    number = stocktake.open_stocktake(shop.inventory)
    stocktake.scan(shop.inventory, number, IMEIS[0])
    closed = stocktake.close(
        shop.inventory, number, write_off_missing=True, approver=shop.approver()
    )
    assert closed.missing == sorted(IMEIS[1:3])
    for serial in IMEIS[1:3]:
        u = unit(serial)
        assert u.state == "written_off"
        ev = last_event(serial)
        assert (ev.event, ev.approved_by.login, ev.employee.login) == (
            "stocktake_missing",
            "mia",
            "ivy",
        )
        assert number in ev.note
    assert unit(IMEIS[0]).state == "in_stock"
    assert Document.get(Document.kind == "stocktake").approved_by.login == "mia"
    # a missing unit that turns up later is found back
    adjust(shop.manager, "found", serials=[IMEIS[1]], reason="in the safe")
    assert unit(IMEIS[1]).state == "in_stock"


def test_stocktake_of_one_product_type(shop):
    receive_phones(shop.inventory, IMEIS[:2])
    receive_drills(shop.inventory, ["D-1", "D-2"])
    number = stocktake.open_stocktake(shop.inventory, product_type="Power tools")
    assert stocktake.scan(shop.inventory, number, "D-1")[1] == "expected"
    assert stocktake.scan(shop.inventory, number, IMEIS[0])[1] == "out_of_scope"
    tally = stocktake.status(number)
    assert (tally.scope, tally.expected, tally.missing, tally.problems) == (
        "Power tools",
        2,
        ["D-2"],
        [],
    )
    closed = stocktake.close(shop.manager, number, write_off_missing=True)
    assert closed.missing == ["D-2"] and unit("D-2").state == "written_off"
    assert unit(IMEIS[1]).state == "in_stock"  # phones were not counted, so not missing


def test_stocktake_refusals(shop):
    receive_phones(shop.inventory, IMEIS[:1])
    with refused("No product type 'Boats'", NotFound):
        stocktake.open_stocktake(shop.inventory, product_type="Boats")
    with refused("may not count stock", PermissionDenied):
        stocktake.open_stocktake(shop.cashier)
    number = stocktake.open_stocktake(shop.inventory)
    with refused("is a count of Main Street, not of this branch"):
        stocktake.scan(shop.inventory_b, number, IMEIS[0])
    with refused("not a readable serial"):
        stocktake.scan(shop.inventory, number, "\x00\x01")
    # a unit sold after it was counted blocks the close until the scan is taken off
    stocktake.scan(shop.inventory, number, IMEIS[0])
    sell_serials(shop.cashier, IMEIS[:1])
    with refused("cannot close"):
        stocktake.close(shop.inventory, number)


def test_missing_in_transit_and_quarantine_are_not_expected(shop):
    receive_phones(shop.inventory, IMEIS[:3])
    transfer_out(shop.inventory, "B", [TransferItem(serial=IMEIS[0])])
    adjust(shop.inventory, "quarantine", serials=[IMEIS[1]], reason="x")
    number = stocktake.open_stocktake(shop.inventory)
    assert stocktake.status(number).missing == [IMEIS[2]]


# ---------------------------------------------------------------- a serial's second life


def test_returned_to_supplier_by_customer_return_then_received_again_is_flagged(shop):
    receive(shop.inventory, "ToolCo", [ReceiptLine("DR-18", ["D-1"])])
    sell_serials(shop.cashier, ["D-1"])
    customer_return(shop.cashier, [ReturnItem(serial="D-1", disposition="returned_to_supplier")])
    result = receive_drills(shop.inventory, ["D-1"])
    assert result.flagged == ["D-1"]
    assert events("D-1") == ["receive", "sell", "customer_return", "receive"]
    assert DocumentLine.select().where(DocumentLine.serial == "D-1").count() == 4
