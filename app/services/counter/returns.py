"""Customer returns: a unit (or quantity) comes back on the sale it was sold on."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from app.domain import warranty
from app.domain.errors import Refused
from app.domain.money import to_money
from app.domain.roles import Action
from app.domain.states import Event, UnitState
from app.domain.text import free_text
from app.services.access.context import Context
from app.services.counter.return_matching import (
    Matched,
    ReturnItem,
    check_no_repeats,
    match_item,
)
from app.services.kits import moves as kit_moves
from app.services.ledger import totals
from app.services.ledger.documents import Kind, doc_number, get_document, new_document
from app.services.ledger.lookups import product_of_scan, scan_of
from app.services.ledger.moves import append_event, guard_new_unit, move_unit
from app.services.ledger.stock_levels import change_stock
from app.services.ledger.totals import note_came_back
from app.services.ledger.units import units_with_serial
from app.services.transaction import write_transaction
from db.models import Document, DocumentLine, Unit, WarrantyNumber


@dataclass
class ReturnedLine:
    sku: str
    name: str
    serial: str | None
    quantity: int
    disposition: str
    refund: Decimal
    sale_line: int | None


@dataclass
class ReturnResult:
    number: str
    sale: str | None
    refund: Decimal
    lines: list[ReturnedLine]
    warnings: list[str]


class SaleLine(NamedTuple):
    """A line of a sale as the returns screen shows it."""

    line_id: int
    sku: str
    name: str
    serial: str
    quantity: int
    returned: int
    price: Decimal


@dataclass
class SaleView:
    """A sale as the returns screen shows it."""

    number: str
    date: str
    branch: str
    customer: str
    lines: list[SaleLine]


def sale_view(number: str) -> SaleView:
    doc = get_document(number, Kind.SALE)
    lines = [
        SaleLine(
            line.id,
            line.product.sku,
            line.product.name,
            line.serial,
            line.quantity,
            line.returned_quantity,
            line.price,
        )
        for line in doc.lines.order_by(DocumentLine.id)
    ]
    return SaleView(
        doc_number(Kind.SALE, doc.id),
        doc.business_date.isoformat(),
        doc.branch.name,
        doc.customer.name if doc.customer_id else "",
        lines,
    )


def sale_for_serial(raw: str) -> tuple[SaleView, int]:
    """The sale a serial (or warranty number) was sold on, and its line; or why it cannot
    come back."""
    number = WarrantyNumber.get_or_none(WarrantyNumber.number == raw.strip().upper())
    if number is not None:
        if number.state != "active":
            raise Refused(f"Warranty {number.number} was already {number.state}.")
        line = number.sale_line
        if line.document.kind != Kind.SALE:
            raise Refused(
                f"Warranty {number.number} was sold before the shop moved in "
                f"({doc_number(line.document.kind, line.document_id)}): there is no sale here "
                "to refund. Its warranty claims work as usual."
            )
        return sale_view(doc_number(Kind.SALE, line.document_id)), line.id
    scan = scan_of(raw)
    if scan.serial is None:
        raise Refused("That is a product barcode: scan the unit's serial or type the sale number.")
    units = units_with_serial(scan.serial, product_of_scan(scan, None))
    if not units:
        raise Refused(
            f"{scan.serial} was not sold by this shop. Type the sale number if "
            "the serial was not recorded."
        )
    for unit in reversed(units):
        line = (
            DocumentLine.select()
            .join(Document)
            .where(
                DocumentLine.unit == unit.id,
                Document.kind == Kind.SALE,
                DocumentLine.returned_quantity < DocumentLine.quantity,
            )
            .order_by(DocumentLine.id.desc())
            .first()
        )
        if line is not None and unit.state == UnitState.SOLD:
            return sale_view(doc_number(Kind.SALE, line.document_id)), line.id
    kit_moves.refuse_part_alone(units)
    unit = units[-1]
    raise Refused(
        f"{unit.serial} is {UnitState(unit.state).label}, not with a customer: "
        "it cannot be returned."
    )


class ScannedLine(NamedTuple):
    """What a scan marks for return on a loaded sale: its line, and the code as scanned."""

    line_id: int
    kind: str  # "serial" or "warranty"
    code: str


def line_on_sale(sale: str, raw: str) -> ScannedLine:
    """The line of ``sale`` a scanned serial or warranty number comes back on.

    The same check a return makes: a unit or warranty number sold on another sale is
    refused, naming that sale, so a loaded sale never takes another customer's unit.
    """
    sale_doc = get_document(sale, Kind.SALE)
    code = raw.strip().upper()
    if WarrantyNumber.get_or_none(WarrantyNumber.number == code) is not None:
        kind, item = "warranty", ReturnItem(warranty_number=code)
    else:
        kind, item = "serial", ReturnItem(serial=code)
    return ScannedLine(match_item(item, sale_doc, []).line.id, kind, code)


def customer_return(
    ctx: Context,
    items: list[ReturnItem],
    *,
    sale: str | None = None,
    reason: str = "",
) -> ReturnResult:
    """Take goods back. Strict mode accepts only a serial sold on that sale."""
    ctx.require(Action.CUSTOMER_RETURN)
    reason = free_text(reason, "reason", lines=True)
    for item in items:
        free_text(item.condition, "condition")
    if not items:
        raise Refused("Nothing to return: scan the serial or choose the sale line.")
    with write_transaction(ctx):
        sale_doc = get_document(sale, Kind.SALE) if sale else None
        warnings: list[str] = []
        matched = [match_item(item, sale_doc, warnings) for item in items]
        check_no_repeats(matched)
        kits_back = kit_moves.kits_coming_back(
            [(m.unit, m.item.disposition) for m in matched if m.unit is not None]
        )
        sale_docs = {m.line.document_id for m in matched if m.line is not None}
        if sale_doc is None and len(sale_docs) == 1:
            sale_doc = Document.get_by_id(sale_docs.pop())
        doc = new_document(
            Kind.RETURN,
            ctx,
            related=sale_doc.id if sale_doc else None,
            customer=sale_doc.customer_id if sale_doc else None,
            reason=reason,
        )
        # Cards scanned on this return are theirs: a line returned by quantity ends others.
        named = {m.item.warranty_number.strip().upper() for m in matched if m.item.warranty_number}
        lines = [_return_line(ctx, doc, m, warnings, named) for m in matched]
        kit_moves.take_back_kits(ctx, doc, kits_back)
        total = sum((line.refund for line in lines), Decimal("0.00"))
        doc.total = total
        doc.paid = total
        doc.save()
        return ReturnResult(
            doc_number(Kind.RETURN, doc.id),
            doc_number(Kind.SALE, sale_doc.id) if sale_doc else None,
            total,
            lines,
            warnings,
        )


def _return_line(ctx, doc, matched: Matched, warnings, named: set[str]) -> ReturnedLine:
    item, product, unit = matched.item, matched.product, matched.unit
    sale_line, quantity = matched.line, matched.quantity
    disposition = UnitState(item.disposition)
    price = sale_line.price if sale_line is not None else Decimal("0.00")
    refund = price * quantity if item.refund in (None, "") else to_money(item.refund, what="refund")
    if refund > price * quantity:
        raise Refused(f"The refund {refund} is more than was paid ({price * quantity}).")
    condition = " ".join(item.condition.split())[:40]
    serial = None
    unit_id = None
    if unit is not None:
        move_unit(
            unit,
            Event.CUSTOMER_RETURN,
            disposition,
            ctx,
            doc,
            note=condition,
            branch=ctx.branch_id,
            customer=unit.customer_id if disposition is UnitState.IN_SERVICE else None,
        )
        if warranty.is_active(unit.warranty_end, doc.business_date):
            note_came_back(unit.id, doc.business_date)
        serial, unit_id = unit.serial, unit.id
    elif item.serial:
        # Warranty mode, a unit we have no record of selling: record it as it comes back.
        scan = scan_of(item.serial)
        serial = scan.serial
        guard_new_unit(serial)
        unit_id = Unit.insert(
            serial=serial,
            product=product.id,
            state=disposition.value,
            branch=ctx.branch_id,
            updated_at=ctx.now(),
            flag="brought back on a sale that recorded another serial",
        ).execute()
        append_event(
            unit_id,
            Event.CUSTOMER_RETURN,
            None,
            disposition,
            ctx,
            doc,
            note=f"{condition}; sale recorded serial {sale_line.serial or 'none'}",
        )
    else:
        if disposition is UnitState.IN_STOCK:
            change_stock(product.id, ctx.branch_id, quantity)
        if item.warranty_number:
            _end_warranties(WarrantyNumber.number == item.warranty_number.strip().upper(), 1)
        elif sale_line is not None:
            # Back by the sale, without the card: that many of the line's warranties end.
            ending = (
                WarrantyNumber.select(WarrantyNumber.id)
                .where(
                    WarrantyNumber.sale_line == sale_line.id,
                    WarrantyNumber.state == "active",
                    WarrantyNumber.number.not_in(list(named)),
                )
                .order_by(WarrantyNumber.id)
                .limit(quantity)
            )
            ids = [w.id for w in ending]
            if ids:
                _end_warranties(WarrantyNumber.id.in_(ids), len(ids))
    line = DocumentLine.create(
        document=doc,
        product=product.id,
        unit=unit_id,
        serial=serial or "",
        quantity=quantity,
        price=refund,
        source_line=sale_line.id if sale_line else None,
        condition=condition,
        disposition=disposition.value,
    )
    totals.add_line(doc, line)  # the line's price is its whole refund
    if sale_line is not None:
        updated = (
            DocumentLine.update(returned_quantity=DocumentLine.returned_quantity + quantity)
            .where(
                DocumentLine.id == sale_line.id,
                DocumentLine.returned_quantity + quantity <= DocumentLine.quantity,
            )
            .execute()
        )
        if updated != 1:
            raise Refused("That sale line was returned at another seat just now.")
    return ReturnedLine(
        product.sku,
        product.name,
        serial,
        quantity,
        disposition.value,
        refund,
        sale_line.id if sale_line else None,
    )


def _end_warranties(which, count: int) -> None:
    """Mark these active warranty numbers returned, or refuse: a seat at another branch
    (on PostgreSQL branches write at once) returned one of them first."""
    ended = (
        WarrantyNumber.update(state="returned")
        .where(which, WarrantyNumber.state == "active")
        .execute()
    )
    if ended != count:
        raise Refused("That warranty was returned at another seat just now. Scan it again.")
