"""Transfers between branches: out at one (units go in transit), in at the other."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import peewee as pw

from app.domain.errors import Refused
from app.domain.roles import Action
from app.domain.states import Event, UnitState
from app.domain.text import free_text
from app.services.access.context import Context
from app.services.kits import moves as kit_moves
from app.services.ledger.documents import Kind, doc_number, get_document, new_document
from app.services.ledger.lookups import find_branch, find_product, product_of_scan, scan_of
from app.services.ledger.moves import move_unit
from app.services.ledger.stock_levels import change_stock, quantity_must_be_positive
from app.services.ledger.units import pick_unit, why_not_in_stock_here
from app.services.stock.items import StockItem, take_quantity
from app.services.transaction import write_transaction
from db.models import Branch, Document, DocumentLine, Product

# A transfer moves serials, or quantities of goods without serials.
TransferItem = StockItem


@dataclass
class TransferResult:
    number: str
    from_branch: str
    to_branch: str
    units: int
    quantity: int
    status: str
    outstanding: int


@dataclass
class OpenTransfer:
    number: str
    from_branch: str
    to_branch: str
    since: datetime
    outstanding: int
    pieces: int = 0  # of the outstanding, pieces of goods without serials


def transfer_out(
    ctx: Context, to_branch: str, items: list[TransferItem], *, note: str = ""
) -> TransferResult:
    """Send units and quantities from this branch to another; they are in transit until received."""
    ctx.require(Action.TRANSFER)
    note = free_text(note, "note", lines=True)
    if not items:
        raise Refused("Nothing to transfer: scan the units first.")
    with write_transaction(ctx):
        destination = find_branch(to_branch)
        if destination.id == ctx.branch_id:
            raise Refused("A transfer goes to another branch, not to this one.")
        doc = new_document(Kind.TRANSFER, ctx, to_branch=destination.id, status="open", note=note)
        units = quantity = 0
        seen: set[int] = set()
        for item in items:
            if item.serial:
                scan = scan_of(item.serial)
                product = product_of_scan(scan, item.product)
                unit = pick_unit(scan.serial, product, prefer=[UnitState.IN_STOCK])
                if unit.id in seen:
                    raise Refused(f"{unit.serial} is on this transfer twice.")
                if unit.state != UnitState.IN_STOCK or unit.branch_id != ctx.branch_id:
                    raise Refused(why_not_in_stock_here(unit, ctx))
                seen.add(unit.id)
                move_unit(
                    unit,
                    Event.TRANSFER_OUT,
                    UnitState.IN_TRANSIT,
                    ctx,
                    doc,
                    note=f"to {destination.name}",
                    branch=destination.id,
                )
                kit_moves.send_with_kit(ctx, doc, unit, destination)
                DocumentLine.create(
                    document=doc,
                    product=unit.product_id,
                    unit=unit.id,
                    serial=unit.serial,
                    quantity=1,
                )
                units += 1
            else:
                quantity += take_quantity(ctx, doc, item.product, item.quantity)
        return TransferResult(
            doc_number(Kind.TRANSFER, doc.id),
            ctx.branch_name,
            destination.name,
            units,
            quantity,
            "open",
            units + quantity,
        )


def transfer_in(
    ctx: Context,
    number: str,
    serials: list[str] = (),
    *,
    quantities: dict[str, int] | None = None,
    all_quantities: bool = True,
) -> TransferResult:
    """Receive a transfer at its destination: scanned serials, and its quantity goods.

    A serial that is not on the transfer, or a transfer meant for another
    branch, is refused. The transfer closes when nothing is left in transit.
    """
    ctx.require(Action.TRANSFER)
    with write_transaction(ctx):
        doc = get_document(number, Kind.TRANSFER)
        if doc.to_branch_id != ctx.branch_id:
            raise Refused(
                f"{doc_number(Kind.TRANSFER, doc.id)} goes to {doc.to_branch.name}, not here. "
                "Receive it there."
            )
        if doc.status != "open":
            raise Refused(f"{doc_number(Kind.TRANSFER, doc.id)} was already received in full.")
        lines = list(doc.lines.order_by(DocumentLine.id))
        by_serial = {line.serial: line for line in lines if line.unit_id is not None}
        units = quantity = 0
        for raw in serials:
            serial = scan_of(raw).serial
            if serial is None:
                raise Refused("That is a product barcode: scan the unit's serial.")
            line = by_serial.get(serial)
            if line is None:
                raise Refused(
                    f"{serial} is not on {doc_number(Kind.TRANSFER, doc.id)}. Put it aside."
                )
            if line.received_quantity:
                raise Refused(f"{serial} was already received on this transfer.")
            move_unit(
                line.unit,
                Event.TRANSFER_IN,
                UnitState.IN_STOCK,
                ctx,
                doc,
                note=f"from {doc.branch.name}",
                branch=ctx.branch_id,
            )
            kit_moves.arrive_with_kit(ctx, doc, line.unit)
            line.received_quantity = 1
            line.save()
            units += 1
        wanted: dict[int, int] = {}
        for code, count in (quantities or {}).items():
            product_id = find_product(code).id
            wanted[product_id] = wanted.get(product_id, 0) + quantity_must_be_positive(count)
        in_transit: dict[int, int] = {}
        for line in lines:
            if line.unit_id is None:
                left = line.quantity - line.received_quantity
                in_transit[line.product_id] = in_transit.get(line.product_id, 0) + left
        for product_id, count in wanted.items():
            name = Product.get_by_id(product_id).name
            if product_id not in in_transit:
                raise Refused(f"{name} is not on {doc_number(Kind.TRANSFER, doc.id)}.")
            if count > in_transit[product_id]:
                raise Refused(f"Only {in_transit[product_id]} of {name} are on this transfer.")
        for line in lines:
            if line.unit_id is not None:
                continue
            left = line.quantity - line.received_quantity
            # a product sent on several lines is received line by line
            take = left if all_quantities else 0
            if line.product_id in wanted:
                take = min(left, wanted[line.product_id])
                wanted[line.product_id] -= take
            if take:
                change_stock(line.product_id, ctx.branch_id, take)
                line.received_quantity += take
                line.save()
                quantity += take
        outstanding = sum(line.quantity - line.received_quantity for line in lines)
        if outstanding == 0:
            doc.status = "closed"
            doc.closed_at = ctx.now()
            doc.save()
        return TransferResult(
            doc_number(Kind.TRANSFER, doc.id),
            doc.branch.name,
            ctx.branch_name,
            units,
            quantity,
            doc.status,
            outstanding,
        )


def open_transfers(branch_id: int | None = None) -> list[OpenTransfer]:
    """Transfers still in transit (to or from a branch, or all), oldest first."""
    ToBranch = Branch.alias()
    left = DocumentLine.quantity - DocumentLine.received_quantity
    outstanding = pw.fn.SUM(left)
    pieces = pw.fn.SUM(pw.Case(None, [(DocumentLine.unit.is_null(), left)], 0))
    query = (
        Document.select(
            Document.id, Branch.name, ToBranch.name, Document.created_at, outstanding, pieces
        )
        .join(Branch, on=(Document.branch == Branch.id))
        .switch(Document)
        .join(ToBranch, on=(Document.to_branch == ToBranch.id))
        .switch(Document)
        .join(DocumentLine)
        .where(Document.kind == Kind.TRANSFER, Document.status == "open")
        .group_by(Document.id, Branch.name, ToBranch.name, Document.created_at)
        .order_by(Document.created_at)
    )
    if branch_id is not None:
        query = query.where((Document.branch == branch_id) | (Document.to_branch == branch_id))
    return [
        OpenTransfer(doc_number(Kind.TRANSFER, doc_id), src, dst, since, int(n), int(qty or 0))
        for doc_id, src, dst, since, n, qty in query.tuples()
    ]
