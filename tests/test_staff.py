"""Logging in: PIN check, a seat slowed after repeated wrong PINs, manager approval."""

import pytest

from app.domain.errors import PermissionDenied, Refused
from app.services.access import signin
from db.access_models import SeatPinMisses


def test_right_pin_logs_in_at_the_home_branch(shop):
    ctx = signin.log_in("cal", "1234", clock=shop.clock)
    assert ctx.employee_name == "Cal Cashier" and ctx.branch_code == "A"


def test_wrong_pins_are_counted_and_slow_the_seat(shop):
    for left in (4, 3, 2, 1):
        with pytest.raises(Refused, match=f"{left} attempt"):
            signin.log_in("cal", "0000", clock=shop.clock)
    with pytest.raises(Refused, match="waits 1 s"):
        signin.log_in("cal", "0000", clock=shop.clock)
    # The seat waits: even the right PIN is refused until the wait runs out.
    with pytest.raises(Refused, match="wait 1 s"):
        signin.log_in("cal", "1234", clock=shop.clock)
    shop.clock.advance(seconds=1)
    assert signin.log_in("cal", "1234", clock=shop.clock).employee_name == "Cal Cashier"
    assert not SeatPinMisses.select().exists()


def test_a_right_pin_resets_the_count(shop):
    with pytest.raises(Refused):
        signin.log_in("cal", "0000", clock=shop.clock)
    signin.log_in("cal", "1234", clock=shop.clock)
    for left in (4, 3, 2, 1):
        with pytest.raises(Refused, match=f"{left} attempt"):
            signin.log_in("cal", "0000", clock=shop.clock)


def test_only_a_manager_approves(shop):
    assert signin.approve("mia", "1234", clock=shop.clock).name == "Mia Manager"
    with pytest.raises(PermissionDenied, match="not a manager"):
        signin.approve("cal", "1234", clock=shop.clock)
    with pytest.raises(Refused, match="Wrong PIN"):
        signin.approve("mia", "9999", clock=shop.clock)
