"""Warranty replacements: what may stand in for a customer's unit (same product, or the same
type with a manager's approval and a note, never another type), and the chain of units a
replacement replaced, with their claims, in the passport and the next claim's summary."""

from __future__ import annotations

from datetime import date

from app.domain.errors import PermissionDenied
from app.services.counter import repairs, replacements
from app.services.counter.passport import passport
from app.services.shop.catalog import add_product
from app.services.stock.receiving import ReceiptLine, receive
from db.models import Unit
from tests.conftest import IMEIS
from tests.support import (
    customer,
    fast_shop,  # noqa: F401
    last_event,
    receive_drills,
    receive_phones,
    refused,
    seeded_shop,  # noqa: F401
    sell_serials,
    unit,
)


def _phone_x2(shop, serials):
    add_product("PH-X2", "Phone X2 256GB", "Phones", "599.00")
    receive(shop.inventory, "PhoneCo", [ReceiptLine("PH-X2", serials, cost="350")])


def test_a_phone_is_not_replaced_by_a_drill(shop):
    receive_phones(shop.inventory, IMEIS[:1])
    receive_drills(shop.inventory, ["D-1"])
    sell_serials(shop.cashier, IMEIS[:1], customer_id=customer().id)
    ticket = repairs.intake(shop.technician, IMEIS[0], complaint="dead").number
    message = (
        "D-1 \\(Cordless drill 18V\\) is of type Power tools, "
        f"{IMEIS[0]} \\(Phone X1 128GB\\) of type Phones"
    )
    with refused(message):
        replacements.replace(shop.technician, IMEIS[0], "D-1", ticket=ticket)
    # not even a manager, with a reason
    with refused("a replacement must be the same product, or at least of the same type"):
        replacements.replace(shop.manager, IMEIS[0], "D-1", note="all we have")
    with refused("of type Power tools"):
        replacements.check(shop.technician, IMEIS[0], "D-1")
    assert (unit(IMEIS[0]).state, unit("D-1").state) == ("in_service", "in_stock")


def test_the_same_product_needs_no_approval(shop):
    receive_phones(shop.inventory, IMEIS[:2])
    sell_serials(shop.cashier, IMEIS[:1])
    check = replacements.check(shop.technician, IMEIS[0], IMEIS[1])
    assert not check.needs_approval and check.new_product == "Phone X1 128GB"
    result = replacements.replace(shop.technician, IMEIS[0], IMEIS[1])
    assert not result.other_product and last_event(IMEIS[1]).approved_by_id is None


def test_another_product_of_the_type_takes_a_managers_approval_and_a_note(shop):
    receive_phones(shop.inventory, IMEIS[:1])
    _phone_x2(shop, [IMEIS[1]])
    sell_serials(shop.cashier, IMEIS[:1])
    assert replacements.check(shop.technician, IMEIS[0], IMEIS[1]).needs_approval
    with refused("a manager approves that replacement", PermissionDenied):
        replacements.replace(shop.technician, IMEIS[0], IMEIS[1], note="X1 no longer made")
    with refused(f"Write down why {IMEIS[1]}"):
        replacements.replace(shop.technician, IMEIS[0], IMEIS[1], approver=shop.approver())
    result = replacements.replace(
        shop.technician, IMEIS[0], IMEIS[1], note="X1 no longer made", approver=shop.approver()
    )
    assert result.other_product
    issued = last_event(IMEIS[1])
    assert issued.approved_by.login == "mia"
    assert issued.note == f"replaces {IMEIS[0]} (Phone X1 128GB): X1 no longer made"
    assert unit(IMEIS[1]).state == "sold"


def test_a_manager_replaces_with_another_product_of_the_type_with_a_note(shop):
    receive_phones(shop.inventory, IMEIS[:1])
    _phone_x2(shop, [IMEIS[1]])
    sell_serials(shop.cashier, IMEIS[:1])
    with refused("Write down why"):
        replacements.replace(shop.manager, IMEIS[0], IMEIS[1])
    assert replacements.replace(shop.manager, IMEIS[0], IMEIS[1], note="upgrade").other_product


# ------------------------------------------------------------------ the replacement chain


def _chain(shop):
    """IMEIS[0] sold; claimed (R1) and replaced by IMEIS[1] on R2; IMEIS[1] replaced by
    IMEIS[2] with no ticket. Returns the ticket numbers."""
    receive_phones(shop.inventory, IMEIS[:4])
    sell_serials(shop.cashier, IMEIS[:1], customer_id=customer().id)
    shop.clock.advance(days=20)
    r1 = repairs.intake(shop.cashier, IMEIS[0], complaint="speaker crackles")
    repairs.collect(shop.cashier, r1.number, outcome="speaker replaced")
    shop.clock.advance(days=20)
    r2 = repairs.intake(shop.cashier, IMEIS[0], complaint="speaker dead again")
    replacements.replace(shop.technician, IMEIS[0], IMEIS[1], ticket=r2.number)
    shop.clock.advance(days=20)
    replacements.replace(shop.technician, IMEIS[1], IMEIS[2], note="swapped at the counter")
    return r1.number, r2.number


def test_the_passport_shows_every_unit_a_replacement_replaced_with_its_claims(shop):
    r1, r2 = _chain(shop)
    p = passport(IMEIS[2])
    assert p.replaces == IMEIS[1]
    assert [(c.serial, c.replaced_by, c.replaced_on) for c in p.chain] == [
        (IMEIS[1], IMEIS[2], date(2026, 3, 16)),
        (IMEIS[0], IMEIS[1], date(2026, 2, 24)),
    ]
    direct, first = p.chain
    assert direct.claims == [] and direct.without_ticket and direct.claim_count == 1
    assert direct.replacement.startswith("WR-")
    assert [(c.number, c.opened, c.complaint, c.status) for c in first.claims] == [
        (r1, date(2026, 2, 4), "speaker crackles", "collected"),
        (r2, date(2026, 2, 24), "speaker dead again", "collected"),
    ]
    assert not first.without_ticket and first.sku == "PH-X1"
    # the middle unit's passport reaches back to the first, not forward
    assert [c.serial for c in passport(IMEIS[1]).chain] == [IMEIS[0]]
    assert passport(IMEIS[0]).chain == []


def test_a_claim_on_a_replacement_counts_the_claims_across_the_chain(shop):
    _chain(shop)
    summary = repairs.propose_decision(IMEIS[2], today=date(2026, 4, 1))
    # two tickets on the first unit, and the second unit's replacement made without one
    assert summary.earlier_repairs == 3 and summary.earlier_on_replaced == 3
    assert summary.replaced == [IMEIS[1], IMEIS[0]]
    assert "3 earlier repair(s)" in summary.reason
    assert f"on the unit(s) it replaced: {IMEIS[1]}, {IMEIS[0]}" in summary.reason
    ticket = repairs.intake(shop.cashier, IMEIS[2], complaint="speaker again")
    assert "3 earlier claim(s) on the unit(s) it replaced" in ticket.decision_reason
    # a unit that replaced nothing counts its own tickets only
    sell_serials(shop.cashier, [IMEIS[3]])
    plain = repairs.propose_decision(IMEIS[3], today=date(2026, 4, 1))
    assert (plain.earlier_repairs, plain.replaced) == (0, [])


def test_a_loop_of_replacements_written_behind_the_apps_back_ends_the_chain(shop):
    _chain(shop)
    first = Unit.get(Unit.serial == IMEIS[0])
    last = Unit.get(Unit.serial == IMEIS[2])
    Unit.update(replaces=last.id).where(Unit.id == first.id).execute()  # 0 -> 2 -> 1 -> 0
    chain = passport(IMEIS[2]).chain
    assert [c.serial for c in chain] == [IMEIS[1], IMEIS[0]]  # each unit once, then it stops
    assert [c.serial for c in passport(IMEIS[0]).chain] == [IMEIS[2], IMEIS[1]]
