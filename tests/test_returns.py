"""Customer returns: by serial, by warranty number, by sale line; strict and lenient."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.domain.errors import NotFound, PermissionDenied
from app.services.counter.returns import ReturnItem, customer_return, line_on_sale, sale_view
from app.services.counter.selling import SaleItem, sell
from db.models import Document, DocumentLine, Unit, UnitEvent, WarrantyNumber
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


def line_of(sale, serial):
    return DocumentLine.get(
        DocumentLine.id == next(x.line_id for x in sale.lines if x.serial == serial)
    )


def test_strict_return_on_its_sale_puts_the_unit_back_in_stock(shop):
    receive_phones(shop.inventory, IMEIS[:2])
    ann = customer()
    sale = sell_serials(shop.cashier, IMEIS[:2], customer_id=ann.id)
    shop.clock.advance(days=5)
    result = customer_return(
        shop.cashier, [ReturnItem(serial=IMEIS[0], condition="as new")], reason="changed mind"
    )
    assert result.sale == sale.number and result.refund == Decimal("499.00")
    (line,) = result.lines
    assert (line.serial, line.disposition, line.refund, line.quantity) == (
        IMEIS[0],
        "in_stock",
        Decimal("499.00"),
        1,
    )
    u = unit(IMEIS[0])
    assert (u.state, u.customer_id, u.branch.code) == ("in_stock", None, "A")
    ev = UnitEvent.select().where(UnitEvent.unit == u).order_by(UnitEvent.id.desc()).first()
    assert (ev.event, ev.from_state, ev.to_state, ev.note) == (
        "customer_return",
        "sold",
        "in_stock",
        "as new",
    )
    doc = Document.get(Document.kind == "return")
    assert (doc.related_id, doc.customer_id, doc.total, doc.reason) == (
        int(sale.number.split("-")[1]),
        ann.id,
        Decimal("499.00"),
        "changed mind",
    )
    assert line_of(sale, IMEIS[0]).returned_quantity == 1
    assert line_of(sale, IMEIS[1]).returned_quantity == 0 and unit(IMEIS[1]).state == "sold"
    # the returns screen shows what is left on the sale
    view = sale_view(sale.number)
    assert [(s, q, r) for _id, _sku, _n, s, q, r, _p in view.lines] == [
        (IMEIS[0], 1, 1),
        (IMEIS[1], 1, 0),
    ]
    assert view.customer == "Ann Buyer"


def test_return_at_another_branch_puts_the_unit_in_stock_there(shop):
    receive_phones(shop.inventory, IMEIS[:1])
    sell_serials(shop.cashier, IMEIS[:1])
    result = customer_return(shop.cashier_b, [ReturnItem(serial=IMEIS[0])])
    assert unit(IMEIS[0]).branch.code == "B" and unit(IMEIS[0]).state == "in_stock"
    assert Document.get(Document.kind == "return").branch.code == "B"
    sell_serials(shop.cashier_b, IMEIS[:1])
    assert result.refund == Decimal("499.00")


@pytest.mark.parametrize(
    ("disposition", "keeps_customer"),
    [
        ("quarantine", False),
        ("in_service", True),
        ("returned_to_supplier", False),
        ("written_off", False),
    ],
)
def test_each_disposition(shop, disposition, keeps_customer):
    receive_phones(shop.inventory, IMEIS[:1])
    ann = customer()
    sale = sell_serials(shop.cashier, IMEIS[:1], customer_id=ann.id)
    customer_return(
        shop.cashier,
        [ReturnItem(serial=IMEIS[0], condition="cracked screen", disposition=disposition)],
        sale=sale.number,
    )
    u = unit(IMEIS[0])
    assert u.state == disposition
    assert (u.customer_id == ann.id) is keeps_customer


def test_partial_refund_and_refund_limits(shop):
    receive_phones(shop.inventory, IMEIS[:1])
    sell_serials(shop.cashier, IMEIS[:1])
    with refused("The refund 500.00 is more than was paid \\(499.00\\)"):
        customer_return(shop.cashier, [ReturnItem(serial=IMEIS[0], refund="500")])
    with refused("refund cannot be negative"):
        customer_return(shop.cashier, [ReturnItem(serial=IMEIS[0], refund="-1")])
    result = customer_return(shop.cashier, [ReturnItem(serial=IMEIS[0], refund="450")])
    assert result.refund == Decimal("450.00")


# ---------------------------------------------------------------- the wrong unit (workflow)


def test_strict_return_of_the_wrong_physical_unit_is_refused_with_the_reason(shop):
    receive_phones(shop.inventory, IMEIS[:4])
    ann, bob = customer("Ann"), customer("Bob", "+44 7700 900999")
    anns = sell_serials(shop.cashier, [IMEIS[0]], customer_id=ann.id)
    bobs = sell_serials(shop.cashier, [IMEIS[1]], customer_id=bob.id)
    # Ann brings back Bob's phone on her receipt: the refusal names where it was sold
    where = f"{IMEIS[1]} was sold on {bobs.number} to Bob \\(2026-01-15\\), not on {anns.number}"
    with refused(where):
        customer_return(shop.cashier, [ReturnItem(serial=IMEIS[1])], sale=anns.number)
    # the counter's scan on a loaded sale makes the same check
    with refused(where):
        line_on_sale(anns.number, IMEIS[1])
    assert line_on_sale(anns.number, IMEIS[0].lower()) == (
        anns.lines[0].line_id,
        "serial",
        IMEIS[0],
    )
    # ... or a phone from our shelf that was never sold
    with refused(f"{IMEIS[2]} is in stock, not with a customer: it cannot be returned"):
        customer_return(shop.cashier, [ReturnItem(serial=IMEIS[2])], sale=anns.number)
    # a sale line of a serialized unit must be returned by scanning the serial
    with refused("That line is a serialized unit: scan its serial"):
        customer_return(shop.cashier, [ReturnItem(sale_line=anns.lines[0].line_id)])
    assert unit(IMEIS[0]).state == unit(IMEIS[1]).state == "sold"


def test_warranty_mode_return_of_the_wrong_physical_unit_is_warned_and_matched(shop):
    receive_drills(shop.inventory, ["D-1"])
    ann = customer()
    sale = sell_serials(shop.cashier, ["D-1"], customer_id=ann.id)
    result = customer_return(
        shop.cashier, [ReturnItem(serial="D-9", disposition="quarantine")], sale=sale.number
    )
    assert result.warnings == [
        f"D-9 is not the serial recorded on {sale.number} (D-1); "
        "matched to that line (warranty mode)."
    ]
    assert result.refund == Decimal("149.00")
    assert line_of(sale, "D-1").returned_quantity == 1
    back = unit("D-9")
    assert back.state == "quarantine" and "another serial" in back.flag
    assert events("D-9") == ["customer_return"]
    # the line is now fully returned: a second wrong unit has nothing to match
    with refused(f"D-8 was not sold on {sale.number}"):
        customer_return(shop.cashier, [ReturnItem(serial="D-8")], sale=sale.number)


# ---------------------------------------------------------------- a third-party unit (workflow)


def test_third_party_unit_never_sold_by_us_is_refused_in_strict_mode(shop):
    receive_phones(shop.inventory, IMEIS[:1])
    sale = sell_serials(shop.cashier, IMEIS[:1])
    with refused(f"{IMEIS[30]} was not sold by this shop"):
        customer_return(shop.cashier, [ReturnItem(serial=IMEIS[30])])
    with refused(f"{IMEIS[30]} was not sold on {sale.number}"):
        customer_return(shop.cashier, [ReturnItem(serial=IMEIS[30])], sale=sale.number)
    assert Unit.select().count() == 1


def test_third_party_unit_in_warranty_mode_needs_the_sale_to_match(shop):
    with refused("X-1 was not sold by this shop"):
        customer_return(shop.cashier, [ReturnItem(serial="X-1")])


def test_already_returned_unit_cannot_come_back_twice(shop):
    receive_phones(shop.inventory, IMEIS[:1])
    sale = sell_serials(shop.cashier, IMEIS[:1])
    customer_return(shop.cashier, [ReturnItem(serial=IMEIS[0])])
    with refused(f"{IMEIS[0]} is in stock, not with a customer"):
        customer_return(shop.cashier, [ReturnItem(serial=IMEIS[0])], sale=sale.number)
    with refused("in stock, not with a customer"):
        customer_return(shop.cashier, [ReturnItem(serial=IMEIS[0])])


def test_the_same_serial_twice_on_one_return_is_refused(shop):
    receive_phones(shop.inventory, IMEIS[:1])
    sell_serials(shop.cashier, IMEIS[:1])
    with refused(f"{IMEIS[0]} is on this return twice"):
        customer_return(shop.cashier, [ReturnItem(serial=IMEIS[0]), ReturnItem(serial=IMEIS[0])])


def test_resold_unit_returns_on_its_latest_sale(shop):
    receive_phones(shop.inventory, IMEIS[:1])
    first = sell_serials(shop.cashier, IMEIS[:1])
    customer_return(shop.cashier, [ReturnItem(serial=IMEIS[0])])
    second = sell_serials(shop.cashier, IMEIS[:1])
    with refused(f"was sold on {second.number} \\(2026-01-15\\), not on {first.number}"):
        customer_return(shop.cashier, [ReturnItem(serial=IMEIS[0])], sale=first.number)
    assert customer_return(shop.cashier, [ReturnItem(serial=IMEIS[0])]).sale == second.number


# ---------------------------------------------------------------- no-serial modes


def test_warranty_number_return_in_the_no_serial_mode(shop):
    """Warranty numbers are issued per unit at sale, and a unit comes back by its number."""
    receive_quantity(shop.inventory, "WA-CL", 3)
    sale = sell(shop.cashier, [SaleItem(product="WA-CL", quantity=3)])
    numbers = sale.lines[0].warranty_numbers
    result = customer_return(
        shop.cashier, [ReturnItem(warranty_number=numbers[0].lower())], reason="strap broke"
    )
    assert result.sale == sale.number and result.refund == Decimal("89.90")
    assert WarrantyNumber.get(WarrantyNumber.number == numbers[0]).state == "returned"
    assert WarrantyNumber.get(WarrantyNumber.number == numbers[1]).state == "active"
    from app.services.ledger.lookups import find_product
    from app.services.ledger.stock_levels import stock_quantity

    assert stock_quantity(find_product("WA-CL").id, shop.cashier.branch_id) == 1
    with refused(f"Warranty {numbers[0]} was already returned"):
        customer_return(shop.cashier, [ReturnItem(warranty_number=numbers[0])])
    with refused("No warranty number WNOPE", NotFound):
        customer_return(shop.cashier, [ReturnItem(warranty_number="WNOPE")])
    with refused(f"Warranty {numbers[1]} is on this return twice"):
        customer_return(
            shop.cashier,
            [ReturnItem(warranty_number=numbers[1]), ReturnItem(warranty_number=numbers[1])],
        )
    # a broken watch goes to the workshop, not back on the shelf
    customer_return(
        shop.cashier, [ReturnItem(warranty_number=numbers[1], disposition="written_off")]
    )
    assert stock_quantity(find_product("WA-CL").id, shop.cashier.branch_id) == 1


def test_no_serial_goods_come_back_by_the_sale_without_the_card(shop):
    """DESIGN: warranty without serials returns 'by warranty number or sale'."""
    receive_quantity(shop.inventory, "WA-CL", 3)
    sale = sell(shop.cashier, [SaleItem(product="WA-CL", quantity=3)])
    line_id = sale.lines[0].line_id
    first, second, third = sale.lines[0].warranty_numbers
    customer_return(shop.cashier, [ReturnItem(warranty_number=second)])
    result = customer_return(shop.cashier, [ReturnItem(sale_line=line_id, quantity=1)])
    assert result.refund == Decimal("89.90") and result.sale == sale.number
    states = dict(WarrantyNumber.select(WarrantyNumber.number, WarrantyNumber.state).tuples())
    assert states == {first: "returned", second: "returned", third: "active"}
    with refused("Only 1 of Classic watch on that sale can still be returned, not 2"):
        customer_return(shop.cashier, [ReturnItem(sale_line=line_id, quantity=2)])
    with refused("Only 1 of Classic watch on that sale can still be returned, not 2"):
        customer_return(
            shop.cashier,
            [ReturnItem(warranty_number=third), ReturnItem(sale_line=line_id)],
        )
    customer_return(shop.cashier, [ReturnItem(warranty_number=third)])
    assert DocumentLine.get_by_id(line_id).returned_quantity == 3


def test_warranty_number_of_another_sale_is_refused(shop):
    receive_quantity(shop.inventory, "WA-CL", 2)
    first = sell(shop.cashier, [SaleItem(product="WA-CL")])
    second = sell(shop.cashier, [SaleItem(product="WA-CL")])
    number = first.lines[0].warranty_numbers[0]
    where = f"Warranty {number} was sold on {first.number} \\(2026-01-15\\), not on {second.number}"
    with refused(where):
        customer_return(shop.cashier, [ReturnItem(warranty_number=number)], sale=second.number)
    with refused(where):
        line_on_sale(second.number, number)
    assert line_on_sale(first.number, number) == (first.lines[0].line_id, "warranty", number)


def test_no_tracking_goods_return_by_sale_line(shop):
    receive_quantity(shop.inventory, "AC-CASE", 5)
    sale = sell(shop.manager, [SaleItem(product="AC-CASE", quantity=3, price="18")])
    line_id = sale.lines[0].line_id
    from app.services.ledger.lookups import find_product
    from app.services.ledger.stock_levels import stock_quantity

    case = find_product("AC-CASE").id
    assert stock_quantity(case, shop.cashier.branch_id) == 2
    result = customer_return(shop.cashier, [ReturnItem(sale_line=line_id, quantity=2)])
    assert result.refund == Decimal("36.00") and stock_quantity(case, shop.cashier.branch_id) == 4
    with refused("Only 1 of Phone case on that sale can still be returned, not 2"):
        customer_return(shop.cashier, [ReturnItem(sale_line=line_id, quantity=2)])
    with refused("quantity 0 is not valid"):
        customer_return(shop.cashier, [ReturnItem(sale_line=line_id, quantity=0)])
    with refused("No sale line 99999", NotFound):
        customer_return(shop.cashier, [ReturnItem(sale_line=99999)])
    with refused("Only 1 of Phone case on that sale can still be returned, not 2"):
        customer_return(
            shop.cashier, [ReturnItem(sale_line=line_id), ReturnItem(sale_line=line_id)]
        )
    customer_return(shop.cashier, [ReturnItem(sale_line=line_id, disposition="written_off")])
    assert stock_quantity(case, shop.cashier.branch_id) == 4  # damaged: not back on the shelf
    with refused("can still be returned"):
        customer_return(shop.cashier, [ReturnItem(sale_line=line_id)])


def test_return_refusals(shop):
    receive_phones(shop.inventory, IMEIS[:1])
    sale = sell_serials(shop.cashier, IMEIS[:1])
    with refused("Nothing to return"):
        customer_return(shop.cashier, [])
    with refused("Say what comes back"):
        customer_return(shop.cashier, [ReturnItem()])
    with refused("Unknown disposition 'shelf'"):
        customer_return(shop.cashier, [ReturnItem(serial=IMEIS[0], disposition="shelf")])
    with refused("Unknown disposition 'sold'"):
        customer_return(shop.cashier, [ReturnItem(serial=IMEIS[0], disposition="sold")])
    with refused("There is no document S-99999", NotFound):
        customer_return(shop.cashier, [ReturnItem(serial=IMEIS[0])], sale="S-99999")
    receipt = Document.get(Document.kind == "receipt")
    with refused("is a receipt, not a sale"):
        customer_return(shop.cashier, [ReturnItem(serial=IMEIS[0])], sale=f"GR-{receipt.id}")
    with refused("That is a product barcode"):
        customer_return(shop.cashier, [ReturnItem(serial="4006381333931")], sale=sale.number)
    with refused("not a readable serial"):
        customer_return(shop.cashier, [ReturnItem(serial="\x1b[2J")])


@pytest.mark.parametrize("who", ["inventory", "technician"])
def test_only_cashiers_and_managers_take_returns(shop, who):
    receive_phones(shop.inventory, IMEIS[:1])
    sell_serials(shop.cashier, IMEIS[:1])
    with refused("may not take customer returns", PermissionDenied):
        customer_return(getattr(shop, who), [ReturnItem(serial=IMEIS[0])])
