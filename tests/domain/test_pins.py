"""PIN rules: the format, the shortest PIN per role, and how waits grow at one seat."""

from datetime import timedelta

import pytest

from app.domain.errors import Refused
from app.domain.pins import (
    check_min_length,
    check_pin_length,
    default_min_pin_length,
    wait_after,
)
from app.domain.roles import Role


def test_the_wait_starts_after_five_misses_doubles_and_caps():
    assert [wait_after(n) for n in range(5)] == [None] * 5
    seconds = [wait_after(n).total_seconds() for n in range(5, 12)]
    assert seconds == [1, 2, 4, 8, 16, 30, 30]
    assert wait_after(10_000) == timedelta(seconds=30)  # no overflow however many


def test_a_new_shop_asks_managers_for_six_digits():
    assert default_min_pin_length(Role.MANAGER) == 6
    assert default_min_pin_length(Role.CASHIER) == 4


def test_pin_length_and_format():
    check_pin_length("123456", Role.MANAGER, 6)
    with pytest.raises(Refused, match="manager's PIN needs at least 6 digits"):
        check_pin_length("12345", Role.MANAGER, 6)
    with pytest.raises(Refused, match="4 to 12 digits"):
        check_pin_length("12a4", Role.CASHIER, 4)
    with pytest.raises(Refused, match="4 to 12"):
        check_min_length(3)
    assert check_min_length(12) == 12
