"""Warranty dates in calendar months, and the warranty decision at repair intake."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta


def warranty_end(start: date, months: int) -> date | None:
    """The day the warranty ends: ``months`` calendar months after ``start``.

    A month past 31 January is the last day of February, as people count.
    None when the product carries no warranty.
    """
    if months <= 0:
        return None
    return start + relativedelta(months=months)


def days_left(end: date | None, today: date) -> int:
    """Remaining warranty: the end date minus today, never below zero."""
    if end is None:
        return 0
    return max(0, (end - today).days)


def is_active(end: date | None, today: date) -> bool:
    return days_left(end, today) > 0


def held_by_customer(state: str) -> bool:
    """A warranty belongs to a unit a customer owns: sold, or in our service for them.

    Once the unit is replaced, returned or back in stock, its warranty is no longer its own
    (a replacement carries it on).
    """
    return state in ("sold", "in_service")


@dataclass(frozen=True)
class WarrantyDecision:
    covered: bool
    reason: str


def decide(
    *,
    sold_on: date | None,
    end: date | None,
    today: date,
    earlier_repairs: int,
    damage: bool,
) -> WarrantyDecision:
    """Propose whether a repair is covered, and say why, as the technician will read it."""
    if sold_on is None or end is None:
        return WarrantyDecision(False, "No warranty on record for this unit.")
    if not is_active(end, today):
        return WarrantyDecision(
            False, f"Warranty ended on {end.isoformat()} (bought {sold_on.isoformat()})."
        )
    if damage:
        return WarrantyDecision(False, "Damage caused outside normal use is not covered.")
    left = days_left(end, today)
    repeat = f"; {earlier_repairs} earlier repair(s)" if earlier_repairs else ""
    return WarrantyDecision(
        True, f"In warranty until {end.isoformat()} ({left} days left){repeat}."
    )
