"""A repair ticket moves only along the transition table, whoever moves it (service, CLI),
and says where it may go next; once collected it is closed."""

from __future__ import annotations

from app.services.counter import repairs
from app.services.counter.repair_tickets import ticket_view
from tests.conftest import IMEIS
from tests.support import (
    fast_shop,  # noqa: F401
    receive_phones,
    refused,
    seeded_shop,  # noqa: F401
    sell_serials,
)


def _ticket(shop) -> str:
    receive_phones(shop.inventory, IMEIS[:1])
    sell_serials(shop.cashier, IMEIS[:1])
    return repairs.intake(shop.cashier, IMEIS[0], complaint="no sound").number


def test_a_ticket_cannot_jump_from_received_to_ready(shop):
    number = _ticket(shop)
    with refused("cannot go from received to ready. From received it goes to: diagnosing."):
        repairs.change_status(shop.technician, number, "ready")
    assert ticket_view(number).status == "received"


def test_a_repaired_unit_goes_through_the_quality_check(shop):
    number = _ticket(shop)
    repairs.change_status(shop.technician, number, "diagnosing")
    view = repairs.change_status(shop.technician, number, "repairing")
    assert view.next_statuses == ["waiting_for_parts", "quality_check"]
    with refused("From repairing it goes to: waiting for parts, quality check."):
        repairs.change_status(shop.technician, number, "ready")
    view = repairs.change_status(shop.technician, number, "quality_check")
    assert view.next_statuses == ["ready", "repairing"]
    view = repairs.change_status(shop.technician, number, "repairing", note="check failed")
    assert [c.to_status for c in view.changes][-2:] == ["quality_check", "repairing"]


def test_no_fault_found_goes_from_diagnosing_to_ready(shop):
    number = _ticket(shop)
    repairs.change_status(shop.technician, number, "diagnosing")
    assert repairs.change_status(shop.technician, number, "ready").status == "ready"


def test_a_collected_ticket_is_closed_with_nowhere_to_go(shop):
    number = _ticket(shop)
    assert ticket_view(number).next_statuses == ["diagnosing"]
    view = repairs.collect(shop.cashier, number, outcome="customer took it back unrepaired")
    assert (view.status, view.closed, view.next_statuses) == ("collected", True, [])
    with refused("This ticket is closed"):
        repairs.change_status(shop.technician, number, "diagnosing")


def test_an_unchecked_repair_is_not_collected_as_repaired(shop):
    """From repairing (or the quality check) the unit may go back as it is, but not as
    repaired: that skips the check. The screen and the CLI both collect through here."""
    number = _ticket(shop)
    repairs.change_status(shop.technician, number, "diagnosing")
    repairs.change_status(shop.technician, number, "repairing")
    with refused("has not passed its quality check"):
        repairs.collect(shop.cashier, number, outcome="Repaired, new speaker")
    assert ticket_view(number).status == "repairing"
    repairs.change_status(shop.technician, number, "quality_check")
    with refused("has not passed its quality check"):
        repairs.collect(shop.cashier, number, outcome="repaired")
    repairs.change_status(shop.technician, number, "ready")
    assert repairs.collect(shop.cashier, number, outcome="repaired").closed


def test_a_unit_may_be_taken_back_unrepaired_from_repairing(shop):
    number = _ticket(shop)
    repairs.change_status(shop.technician, number, "diagnosing")
    repairs.change_status(shop.technician, number, "repairing")
    assert repairs.collect(shop.cashier, number, outcome="taken back unrepaired").closed
