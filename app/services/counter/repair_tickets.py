"""Repair tickets as records: finding one, how it reads (parts and status history), the
open list, and closing it (when the unit is collected, or replaced under warranty)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

from app.domain.repairs import RepairStatus, check_collection, next_statuses
from app.services.access.context import Context
from app.services.ledger.documents import Kind, doc_number, get_document
from db.models import Document, RepairPart, RepairStatusChange, RepairTicket


class StatusChange(NamedTuple):
    """One step of a ticket's status history (``from_status`` is None at intake)."""

    at: datetime
    from_status: str | None
    to_status: str
    employee: str
    note: str


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
    changes: list[StatusChange] = field(default_factory=list)
    # Where the ticket may go next (the transition table); none once it is closed.
    next_statuses: list[str] = field(default_factory=list)

    @property
    def closed(self) -> bool:
        return self.status == RepairStatus.COLLECTED


def ticket_view(number: str) -> TicketView:
    ticket = find_ticket(number)
    doc = ticket.document
    changes = [
        StatusChange(c.at, c.from_status, c.to_status, c.employee.name, c.note)
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
        next_statuses=[s.value for s in next_statuses(RepairStatus(ticket.status))],
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


def find_ticket(number: str) -> RepairTicket:
    doc = get_document(number, Kind.REPAIR)
    return RepairTicket.get(RepairTicket.document == doc.id)


def close_ticket(ctx: Context, ticket: RepairTicket, outcome: str) -> None:
    check_collection(RepairStatus(ticket.status), outcome)
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
