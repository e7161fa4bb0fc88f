"""Goods receipt: units (or quantities) arrive from a supplier into a branch.

A receipt of thousands of serials is checked in a few set-based queries, not
one query per serial, and its rows are written in a few multi-row inserts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from app.domain.errors import InvalidSerial, NotFound, Refused
from app.domain.money import to_money
from app.domain.roles import Action
from app.domain.serials import ScanKind
from app.domain.states import INACTIVE_STATES, Event, UnitState
from app.domain.text import free_text
from app.services.access.context import Context
from app.services.ledger.documents import Kind, doc_number, new_document
from app.services.ledger.lookups import (
    find_product,
    find_supplier,
    scan_of,
    warranty_numbers_among,
)
from app.services.ledger.moves import lock_new_units
from app.services.ledger.product_settings import Settings, settings_of
from app.services.ledger.stock_levels import change_stock, quantity_must_be_positive
from app.services.shop.products import must_be_active
from app.services.transaction import write_transaction
from db.bulk import insert_rows as _insert_many
from db.bulk import select_in, update_in
from db.history import FACT_FIELDS, append_events, facts_text
from db.models import DocumentLine, Product, Unit

CHUNK = 10_000  # serials per look-up (under SQLite's 32,766 parameters)
# Rows per bulk write: a 10,000-serial receipt writes its units, and its lines, in one go.
WRITE_CHUNK = 50_000


@dataclass
class ReceiptLine:
    """One product on a receipt: its serials, or a quantity for goods without serials."""

    product: str
    serials: list[str] = field(default_factory=list)
    quantity: int = 0
    cost: Decimal | str | None = None


@dataclass
class ReceiptResult:
    number: str
    units: int
    quantity: int
    warnings: list[str]
    flagged: list[str]


class PreparedLine(NamedTuple):
    """A receipt line checked before anything is written: its product and what governs it,
    the normalised serials (none for goods without serials), the quantity and unit cost."""

    product: Product
    settings: Settings
    serials: list[str]
    quantity: int
    cost: Decimal | None


class ReceiptRefused(Refused):
    """Some serials of a receipt were refused; nothing was saved."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        head = " ".join(_sentence(serial, why) for serial, why in problems[:3])
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        super().__init__(f"{len(problems)} serial(s) refused, nothing saved. {head}{more}")


def _sentence(serial: str, why: str) -> str:
    text = why if why.startswith(serial) else f"{serial}: {why}"
    return text if text.endswith(".") else text + "."


def check_serial(product_code: str, raw: str, pending: set[str] | frozenset = frozenset()) -> str:
    """Check one scanned serial for a receipt at once, as the receipt screen does.

    Returns the normalised serial; raises InvalidSerial or Refused with the reason
    (pattern, check digit, already on this receipt, already active in strict mode).
    """
    product = find_product(product_code)
    must_be_active(product, "received")
    settings = settings_of(product)
    if not settings.mode.serialized:
        raise Refused(f"{product.name} is not tracked by serial: enter a quantity.")
    serial = settings.rule.canonical(_serial_from_scan(product, raw))
    settings.rule.validate(serial)
    if serial in pending:
        raise Refused(f"{serial} is already on this receipt.")
    if settings.mode.verified:
        active = _active_serials([serial])
        if serial in active:
            raise Refused(
                f"{serial} is already {active[serial]}. A serial can be active only once."
            )
    return serial


def receive(
    ctx: Context,
    supplier: str,
    lines: list[ReceiptLine],
    *,
    reference: str = "",
    note: str = "",
) -> ReceiptResult:
    """Record a delivery: every serial checked, all saved in one transaction or none."""
    ctx.require(Action.RECEIVE)
    reference = free_text(reference, "supplier's reference", limit=120)
    note = free_text(note, "note", lines=True)
    if not lines:
        raise Refused("The receipt is empty. Scan a product and its serials first.")
    supplier_row = find_supplier(supplier)
    prepared = [_prepare(line) for line in lines]
    problems: list[tuple[str, str]] = []
    seen: set[str] = set()
    for line in prepared:
        for serial in line.serials:
            if serial in seen:
                problems.append((serial, "scanned twice on this receipt"))
            seen.add(serial)
    if problems:
        raise ReceiptRefused(problems)

    with write_transaction(ctx):  # the branch's lane; other branches sell meanwhile
        lock_new_units()
        existing = _existing_units(list(seen))
        problems += [
            (n, "is a warranty number of this shop, not a serial")
            for n in sorted(warranty_numbers_among(seen))
        ]
        warnings: list[str] = []
        for line in prepared:
            for serial in line.serials:
                for _unit_id, _unit_product, state in existing.get(serial, ()):
                    if state in INACTIVE_STATES:
                        continue
                    where = f"already {UnitState(state).label}"
                    if line.settings.mode.verified:
                        problems.append((serial, f"{where}; a serial can be active only once"))
                    else:
                        warnings.append(f"{serial} is {where} (recorded anyway: warranty mode).")
        if problems:
            raise ReceiptRefused(problems)

        doc = new_document(
            Kind.RECEIPT, ctx, supplier=supplier_row.id, reference=reference.strip(), note=note
        )
        units_total = quantity_total = 0
        flagged: list[str] = []
        for line in prepared:
            if line.settings.mode.serialized:
                flagged += _receive_units(
                    ctx, doc, line.product, line.serials, line.cost, supplier_row.id, existing
                )
                units_total += len(line.serials)
            else:
                change_stock(line.product.id, ctx.branch_id, line.quantity)
                DocumentLine.create(
                    document=doc,
                    product=line.product,
                    quantity=line.quantity,
                    cost=line.cost,
                    price=line.cost or 0,
                )
                quantity_total += line.quantity
        warnings += [f"{s}: received again after it went back to the supplier" for s in flagged]
        return ReceiptResult(
            doc_number(Kind.RECEIPT, doc.id), units_total, quantity_total, warnings, flagged
        )


def _prepare(line: ReceiptLine) -> PreparedLine:
    product = find_product(line.product)
    must_be_active(product, "received")
    settings = settings_of(product)
    cost = to_money(line.cost, what="cost") if line.cost not in (None, "") else None
    if settings.mode.serialized:
        if line.quantity and line.quantity != len(line.serials):
            raise Refused(
                f"{product.name} is tracked by serial: scan {line.quantity} serials, "
                f"not {len(line.serials)}."
            )
        if not line.serials:
            raise Refused(f"{product.name} is tracked by serial: scan each unit's serial.")
        problems = []
        serials = []
        for raw in line.serials:
            try:
                serial = settings.rule.canonical(_serial_from_scan(product, raw))
                settings.rule.validate(serial)
                serials.append(serial)
            except (InvalidSerial, NotFound, Refused) as exc:
                problems.append((raw.strip()[:40], exc.message))
        if problems:
            raise ReceiptRefused(problems)
        return PreparedLine(product, settings, serials, len(serials), cost)
    if line.serials:
        raise Refused(f"{product.name} is not tracked by serial; give a quantity instead.")
    return PreparedLine(product, settings, [], quantity_must_be_positive(line.quantity), cost)


def product_of_gs1(raw: str) -> str:
    """The SKU a GS1 code's GTIN names, for a unit received with no product chosen;
    refused (with why) for a code without GTIN and serial, or a GTIN the shop does not sell."""
    scan = scan_of(raw)
    if scan.kind is not ScanKind.PRODUCT_AND_SERIAL or scan.gtin is None:
        raise Refused("it carries no GTIN and serial (GS1 01 + 21): choose its product first")
    product = Product.get_or_none(Product.gtin == scan.gtin)
    if product is None:
        raise NotFound(f"GTIN {scan.gtin} is no product of this shop; add it or choose one")
    return product.sku


def lines_by_gtin(codes: list[str], cost: Decimal | str | None = None) -> list[ReceiptLine]:
    """A delivery scanned with no product chosen: each GS1 code's product from its GTIN, one
    line per product. A code naming no product is refused with its line; nothing is saved."""
    lines: dict[str, ReceiptLine] = {}
    problems: list[tuple[str, str]] = []
    for number, raw in enumerate(codes, 1):
        try:
            sku = product_of_gs1(raw)
        except (InvalidSerial, NotFound, Refused) as exc:
            problems.append((raw.strip()[:40], f"line {number}: {exc.message}"))
            continue
        lines.setdefault(sku, ReceiptLine(sku, cost=cost)).serials.append(raw)
    if problems:
        raise ReceiptRefused(problems)
    return list(lines.values())


def _serial_from_scan(product: Product, raw: str) -> str:
    scan = scan_of(raw)
    if scan.gtin and scan.gtin != product.gtin:
        other = Product.get_or_none(Product.gtin == scan.gtin)
        if other is not None:
            raise Refused(f"This barcode is for {other.name}, not {product.name}.")
        if product.gtin:
            raise Refused(
                f"This barcode names GTIN {scan.gtin}, which is no product of this shop; "
                f"{product.name}'s is {product.gtin}."
            )
    if scan.serial is None:
        raise InvalidSerial("That is a product barcode, not a serial. Scan the serial.")
    return scan.serial


def _existing_units(serials: list[str]) -> dict[str, list[tuple[int, int, str]]]:
    """The units already holding these serials: (id, product id, state) by serial."""
    found: dict[str, list[tuple[int, int, str]]] = {}
    columns = (Unit.serial, Unit.id, Unit.product, Unit.state)
    for serial, *unit in select_in(Unit, columns, Unit.serial, serials, CHUNK):
        found.setdefault(serial, []).append(tuple(unit))
    return found


def _active_serials(serials: list[str]) -> dict[str, str]:
    return {
        serial: UnitState(state).label
        for serial, pairs in _existing_units(serials).items()
        for _id, _product, state in pairs
        if state not in INACTIVE_STATES
    }


class _Back(NamedTuple):
    """A unit of the product coming back (it went to the supplier, or was written off)."""

    id: int
    state: str


def _receive_units(ctx, doc, product, serials, cost, supplier_id, existing) -> list[str]:
    """Insert new units in bulk; bring back known inactive units of this product, flagged.
    ``existing``: the units already holding the receipt's serials (``_existing_units``)."""
    now = ctx.now()
    inactive = {s.value for s in INACTIVE_STATES}
    returning = {
        serial: _Back(unit_id, state)
        for serial in serials
        for unit_id, product_id, state in existing.get(serial, ())
        if product_id == product.id and state in inactive
    }
    flagged = list(returning)
    history: list[dict] = []
    # Set-based: one UPDATE per state they come back from (its note names that state).
    by_state: dict[str, list[int]] = {}
    for unit in returning.values():
        by_state.setdefault(unit.state, []).append(unit.id)
    notes = {
        state: f"received again on {ctx.today().isoformat()} after being {UnitState(state).label}"
        for state in by_state
    }
    for state, ids in by_state.items():
        changes = {
            "state": UnitState.IN_STOCK.value, "branch": ctx.branch_id, "supplier": supplier_id,
            "cost": cost, "customer": None, "warranty_start": None, "warranty_end": None,
            "flag": notes[state], "updated_at": now,
        }  # fmt: skip
        if update_in(Unit, changes, Unit.id, ids, state=state) != len(ids):
            raise Refused(
                "A unit of this receipt was changed at another seat just now. Scan again."
            )
    for serial, unit in returning.items():
        history.append(
            {
                "unit": unit.id,
                "event": Event.RECEIVE.value,
                "at": now,
                "branch": ctx.branch_id,
                "employee": ctx.employee_id,
                "document": doc.id,
                "from_state": unit.state,
                "to_state": UnitState.IN_STOCK.value,
                "note": "flagged: " + notes[unit.state],
                **_facts(serial, product.id),
            }
        )
    new_serials = [s for s in serials if s not in returning]
    unit_ids: dict[str, int] = {serial: u.id for serial, u in returning.items()}
    for start in range(0, len(new_serials), WRITE_CHUNK):
        chunk = new_serials[start : start + WRITE_CHUNK]
        rows = [
            {
                "serial": s,
                "product": product.id,
                "state": UnitState.IN_STOCK.value,
                "branch": ctx.branch_id,
                "supplier": supplier_id,
                "cost": cost,
                "updated_at": now,
            }
            for s in chunk
        ]
        inserted = dict(_insert_many(Unit, rows, returning=(Unit.serial, Unit.id)))
        ids = [inserted[s] for s in chunk]
        unit_ids.update(zip(chunk, ids, strict=True))
        history += [
            {
                "unit": uid,
                "event": Event.RECEIVE.value,
                "at": now,
                "branch": ctx.branch_id,
                "employee": ctx.employee_id,
                "document": doc.id,
                "from_state": None,
                "to_state": UnitState.IN_STOCK.value,
                "note": "",
                **_facts(serial, product.id),
            }
            for serial, uid in zip(chunk, ids, strict=True)
        ]
    # One chained append for the whole receipt: hashed in Python, inserted in bulk.
    append_events(history)
    for start in range(0, len(serials), WRITE_CHUNK):
        _insert_many(
            DocumentLine,
            [
                {
                    "document": doc.id,
                    "product": product.id,
                    "unit": unit_ids[s],
                    "serial": s,
                    "quantity": 1,
                    "cost": cost,
                    "price": cost or 0,
                }
                for s in serials[start : start + WRITE_CHUNK]
            ],
        )
    return flagged


# What the history's ``facts`` records of a unit a receipt leaves in stock: its serial and
# product, no customer and no warranty; computed here, so the history need not read back
# the units just written. Left to the history if it records something else.
_KNOWN_FACTS = (Unit.serial, Unit.product, Unit.customer, Unit.warranty_start, Unit.warranty_end)


def _facts(serial: str, product_id: int) -> dict:
    if tuple(f.name for f in FACT_FIELDS) != tuple(f.name for f in _KNOWN_FACTS):
        return {}
    return {"facts": facts_text([serial, product_id, None, None, None])}
