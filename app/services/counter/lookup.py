"""A unit looked up by any code it carries: the one resolver behind the passport, at the
counter and on the command line.

A code may be a serial, an IMEI printed with spaces or dashes, a MEID or ESN in any of its
forms, a GS1 string (GTIN + serial), the warranty number of goods sold without serials,
the claim code printed on a warranty card, or a sale's number. The answer names which it
was and what it found: one unit's passport, the units to choose from when a serial is on
several, a warranty number, or a sale with its lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum

from app.domain import warranty
from app.domain.errors import InvalidSerial, NotFound, Refused
from app.domain.meid import meid_or_none
from app.domain.serials import ScanKind, imei_as_printed, plain_text
from app.domain.states import UnitState
from app.services.counter.passport import Passport, build_passport
from app.services.counter.passport_queries import run_query, unit_query, units_query
from app.services.ledger.documents import Kind, doc_number, get_document
from app.services.ledger.lookups import find_product, scan_of
from app.services.ledger.product_settings import settings_of
from db.models import Document, DocumentLine, PrintJob, Product, RepairTicket, Unit, WarrantyNumber


class CodeKind(StrEnum):
    """What a looked-up code turned out to be."""

    SERIAL = "serial"
    IMEI = "imei"
    MEID = "meid"
    GS1 = "gs1"
    WARRANTY_NUMBER = "warranty_number"
    CLAIM_CODE = "claim_code"
    SALE = "sale"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    CodeKind.SERIAL: "serial",
    CodeKind.IMEI: "IMEI",
    CodeKind.MEID: "MEID/ESN",
    CodeKind.GS1: "GS1 code",
    CodeKind.WARRANTY_NUMBER: "warranty number",
    CodeKind.CLAIM_CODE: "warranty card's claim code",
    CodeKind.SALE: "sale number",
}


@dataclass
class UnitChoice:
    """One of the units a code is on, to choose from."""

    unit_id: int
    serial: str
    sku: str
    product: str
    state: str
    state_label: str


@dataclass
class WarrantyView:
    """A warranty number of goods sold without serials, as the passport shows it."""

    number: str
    sku: str
    product: str
    state: str
    sale: str
    sale_line: int
    sold_on: date
    customer: str
    warranty_start: date
    warranty_end: date | None
    warranty_days_left: int
    warranty_active: bool
    repairs: list[str] = field(default_factory=list)


@dataclass
class SaleLineView:
    """A line of a sale; ``unit_id`` leads to the unit's passport."""

    line_id: int
    sku: str
    product: str
    serial: str
    quantity: int
    returned: int
    price: Decimal
    unit_id: int | None
    warranty_numbers: list[str] = field(default_factory=list)


@dataclass
class SaleLookup:
    number: str
    date: date
    branch: str
    customer: str
    lines: list[SaleLineView]


@dataclass
class Resolved:
    """What a code is and what it names: a unit's passport, units to choose from, a
    warranty number, or a sale (with the units its card was printed for, if a claim code)."""

    kind: CodeKind
    code: str
    passport: Passport | None = None
    choices: list[UnitChoice] = field(default_factory=list)
    warranty: WarrantyView | None = None
    sale: SaleLookup | None = None
    also: str = ""  # the code also names something else here (data from before the rules)

    @property
    def ambiguous(self) -> bool:
        return self.passport is None and len(self.choices) > 1


_DOC_NUMBER = re.compile(r"^([A-Z]{1,3})-(\d{1,12})$")


def resolve(code: str, *, product: str | None = None, today: date | None = None) -> Resolved:
    """What ``code`` names, found by any code a unit carries (say ``product`` when two
    makers share a serial). NotFound when nothing in the shop carries it."""
    text = plain_text(code, "code").strip()
    if not text:
        raise InvalidSerial("The code is empty. Scan or type it again.")
    today = today or date.today()
    wanted = find_product(product) if product else None
    scan = scan_of(text)
    if scan.kind is ScanKind.PRODUCT and _units(text.upper(), wanted):
        # a unit whose serial is the digits of a product barcode (from before receiving
        # refused that): the unit, since a product barcode names no unit
        scan = replace(scan, kind=ScanKind.SERIAL, serial=text.upper())
    if scan.kind is ScanKind.PRODUCT:
        raise Refused(
            f"That is the product barcode of {find_product(scan.gtin).name}, not a unit's. "
            "Scan the serial, IMEI or warranty card."
        )
    if scan.kind is ScanKind.PRODUCT_AND_SERIAL:
        return _gs1(text, scan.gtin, scan.serial, wanted, today)
    serial = scan.serial
    units = _units(serial, wanted)  # the common case first: a serial exactly as stored
    if units:
        found = _of_units(_kind_of(units[0]), text, units, today)
        found.also = _also(serial)
        return found
    number = WarrantyNumber.get_or_none(WarrantyNumber.number == serial)
    if number is not None:
        return Resolved(CodeKind.WARRANTY_NUMBER, text, warranty=warranty_view(number, today))
    match = _DOC_NUMBER.match(serial)
    if match and match.group(1) == "S":
        return _sale(text, serial, wanted, today)
    imei = imei_as_printed(serial)  # 35-209011-120007-2, as on the box
    units = _units(imei, wanted) if imei else []
    if units:
        return _of_units(CodeKind.IMEI, text, units, today)
    stored = meid_or_none(serial)  # a MEID in decimal, or with its check digit
    if stored is not None and stored != serial:
        units = [u for u in _units(stored, wanted) if _kind_of(u) is CodeKind.MEID]
        if units:
            return _of_units(CodeKind.MEID, text, units, today)
    of = f" of {wanted.sku}" if wanted else ""
    raise NotFound(f"No unit{of}, warranty number or sale carries {serial} in this shop.")


def _also(serial: str) -> str:
    """What else a unit's serial names here: a warranty number, or a sale's number. Serials
    of that form are refused now (``taken_by_other_codes``), but older data may hold them."""
    other = ""
    if WarrantyNumber.select().where(WarrantyNumber.number == serial).exists():
        other = "a warranty number"
    elif (match := _DOC_NUMBER.match(serial)) and match.group(1) == "S":
        sale = Document.get_or_none(Document.id == int(match.group(2)))
        other = "a sale's number" if sale is not None and sale.kind == Kind.SALE else ""
    if not other:
        return ""
    return (
        f"{serial} is also {other} in this shop; this is the unit with that serial. "
        "Look the other up by its own card or receipt."
    )


def unit_passport(unit_id: int, today: date | None = None) -> Passport:
    """The passport of one unit chosen from a list (by its id, so never ambiguous)."""
    unit = units_query().where(Unit.id == unit_id).first()
    if unit is None:
        raise NotFound("That unit is no longer in the ledger.")
    return build_passport(unit, today or date.today())


def _units(serial: str, product: Product | None) -> list[Unit]:
    if product is None:
        return run_query("unit", unit_query, serial)
    return list(unit_query(serial).where(Unit.product == product.id))


def _kind_of(unit: Unit) -> CodeKind:
    check = settings_of(unit.product, unit.product.type).rule.check.value
    return {"imei": CodeKind.IMEI, "meid": CodeKind.MEID}.get(check, CodeKind.SERIAL)


def _of_units(kind: CodeKind, code: str, units: list[Unit], today: date) -> Resolved:
    """One unit's passport; of several, the one not back with its supplier, else a choice."""
    if len(units) > 1:
        live = [u for u in units if u.state != UnitState.RETURNED_TO_SUPPLIER]
        units = live if len(live) == 1 else units
    if len(units) == 1:
        return Resolved(kind, code, passport=build_passport(units[0], today))
    return Resolved(kind, code, choices=[_choice(u) for u in units])


def _choice(unit: Unit) -> UnitChoice:
    state = UnitState(unit.state)
    return UnitChoice(
        unit.id, unit.serial, unit.product.sku, unit.product.name, state.value, state.label
    )


def _gs1(code: str, gtin: str, serial: str, wanted: Product | None, today: date) -> Resolved:
    product = Product.get_or_none(Product.gtin == gtin)
    if product is None:
        raise NotFound(f"The GS1 code names GTIN {gtin}, which is no product of this shop.")
    if wanted is not None and wanted.id != product.id:
        raise Refused(f"The GS1 code is for {product.name}, not {wanted.name}.")
    units = _units(serial, product)
    if not units:
        raise NotFound(f"No {product.name} with serial {serial} is known to this shop.")
    return _of_units(CodeKind.GS1, code, units, today)


def _sale(code: str, number: str, wanted: Product | None, today: date) -> Resolved:
    """A sale's lines; if its cards were printed with this code (a card that hides the
    serial carries the sale's number), the units those cards were for."""
    doc = get_document(number, Kind.SALE)
    carded = [
        unit_id
        for (unit_id,) in PrintJob.select(PrintJob.unit)
        .where(
            PrintJob.claim_code == number, PrintJob.document == doc.id, PrintJob.unit.is_null(False)
        )
        .distinct()
        .tuples()
    ]
    found = Resolved(CodeKind.CLAIM_CODE if carded else CodeKind.SALE, code, sale=sale_lookup(doc))
    if carded:
        query = units_query().where(Unit.id.in_(carded))
        if wanted is not None:
            query = query.where(Unit.product == wanted.id)
        units = list(query.order_by(Unit.id))
        if len(units) == 1:
            found.passport = build_passport(units[0], today)
        else:
            found.choices = [_choice(u) for u in units]
    return found


def sale_lookup(doc: Document) -> SaleLookup:
    """A sale with its lines, each with its unit (for the passport) and warranty numbers."""
    numbers: dict[int, list[str]] = {}
    for line_id, number in (
        WarrantyNumber.select(WarrantyNumber.sale_line, WarrantyNumber.number)
        .join(DocumentLine)
        .where(DocumentLine.document == doc.id)
        .order_by(WarrantyNumber.id)
        .tuples()
    ):
        numbers.setdefault(line_id, []).append(number)
    lines = [
        SaleLineView(
            line.id,
            line.product.sku,
            line.product.name,
            line.serial,
            line.quantity,
            line.returned_quantity,
            line.price,
            line.unit_id,
            numbers.get(line.id, []),
        )
        for line in DocumentLine.select(DocumentLine, Product)
        .join(Product)
        .where(DocumentLine.document == doc.id)
        .order_by(DocumentLine.id)
    ]
    return SaleLookup(
        doc_number(Kind.SALE, doc.id),
        doc.business_date,
        doc.branch.name,
        doc.customer.name if doc.customer_id else "",
        lines,
    )


def warranty_view(number: WarrantyNumber, today: date) -> WarrantyView:
    """A warranty number with its product, sale, customer, dates and repair tickets."""
    line = number.sale_line
    end = number.warranty_end
    active = number.state == "active"
    repairs = [
        f"{doc_number(Kind.REPAIR, doc_id)} ({status})"
        for doc_id, status in RepairTicket.select(RepairTicket.document, RepairTicket.status)
        .where(RepairTicket.warranty_number == number.id)
        .order_by(RepairTicket.id)
        .tuples()
    ]
    return WarrantyView(
        number.number,
        number.product.sku,
        number.product.name,
        number.state,
        doc_number(line.document.kind, line.document_id),  # OB-n: sold before moving in
        line.id,
        line.document.business_date,
        number.customer.name if number.customer_id else "",
        number.warranty_start,
        end,
        warranty.days_left(end, today) if active else 0,
        active and warranty.is_active(end, today),
        repairs,
    )
