"""Money: amounts read exactly, never negative, never too big."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.domain.errors import Refused
from app.domain.money import to_money


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("19.90", "19.90"),
        ("19,90", "19.90"),
        (" 5 ", "5.00"),
        (5, "5.00"),
        (Decimal("2.345"), "2.35"),  # half up
        ("2.344", "2.34"),
        ("0", "0.00"),
        ("-0", "0.00"),
        ("1e3", "1000.00"),
        ("9999999999.99", "9999999999.99"),
        (0.1, "0.10"),  # a float is read by its shortest text, never by its binary value
        (19.9, "19.90"),
    ],
)
def test_to_money(raw, value):
    amount = to_money(raw)
    assert isinstance(amount, Decimal)
    assert str(amount) == value


def test_money_never_goes_through_binary_floats():
    assert to_money(0.1) + to_money(0.2) == Decimal("0.30")
    assert to_money(1.005) == Decimal("1.01")  # float 1.005 is 1.00499999...; repr is 1.005


@pytest.mark.parametrize("raw", ["-1", "-0.01", -5, Decimal("-3")])
def test_to_money_refuses_negatives(raw):
    with pytest.raises(Refused, match="price cannot be negative"):
        to_money(raw, what="price")


@pytest.mark.parametrize(
    "raw", ["abc", "", "1.2.3", "NaN", "Infinity", "-inf", "1,234.50", None, "1O"]
)
def test_to_money_refuses_what_is_not_money(raw):
    with pytest.raises(Refused, match="is not a number"):
        to_money(raw)


@pytest.mark.parametrize("raw", ["1e10", "10000000000", "9999999999.999"])
def test_to_money_refuses_amounts_that_do_not_fit(raw):
    with pytest.raises(Refused, match="too large"):
        to_money(raw)
