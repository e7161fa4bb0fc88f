"""What comes back on a customer return, and the sale line it comes back on.

Each returned item (a serial, a warranty number, or a quantity off a sale line) is
matched to the sale line that still owes it and checked, before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from app.domain.errors import NotFound, Refused
from app.domain.states import UnitState
from app.domain.tracking import TrackingMode
from app.services.kits import moves as kit_moves
from app.services.ledger.documents import Kind, doc_number
from app.services.ledger.lookups import product_of_scan, scan_of
from app.services.ledger.product_settings import settings_of
from app.services.ledger.stock_levels import quantity_must_be_positive
from app.services.ledger.units import units_with_serial
from db.models import Document, DocumentLine, Product, Unit, WarrantyNumber

DISPOSITIONS = (
    UnitState.IN_STOCK,
    UnitState.QUARANTINE,
    UnitState.IN_SERVICE,
    UnitState.RETURNED_TO_SUPPLIER,
    UnitState.WRITTEN_OFF,
)


@dataclass
class ReturnItem:
    """What comes back: a serial, a warranty number, or a sale line (quantity goods)."""

    serial: str | None = None
    warranty_number: str | None = None
    sale_line: int | None = None
    quantity: int = 1
    condition: str = "as new"
    disposition: str = UnitState.IN_STOCK.value
    refund: Decimal | str | None = None


class Matched(NamedTuple):
    """One returned item, matched: what it is, and the sale line it comes back on."""

    item: ReturnItem
    product: Product
    unit: Unit | None  # None for goods without a unit on record
    line: DocumentLine | None
    quantity: int


def match_item(item: ReturnItem, sale_doc: Document | None, warnings: list[str]) -> Matched:
    """What one returned item is, and the sale line it comes back on."""
    if item.disposition not in DISPOSITIONS:
        choices = ", ".join(d.value for d in DISPOSITIONS)
        raise Refused(f"Unknown disposition '{item.disposition}' ({choices}).")
    if item.serial:
        return _match_serial(item, sale_doc, warnings)
    if item.warranty_number:
        number = WarrantyNumber.get_or_none(
            WarrantyNumber.number == item.warranty_number.strip().upper()
        )
        if number is None:
            raise NotFound(f"No warranty number {item.warranty_number}.")
        line = number.sale_line
        if sale_doc is not None and line.document_id != sale_doc.id:
            raise Refused(
                f"Warranty {number.number} was sold on {_sale_of(line)}, not on "
                f"{doc_number(Kind.SALE, sale_doc.id)}: it comes back on its own sale."
            )
        if number.state != "active":
            raise Refused(f"Warranty {number.number} was already {number.state}.")
        _check_quantity(line, 1)
        return Matched(item, line.product, None, line, 1)
    if item.sale_line is not None:
        line = DocumentLine.get_or_none(DocumentLine.id == item.sale_line)
        if line is None or line.document.kind != Kind.SALE:
            raise NotFound(f"No sale line {item.sale_line}.")
        if sale_doc is not None and line.document_id != sale_doc.id:
            raise Refused(f"Line {item.sale_line} is not on {doc_number(Kind.SALE, sale_doc.id)}.")
        if line.unit_id is not None:
            raise Refused("That line is a serialized unit: scan its serial.")
        quantity = quantity_must_be_positive(item.quantity)
        _check_quantity(line, quantity)
        return Matched(item, line.product, None, line, quantity)
    raise Refused("Say what comes back: a serial, a warranty number or a sale line.")


def _match_serial(item: ReturnItem, sale_doc: Document | None, warnings: list[str]) -> Matched:
    scan = scan_of(item.serial)
    product = product_of_scan(scan, None)
    serial = scan.serial
    if serial is None:
        raise Refused("That is a product barcode: scan the unit's serial.")
    units = units_with_serial(serial, product)
    for unit in reversed(units):
        line = _open_sale_line(unit, sale_doc)
        if line is not None and unit.state == UnitState.SOLD:
            return Matched(item, unit.product, unit, line, 1)
    kit_moves.refuse_part_alone(units)
    where = f" on {doc_number(Kind.SALE, sale_doc.id)}" if sale_doc else " by this shop"
    if units:
        unit = units[-1]
        if unit.state != UnitState.SOLD:
            raise Refused(
                f"{serial} is {UnitState(unit.state).label}, not with a customer: "
                "it cannot be returned."
            )
        elsewhere = _open_sale_line(unit, None) if sale_doc is not None else None
        if elsewhere is not None:
            raise Refused(
                f"{serial} was sold on {_sale_of(elsewhere)}, not on "
                f"{doc_number(Kind.SALE, sale_doc.id)}: it comes back on its own sale."
            )
        raise Refused(f"{serial} was not sold{where}. Only a unit sold{where} can be returned.")
    if sale_doc is None:
        raise Refused(f"{serial} was not sold{where}. Only a unit sold{where} can be returned.")
    # A serial we never saw: in warranty mode serials were recorded, not verified,
    # so match an open line of that sale in warranty mode, and warn.
    candidates = [
        line
        for line in DocumentLine.select()
        .where(
            DocumentLine.document == sale_doc.id,
            DocumentLine.returned_quantity < DocumentLine.quantity,
        )
        .order_by(DocumentLine.id)
        if settings_of(line.product).mode is TrackingMode.WARRANTY
        and (product is None or line.product_id == product.id)
    ]
    if not candidates:
        raise Refused(f"{serial} was not sold{where}. Only a unit sold{where} can be returned.")
    line = candidates[0]
    warnings.append(
        f"{serial} is not the serial recorded on {doc_number(Kind.SALE, sale_doc.id)} "
        f"({line.serial or 'none'}); matched to that line (warranty mode)."
    )
    return Matched(item, line.product, None, line, 1)


def _sale_of(line: DocumentLine) -> str:
    """A sale as a refusal names it: its number, and to whom it was sold."""
    doc = line.document
    customer = f" to {doc.customer.name}" if doc.customer_id else ""
    return f"{doc_number(Kind.SALE, doc.id)}{customer} ({doc.business_date.isoformat()})"


def _open_sale_line(unit: Unit, sale_doc: Document | None) -> DocumentLine | None:
    """The sale line that still owes this unit: on the given sale, else its latest sale.

    A warranty replacement was not sold on a line of its own: it stands in for the
    unit it replaced, so it comes back on that unit's sale line.
    """
    seen: set[int] = set()
    current: Unit | None = unit
    while current is not None and current.id not in seen:
        seen.add(current.id)
        query = (
            DocumentLine.select()
            .join(Document)
            .where(
                DocumentLine.unit == current.id,
                Document.kind == Kind.SALE,
                DocumentLine.returned_quantity < DocumentLine.quantity,
            )
        )
        if sale_doc is not None:
            query = query.where(Document.id == sale_doc.id)
        line = query.order_by(DocumentLine.id.desc()).first()
        if line is not None:
            return line
        current = Unit.get_or_none(Unit.id == current.replaces_id) if current.replaces_id else None
    return None


def check_no_repeats(matched: list[Matched]) -> None:
    """One return takes each unit or warranty number once, and a line no more than is left."""
    seen: set[tuple[str, object]] = set()
    per_line: dict[int, int] = {}
    for m in matched:
        if m.unit is not None:
            key, shown = ("unit", m.unit.id), m.unit.serial
        elif m.item.serial:
            serial = scan_of(m.item.serial).serial
            key, shown = ("serial", serial), serial
        elif m.item.warranty_number:
            number = m.item.warranty_number.strip().upper()
            key, shown = ("number", number), f"Warranty {number}"
        else:
            key = None
        if key is not None:
            if key in seen:
                raise Refused(f"{shown} is on this return twice.")
            seen.add(key)
        if m.line is not None:
            per_line[m.line.id] = per_line.get(m.line.id, 0) + m.quantity
            _check_quantity(m.line, per_line[m.line.id])


def _check_quantity(line: DocumentLine, quantity: int) -> None:
    left = line.quantity - line.returned_quantity
    if quantity > left:
        raise Refused(
            f"Only {left} of {line.product.name} on that sale can still be returned, "
            f"not {quantity}."
        )
