"""Logging in: PIN check, lock-out after repeated wrong PINs, manager approval."""

from datetime import timedelta

import pytest

from app.domain.errors import PermissionDenied, Refused
from app.services.access import signin
from db.models import Employee


def test_right_pin_logs_in_at_the_home_branch(shop):
    ctx = signin.log_in("cal", "1234", clock=shop.clock)
    assert ctx.employee_name == "Cal Cashier" and ctx.branch_code == "A"


def test_wrong_pins_are_counted_and_lock_the_login(shop):
    for left in (4, 3, 2, 1):
        with pytest.raises(Refused, match=f"{left} attempt"):
            signin.log_in("cal", "0000", clock=shop.clock)
    with pytest.raises(PermissionDenied, match="locked for 5 minutes"):
        signin.log_in("cal", "0000", clock=shop.clock)
    # Locked: even the right PIN is refused until the lock runs out.
    with pytest.raises(PermissionDenied, match="locked"):
        signin.log_in("cal", "1234", clock=shop.clock)
    shop.clock.advance(minutes=6)
    assert signin.log_in("cal", "1234", clock=shop.clock).employee_name == "Cal Cashier"
    assert Employee.get(Employee.login == "cal").failed_pins == 0


def test_a_right_pin_resets_the_count(shop):
    with pytest.raises(Refused):
        signin.log_in("cal", "0000", clock=shop.clock)
    signin.log_in("cal", "1234", clock=shop.clock)
    for _ in range(4):
        with pytest.raises(Refused):
            signin.log_in("cal", "0000", clock=shop.clock)
    assert Employee.get(Employee.login == "cal").locked_until is None


def test_only_a_manager_approves(shop):
    assert signin.approve("mia", "1234", clock=shop.clock).name == "Mia Manager"
    with pytest.raises(PermissionDenied, match="not a manager"):
        signin.approve("cal", "1234", clock=shop.clock)
    with pytest.raises(Refused, match="Wrong PIN"):
        signin.approve("mia", "9999", clock=shop.clock)


def test_lock_lasts_five_minutes(shop):
    for _ in range(5):
        with pytest.raises((Refused, PermissionDenied)):
            signin.log_in("ivy", "0000", clock=shop.clock)
    locked = Employee.get(Employee.login == "ivy").locked_until
    assert locked - shop.clock.now == timedelta(minutes=5)
