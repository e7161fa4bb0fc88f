"""The end-of-day slip: the day's sales and returns, and an anchor of the history.

Printed (or kept as text or JSON) at closing time, the slip is the shop's paper copy of
every lane's chain head: a day's rows removed or re-chained later no longer match it,
and the seat's anchor file records the same heads (``evidence.anchor``).

The incremental check (``verify --since-anchor``) runs first: a day whose database does
not check out is not anchored (an anchor would take a loss as the new normal); the slip
is printed all the same, marked NOT ANCHORED with the number of problems.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import peewee as pw

from app.domain.errors import Refused
from app.services.ledger.documents import Kind
from app.services.safety import evidence, integrity
from db.history import heads
from db.history_verify import lane_name
from db.models import Document


@dataclass(frozen=True)
class DaySlip:
    day: date
    sales: int
    sales_total: Decimal
    returns: int
    returns_total: Decimal
    heads: dict[int, tuple[int, str]]  # every lane's head: lane -> (seq, mac)
    anchored_at: str
    anchored: bool = True
    problems: int = 0


def close_day(day_text: str | None = None, *, today: date | None = None) -> DaySlip:
    """The day's figures (all branches) and a fresh anchor of the history."""
    try:
        day = date.fromisoformat(day_text) if day_text else today or date.today()
    except ValueError:
        raise Refused(f"{day_text!r} is not a date (YYYY-MM-DD).") from None
    figures = {}
    for kind in (Kind.SALE, Kind.RETURN):
        count, total = (
            Document.select(pw.fn.COUNT(Document.id), pw.fn.SUM(Document.total))
            .where(Document.kind == kind, Document.business_date == day)
            .tuples()
            .first()
        )
        figures[kind] = (count or 0, Decimal(str(total or 0)).quantize(Decimal("0.01")))
    report = integrity.check(full=False)
    if not report.ok:
        problems = len(report.messages())
        at = datetime.now(UTC).isoformat(timespec="seconds")
        return DaySlip(
            day, *figures[Kind.SALE], *figures[Kind.RETURN], heads(), at, False, problems
        )
    entry = integrity.anchor("day-end", day=day.isoformat())
    return DaySlip(
        day,
        *figures[Kind.SALE],
        *figures[Kind.RETURN],
        evidence.lane_heads(entry),
        entry["at"],
    )


def slip_text(slip: DaySlip) -> str:
    """The slip as printed: figures first, then the chain head to keep with the day's papers."""
    return "\n".join(
        [
            f"Day end {slip.day.isoformat()}",
            f"Sales:   {slip.sales:>5}  {slip.sales_total:>12}",
            f"Returns: {slip.returns:>5}  {slip.returns_total:>12}",
            f"History heads at {slip.anchored_at}",
        ]
        + [
            line
            for lane, (seq, mac) in sorted(slip.heads.items())
            if seq or len(slip.heads) == 1
            for line in (f"{lane_name(lane)} #{seq}", mac[:32], mac[32:])
        ]
        + (
            []
            if slip.anchored
            else [
                f"NOT ANCHORED: {slip.problems} problem(s) found.",
                "Run 'serialdesk verify' and keep this slip.",
            ]
        )
    )
