"""Who may do what (roles, a manager's approval) and PINs."""

from __future__ import annotations

import pytest

from app.domain import pins
from app.domain.errors import PermissionDenied, Refused
from app.domain.roles import PERMISSIONS, Action, Role, allowed, require


def test_permission_table():
    C, I, T, M = Role.CASHIER, Role.INVENTORY, Role.TECHNICIAN, Role.MANAGER  # noqa: E741
    expected = {
        Action.RECEIVE: {I, M},
        Action.SELL: {C, M},
        Action.DISCOUNT: {M},
        Action.CUSTOMER_RETURN: {C, M},
        Action.TRANSFER: {I, M},
        Action.SUPPLIER_RETURN: {I, M},
        Action.REPAIR: {T, C, M},
        Action.REPLACE: {T, M},
        Action.STOCKTAKE: {I, M},
        Action.QUARANTINE: {I, T, M},
        Action.WRITE_OFF: {M},
        Action.CORRECTION: {M},
        Action.SETTINGS: {M},
    }
    assert {a: set(r) for a, r in PERMISSIONS.items()} == expected
    for action in Action:
        assert allowed(Role.MANAGER, action)


def test_require_refuses_with_who_and_what_and_a_way_out():
    require(Role.CASHIER, Action.SELL, who="Cal")
    with pytest.raises(PermissionDenied, match=r"Cal \(cashier\) may not write off.*manager"):
        require(Role.CASHIER, Action.WRITE_OFF, who="Cal")


def test_a_managers_approval_permits_and_nothing_else_does():
    require(Role.INVENTORY, Action.WRITE_OFF, who="Ivy", approver_role=Role.MANAGER)
    with pytest.raises(PermissionDenied):
        require(Role.INVENTORY, Action.WRITE_OFF, who="Ivy", approver_role=Role.TECHNICIAN)
    with pytest.raises(PermissionDenied):
        require(Role.INVENTORY, Action.WRITE_OFF, who="Ivy", approver_role=None)


# --------------------------------------------------------------------------- PINs


def test_pin_hash_round_trip_and_salt():
    stored = pins.hash_pin("1234")
    assert stored.startswith("scrypt$") and "1234" not in stored
    assert pins.verify_pin("1234", stored)
    assert not pins.verify_pin("4321", stored)
    assert not pins.verify_pin("12345", stored)
    assert pins.hash_pin("1234") != stored  # salted


def test_pin_hash_keeps_its_cost_so_old_hashes_still_verify(monkeypatch):
    stored = pins.hash_pin("2468")
    monkeypatch.setattr(pins, "_N", 2**4)
    assert pins.verify_pin("2468", stored)
    cheap = pins.hash_pin("2468")
    monkeypatch.undo()
    assert pins.verify_pin("2468", cheap)


@pytest.mark.parametrize("pin", ["", "123", "1234567890123", "12a4", " 1234", "١٢٣٤", "¹²³⁴"])
def test_hash_pin_refuses_what_is_not_a_pin(pin):
    with pytest.raises(Refused, match="4 to 12 digits"):
        pins.hash_pin(pin)


@pytest.mark.parametrize(
    "stored", ["", "plain1234", "md5$1$2$3$00$00", "scrypt$x$8$1$00$00", "scrypt$16$8$1$zz$00"]
)
def test_verify_pin_never_crashes_on_a_damaged_hash(stored):
    assert pins.verify_pin("1234", stored) is False
