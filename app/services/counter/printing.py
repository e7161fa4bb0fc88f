"""Warranty cards: built from a sale, queued for the printer, reprinted from the passport.

A card is rendered to text when queued, so a later change of template never
alters a card already owed to a customer. The device layer prints queued jobs.

The queue is kept per seat, by the seat's name (each seat's printer prints its own);
a seat renamed in its settings takes its waiting jobs with it (``adopt_queue``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from app.domain.cards import CardData, printable_card
from app.domain.errors import DomainError, NotFound, Refused
from app.domain.serials import CheckKind
from app.domain.states import UnitState
from app.services.access.context import Context
from app.services.counter.selling import SaleItem, SaleResult, sell
from app.services.ledger.documents import Kind, doc_number, get_document
from app.services.ledger.product_settings import settings_of
from app.services.ledger.units import normalize, pick_unit
from app.services.transaction import write_transaction
from db.models import Document, DocumentLine, PrintJob, Unit, WarrantyNumber


@dataclass
class Card:
    data: CardData
    text: str
    print_mode: str
    document_id: int
    unit_id: int | None


def cards_for_sale(number: str) -> list[Card]:
    """One card per unit (or per warranty number) on a sale that carries a warranty."""
    doc = get_document(number, Kind.SALE)
    cards = []
    for line in doc.lines.order_by(DocumentLine.id):
        settings = settings_of(line.product)
        if not settings.mode.has_warranty:
            continue
        numbers = [w.number for w in line.warranty_numbers.order_by(WarrantyNumber.id)]
        unit = line.unit if line.unit_id else None
        for code in numbers or [""]:
            data = _card_data(doc, line, unit, code)
            text = printable_card(data, settings.template)
            cards.append(Card(data, text, settings.print_mode.value, doc.id, line.unit_id))
    return cards


def card_for_serial(serial: str) -> Card:
    """The card of a unit as sold (or as replaced under warranty), for a reprint."""
    unit = pick_unit(normalize(serial), None, prefer=[UnitState.SOLD, UnitState.IN_SERVICE])
    if unit.warranty_end is None:
        raise Refused(f"{unit.serial} has no warranty on record, so there is no card to print.")
    line = (
        DocumentLine.select()
        .join(Document)
        .where(DocumentLine.unit == unit.id, Document.kind.in_([Kind.SALE, Kind.REPLACEMENT]))
        .order_by(DocumentLine.id.desc())
        .first()
    )
    if line is None:
        raise NotFound(f"{unit.serial} was never sold, so there is no card to print.")
    settings = settings_of(unit.product)
    data = _card_data(line.document, line, unit, "")
    return Card(
        data,
        printable_card(data, settings.template),
        settings.print_mode.value,
        line.document_id,
        unit.id,
    )


def queue(ctx: Context, card: Card, *, seat: str = "") -> int:
    """Put a card in the print queue; it stays there until a printer takes it."""
    with write_transaction(history=False):
        job = PrintJob.create(
            kind="card",
            document=card.document_id,
            unit=card.unit_id,
            claim_code=card.data.claim_code,
            text=card.text,
            seat=seat,
            created_at=ctx.now(),
        )
        return job.id


def queue_cards(ctx: Context, cards: list[Card], *, seat: str = "") -> list[int]:
    """Put several cards in the print queue at once (all or none)."""
    if not cards:
        return []  # no write lock taken for nothing
    with write_transaction(history=False):
        return [queue(ctx, card, seat=seat) for card in cards]


@dataclass
class Sold:
    """A sale saved, with its warranty cards: queued at once, or to offer."""

    sale: SaleResult
    queued: tuple[Card, ...] = ()
    offered: tuple[Card, ...] = ()
    card_refusal: str = ""


def sell_and_queue_cards(ctx: Context, items: list[SaleItem], seat: str, **sale) -> Sold:
    """Sell at the counter: the sale, then its cards, the automatic ones queued for ``seat``.

    Two transactions, the sale first: a card that cannot be queued (the database busy)
    does not undo the sale, so its refusal comes back with the sale, not instead of it.
    """
    result = sell(ctx, items, **sale)
    sold = Sold(result)
    try:
        cards = cards_for_sale(result.number)
        auto = [c for c in cards if c.print_mode == "auto"]
        queue_cards(ctx, auto, seat=seat)
    except DomainError as exc:
        sold.card_refusal = exc.message
        return sold
    sold.queued = tuple(auto)
    sold.offered = tuple(c for c in cards if c.print_mode == "offer")
    return sold


def queued_jobs(seat: str | None = None) -> list[PrintJob]:
    """Jobs waiting for a printer, oldest first: one seat's (each seat prints its own), or all."""
    query = PrintJob.select().where(PrintJob.status == "queued")
    if seat is not None:
        query = query.where(PrintJob.seat == seat)
    return list(query.order_by(PrintJob.id))


def adopt_queue(old_seat: str, new_seat: str, then: Callable[[], None] | None = None) -> int:
    """A seat renamed from ``old_seat`` to ``new_seat`` keeps the cards it still owes.

    Its waiting jobs move to the new name, in one transaction with ``then`` (saving the
    seat's file): if that fails, nothing moved. Printed jobs keep the name they printed
    under. Returns how many jobs moved.
    """
    # Keyed by name, not by a hidden seat id: a copied seat file would share an id, and
    # two seats printing one queue would print cards twice; so the queue follows the name.
    with write_transaction(history=False):
        moved = 0
        if old_seat != new_seat:
            moved = (
                PrintJob.update(seat=new_seat)
                .where(PrintJob.seat == old_seat, PrintJob.status == "queued")
                .execute()
            )
        if then is not None:
            then()
        return moved


def mark_printed(job_id: int, when: datetime | None = None) -> None:
    """Record that a job reached the printer; a job is printed once."""
    with write_transaction(history=False):
        PrintJob.update(
            status="printed", printed_at=when or datetime.now(UTC), last_error=""
        ).where(PrintJob.id == job_id, PrintJob.status == "queued").execute()


def mark_failed(job_id: int, error: str) -> None:
    """Keep the job queued, with what went wrong, for the next attempt."""
    with write_transaction(history=False):
        PrintJob.update(attempts=PrintJob.attempts + 1, last_error=error[:500]).where(
            PrintJob.id == job_id
        ).execute()


def _card_data(doc: Document, line: DocumentLine, unit: Unit | None, number: str) -> CardData:
    settings = settings_of(line.product)
    branch = doc.branch
    sale_number = doc_number(doc.kind, doc.id)
    start = unit.warranty_start if unit else doc.business_date
    end = unit.warranty_end if unit else None
    if number:
        end = WarrantyNumber.get(WarrantyNumber.number == number).warranty_end
    customer = doc.customer.name if doc.customer_id else ""
    return CardData(
        shop_name=branch.name,
        shop_address=branch.address,
        product=line.product.name,
        sku=line.product.sku,
        serial=unit.serial if unit else "",
        warranty_number=number,
        imei=settings.rule.check is CheckKind.IMEI,
        sale_number=sale_number,
        sale_date=start or doc.business_date,
        warranty_months=settings.warranty_months,
        warranty_end=end,
        customer=customer,
        mask_policy=settings.mask.value,
    )
