"""Transfers between branches: out (in transit), in at the destination only."""

from __future__ import annotations

import pytest

from app.domain.errors import NotFound, PermissionDenied
from app.services.counter.selling import SaleItem, sell
from app.services.ledger.lookups import find_product
from app.services.ledger.stock_levels import stock_quantity
from app.services.stock.transfers import TransferItem, open_transfers, transfer_in, transfer_out
from db.models import Document, DocumentLine, UnitEvent
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


def branch_stock(sku, ctx):
    return stock_quantity(find_product(sku).id, ctx.branch_id)


def test_unit_transferred_to_another_branch_and_sold_there(shop):
    receive_phones(shop.inventory, IMEIS[:3])
    out = transfer_out(
        shop.inventory, "b", [TransferItem(serial=IMEIS[0]), TransferItem(serial=IMEIS[1])]
    )
    assert (out.from_branch, out.to_branch, out.units, out.status, out.outstanding) == (
        "Main Street",
        "Harbour",
        2,
        "open",
        2,
    )
    u = unit(IMEIS[0])
    assert u.state == "in_transit" and u.branch.code == "B"  # on its way to B
    # in transit: sellable nowhere
    with refused("in transit to Harbour"):
        sell_serials(shop.cashier_b, [IMEIS[0]])
    with refused("in transit to Harbour"):
        sell_serials(shop.cashier, [IMEIS[0]])
    assert [t.number for t in open_transfers()] == [out.number]
    assert open_transfers(shop.cashier_b.branch_id)[0].outstanding == 2

    shop.clock.advance(hours=4)
    got = transfer_in(shop.inventory_b, out.number, [IMEIS[0]])
    assert (got.units, got.status, got.outstanding) == (1, "open", 1)
    assert unit(IMEIS[0]).state == "in_stock" and unit(IMEIS[0]).branch.code == "B"
    # now it is B's: A cannot sell it, B can
    with refused(f"{IMEIS[0]} is in stock at Harbour, not here. Transfer it here first."):
        sell_serials(shop.cashier, [IMEIS[0]])
    sale = sell_serials(shop.cashier_b, [IMEIS[0]])
    assert unit(IMEIS[0]).state == "sold"
    assert Document.get_by_id(int(sale.number.split("-")[1])).branch.code == "B"
    assert events(IMEIS[0]) == ["receive", "transfer_out", "transfer_in", "sell"]
    evs = list(UnitEvent.select().where(UnitEvent.unit == unit(IMEIS[0])).order_by(UnitEvent.id))
    assert [e.branch.code for e in evs] == ["A", "A", "B", "B"]
    assert [e.employee.login for e in evs] == ["ivy", "ivy", "ian", "bea"]

    done = transfer_in(shop.inventory_b, out.number, [f" {IMEIS[1]} "])
    assert (done.status, done.outstanding) == ("closed", 0)
    assert open_transfers() == []
    assert Document.get_by_id(int(out.number.split("-")[1])).closed_at is not None


def test_scanned_in_at_the_wrong_branch_or_not_on_the_transfer_is_refused(shop):
    receive_phones(shop.inventory, IMEIS[:3])
    out = transfer_out(shop.inventory, "B", [TransferItem(serial=IMEIS[0])])
    with refused(f"{out.number} goes to Harbour, not here. Receive it there."):
        transfer_in(shop.inventory, out.number, [IMEIS[0]])
    with refused(f"{IMEIS[1]} is not on {out.number}. Put it aside."):
        transfer_in(shop.inventory_b, out.number, [IMEIS[1]])
    with refused(f"{IMEIS[25]} is not on {out.number}"):
        transfer_in(shop.inventory_b, out.number, [IMEIS[0], IMEIS[25]])  # all or nothing
    with refused("was already received on this transfer"):
        transfer_in(shop.inventory_b, out.number, [IMEIS[0], IMEIS[0]])
    with refused("That is a product barcode: scan the unit's serial"):
        transfer_in(shop.inventory_b, out.number, ["4006381333931"])
    with refused("There is no document T-99999", NotFound):
        transfer_in(shop.inventory_b, "T-99999", [IMEIS[0]])
    transfer_in(shop.inventory_b, out.number, [f"]C1010400638133393121{IMEIS[0]}"])  # a GS1 scan
    with refused("was already received in full"):
        transfer_in(shop.inventory_b, out.number, [IMEIS[0]])


def test_transfer_out_refusals(shop):
    receive_phones(shop.inventory, IMEIS[:2])
    receive_phones(shop.inventory_b, [IMEIS[5]])
    sell_serials(shop.cashier, [IMEIS[1]])
    inv = shop.inventory
    with refused("Nothing to transfer"):
        transfer_out(inv, "B", [])
    with refused("goes to another branch, not to this one"):
        transfer_out(inv, "A", [TransferItem(serial=IMEIS[0])])
    with refused("No branch with code 'Z'", NotFound):
        transfer_out(inv, "Z", [TransferItem(serial=IMEIS[0])])
    with refused(f"{IMEIS[5]} is in stock at Harbour, not here"):
        transfer_out(inv, "B", [TransferItem(serial=IMEIS[5])])
    with refused(f"{IMEIS[1]} was sold on"):
        transfer_out(inv, "B", [TransferItem(serial=IMEIS[1])])
    with refused(f"{IMEIS[0]} is on this transfer twice"):
        transfer_out(inv, "B", [TransferItem(serial=IMEIS[0]), TransferItem(serial=IMEIS[0])])
    with refused(f"Serial {IMEIS[20]} is not known", NotFound):
        transfer_out(inv, "B", [TransferItem(serial=IMEIS[20])])
    with refused("tracked by serial: scan each unit"):
        transfer_out(inv, "B", [TransferItem(product="PH-X1", quantity=1)])
    with refused("Only 0 of Phone case in stock here, not 1"):
        transfer_out(inv, "B", [TransferItem(product="AC-CASE")])
    with refused("may not transfer", PermissionDenied):
        transfer_out(shop.cashier, "B", [TransferItem(serial=IMEIS[0])])


@pytest.mark.parametrize("sku", ["WA-CL", "AC-CASE"])
def test_quantity_goods_transfer(shop, sku):
    receive_quantity(shop.inventory, sku, 10)
    out = transfer_out(shop.inventory, "B", [TransferItem(product=sku, quantity=4)])
    assert (out.quantity, out.outstanding) == (4, 4)
    assert branch_stock(sku, shop.inventory) == 6 and branch_stock(sku, shop.inventory_b) == 0
    with refused("Only 0 of .* not 1"):
        sell(shop.cashier_b, [SaleItem(product=sku)])
    with refused("Only 4 of .* are on this transfer"):
        transfer_in(shop.inventory_b, out.number, quantities={sku: 5})
    part = transfer_in(shop.inventory_b, out.number, quantities={sku: 3})
    assert (part.quantity, part.status, part.outstanding) == (3, "open", 1)
    assert branch_stock(sku, shop.inventory_b) == 3
    with refused("Cordless drill 18V is not on"):
        transfer_in(shop.inventory_b, out.number, quantities={"DR-18": 1})
    rest = transfer_in(shop.inventory_b, out.number)
    assert (rest.quantity, rest.status) == (1, "closed")
    assert branch_stock(sku, shop.inventory_b) == 4
    sell(shop.cashier_b, [SaleItem(product=sku, quantity=4)])


def test_mixed_transfer_closes_when_nothing_is_left_in_transit(shop):
    receive_phones(shop.inventory, IMEIS[:1])
    receive_drills(shop.inventory, ["D-1"])
    receive_quantity(shop.inventory, "AC-CASE", 5)
    out = transfer_out(
        shop.manager,
        "B",
        [
            TransferItem(serial=IMEIS[0]),
            TransferItem(serial="D-1"),
            TransferItem(product="AC-CASE", quantity=5),
        ],
    )
    assert out.outstanding == 7
    step = transfer_in(shop.inventory_b, out.number, ["D-1"], all_quantities=False)
    assert (step.units, step.quantity, step.outstanding) == (1, 0, 6)
    step = transfer_in(shop.inventory_b, out.number, [IMEIS[0]])
    assert (step.units, step.quantity, step.status) == (1, 5, "closed")
    assert DocumentLine.select().where(DocumentLine.received_quantity > 0).count() == 3


def test_quantities_received_across_lines_and_shown_in_transit(shop):
    receive_phones(shop.inventory, IMEIS[:1])
    receive_quantity(shop.inventory, "AC-CASE", 10)
    out = transfer_out(
        shop.inventory,
        "B",
        [
            TransferItem(product="AC-CASE", quantity=2),
            TransferItem(serial=IMEIS[0]),
            TransferItem(product="ac-case", quantity=3),
        ],
    )
    (row,) = open_transfers(shop.inventory_b.branch_id)
    assert (row.outstanding, row.pieces) == (6, 5)
    with refused("The quantity -1 is not valid"):
        transfer_in(shop.inventory_b, out.number, quantities={"AC-CASE": -1})
    with refused("The quantity 0 is not valid"):
        transfer_in(shop.inventory_b, out.number, quantities={"AC-CASE": 0})
    with refused("Only 5 of Phone case are on this transfer"):
        transfer_in(shop.inventory_b, out.number, quantities={"AC-CASE": 6})
    # one product sent on two lines is received as one quantity
    step = transfer_in(
        shop.inventory_b, out.number, quantities={"AC-CASE": 4}, all_quantities=False
    )
    assert (step.quantity, step.outstanding) == (4, 2)
    assert branch_stock("AC-CASE", shop.inventory_b) == 4
    assert [(t.outstanding, t.pieces) for t in open_transfers()] == [(2, 1)]
    with refused("Only 1 of Phone case are on this transfer"):
        transfer_in(shop.inventory_b, out.number, quantities={"AC-CASE": 2})
    done = transfer_in(shop.inventory_b, out.number, [IMEIS[0]])
    assert (done.units, done.quantity, done.status) == (1, 1, "closed")
    assert branch_stock("AC-CASE", shop.inventory_b) == 5
    assert branch_stock("AC-CASE", shop.inventory) == 5
