"""A unit's passport: everything about one serial, and its whole time-ordered history.

Read in two indexed statements whatever the size of the ledger (passport_queries.py):
the unit by its serial, then everything else about it as one UNION ALL (on PostgreSQL
each statement is a round trip). Their SQL is built once per kind of database, prepared.
A unit issued as a warranty replacement also reads the chain of units it replaced
(replacement_chain.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from app.domain import warranty
from app.domain.states import KIT_EVENTS, Event, UnitState
from app.services.counter.passport_queries import (
    HISTORY,
    LINE,
    REPAIR,
    REPLACED_BY,
    REPLACES,
    details,
    run_query,
    unit_query,
)
from app.services.counter.replacement_chain import ReplacedUnit, replaced_units
from app.services.kits.assembly import KitLink, KitPartView, kit_of_component, parts_of_kit
from app.services.ledger.documents import Kind, doc_number
from app.services.ledger.product_settings import settings_of
from app.services.ledger.units import normalize, pick_unit
from db.models import Product, Unit


@dataclass
class HistoryRow:
    at: datetime
    event: str
    from_state: str | None
    to_state: str
    branch: str
    employee: str
    document: str | None
    note: str
    approved_by: str = ""


@dataclass
class DocRef:
    """A document as the passport shows it."""

    number: str
    kind: str
    date: date
    branch: str
    employee: str
    customer: str = ""
    supplier: str = ""
    to_branch: str = ""
    price: Decimal | None = None
    cost: Decimal | None = None
    reference: str = ""
    condition: str = ""
    disposition: str = ""
    status: str = ""


@dataclass
class Passport:
    serial: str
    unit_id: int
    sku: str
    product: str
    product_type: str
    tracking_mode: str
    state: str
    state_label: str
    branch: str
    customer: str
    customer_phone: str
    supplier: str
    cost: Decimal | None
    flag: str
    warranty_start: date | None
    warranty_end: date | None
    warranty_days_left: int
    warranty_active: bool
    receipt: DocRef | None
    sale: DocRef | None
    returns: list[DocRef] = field(default_factory=list)
    transfers: list[DocRef] = field(default_factory=list)
    repairs: list[DocRef] = field(default_factory=list)
    replaces: str | None = None
    replaced_by: list[str] = field(default_factory=list)
    # Every unit this one replaced, transitively (the one it replaced directly first),
    # with the claims made on each: the whole story of a repeat defect.
    chain: list[ReplacedUnit] = field(default_factory=list)
    history: list[HistoryRow] = field(default_factory=list)
    # Kits: the kit this unit went into, or (for a kit's own unit) its exact parts.
    kit: KitLink | None = None
    # Whether a customer holds the unit (sold, or in our service for them): only then
    # does a warranty run for it.
    warranty_held: bool = True
    kit_parts: list[KitPartView] = field(default_factory=list)


def passport(serial: str, *, product: str | None = None, today: date | None = None) -> Passport:
    """Everything about the unit with this serial (say the product if several units share it)."""
    from app.services.ledger.lookups import find_product

    text = normalize(serial)
    wanted = find_product(product) if product else None
    unit = _load_unit(text, wanted)
    return build_passport(unit, today or date.today())


def _load_unit(serial: str, product: Product | None) -> Unit:
    if product is None:
        units = run_query("unit", unit_query, serial)
    else:
        units = list(unit_query(serial).where(Unit.product == product.id))
    if len(units) == 1:
        return units[0]
    # Several units share a serial (warranty mode, or two makers): pick_unit explains.
    return pick_unit(
        serial, product, prefer=[s for s in UnitState if s != UnitState.RETURNED_TO_SUPPLIER]
    )


def build_passport(unit: Unit, today: date) -> Passport:
    settings = settings_of(unit.product, unit.product.type)
    parts = details(unit.id)
    history, docs = _history(parts.get(HISTORY, ()))
    lines = {row[10]: row[20:24] for row in parts.get(LINE, ())}
    for doc_id, ref in docs.items():
        if doc_id in lines:
            price, cost, condition, disposition = lines[doc_id]
            ref.price, ref.cost = price, cost
            ref.condition, ref.disposition = condition, disposition

    by_kind: dict[str, list[DocRef]] = {}
    for ref in docs.values():
        by_kind.setdefault(ref.kind, []).append(ref)
    receipts = by_kind.get(Kind.RECEIPT, [])
    # A replacement is this unit's sale only if it was issued on it, not if it was replaced.
    issued = {h.document for h in history if h.event == Event.REPLACEMENT_ISSUED}
    sales = [
        ref
        for ref in docs.values()
        if ref.kind == Kind.SALE or (ref.kind == Kind.REPLACEMENT and ref.number in issued)
    ]
    repairs = by_kind.get(Kind.REPAIR, [])
    if repairs:
        statuses = {doc_number(Kind.REPAIR, row[10]): row[14] for row in parts.get(REPAIR, ())}
        for ref in repairs:
            ref.status = statuses.get(ref.number, ref.status)
    replaced_by = [row[6] for row in parts.get(REPLACED_BY, ())]
    replaces = None
    if unit.replaces_id:
        replaces = next((row[6] for row in parts.get(REPLACES, ())), None)
        replaces = replaces or unit.replaces.serial
    end = unit.warranty_end
    owned = warranty.held_by_customer(unit.state)
    # Kit tables are read only for a unit whose history says it is a kit or a component.
    kit_events = {h.event for h in history} & KIT_EVENTS
    kit = kit_of_component(unit.id) if Event.INTO_KIT in kit_events else None
    parts = parts_of_kit(unit.id) if Event.KIT_ASSEMBLE in kit_events else []
    return Passport(
        serial=unit.serial,
        unit_id=unit.id,
        sku=unit.product.sku,
        product=unit.product.name,
        product_type=settings.type_name,
        tracking_mode=settings.mode.value,
        state=unit.state,
        state_label=UnitState(unit.state).label,
        branch=unit.branch.name if unit.branch_id else "",
        customer=unit.customer.name if unit.customer_id else "",
        customer_phone=unit.customer.phone if unit.customer_id else "",
        supplier=unit.supplier.name if unit.supplier_id else "",
        cost=unit.cost,
        flag=unit.flag,
        warranty_start=unit.warranty_start,
        warranty_end=end,
        warranty_days_left=warranty.days_left(end, today) if owned else 0,
        warranty_active=owned and warranty.is_active(end, today),
        warranty_held=owned,
        receipt=receipts[-1] if receipts else None,
        sale=sales[-1] if sales else None,
        returns=by_kind.get(Kind.RETURN, []),
        transfers=by_kind.get(Kind.TRANSFER, []),
        repairs=repairs,
        replaces=replaces,
        replaced_by=replaced_by,
        chain=replaced_units(unit) if unit.replaces_id else [],
        history=history,
        kit=kit,
        kit_parts=parts,
    )


def _history(rows) -> tuple[list[HistoryRow], dict[int, DocRef]]:
    """The unit's events in order, and the documents they belong to (the history rows of
    ``details``, each joined to its document)."""
    history: list[HistoryRow] = []
    docs: dict[int, DocRef] = {}
    for (
        _tag,
        _sort,
        at,
        event,
        from_state,
        to_state,
        note,
        branch,
        employee,
        approver,
        doc_id,
        kind,
        business_date,
        reference,
        status,
        doc_branch,
        to_branch,
        doc_employee,
        customer,
        supplier,
        *_line,
    ) in rows:
        number = doc_number(kind, doc_id) if doc_id else None
        history.append(
            HistoryRow(
                at,
                event,
                from_state,
                to_state,
                branch or "",
                employee,
                number,
                note,
                approver or "",
            )
        )
        if doc_id and doc_id not in docs:
            docs[doc_id] = DocRef(
                number,
                kind,
                business_date,
                doc_branch or "",
                doc_employee or "",
                customer=customer or "",
                supplier=supplier or "",
                to_branch=to_branch or "",
                reference=reference,
                status=status,
            )
    return history, docs
