"""Repair tickets (intake, status, parts, collection) and warranty replacement."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from app.domain import warranty
from app.domain.errors import NotFound, Refused
from app.domain.money import to_money
from app.domain.repairs import RepairStatus, check_status_change
from app.domain.roles import Action, Role
from app.domain.states import Event, UnitState
from app.services.access.context import Context
from app.services.kits import moves as kit_moves
from app.services.ledger import totals
from app.services.ledger.documents import Kind, doc_number, get_document, new_document
from app.services.ledger.lookups import product_of_scan, scan_of
from app.services.ledger.moves import move_unit
from app.services.ledger.totals import note_came_back
from app.services.ledger.transaction import write_transaction
from app.services.ledger.units import pick_unit, why_not_in_stock_here
from db.models import (
    Document,
    DocumentLine,
    Employee,
    RepairPart,
    RepairStatusChange,
    RepairTicket,
    Unit,
    WarrantyNumber,
)


@dataclass
class TicketView:
    number: str
    status: str
    serial: str
    warranty_number: str
    product: str
    customer: str
    complaint: str
    intake_condition: str
    accessories: str
    technician: str
    covered: bool
    decision_reason: str
    diagnosis: str
    outcome: str
    opened: datetime
    parts: list[tuple[str, int, Decimal]] = field(default_factory=list)
    changes: list[tuple[datetime, str | None, str, str, str]] = field(default_factory=list)


@dataclass
class ReplacementResult:
    number: str
    old_serial: str
    new_serial: str
    customer: str
    warranty_end: date | None


@dataclass
class ClaimSummary:
    """What the intake screen shows before a ticket is opened."""

    code: str
    product: str
    customer: str
    state: str
    sold_on: date | None
    warranty_end: date | None
    days_left: int
    earlier_repairs: int
    covered: bool
    reason: str


def propose_decision(
    serial_or_number: str, *, damage: bool = False, today: date | None = None
) -> ClaimSummary:
    """Purchase date, warranty left, earlier repairs, and a proposed decision with its reason."""
    unit, number = _claim(serial_or_number)
    today = today or date.today()
    start, end = (
        (unit.warranty_start, unit.warranty_end)
        if unit
        else (number.warranty_start, number.warranty_end)
    )
    earlier = _earlier_repairs(unit, number)
    decision = warranty.decide(
        sold_on=start, end=end, today=today, earlier_repairs=earlier, damage=damage
    )
    owner = unit if unit else number
    customer = owner.customer if owner.customer_id else None
    return ClaimSummary(
        code=unit.serial if unit else number.number,
        product=owner.product.name,
        customer=f"{customer.name} {customer.phone}".strip() if customer else "",
        state=UnitState(unit.state).label if unit else f"warranty number {number.state}",
        sold_on=start,
        warranty_end=end,
        days_left=warranty.days_left(end, today),
        earlier_repairs=earlier,
        covered=decision.covered,
        reason=decision.reason,
    )


def intake(
    ctx: Context,
    serial_or_number: str,
    *,
    complaint: str,
    intake_condition: str = "",
    accessories: str = "",
    technician: str | None = None,
    damage: bool = False,
) -> TicketView:
    """Take a customer's unit in for repair: it is in our custody until collected."""
    ctx.require(Action.REPAIR)
    if not complaint.strip():
        raise Refused("Write down the customer's complaint.")
    with write_transaction():
        unit, number = _claim(serial_or_number)
        tech_id = _technician(technician)
        earlier = _earlier_repairs(unit, number)
        start, end = (
            (unit.warranty_start, unit.warranty_end)
            if unit
            else (number.warranty_start, number.warranty_end)
        )
        decision = warranty.decide(
            sold_on=start, end=end, today=ctx.today(), earlier_repairs=earlier, damage=damage
        )
        customer = unit.customer_id if unit else number.customer_id
        doc = new_document(Kind.REPAIR, ctx, customer=customer, status="open")
        if unit is not None:
            if unit.state != UnitState.SOLD:
                raise Refused(
                    why_not_in_stock_here(unit, ctx)
                    if unit.state != UnitState.IN_STOCK
                    else f"{unit.serial} is in stock, not a customer's unit."
                )
            move_unit(
                unit,
                Event.REPAIR_INTAKE,
                UnitState.IN_SERVICE,
                ctx,
                doc,
                note=complaint.strip()[:200],
                branch=ctx.branch_id,
            )
        ticket = RepairTicket.create(
            document=doc,
            unit=unit.id if unit else None,
            warranty_number=number.id if number else None,
            product=unit.product_id if unit else number.product_id,
            complaint=complaint.strip(),
            intake_condition=intake_condition.strip(),
            accessories=accessories.strip(),
            technician=tech_id,
            covered=decision.covered,
            decision_reason=decision.reason,
        )
        if unit is not None:
            totals.note_repair(unit.id, ticket.id)
            if decision.covered:
                note_came_back(unit.id, ctx.today())
        RepairStatusChange.create(
            ticket=ticket,
            from_status=None,
            to_status=RepairStatus.RECEIVED,
            employee=ctx.employee_id,
            at=ctx.now(),
            note="intake",
        )
        return ticket_view(doc_number(Kind.REPAIR, doc.id))


def change_status(
    ctx: Context,
    number: str,
    new_status: str,
    *,
    note: str = "",
    diagnosis: str | None = None,
    technician: str | None = None,
    quality_check: str | None = None,
) -> TicketView:
    ctx.require(Action.REPAIR)
    try:
        new = RepairStatus(new_status)
    except ValueError:
        raise Refused(f"Unknown repair status '{new_status}'.") from None
    with write_transaction():
        ticket = _ticket(number)
        check_status_change(RepairStatus(ticket.status), new)
        RepairStatusChange.create(
            ticket=ticket,
            from_status=ticket.status,
            to_status=new.value,
            employee=ctx.employee_id,
            at=ctx.now(),
            note=note.strip(),
        )
        ticket.status = new.value
        if diagnosis is not None:
            ticket.diagnosis = diagnosis.strip()
        if quality_check is not None:
            ticket.quality_check = quality_check.strip()
        if technician is not None:
            ticket.technician = _technician(technician)
        ticket.save()
    return ticket_view(number)


def add_part(
    ctx: Context, number: str, description: str, *, quantity: int = 1, cost: Decimal | str = "0"
) -> TicketView:
    ctx.require(Action.REPAIR)
    if not description.strip():
        raise Refused("Name the part used.")
    if quantity < 1:
        raise Refused("The quantity of parts is at least 1.")
    with write_transaction():
        ticket = _ticket(number)
        if ticket.status == RepairStatus.COLLECTED:
            raise Refused("This ticket is closed.")
        part = RepairPart.create(
            ticket=ticket,
            description=description.strip()[:200],
            quantity=quantity,
            cost=to_money(cost, what="part cost"),
            employee=ctx.employee_id,
            at=ctx.now(),
        )
        totals.add_parts(ticket, ticket.document, part)
    return ticket_view(number)


def collect(ctx: Context, number: str, *, outcome: str) -> TicketView:
    """Hand the unit back to the customer and close the ticket."""
    ctx.require(Action.REPAIR)
    if not outcome.strip():
        raise Refused("Write down the outcome (repaired, no fault found, ...).")
    with write_transaction():
        ticket = _ticket(number)
        if ticket.status == RepairStatus.COLLECTED:
            raise Refused("This unit was already collected.")
        doc = ticket.document
        if ticket.unit_id is not None:
            unit = Unit.get_by_id(ticket.unit_id)
            move_unit(
                unit, Event.REPAIR_COLLECT, UnitState.SOLD, ctx, doc, note=outcome.strip()[:200]
            )
        _close(ctx, ticket, outcome.strip())
    return ticket_view(number)


def replace(
    ctx: Context,
    old_serial: str,
    new_serial: str,
    *,
    ticket: str | None = None,
    note: str = "",
) -> ReplacementResult:
    """Replace a customer's unit under warranty with a new one from stock here.

    The old unit becomes 'replaced', the new one is sold to the same customer,
    linked to the old, and carries the old unit's warranty over.
    """
    ctx.require(Action.REPLACE)
    with write_transaction():
        old_scan = scan_of(old_serial)
        old = pick_unit(
            old_scan.serial,
            product_of_scan(old_scan, None),
            prefer=[UnitState.IN_SERVICE, UnitState.SOLD],
        )
        new_scan = scan_of(new_serial)
        new = pick_unit(
            new_scan.serial, product_of_scan(new_scan, None), prefer=[UnitState.IN_STOCK]
        )
        if old.id == new.id:
            raise Refused("The replacement must be another unit.")
        if old.state not in (UnitState.IN_SERVICE, UnitState.SOLD):
            raise Refused(
                f"{old.serial} is {UnitState(old.state).label}: only a customer's unit is replaced."
            )
        if new.state != UnitState.IN_STOCK or new.branch_id != ctx.branch_id:
            raise Refused(why_not_in_stock_here(new, ctx))
        kit_moves.refuse_kit_replacement(old, new)
        ticket_row = _ticket(ticket) if ticket else _open_ticket_of(old.id)
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
            note=f"replaces {old.serial}",
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
            _close(ctx, ticket_row, f"replaced by {new.serial}")
        customer = old.customer.name if old.customer_id else ""
        return ReplacementResult(
            doc_number(Kind.REPLACEMENT, doc.id), old.serial, new.serial, customer, old.warranty_end
        )


def ticket_view(number: str) -> TicketView:
    ticket = _ticket(number)
    doc = ticket.document
    changes = [
        (c.at, c.from_status, c.to_status, c.employee.name, c.note)
        for c in ticket.status_changes.order_by(RepairStatusChange.id)
    ]
    parts = [(p.description, p.quantity, p.cost) for p in ticket.parts.order_by(RepairPart.id)]
    return TicketView(
        number=doc_number(Kind.REPAIR, doc.id),
        status=ticket.status,
        serial=ticket.unit.serial if ticket.unit_id else "",
        warranty_number=ticket.warranty_number.number if ticket.warranty_number_id else "",
        product=ticket.product.name,
        customer=doc.customer.name if doc.customer_id else "",
        complaint=ticket.complaint,
        intake_condition=ticket.intake_condition,
        accessories=ticket.accessories,
        technician=ticket.technician.name if ticket.technician_id else "",
        covered=ticket.covered,
        decision_reason=ticket.decision_reason,
        diagnosis=ticket.diagnosis,
        outcome=ticket.outcome,
        opened=doc.created_at,
        parts=parts,
        changes=changes,
    )


def open_tickets(branch_id: int | None = None) -> list[TicketView]:
    query = (
        RepairTicket.select(RepairTicket, Document)
        .join(Document)
        .where(RepairTicket.status != RepairStatus.COLLECTED)
        .order_by(Document.id)
    )
    if branch_id is not None:
        query = query.where(Document.branch == branch_id)
    return [ticket_view(doc_number(Kind.REPAIR, t.document_id)) for t in query]


def _close(ctx: Context, ticket: RepairTicket, outcome: str) -> None:
    RepairStatusChange.create(
        ticket=ticket,
        from_status=ticket.status,
        to_status=RepairStatus.COLLECTED.value,
        employee=ctx.employee_id,
        at=ctx.now(),
        note=outcome,
    )
    ticket.status = RepairStatus.COLLECTED.value
    ticket.outcome = outcome
    ticket.collected_at = ctx.now()
    ticket.save()
    doc = ticket.document
    doc.status = "closed"
    doc.closed_at = ctx.now()
    doc.save()


def _open_ticket_of(unit_id: int) -> RepairTicket | None:
    """The unit's open repair ticket: a replacement closes it, or it could never close."""
    return (
        RepairTicket.select()
        .where(RepairTicket.unit == unit_id, RepairTicket.status != RepairStatus.COLLECTED)
        .order_by(RepairTicket.id.desc())
        .first()
    )


def _ticket(number: str) -> RepairTicket:
    doc = get_document(number, Kind.REPAIR)
    return RepairTicket.get(RepairTicket.document == doc.id)


def _claim(text: str) -> tuple[Unit | None, WarrantyNumber | None]:
    """A claim is a serial, or a warranty number for goods sold without serials."""
    candidate = text.strip().upper()
    number = WarrantyNumber.get_or_none(WarrantyNumber.number == candidate)
    if number is not None:
        if number.state != "active":
            raise Refused(f"Warranty {number.number} was {number.state}.")
        return None, number
    scan = scan_of(text)
    if scan.serial is None:
        raise Refused("That is a product barcode: scan the unit's serial or warranty number.")
    unit = pick_unit(
        scan.serial, product_of_scan(scan, None), prefer=[UnitState.SOLD, UnitState.IN_SERVICE]
    )
    return unit, None


def _earlier_repairs(unit: Unit | None, number: WarrantyNumber | None) -> int:
    if unit is not None:
        return RepairTicket.select().where(RepairTicket.unit == unit.id).count()
    return RepairTicket.select().where(RepairTicket.warranty_number == number.id).count()


def _technician(login: str | None) -> int | None:
    if not login:
        return None
    tech = Employee.get_or_none(Employee.login == login.strip().lower())
    if tech is None:
        raise NotFound(f"No employee with login '{login}'.")
    if Role(tech.role) not in (Role.TECHNICIAN, Role.MANAGER):
        raise Refused(f"{tech.name} is not a technician.")
    return tech.id
