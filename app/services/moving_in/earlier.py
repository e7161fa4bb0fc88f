"""The units of an import checked against the ledger: a serial new here is created; one
imported before by the same kind of row, saying the same, is skipped (whatever happened to
the unit since); one the ledger has otherwise is refused, naming the detail that differs.

A detail the row leaves blank (branch, date, price, customer, ...) says nothing about a
unit already here: it means "as before", so the same file run the next day, or by a
manager of another branch, changes nothing.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from app.domain.states import INACTIVE_STATES, Event, UnitState
from app.services.ledger.documents import Kind, doc_number
from app.services.moving_in.master import shown_customer
from app.services.moving_in.report import ImportReport
from app.services.moving_in.units import CHUNK, UnitRow
from db.bulk import select_in
from db.models import Branch, Document, DocumentLine, Supplier, Unit, UnitEvent


class Held(NamedTuple):
    """A unit the ledger already has with a serial of the file."""

    id: int
    serial: str
    product_id: int
    state: str
    branch_id: int | None
    supplier_id: int | None
    cost: Decimal | None
    customer_id: int | None
    warranty_start: date | None
    warranty_end: date | None


HELD = (
    Unit.id, Unit.serial, Unit.product, Unit.state, Unit.branch, Unit.supplier, Unit.cost,
    Unit.customer, Unit.warranty_start, Unit.warranty_end,
)  # fmt: skip


class Opening(NamedTuple):
    """What the import that brought a unit in wrote: its document, line and history row."""

    number: str  # OB-n
    sold: bool
    details: dict  # by detail name, as UnitRow gives them


def _opening_documents() -> dict[int, tuple[int, date]]:
    """Every opening-balance document: its branch and date, by id (one per branch and day)."""
    query = Document.select(Document.id, Document.branch, Document.business_date)
    return {
        doc: (branch, day_)
        for doc, branch, day_ in query.where(Document.kind == Kind.OPENING).tuples()
    }


def _openings(units: list[Held], documents: dict[int, tuple[int, date]]) -> dict[int, Opening]:
    """The units that came in by an opening balance, with what that import recorded."""
    if not documents or not units:
        return {}
    ids = [u.id for u in units]
    columns = (DocumentLine.unit, DocumentLine.document, DocumentLine.cost, DocumentLine.price)
    lines = {
        unit: (doc, cost, price)
        for unit, doc, cost, price in select_in(DocumentLine, columns, DocumentLine.unit, ids)
        if doc in documents
    }
    columns = (UnitEvent.unit, UnitEvent.document, UnitEvent.event, UnitEvent.facts)
    events = {
        unit: (event, facts)
        for unit, doc, event, facts in select_in(UnitEvent, columns, UnitEvent.unit, ids)
        if doc in documents and unit in lines and lines[unit][0] == doc
    }
    found = {}
    for unit in units:
        if unit.id not in lines or unit.id not in events:
            continue
        doc, cost, price = lines[unit.id]
        event, facts = events[unit.id]
        branch, day_ = documents[doc]
        sold = event == Event.SELL.value
        details = {"branch": branch, "day": day_, "supplier": unit.supplier_id, "cost": cost}
        if sold:
            # facts: serial, product, customer, warranty start, warranty end (db.history)
            written = json.loads(facts)
            end = written[4] if len(written) > 4 else None
            details.update(
                price=price,
                customer=written[2],
                warranty_end=date.fromisoformat(end) if end else None,
            )
        found[unit.id] = Opening(doc_number(Kind.OPENING, doc), sold, details)
    return found


LABELS = {
    "branch": "branch", "supplier": "supplier", "cost": "cost", "price": "price",
    "customer": "customer", "warranty_end": "warranty end",
}  # fmt: skip


class _Shown:
    """Details as a shop owner reads them: branch codes, names, amounts (looked up only
    for the rows refused)."""

    def __init__(self) -> None:
        self.names: dict[tuple[str, int], str] = {}

    def __call__(self, name: str, value) -> str:
        if value is None:
            return "none"
        if name in ("branch", "supplier", "customer") and (name, value) not in self.names:
            self.names[(name, value)] = self._name(name, value)
        if name in ("branch", "supplier", "customer"):
            return self.names[(name, value)]
        if isinstance(value, Decimal):
            return f"{value:.2f}"
        return str(value)

    @staticmethod
    def _name(name: str, value: int) -> str:
        if name == "branch":
            found = Branch.get_or_none(Branch.id == value)
            return found.code if found else f"#{value}"
        if name == "supplier":
            found = Supplier.get_or_none(Supplier.id == value)
            return found.name if found else f"#{value}"
        return shown_customer(value)


def _stated(item: UnitRow, sold: bool) -> dict:
    """The details the row gives (a blank one is left out: as before)."""
    given = {"branch": item.branch_id, "day": item.day, "supplier": item.supplier_id}
    given["cost"] = item.cost
    if sold:
        given.update(price=item.price, customer=item.customer_id, warranty_end=item.warranty_end)
    return {k: v for k, v in given.items() if k not in item.blank}


def _difference(recorded: dict, item: UnitRow, sold: bool, shown: _Shown) -> str:
    """'customer Anna Berg, this file says Ben Carter' for the first detail that differs."""
    for name, value in _stated(item, sold).items():
        if name in recorded and recorded[name] != value:
            label = LABELS.get(name) or ("sale date" if sold else "date received")
            return f"{label} {shown(name, recorded[name])}, this file says {shown(name, value)}"
    return ""


def _as_held(unit: Held, sold: bool) -> dict:
    """What the ledger says of a unit not imported, in the details a row gives."""
    if sold:
        return {
            "customer": unit.customer_id, "day": unit.warranty_start,
            "warranty_end": unit.warranty_end, "supplier": unit.supplier_id, "cost": unit.cost,
        }  # fmt: skip
    return {"branch": unit.branch_id, "supplier": unit.supplier_id, "cost": unit.cost}


def _kind(sold: bool) -> str:
    return "sold" if sold else "in stock"


def against_ledger(items: list[UnitRow], report: ImportReport, sold: bool) -> list[UnitRow]:
    """Keep the rows whose serial is new; skip the ones already here as the row says (or
    imported by the same kind of row saying the same before, whatever happened to them
    since); refuse the ones the ledger has otherwise (or, in strict mode, active on
    another product), saying which detail differs.

    The rows go a slice at a time (a row's verdict rests only on its own serial's units),
    so a million rows imported again do not hold a million units' records at once."""
    documents = _opening_documents()
    shown = _Shown()
    new: list[UnitRow] = []
    for start in range(0, len(items), SLICE):
        _slice_against_ledger(items[start : start + SLICE], report, sold, documents, shown, new)
    report.create("units sold before" if sold else "units in stock", len(new))
    return new


SLICE = 50_000


def _slice_against_ledger(items, report, sold, documents, shown, new) -> None:
    existing: dict[str, list[Held]] = {}
    serials = list({item.serial for item in items})
    for values in select_in(Unit, HELD, Unit.serial, serials, CHUNK):
        unit = Held(*values)
        existing.setdefault(unit.serial, []).append(unit)
    for held in existing.values():
        held.sort()  # by id: the newest unit with a serial last
    opened = _openings([u for units in existing.values() for u in units], documents)
    wanted = UnitState.SOLD if sold else UnitState.IN_STOCK
    for item in items:
        units = existing.get(item.serial, [])
        mine = [u for u in units if u.product_id == item.product_id]
        active = [u for u in units if UnitState(u.state) not in INACTIVE_STATES]
        if mine and mine[-1].id in opened:
            opening = opened[mine[-1].id]
            if opening.sold != sold:
                report.refuse(
                    item.line,
                    f"{item.serial} was imported before as {_kind(opening.sold)} "
                    f"({opening.number}); this file says {_kind(sold)}. A unit is imported "
                    "once: take it out of this file.",
                )
            elif why := _difference(opening.details, item, sold, shown):
                report.refuse(
                    item.line,
                    f"{item.serial} was imported before ({opening.number}) with {why}. "
                    "An import does not change a unit already here.",
                )
            else:
                report.skipped += 1
        elif mine:
            unit = mine[-1]
            state = UnitState(unit.state).label
            if unit.state != wanted:
                report.refuse(
                    item.line,
                    f"{item.serial} is already here, {state}; this file says {_kind(sold)}.",
                )
            elif why := _difference(_as_held(unit, sold), item, sold, shown):
                report.refuse(item.line, f"{item.serial} is already here, {state}, with {why}.")
            else:
                report.skipped += 1
        elif item.strict and active:
            state = UnitState(active[-1].state).label
            report.refuse(item.line, f"{item.serial} is already {state} on another product.")
        else:
            new.append(item)
