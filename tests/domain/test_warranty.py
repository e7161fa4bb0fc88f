"""Warranty: when it ends, the days left, and whether a repair is covered."""

from __future__ import annotations

from datetime import date

import pytest

from app.domain import warranty


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (date(2026, 1, 15), 24, date(2028, 1, 15)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # leap year
        (date(2024, 2, 29), 12, date(2025, 2, 28)),  # from a leap day
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2026, 3, 31), 1, date(2026, 4, 30)),
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2026, 12, 31), 2, date(2027, 2, 28)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 5, 1), 36, date(2029, 5, 1)),
    ],
)
def test_warranty_end_counts_calendar_months(start, months, end):
    assert warranty.warranty_end(start, months) == end


def test_no_warranty_without_months():
    assert warranty.warranty_end(date(2026, 1, 1), 0) is None
    assert warranty.days_left(None, date(2026, 1, 1)) == 0
    assert not warranty.is_active(None, date(2026, 1, 1))


def test_days_left_is_end_minus_today_never_negative():
    end = date(2028, 1, 15)
    assert warranty.days_left(end, date(2026, 1, 15)) == 730
    assert warranty.days_left(end, date(2028, 1, 14)) == 1
    assert warranty.days_left(end, date(2028, 1, 15)) == 0
    assert warranty.days_left(end, date(2030, 1, 1)) == 0
    assert warranty.is_active(end, date(2028, 1, 14))
    assert not warranty.is_active(end, date(2028, 1, 15))
    # February of a leap year counts its 29th day.
    assert warranty.days_left(date(2028, 3, 1), date(2028, 2, 1)) == 29


def test_warranty_decision():
    sold, end = date(2026, 1, 15), date(2028, 1, 15)
    d = warranty.decide(
        sold_on=sold, end=end, today=date(2026, 6, 1), earlier_repairs=0, damage=False
    )
    assert d.covered and "2028-01-15" in d.reason and "days left" in d.reason
    d = warranty.decide(
        sold_on=sold, end=end, today=date(2026, 6, 1), earlier_repairs=2, damage=False
    )
    assert d.covered and "2 earlier repair" in d.reason
    d = warranty.decide(
        sold_on=sold, end=end, today=date(2026, 6, 1), earlier_repairs=0, damage=True
    )
    assert not d.covered and "Damage" in d.reason
    d = warranty.decide(
        sold_on=sold, end=end, today=date(2028, 1, 15), earlier_repairs=0, damage=False
    )
    assert not d.covered and "ended on 2028-01-15" in d.reason and "2026-01-15" in d.reason
    d = warranty.decide(
        sold_on=None, end=None, today=date(2026, 6, 1), earlier_repairs=0, damage=False
    )
    assert not d.covered and "No warranty" in d.reason
    # An expired warranty is not covered, damage or not: the reason is the date.
    d = warranty.decide(
        sold_on=sold, end=end, today=date(2029, 1, 1), earlier_repairs=0, damage=True
    )
    assert not d.covered and "ended" in d.reason
