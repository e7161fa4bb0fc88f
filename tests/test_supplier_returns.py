"""Supplier returns, and a serial sent back to its supplier then received again."""

from __future__ import annotations

import pytest

from app.domain.errors import NotFound, PermissionDenied
from app.services.counter.returns import ReturnItem, customer_return
from app.services.stock.adjustments import adjust
from app.services.stock.receiving import ReceiptLine, receive
from app.services.stock.supplier_returns import SupplierReturnItem, supplier_return
from db.models import Document, DocumentLine
from tests.conftest import IMEIS
from tests.support import (
    events,
    fast_shop,  # noqa: F401
    last_event,
    qty,
    receive_drills,
    receive_phones,
    receive_quantity,
    refused,
    seeded_shop,  # noqa: F401
    sell_serials,
    unit,
)


def test_supplier_return_of_units_in_stock_quarantined_or_replaced(shop):
    receive_phones(shop.inventory, IMEIS[:5])
    adjust(shop.inventory, "quarantine", serials=[IMEIS[1]], reason="no boot")
    sell_serials(shop.cashier, [IMEIS[2]])
    from app.services.counter.replacements import replace

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


# ---------------------------------------------------------------- a serial's second life


def test_returned_to_supplier_by_customer_return_then_received_again_is_flagged(shop):
    receive(shop.inventory, "ToolCo", [ReceiptLine("DR-18", ["D-1"])])
    sell_serials(shop.cashier, ["D-1"])
    customer_return(shop.cashier, [ReturnItem(serial="D-1", disposition="returned_to_supplier")])
    result = receive_drills(shop.inventory, ["D-1"])
    assert result.flagged == ["D-1"]
    assert events("D-1") == ["receive", "sell", "customer_return", "receive"]
    assert DocumentLine.select().where(DocumentLine.serial == "D-1").count() == 4
