"""Tracking modes: what each mode means, and when a product type may switch mode."""

from __future__ import annotations

import pytest

from app.domain.errors import Refused
from app.domain.tracking import TrackingMode, check_mode_switch


def test_tracking_mode_properties():
    M = TrackingMode
    assert [m for m in M if m.serialized] == [M.STRICT, M.WARRANTY]
    assert [m for m in M if m.verified] == [M.STRICT]
    assert [m for m in M if m.has_warranty] == [M.STRICT, M.WARRANTY, M.WARRANTY_NO_SERIAL]
    assert [m for m in M if m.issues_warranty_numbers] == [M.WARRANTY_NO_SERIAL]
    assert all(m.label for m in M)


def _switch(current, new, qty=0, units=False):
    check_mode_switch(
        TrackingMode(current), TrackingMode(new), quantity_in_stock=qty, units_exist=units, what="X"
    )


@pytest.mark.parametrize("old", ["none", "warranty_no_serial"])
@pytest.mark.parametrize("new", ["strict", "warranty"])
def test_switch_into_a_serial_mode_only_at_stock_zero(old, new):
    _switch(old, new, qty=0)
    with pytest.raises(Refused, match=r"X still has 3 in stock without serials.*stock 0"):
        _switch(old, new, qty=3)


@pytest.mark.parametrize("old", ["strict", "warranty"])
@pytest.mark.parametrize("new", ["none", "warranty_no_serial"])
def test_never_out_of_a_serial_mode_once_units_exist(old, new):
    _switch(old, new, units=False)
    with pytest.raises(Refused, match="cannot stop tracking serials"):
        _switch(old, new, units=True)


def test_switches_that_keep_or_drop_no_serials_are_free():
    for mode in TrackingMode:
        _switch(mode, mode, qty=5, units=True)  # no change
    _switch("strict", "warranty", qty=0, units=True)
    _switch("warranty", "strict", qty=0, units=True)
    _switch("none", "warranty_no_serial", qty=7)
    _switch("warranty_no_serial", "none", qty=7)
