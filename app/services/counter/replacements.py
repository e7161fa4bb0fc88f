"""Warranty replacement: a customer's unit is swapped for a new one from stock here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.domain.errors import Refused
from app.domain.repairs import RepairStatus, ReplacementMatch, check_replacement
from app.domain.roles import Action, Role
from app.domain.states import Event, UnitState
from app.domain.text import free_text
from app.services.access.context import Approver, Context
from app.services.counter.repair_tickets import close_ticket, find_ticket
from app.services.kits import moves as kit_moves
from app.services.ledger import totals
from app.services.ledger.documents import Kind, doc_number, new_document
from app.services.ledger.lookups import product_of_scan, scan_of
from app.services.ledger.moves import move_unit
from app.services.ledger.totals import note_came_back
from app.services.ledger.units import pick_unit, why_not_in_stock_here
from app.services.transaction import write_transaction
from db.models import DocumentLine, RepairTicket, Unit


@dataclass
class ReplacementResult:
    number: str
    old_serial: str
    new_serial: str
    customer: str
    warranty_end: date | None
    other_product: bool = False  # another product of the same type, approved


@dataclass
class ReplacementCheck:
    """What a replacement would swap, before it is made: the screen asks for a manager's
    approval and a note when ``needs_approval``."""

    old_serial: str
    old_product: str
    new_serial: str
    new_product: str
    needs_approval: bool


def check(ctx: Context, old_serial: str, new_serial: str) -> ReplacementCheck:
    """Check a replacement as ``replace`` would, without making it: a refusal (wrong state,
    not in stock here, a kit, another product type) is raised; another product of the
    same type comes back as needing a manager's approval and a note."""
    ctx.require(Action.REPLACE)
    old, new = _pair(ctx, old_serial, new_serial)
    same = old.product_id == new.product_id
    if not same:
        _check_products(old, new, approved=True, note="checked only")
    return ReplacementCheck(
        old.serial, old.product.name, new.serial, new.product.name, needs_approval=not same
    )


def replace(
    ctx: Context,
    old_serial: str,
    new_serial: str,
    *,
    ticket: str | None = None,
    note: str = "",
    approver: Approver | None = None,
) -> ReplacementResult:
    """Replace a customer's unit under warranty with a new one from stock here.

    The old unit becomes 'replaced', the new one is sold to the same customer,
    linked to the old, and carries the old unit's warranty over. It is the same
    product, or another of the same type when a manager (acting, or ``approver``)
    approves, with a ``note`` saying why.
    """
    ctx.require(Action.REPLACE)
    note = free_text(note, "note", lines=True)
    with write_transaction(ctx):
        old, new = _pair(ctx, old_serial, new_serial)
        approved = ctx.role is Role.MANAGER or approver is not None
        match = _check_products(old, new, approved=approved, note=note)
        other = match is ReplacementMatch.SAME_TYPE
        if ctx.role is Role.MANAGER:
            approver = None  # the manager acts: nobody else approved
        issued_note = f"replaces {old.serial}"
        if other:
            issued_note = f"{issued_note} ({old.product.name}): {' '.join(note.split())}"[:200]
        ticket_row = find_ticket(ticket) if ticket else _open_ticket_of(old.id)
        if ticket_row is not None and ticket_row.unit_id != old.id:
            raise Refused(f"{ticket} is not a ticket for {old.serial}.")
        doc = new_document(
            Kind.REPLACEMENT,
            ctx,
            customer=old.customer_id,
            related=ticket_row.document_id if ticket_row else None,
            note=note,
        )
        move_unit(
            old, Event.REPLACED, UnitState.REPLACED, ctx, doc, note=f"replaced by {new.serial}"
        )
        move_unit(
            new,
            Event.REPLACEMENT_ISSUED,
            UnitState.SOLD,
            ctx,
            doc,
            note=issued_note,
            approver=approver if other else None,
            customer=old.customer_id,
            warranty_start=old.warranty_start,
            warranty_end=old.warranty_end,
            replaces=old.id,
        )
        note_came_back(old.id, ctx.today())
        totals.add_line(
            doc,
            DocumentLine.create(
                document=doc,
                product=old.product_id,
                unit=old.id,
                serial=old.serial,
                note="returned under warranty",
            ),
        )
        totals.add_line(
            doc,
            DocumentLine.create(
                document=doc,
                product=new.product_id,
                unit=new.id,
                serial=new.serial,
                cost=new.cost,
                note="issued as replacement",
            ),
        )
        if ticket_row is not None and ticket_row.status != RepairStatus.COLLECTED:
            close_ticket(ctx, ticket_row, f"replaced by {new.serial}")
        customer = old.customer.name if old.customer_id else ""
        return ReplacementResult(
            doc_number(Kind.REPLACEMENT, doc.id),
            old.serial,
            new.serial,
            customer,
            old.warranty_end,
            other_product=other,
        )


def _pair(ctx: Context, old_serial: str, new_serial: str) -> tuple[Unit, Unit]:
    """The customer's unit and the one from stock here that replaces it, or why not."""
    old_scan = scan_of(old_serial)
    old = pick_unit(
        old_scan.serial,
        product_of_scan(old_scan, None),
        prefer=[UnitState.IN_SERVICE, UnitState.SOLD],
    )
    new_scan = scan_of(new_serial)
    new = pick_unit(new_scan.serial, product_of_scan(new_scan, None), prefer=[UnitState.IN_STOCK])
    if old.id == new.id:
        raise Refused("The replacement must be another unit.")
    if old.state not in (UnitState.IN_SERVICE, UnitState.SOLD):
        raise Refused(
            f"{old.serial} is {UnitState(old.state).label}: only a customer's unit is replaced."
        )
    if new.state != UnitState.IN_STOCK or new.branch_id != ctx.branch_id:
        raise Refused(why_not_in_stock_here(new, ctx))
    kit_moves.refuse_kit_replacement(old, new)
    return old, new


def _check_products(old: Unit, new: Unit, *, approved: bool, note: str) -> ReplacementMatch:
    old_product, new_product = old.product, new.product
    return check_replacement(
        old=f"{old.serial} ({old_product.name})",
        old_type=old_product.type.name,
        new=f"{new.serial} ({new_product.name})",
        new_type=new_product.type.name,
        same_product=old_product.id == new_product.id,
        approved=approved,
        note=note,
    )


def _open_ticket_of(unit_id: int) -> RepairTicket | None:
    """The unit's open repair ticket: a replacement closes it, or it could never close."""
    return (
        RepairTicket.select()
        .where(RepairTicket.unit == unit_id, RepairTicket.status != RepairStatus.COLLECTED)
        .order_by(RepairTicket.id.desc())
        .first()
    )
