"""Stocktakes: scans, what is missing, closing with a write-off, one product type, refusals."""

from __future__ import annotations

from app.domain.errors import NotFound, PermissionDenied
from app.services.stock import stocktake
from app.services.stock.adjustments import adjust
from app.services.stock.transfers import TransferItem, transfer_out
from db.models import Document
from tests.conftest import IMEIS
from tests.support import (
    fast_shop,  # noqa: F401
    last_event,
    receive_drills,
    receive_phones,
    refused,
    seeded_shop,  # noqa: F401
    sell_serials,
    unit,
)


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
