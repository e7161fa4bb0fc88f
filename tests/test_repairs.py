"""Repair tickets (chain of custody, warranty decision) and warranty replacements."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.domain.errors import NotFound, PermissionDenied
from app.services.counter import repair_tickets, repairs, replacements
from app.services.counter.passport import passport
from app.services.counter.returns import ReturnItem, customer_return
from app.services.counter.selling import SaleItem, sell
from app.services.stock.receiving import ReceiptLine, receive
from app.services.stock.supplier_returns import SupplierReturnItem, supplier_return
from db.models import RepairTicket, Unit, UnitEvent
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


def test_partial_warranty_claim_one_unit_of_a_three_unit_sale(shop):
    receive_phones(shop.inventory, IMEIS[:3])
    ann = customer()
    sale = sell_serials(shop.cashier, IMEIS[:3], customer_id=ann.id)
    untouched_before = {
        s: (unit(s).state, events(s), unit(s).warranty_end) for s in (IMEIS[0], IMEIS[2])
    }
    shop.clock.advance(days=40)
    ticket = repairs.intake(
        shop.technician,
        IMEIS[1],
        complaint="does not charge",
        intake_condition="scratch on back",
        accessories="charger, box",
        technician="ted",
    )
    assert ticket.status == "received" and ticket.covered
    assert ticket.decision_reason.startswith("In warranty until 2028-01-15")
    assert (ticket.serial, ticket.customer, ticket.product, ticket.technician) == (
        IMEIS[1],
        "Ann Buyer",
        "Phone X1 128GB",
        "Ted Technician",
    )
    assert (ticket.intake_condition, ticket.accessories) == ("scratch on back", "charger, box")
    u = unit(IMEIS[1])
    assert (u.state, u.customer_id) == ("in_service", ann.id)
    assert events(IMEIS[1]) == ["receive", "sell", "repair_intake"]
    # the other two units of that sale are untouched
    assert {
        s: (unit(s).state, events(s), unit(s).warranty_end) for s in (IMEIS[0], IMEIS[2])
    } == untouched_before
    # a return of the whole sale now takes only what the customer still has
    with refused(f"{IMEIS[1]} is in service, not with a customer"):
        customer_return(shop.cashier, [ReturnItem(serial=IMEIS[1])], sale=sale.number)


def test_ticket_workflow_chain_of_custody(shop):
    receive_phones(shop.inventory, IMEIS[:1])
    sell_serials(shop.cashier, IMEIS[:1], customer_id=customer().id)
    t = repairs.intake(shop.cashier, IMEIS[0], complaint="  screen flickers ")
    number = t.number
    assert t.complaint == "screen flickers" and t.technician == ""
    shop.clock.advance(hours=1)
    t = repairs.change_status(
        shop.technician, number, "diagnosing", technician="ted", note="on the bench"
    )
    assert t.technician == "Ted Technician"
    t = repairs.change_status(
        shop.technician, number, "waiting_for_parts", diagnosis="display connector loose"
    )
    repairs.add_part(shop.technician, number, "Display cable", quantity=1, cost="12.50")
    repairs.change_status(shop.technician, number, "repairing")
    repairs.change_status(shop.technician, number, "quality_check", quality_check="flicker test ok")
    t = repairs.change_status(shop.technician, number, "ready")
    assert t.diagnosis == "display connector loose"
    assert t.parts == [("Display cable", 1, Decimal("12.50"))]
    assert [(a, b, who) for _at, a, b, who, _note in t.changes] == [
        (None, "received", "Cal Cashier"),
        ("received", "diagnosing", "Ted Technician"),
        ("diagnosing", "waiting_for_parts", "Ted Technician"),
        ("waiting_for_parts", "repairing", "Ted Technician"),
        ("repairing", "quality_check", "Ted Technician"),
        ("quality_check", "ready", "Ted Technician"),
    ]
    assert [r.number for r in repair_tickets.open_tickets()] == [number]
    shop.clock.advance(days=2)
    t = repairs.collect(shop.cashier, number, outcome="repaired, cable replaced")
    assert (t.status, t.outcome) == ("collected", "repaired, cable replaced")
    assert t.changes[-1][1:3] == ("ready", "collected")
    assert RepairTicket.get().collected_at is not None
    assert unit(IMEIS[0]).state == "sold"
    assert events(IMEIS[0]) == ["receive", "sell", "repair_intake", "repair_collect"]
    assert repair_tickets.open_tickets() == []
    # a closed ticket stays closed
    with refused("already collected"):
        repairs.collect(shop.cashier, number, outcome="again")
    with refused("closed"):
        repairs.change_status(shop.technician, number, "repairing")
    with refused("closed"):
        repairs.add_part(shop.technician, number, "Screw")


def test_ticket_status_refusals(shop):
    receive_phones(shop.inventory, IMEIS[:1])
    sell_serials(shop.cashier, IMEIS[:1])
    number = repairs.intake(shop.cashier, IMEIS[0], complaint="dead").number
    repairs.change_status(shop.technician, number, "diagnosing")
    repairs.change_status(shop.technician, number, "repairing")
    with refused("cannot go from repairing to diagnosing"):
        repairs.change_status(shop.technician, number, "diagnosing")
    with refused("Unknown repair status 'fixed'"):
        repairs.change_status(shop.technician, number, "fixed")
    with refused("Use collection"):
        repairs.change_status(shop.technician, number, "collected")
    with refused("Cal Cashier is not a technician"):
        repairs.change_status(shop.technician, number, "quality_check", technician="cal")
    with refused("No employee with login 'zed'", NotFound):
        repairs.change_status(shop.technician, number, "quality_check", technician="zed")
    with refused("Name the part"):
        repairs.add_part(shop.technician, number, "  ")
    with refused("part cost cannot be negative"):
        repairs.add_part(shop.technician, number, "Screen", cost="-3")
    with refused("Write down the outcome"):
        repairs.collect(shop.cashier, number, outcome=" ")
    with refused("may not handle repairs", PermissionDenied):
        repairs.change_status(shop.inventory, number, "ready")


def test_intake_refusals_change_nothing(shop):
    receive_phones(shop.inventory, IMEIS[:3])
    sell_serials(shop.cashier, [IMEIS[1]])
    repairs.intake(shop.cashier, IMEIS[1], complaint="no signal")
    with refused("Write down the customer's complaint"):
        repairs.intake(shop.cashier, IMEIS[1], complaint="  ")
    with refused(f"{IMEIS[0]} is in stock, not a customer's unit"):
        repairs.intake(shop.cashier, IMEIS[0], complaint="x")
    with refused(f"{IMEIS[1]} is in repair since"):
        repairs.intake(shop.cashier, IMEIS[1], complaint="x")
    with refused(f"Serial {IMEIS[30]} is not known", NotFound):
        repairs.intake(shop.cashier, IMEIS[30], complaint="x")
    with refused("That is a product barcode"):
        repairs.intake(shop.cashier, "4006381333931", complaint="x")
    with refused("may not handle repairs", PermissionDenied):
        repairs.intake(shop.inventory, IMEIS[1], complaint="x")


def test_warranty_decision_at_intake(shop):
    receive_phones(shop.inventory, IMEIS[:2])
    sell_serials(shop.cashier, IMEIS[:2])
    # dropped in water: not covered, the reason says why
    t = repairs.intake(shop.cashier, IMEIS[0], complaint="water", damage=True)
    assert not t.covered and "Damage" in t.decision_reason
    repairs.collect(shop.cashier, t.number, outcome="not repaired")
    # an earlier repair is counted
    d = repairs.propose_decision(IMEIS[0], today=date(2026, 6, 1))
    assert d.covered and "1 earlier repair" in d.reason
    # after the warranty end: not covered, with the dates
    shop.clock.advance(days=731)
    t = repairs.intake(shop.cashier, IMEIS[1], complaint="battery")
    assert not t.covered
    assert t.decision_reason == "Warranty ended on 2028-01-15 (bought 2026-01-15)."


def test_warranty_claim_by_warranty_number_in_the_no_serial_mode(shop):
    receive_quantity(shop.inventory, "WA-CL", 2)
    ann = customer()
    sale = sell(shop.cashier, [SaleItem(product="WA-CL", quantity=2)], customer_id=ann.id)
    number = sale.lines[0].warranty_numbers[1]
    shop.clock.advance(days=100)
    t = repairs.intake(shop.cashier, number.lower(), complaint="stopped")
    assert (t.warranty_number, t.serial, t.customer, t.covered) == (number, "", "Ann Buyer", True)
    assert Unit.select().count() == 0 and UnitEvent.select().count() == 0
    repairs.collect(shop.cashier, t.number, outcome="battery replaced")
    assert repairs.propose_decision(number, today=date(2026, 6, 1)).reason.endswith(
        "1 earlier repair(s)."
    )


def test_warranty_mode_unit_recorded_only_at_sale_is_claimed_by_its_serial(shop):
    ann = customer()
    sell(shop.cashier, [SaleItem(serial="DX-5", product="DR-18")], customer_id=ann.id)
    shop.clock.advance(days=400)
    t = repairs.intake(shop.cashier, "dx-5", complaint="chuck slips")
    assert (t.serial, t.customer, t.covered) == ("DX-5", "Ann Buyer", True)
    assert "2029-01-15" in t.decision_reason
    assert events("DX-5") == ["sell", "repair_intake"]


def test_a_returned_warranty_number_cannot_be_claimed(shop):
    receive_quantity(shop.inventory, "WA-CL", 1)
    sale = sell(shop.cashier, [SaleItem(product="WA-CL")])
    number = sale.lines[0].warranty_numbers[0]
    customer_return(shop.cashier, [ReturnItem(warranty_number=number)])
    with refused(f"Warranty {number} was returned"):
        repairs.intake(shop.cashier, number, complaint="stopped")


# ---------------------------------------------------------------- replacement (workflow)


def test_replacement_device_carries_the_warranty_and_links_both_ways(shop):
    receive_phones(shop.inventory, IMEIS[:3])
    ann = customer()
    sell_serials(shop.cashier, [IMEIS[0]], customer_id=ann.id)
    shop.clock.advance(days=60)
    ticket = repairs.intake(shop.technician, IMEIS[0], complaint="boot loop")
    repairs.change_status(shop.technician, ticket.number, "diagnosing", diagnosis="board dead")
    shop.clock.advance(days=1)
    result = replacements.replace(shop.technician, IMEIS[0], IMEIS[2], ticket=ticket.number)
    assert (result.old_serial, result.new_serial, result.customer) == (
        IMEIS[0],
        IMEIS[2],
        "Ann Buyer",
    )
    assert result.warranty_end == date(2028, 1, 15)  # the original warranty, not a new one
    old, new = unit(IMEIS[0]), unit(IMEIS[2])
    assert old.state == "replaced"
    assert (new.state, new.customer_id, new.replaces_id) == ("sold", ann.id, old.id)
    assert (new.warranty_start, new.warranty_end) == (old.warranty_start, old.warranty_end)
    assert events(IMEIS[0]) == ["receive", "sell", "repair_intake", "replaced"]
    assert events(IMEIS[2]) == ["receive", "replacement_issued"]
    # the ticket is closed by the replacement
    t = repairs.ticket_view(ticket.number)
    assert t.status == "collected" and t.outcome == f"replaced by {IMEIS[2]}"
    # the passports link both ways
    today = shop.clock.now.date()
    p_old, p_new = passport(IMEIS[0], today=today), passport(IMEIS[2], today=today)
    assert p_old.replaced_by == [IMEIS[2]] and p_old.replaces is None
    assert p_new.replaces == IMEIS[0] and p_new.replaced_by == []
    assert p_new.customer == "Ann Buyer" and p_new.warranty_end == date(2028, 1, 15)
    assert p_new.sale.number == result.number and p_new.sale.customer == "Ann Buyer"
    # the old unit's passport still shows the sale it was bought on
    assert p_old.sale.kind == "sale" and p_old.sale.price == Decimal("499.00")
    # the new unit can be claimed against and replaced in turn
    t2 = repairs.intake(shop.technician, IMEIS[2], complaint="same fault")
    assert t2.covered
    # the faulty replaced unit goes back to the supplier
    supplier_return(shop.inventory, "PhoneCo", [SupplierReturnItem(serial=IMEIS[0])], reason="DOA")
    assert unit(IMEIS[0]).state == "returned_to_supplier"


def test_replacement_without_a_ticket_of_a_sold_unit(shop):
    receive_drills(shop.inventory, ["D-1", "D-2"])
    sell_serials(shop.cashier, ["D-1"])
    result = replacements.replace(shop.manager, "D-1", "D-2", note="swapped at the counter")
    assert unit("D-1").state == "replaced" and unit("D-2").state == "sold"
    assert result.warranty_end == date(2029, 1, 15)


def test_replacement_unit_comes_back_on_the_original_sale(shop):
    receive_phones(shop.inventory, IMEIS[:2])
    ann = customer()
    sale = sell_serials(shop.cashier, [IMEIS[0]], customer_id=ann.id)
    replacements.replace(shop.technician, IMEIS[0], IMEIS[1])
    # the replaced unit is no longer the customer's to return
    with refused(f"{IMEIS[0]} is replaced under warranty, not with a customer"):
        customer_return(shop.cashier, [ReturnItem(serial=IMEIS[0])])
    result = customer_return(shop.cashier, [ReturnItem(serial=IMEIS[1])])
    assert (result.sale, result.refund) == (sale.number, Decimal("499.00"))
    assert unit(IMEIS[1]).state == "in_stock" and unit(IMEIS[1]).customer_id is None
    with refused("in stock, not with a customer"):
        customer_return(shop.cashier, [ReturnItem(serial=IMEIS[1])], sale=sale.number)


def test_replacement_refusals_change_nothing(shop):
    receive_phones(shop.inventory, IMEIS[:4])
    receive_phones(shop.inventory_b, [IMEIS[10]])
    sell_serials(shop.cashier, [IMEIS[0], IMEIS[3]])
    ticket = repairs.intake(shop.technician, IMEIS[3], complaint="x").number
    tech = shop.technician
    with refused("may not replace", PermissionDenied):
        replacements.replace(shop.cashier, IMEIS[0], IMEIS[1])
    with refused("The replacement must be another unit"):
        replacements.replace(tech, IMEIS[0], IMEIS[0])
    with refused(f"{IMEIS[1]} is in stock: only a customer's unit is replaced"):
        replacements.replace(tech, IMEIS[1], IMEIS[2])
    with refused(f"{IMEIS[10]} is in stock at Harbour, not here"):
        replacements.replace(tech, IMEIS[0], IMEIS[10])
    with refused(f"{IMEIS[3]} is in repair"):
        replacements.replace(tech, IMEIS[0], IMEIS[3])
    with refused(f"{ticket} is not a ticket for {IMEIS[0]}"):
        replacements.replace(tech, IMEIS[0], IMEIS[1], ticket=ticket)
    with refused(f"Serial {IMEIS[30]} is not known", NotFound):
        replacements.replace(tech, IMEIS[0], IMEIS[30])


@pytest.mark.parametrize("who", ["cashier", "technician", "manager"])
def test_who_takes_repairs_in(shop, who):
    receive(shop.inventory, "PhoneCo", [ReceiptLine("PH-X1", IMEIS[:1])])
    sell_serials(shop.cashier, IMEIS[:1])
    assert repairs.intake(getattr(shop, who), IMEIS[0], complaint="x").status == "received"


def test_replacement_without_naming_the_ticket_closes_the_units_open_ticket(shop):
    receive_phones(shop.inventory, IMEIS[:2])
    sell_serials(shop.cashier, IMEIS[:1], customer_id=customer().id)
    ticket = repairs.intake(shop.technician, IMEIS[0], complaint="dead")
    replacements.replace(shop.technician, IMEIS[0], IMEIS[1])
    view = repairs.ticket_view(ticket.number)
    assert view.status == "collected" and view.outcome == f"replaced by {IMEIS[1]}"
    assert ticket.number not in {t.number for t in repair_tickets.open_tickets()}
