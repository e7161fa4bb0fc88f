"""The replacement chain as ``app/services/counter/replacement_chain.py`` read it before
it became one statement (three Peewee queries a link), kept as the oracle the new one is
compared with on every shape of chain (``tests/test_hostile_review_20.py``)."""

from __future__ import annotations

from app.domain.states import Event
from app.services.counter.replacement_chain import ChainClaim, ReplacedUnit
from app.services.ledger.documents import Kind, doc_number
from db.models import Document, Product, RepairTicket, Unit, UnitEvent


def replaced_units(unit: Unit) -> list[ReplacedUnit]:
    """Every unit ``unit`` replaced, transitively, the one it replaced directly first."""
    chain: list[ReplacedUnit] = []
    seen = {unit.id}
    current = unit
    while current.replaces_id is not None and current.replaces_id not in seen:
        older = (
            Unit.select(Unit, Product)
            .join(Product)
            .where(Unit.id == current.replaces_id)
            .get_or_none()
        )
        if older is None:
            break
        seen.add(older.id)
        swap = _swap_document(current.id)
        chain.append(
            ReplacedUnit(
                serial=older.serial,
                sku=older.product.sku,
                product=older.product.name,
                replaced_on=swap.business_date if swap else None,
                replacement=doc_number(Kind.REPLACEMENT, swap.id) if swap else "",
                replaced_by=current.serial,
                claims=claims_on(older.id),
                without_ticket=swap is not None and swap.related_id is None,
            )
        )
        current = older
    return chain


def claims_on(unit_id: int) -> list[ChainClaim]:
    """The repair tickets of one unit, oldest first."""
    rows = (
        RepairTicket.select(RepairTicket, Document)
        .join(Document)
        .where(RepairTicket.unit == unit_id)
        .order_by(Document.id)
    )
    return [
        ChainClaim(
            doc_number(Kind.REPAIR, t.document_id),
            t.document.business_date,
            t.status,
            t.complaint,
            t.covered,
            t.outcome,
        )
        for t in rows
    ]


def _swap_document(unit_id: int) -> Document | None:
    """The replacement document that issued this unit in place of the one it replaces."""
    event = (
        UnitEvent.select(UnitEvent, Document)
        .join(Document)
        .where(UnitEvent.unit == unit_id, UnitEvent.event == Event.REPLACEMENT_ISSUED)
        .order_by(UnitEvent.id.desc())
        .first()
    )
    return event.document if event is not None else None
