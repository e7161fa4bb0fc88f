"""Repair tickets at the counter: the warranty decision, intake, status, parts, collection."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from app.domain import warranty
from app.domain.errors import NotFound, Refused
from app.domain.money import to_money
from app.domain.repairs import RepairStatus, check_status_change
from app.domain.roles import Action, Role
from app.domain.states import Event, UnitState
from app.domain.text import free_text
from app.services.access.context import Context
from app.services.counter.repair_tickets import (
    TicketView,
    close_ticket,
    find_ticket,
    ticket_view,
)
from app.services.counter.replacement_chain import replaced_units
from app.services.ledger import totals
from app.services.ledger.documents import Kind, doc_number, new_document
from app.services.ledger.lookups import product_of_scan, scan_of
from app.services.ledger.moves import move_unit
from app.services.ledger.totals import note_came_back
from app.services.ledger.units import pick_unit, why_not_in_stock_here
from app.services.transaction import write_transaction
from db.models import (
    Employee,
    RepairPart,
    RepairStatusChange,
    RepairTicket,
    Unit,
    WarrantyNumber,
)


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
    earlier_repairs: int  # claims on this unit and on every unit it replaced
    covered: bool
    reason: str
    # The units this one replaced under warranty (nearest first), and their claims.
    replaced: list[str] = field(default_factory=list)
    earlier_on_replaced: int = 0


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
    earlier = _earlier_claims(unit, number)
    decision = warranty.decide(
        sold_on=start, end=end, today=today, earlier_repairs=earlier.count, damage=damage
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
        earlier_repairs=earlier.count,
        covered=decision.covered,
        reason=earlier.explain(decision.reason),
        replaced=earlier.replaced,
        earlier_on_replaced=earlier.on_replaced,
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
    complaint = free_text(complaint, "complaint", lines=True)
    intake_condition = free_text(intake_condition, "condition", lines=True)
    accessories = free_text(accessories, "accessories list")
    if not complaint.strip():
        raise Refused("Write down the customer's complaint.")
    with write_transaction(ctx):
        unit, number = _claim(serial_or_number)
        tech_id = _technician(technician)
        earlier = _earlier_claims(unit, number)
        start, end = (
            (unit.warranty_start, unit.warranty_end)
            if unit
            else (number.warranty_start, number.warranty_end)
        )
        decision = warranty.decide(
            sold_on=start, end=end, today=ctx.today(), earlier_repairs=earlier.count, damage=damage
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
            decision_reason=earlier.explain(decision.reason),
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
    note = free_text(note, "note", lines=True)
    if diagnosis is not None:
        diagnosis = free_text(diagnosis, "diagnosis", lines=True)
    if quality_check is not None:
        quality_check = free_text(quality_check, "quality check", lines=True)
    try:
        new = RepairStatus(new_status)
    except ValueError:
        raise Refused(f"Unknown repair status '{new_status}'.") from None
    with write_transaction(ctx):
        ticket = find_ticket(number)
        current = ticket.status
        check_status_change(RepairStatus(current), new)
        # Conditional on the status read: a seat that moved the ticket first wins.
        moved = (
            RepairTicket.update(status=new.value)
            .where(RepairTicket.id == ticket.id, RepairTicket.status == current)
            .execute()
        )
        if moved != 1:
            raise Refused(f"{number} was moved on at another seat just now: open it again.")
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
    description = free_text(description, "part description", limit=200)
    if not description.strip():
        raise Refused("Name the part used.")
    if quantity < 1:
        raise Refused("The quantity of parts is at least 1.")
    with write_transaction(ctx):
        ticket = find_ticket(number)
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
    outcome = free_text(outcome, "outcome", lines=True)
    if not outcome.strip():
        raise Refused("Write down the outcome (repaired, no fault found, ...).")
    with write_transaction(ctx):
        ticket = find_ticket(number)
        if ticket.status == RepairStatus.COLLECTED:
            raise Refused("This unit was already collected.")
        doc = ticket.document
        if ticket.unit_id is not None:
            unit = Unit.get_by_id(ticket.unit_id)
            move_unit(
                unit, Event.REPAIR_COLLECT, UnitState.SOLD, ctx, doc, note=outcome.strip()[:200]
            )
        close_ticket(ctx, ticket, outcome.strip())
    return ticket_view(number)


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


@dataclass
class _EarlierClaims:
    count: int  # all earlier claims, on the unit and on the units it replaced
    on_replaced: int = 0
    replaced: list[str] = field(default_factory=list)

    def explain(self, reason: str) -> str:
        """The decision's reason, saying which earlier claims were on replaced units."""
        if not self.on_replaced:
            return reason
        return (
            f"{reason} {self.on_replaced} earlier claim(s) on the unit(s) it replaced: "
            f"{', '.join(self.replaced)}."
        )


def _earlier_claims(unit: Unit | None, number: WarrantyNumber | None) -> _EarlierClaims:
    """Earlier claims: the unit's repair tickets, and those of every unit it replaced under
    warranty (a replacement made without a ticket counts as a claim too)."""
    if unit is None:
        own = RepairTicket.select().where(RepairTicket.warranty_number == number.id).count()
        return _EarlierClaims(own)
    own = RepairTicket.select().where(RepairTicket.unit == unit.id).count()
    chain = replaced_units(unit) if unit.replaces_id else []
    on_replaced = sum(link.claim_count for link in chain)
    return _EarlierClaims(own + on_replaced, on_replaced, [link.serial for link in chain])


def _technician(login: str | None) -> int | None:
    if not login:
        return None
    tech = Employee.get_or_none(Employee.login == login.strip().lower())
    if tech is None:
        raise NotFound(f"No employee with login '{login}'.")
    if Role(tech.role) not in (Role.TECHNICIAN, Role.MANAGER):
        raise Refused(f"{tech.name} is not a technician.")
    return tech.id
