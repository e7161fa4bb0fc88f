"""Figures kept as they are written, for the reports over a whole ledger.

- Day totals: sales, returns, warranty replacements and parts fitted on covered
  repairs, summed per kind, branch, product and business day (warranty cost against
  margin, returns by branch read these instead of millions of lines).
- ``Unit.came_back``: the day a unit first came back under warranty (supplier failure).
- ``Unit.repair_count`` and ``RepairTicket.came_back_again`` (repeat defects, and
  technicians whose repaired units came in again).

Each is written in the transaction that writes what it counts (``add_line``,
``add_parts``, ``note_repair``, ``note_came_back``), so it never disagrees with the
ledger. The ``rebuild*`` functions recompute them from the ledger (``refill``: schema
step 2, a benchmark build); ``mismatches`` compares the day totals with their lines
(``serialdesk verify``). The rules they count by (which return came back under
warranty) are the domain's, the same the live path applies.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import peewee as pw

from app.domain import warranty
from app.domain.states import Event
from db.models import (
    Branch,
    DayTotal,
    Document,
    DocumentLine,
    Product,
    ProductType,
    RepairPart,
    RepairTicket,
    Unit,
    UnitEvent,
)
from db.prepared import Prepared

SALE = "sale"
RETURN = "return"
REPLACEMENT = "replacement"
REPAIR = "repair"  # the document of a repair ticket
REPLACED_EVENT = Event.REPLACED.value  # the unit taken back
COVERED_PARTS = "covered_parts"
LINE_KINDS = (SALE, REPLACEMENT, RETURN)  # document kinds whose lines are totalled
KEY = (DayTotal.kind, DayTotal.product, DayTotal.branch, DayTotal.day)
FIGURES = ("lines", "quantity", "amount_cents", "cost_cents")


def cents(value) -> int:
    if value is None:
        return 0
    return int((Decimal(str(value)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def money(value_cents) -> Decimal:
    return (Decimal(int(value_cents or 0)) / 100).quantize(Decimal("0.01"))


def add(
    kind: str,
    branch_id: int,
    product_id: int,
    day: date,
    *,
    lines: int = 1,
    quantity: int = 0,
    amount_cents: int = 0,
    cost_cents: int = 0,
) -> None:
    figures = {
        "lines": lines,
        "quantity": quantity,
        "amount_cents": amount_cents,
        "cost_cents": cost_cents,
    }
    _ADD.cursor(kind, branch_id, product_id, day, *figures.values())


def _add_query(kind, branch_id, product_id, day, *figures):
    values = dict(zip(FIGURES, figures, strict=True))
    row = DayTotal.insert(kind=kind, branch=branch_id, product=product_id, day=day, **values)
    return row.on_conflict(
        conflict_target=list(KEY),
        update={getattr(DayTotal, n): getattr(DayTotal, n) + v for n, v in values.items()},
    )


_ADD = Prepared(_add_query, str, int, int, date, int, int, int, int)


def add_line(document: Document, line: DocumentLine) -> None:
    """Count a sale's, replacement's or return's line just written (other kinds are not
    totalled). A return line's price is its whole refund, not a unit's."""
    if document.kind not in LINE_KINDS or line.product_id is None:
        return
    per = 1 if document.kind == RETURN else line.quantity
    add(
        document.kind,
        document.branch_id,
        line.product_id,
        document.business_date,
        quantity=line.quantity,
        amount_cents=cents(line.price) * per,
        cost_cents=cents(line.cost) * line.quantity,
    )


def add_parts(ticket: RepairTicket, document: Document, part: RepairPart) -> None:
    """Count a part fitted on a covered repair, by its ticket's branch, product and day."""
    if not ticket.covered:
        return
    add(
        COVERED_PARTS,
        document.branch_id,
        ticket.product_id,
        document.business_date,
        quantity=part.quantity,
        cost_cents=cents(part.cost) * part.quantity,
    )


def _cents_sql(node):
    return pw.fn.SUM(pw.Cast(pw.fn.ROUND(node * 100), "BIGINT"))


def _from_lines(*, repairs_only: bool = False):
    """The totals, computed from the lines themselves. ``repairs_only``: parts are counted
    from tickets whose document is a repair (every ticket's is) so that the documents'
    (kind, branch, day) index finds them."""
    amount = pw.Case(
        Document.kind, [(RETURN, DocumentLine.price)], DocumentLine.price * DocumentLine.quantity
    )
    lines = (
        DocumentLine.select(
            Document.kind,
            DocumentLine.product,
            Document.branch,
            Document.business_date,
            pw.fn.COUNT(DocumentLine.id),
            pw.fn.SUM(DocumentLine.quantity),
            _cents_sql(amount),
            _cents_sql(pw.fn.COALESCE(DocumentLine.cost, 0) * DocumentLine.quantity),
        )
        .join(Document)
        .where(Document.kind.in_(LINE_KINDS), DocumentLine.product.is_null(False))
        .group_by(Document.kind, DocumentLine.product, Document.branch, Document.business_date)
    )
    parts = (
        RepairPart.select(
            pw.Value(COVERED_PARTS),
            RepairTicket.product,
            Document.branch,
            Document.business_date,
            pw.fn.COUNT(RepairPart.id),
            pw.fn.SUM(RepairPart.quantity),
            pw.Value(0),
            _cents_sql(RepairPart.cost * RepairPart.quantity),
        )
        .join(RepairTicket)
        .join(Document)
        .where(RepairTicket.covered == True)  # noqa: E712
        .group_by(RepairTicket.product, Document.branch, Document.business_date)
    )
    if repairs_only:
        parts = parts.where(Document.kind == REPAIR)
    return lines, parts


def rebuild() -> int:
    """Recompute every total from the lines; returns how many totals there are now."""
    DayTotal.delete().execute()
    fields = [*KEY, *(getattr(DayTotal, n) for n in FIGURES)]
    for query in _from_lines():
        DayTotal.insert_from(query, fields).execute()
    return DayTotal.select().count()


def mismatches(limit: int = 20, since: date | None = None) -> list[str]:
    """Totals that disagree with the lines they count (none, unless edited behind our back);
    ``since``: only the days from that one on. Compared a window of days at a time, so the
    memory it takes is one window's totals, not the ledger's (2.5M totals at 1M units)."""
    first, last = _day_span(since)
    problems: list[str] = []
    start = first
    seeks = _Seeks.of_the_ledger()
    while start is not None and start <= last and len(problems) < limit:
        end = start + timedelta(days=WINDOW_DAYS)
        problems += _window_mismatches(start, end, limit - len(problems), seeks)
        start = end
    return problems


class _Seeks:
    """Every branch and product, named in the window queries so that each reads only its
    days through the indexes (kind, branch, day) of the documents and (kind, product,
    branch, day) of the totals: a range on the day alone, after columns left open, would
    have the planner walk every document of a kind, or every total, for every window."""

    def __init__(self, branches: list[int], products: list[int]) -> None:
        self.branches, self.products = branches, products

    @classmethod
    def of_the_ledger(cls) -> _Seeks:
        return cls(
            [b for (b,) in Branch.select(Branch.id).tuples()],
            [p for (p,) in Product.select(Product.id).tuples()],
        )


WINDOW_DAYS = 31


def _day_span(since: date | None) -> tuple[date | None, date | None]:
    """The first and last day that has a total or a document (from ``since`` on)."""
    days = []
    for field in (DayTotal.day, Document.business_date):
        query = field.model.select(pw.fn.MIN(field), pw.fn.MAX(field))
        if since is not None:
            query = query.where(field >= since)
        low, high = query.tuples().first() or (None, None)
        days += [_day(d) for d in (low, high) if d is not None]
    return (min(days), max(days)) if days else (None, None)


def _window_mismatches(start: date, end: date, limit: int, seeks: _Seeks) -> list[str]:
    kept_rows = DayTotal.select(*KEY, *(getattr(DayTotal, n) for n in FIGURES)).where(
        DayTotal.kind.in_([*LINE_KINDS, COVERED_PARTS]),
        DayTotal.product.in_(seeks.products),
        DayTotal.branch.in_(seeks.branches),
        (DayTotal.day >= start) & (DayTotal.day < end),
    )
    kept = {_key(row[:4]): tuple(int(v) for v in row[4:]) for row in kept_rows.tuples()}
    counted = {}
    for query in _from_lines(repairs_only=True):
        query = query.where(
            Document.branch.in_(seeks.branches),
            (Document.business_date >= start) & (Document.business_date < end),
        )
        for row in query.tuples():
            counted[_key(row[:4])] = tuple(int(v or 0) for v in row[4:])
    problems = []
    for key in sorted(set(kept) | set(counted), key=str):
        if kept.get(key) != counted.get(key):
            kind, product, branch, day = key
            problems.append(
                f"Day total {kind} of product #{product} at branch #{branch} on {day} says "
                f"{_figures(kept.get(key))}, its lines say {_figures(counted.get(key))}."
            )
            if len(problems) >= limit:
                break
    return problems


def _key(row) -> tuple:
    kind, product, branch, day = row
    return (kind, int(product), int(branch), _day(day))


def _day(value) -> date:
    """A date column's value: SQLite may give it as text."""
    return date.fromisoformat(value[:10]) if isinstance(value, str) else value


def _figures(values) -> str:
    if values is None:
        return "nothing"
    return ", ".join(f"{n} {v}" for n, v in zip(FIGURES, values, strict=True))


def rebuild_came_back() -> int:
    """Mark from the history the day each unit first came back under warranty: a covered
    repair's intake, a return while its warranty ran, or its replacement. Returns how
    many units are marked now."""
    first: dict[int, date] = {}

    def keep(rows) -> None:
        for unit_id, day in rows:
            day = _day(day)
            if unit_id not in first or day < first[unit_id]:
                first[unit_id] = day

    keep(
        RepairTicket.select(RepairTicket.unit, pw.fn.MIN(Document.business_date))
        .join(Document)
        .where(RepairTicket.covered == True, RepairTicket.unit.is_null(False))  # noqa: E712
        .group_by(RepairTicket.unit)
        .tuples()
    )
    # A return while the warranty its sale started still ran (``warranty.is_active``: the
    # last day is the day before the end), judged by that sale's date and the product's
    # warranty months, not by the unit's present warranty (a resale or a new receipt
    # may have changed it since).
    SaleLine, Sale = DocumentLine.alias(), Document.alias()
    months = {
        pid: own if own is not None else by_type
        for pid, own, by_type in Product.select(
            Product.id, Product.warranty_months, ProductType.warranty_months
        )
        .join(ProductType)
        .tuples()
    }
    returns = (
        DocumentLine.select(
            DocumentLine.unit, DocumentLine.product, Sale.business_date, Document.business_date
        )
        .join(Document)
        .switch(DocumentLine)
        .join(SaleLine, on=(DocumentLine.source_line == SaleLine.id))
        .join(Sale, on=(SaleLine.document == Sale.id))
        .where(Document.kind == RETURN, DocumentLine.unit.is_null(False))
        .tuples()
    )
    keep(
        (unit_id, back)
        for unit_id, product_id, sold, back in returns
        if warranty.is_active(warranty.warranty_end(_day(sold), months[product_id]), _day(back))
    )
    # The unit replaced, by its own history row on the replacement (a later replacement
    # of the unit issued would not leave it in ``Unit.replaces``).
    keep(
        UnitEvent.select(UnitEvent.unit, pw.fn.MIN(Document.business_date))
        .join(Document, on=(UnitEvent.document == Document.id))
        .where(Document.kind == REPLACEMENT, UnitEvent.event == REPLACED_EVENT)
        .group_by(UnitEvent.unit)
        .tuples()
    )
    Unit.update(came_back=None).where(Unit.came_back.is_null(False)).execute()
    _set_per_unit(Unit.came_back, first)
    return len(first)


def _set_per_unit(field: pw.Field, values: dict[int, object]) -> None:
    """Set ``field`` of each unit (by id) to its value: one UPDATE per distinct value and
    10,000 units, not one per unit."""
    by_value: dict[object, list[int]] = {}
    for unit_id, value in values.items():
        by_value.setdefault(value, []).append(unit_id)
    for value, ids in by_value.items():
        for start in range(0, len(ids), 10_000):
            chunk = ids[start : start + 10_000]
            Unit.update({field: value}).where(Unit.id.in_(chunk)).execute()


def note_repair(unit_id: int, ticket_id: int) -> None:
    """A repair ticket was opened for the unit: count it, and mark the unit's earlier
    tickets as having come back again."""
    Unit.update(repair_count=Unit.repair_count + 1).where(Unit.id == unit_id).execute()
    RepairTicket.update(came_back_again=True).where(
        RepairTicket.unit == unit_id,
        RepairTicket.id < ticket_id,
        RepairTicket.came_back_again == False,  # noqa: E712
    ).execute()


def rebuild_repair_counts() -> None:
    """Recompute each unit's repair count and each ticket's "came back again" from the
    tickets themselves."""
    Unit.update(repair_count=0).where(Unit.repair_count != 0).execute()
    counts = (
        RepairTicket.select(RepairTicket.unit, pw.fn.COUNT(RepairTicket.id))
        .where(RepairTicket.unit.is_null(False))
        .group_by(RepairTicket.unit)
    )
    _set_per_unit(Unit.repair_count, dict(counts.tuples()))
    Later = RepairTicket.alias()
    later = Later.select(pw.SQL("1")).where(
        Later.unit == RepairTicket.unit, Later.id > RepairTicket.id
    )
    RepairTicket.update(came_back_again=pw.fn.EXISTS(later)).where(
        RepairTicket.unit.is_null(False)
    ).execute()


def note_came_back(unit_id: int, day: date) -> None:
    """Mark the day a unit first came back under warranty (supplier failure counts it)."""
    Unit.update(came_back=day).where(Unit.id == unit_id, Unit.came_back.is_null()).execute()


def refill() -> None:
    """Recompute every kept figure from the ledger (schema step 2, a benchmark build)."""
    rebuild()
    rebuild_came_back()
    rebuild_repair_counts()


# What fills the figures a schema step adds (``db.migrations.FILLED_STEPS``).
FILLS = {2: refill}
