"""Adjustments (write-off, found, quarantine, correction) and reading a scan for one."""

from __future__ import annotations

import pytest

from app.domain.errors import NotFound, PermissionDenied
from app.services.access.context import approver_from
from app.services.stock.adjustments import adjust
from app.services.stock.items import read_stock_scan
from db.models import Document, Employee
from tests.conftest import IMEIS
from tests.support import (
    events,
    fast_shop,  # noqa: F401
    last_event,
    qty,
    receive_phones,
    receive_quantity,
    refused,
    seeded_shop,  # noqa: F401
    sell_serials,
    unit,
)


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
