"""Shared steps of the use cases: effective product settings, look-ups, and moving a
unit with its history row. Every state change goes through ``move_unit``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import peewee as pw

from app.domain.errors import Ambiguous, NotFound, Refused
from app.domain.serials import (
    CheckKind,
    Scan,
    SerialRule,
    normalize_serial,
    plain_text,
    read_scan,
)
from app.domain.states import Event, UnitState, can_transition
from app.domain.tracking import MaskPolicy, PrintMode, TrackingMode
from app.services.context import Approver, Context
from db.database import db
from db.history import append_events
from db.models import (
    Branch,
    Customer,
    Document,
    Employee,
    Product,
    ProductType,
    StockLevel,
    Supplier,
    Unit,
    UnitEvent,
)


class Kind:
    """Document kinds and the prefixes of their numbers (S-42 is sale 42)."""

    RECEIPT = "receipt"
    SALE = "sale"
    RETURN = "return"
    TRANSFER = "transfer"
    SUPPLIER_RETURN = "supplier_return"
    ADJUSTMENT = "adjustment"
    STOCKTAKE = "stocktake"
    REPAIR = "repair"
    REPLACEMENT = "replacement"
    KIT_ASSEMBLY = "kit_assembly"
    KIT_DISASSEMBLY = "kit_disassembly"


PREFIX = {
    Kind.RECEIPT: "GR",
    Kind.SALE: "S",
    Kind.RETURN: "CR",
    Kind.TRANSFER: "T",
    Kind.SUPPLIER_RETURN: "RMA",
    Kind.ADJUSTMENT: "ADJ",
    Kind.STOCKTAKE: "ST",
    Kind.REPAIR: "R",
    Kind.REPLACEMENT: "WR",
    Kind.KIT_ASSEMBLY: "KA",
    Kind.KIT_DISASSEMBLY: "KD",
}
KIND_BY_PREFIX = {v: k for k, v in PREFIX.items()}


def doc_number(kind: str, doc_id: int) -> str:
    return f"{PREFIX[kind]}-{doc_id}"


def get_document(number: str, kind: str | None = None) -> Document:
    """The document with a number such as ``S-42``; refuse a wrong kind with the reason."""
    plain_text(number, "document number")
    text = number.strip().upper()
    prefix, _, digits = text.rpartition("-")
    if not digits.isdigit() or prefix not in KIND_BY_PREFIX:
        raise NotFound(f"'{number}' is not a document number (like S-42 or R-7).")
    doc = Document.get_or_none(Document.id == int(digits))
    if doc is None or doc.kind != KIND_BY_PREFIX[prefix]:
        raise NotFound(f"There is no document {text}.")
    if kind is not None and doc.kind != kind:
        raise Refused(f"{text} is a {doc.kind.replace('_', ' ')}, not a {kind.replace('_', ' ')}.")
    return doc


@dataclass(frozen=True)
class Settings:
    """A product's effective settings: its own overrides, else its type's."""

    mode: TrackingMode
    warranty_months: int
    rule: SerialRule
    print_mode: PrintMode
    mask: MaskPolicy
    template: str
    type_name: str


def settings_of(product: Product, ptype: ProductType | None = None) -> Settings:
    t = ptype or product.type
    return Settings(
        mode=TrackingMode(product.tracking_mode or t.tracking_mode),
        warranty_months=(
            product.warranty_months if product.warranty_months is not None else t.warranty_months
        ),
        rule=SerialRule(
            pattern=(
                product.serial_pattern if product.serial_pattern is not None else t.serial_pattern
            ),
            check=CheckKind(product.check_kind or t.check_kind),
        ),
        print_mode=PrintMode(t.print_mode),
        mask=MaskPolicy(t.mask_policy),
        template=t.card_template,
        type_name=t.name,
    )


def find_product(code: str) -> Product:
    """A product by SKU or GTIN (as typed or scanned)."""
    plain_text(code, "product code")
    text = code.strip()
    product = (
        Product.select(Product, ProductType)
        .join(ProductType)
        .where(Product.sku == text.upper())
        .first()
    )
    if product is None and text.isdigit():
        product = (
            Product.select(Product, ProductType)
            .join(ProductType)
            .where(Product.gtin == text.zfill(14))
            .first()
        )
    if product is None:
        raise NotFound(f"No product with SKU or barcode '{code}'.")
    return product


def known_gtin(gtin: str) -> bool:
    return Product.select().where(Product.gtin == gtin).exists()


def scan_of(raw: str) -> Scan:
    return read_scan(raw, known_gtin=known_gtin)


def product_of_scan(scan: Scan, sku: str | None) -> Product | None:
    """The product a scan or an explicit SKU names, checking they agree."""
    product = find_product(sku) if sku else None
    if scan.gtin:
        scanned = find_product(scan.gtin)
        if product is not None and product.id != scanned.id:
            raise Refused(
                f"The barcode is for {scanned.name}, but {product.name} was chosen. Scan again."
            )
        product = scanned
    return product


def find_branch(code: str) -> Branch:
    plain_text(code, "branch code")
    branch = Branch.get_or_none(Branch.code == code.strip().upper())
    if branch is None:
        raise NotFound(f"No branch with code '{code}'.")
    return branch


def find_supplier(name: str) -> Supplier:
    plain_text(name, "supplier name")
    supplier = Supplier.get_or_none(pw.fn.LOWER(Supplier.name) == name.strip().lower())
    if supplier is None:
        raise NotFound(f"No supplier named '{name}'. Add it in settings first.")
    return supplier


def find_customer(query: str) -> Customer:
    """A customer by id (#12), exact phone or exact name; refuse if several match."""
    plain_text(query, "customer search")
    text = query.strip()
    if text.startswith("#") and text[1:].isdigit():
        customer = Customer.get_or_none(Customer.id == int(text[1:]))
        if customer is None:
            raise NotFound(f"No customer {text}.")
        return customer
    digits = "".join(ch for ch in text if ch.isdigit() or ch == "+")
    matches = list(
        Customer.select()
        .where((Customer.phone == digits) | (pw.fn.LOWER(Customer.name) == text.lower()))
        .limit(5)
    )
    if not matches:
        raise NotFound(f"No customer with name or phone '{query}'.")
    if len(matches) > 1:
        names = ", ".join(f"#{c.id} {c.name} {c.phone}" for c in matches)
        raise Ambiguous(f"Several customers match '{query}': {names}. Choose one by #id.")
    return matches[0]


def units_with_serial(serial: str, product: Product | None = None) -> list[Unit]:
    query = Unit.select().where(Unit.serial == serial)
    if product is not None:
        query = query.where(Unit.product == product)
    return list(query.order_by(Unit.id))


def pick_unit(serial: str, product: Product | None, prefer: Iterable[UnitState] = ()) -> Unit:
    """The one unit a serial means: by product if given, else the one in a preferred state."""
    units = units_with_serial(serial, product)
    if not units:
        raise NotFound(f"Serial {serial} is not known to this shop.")
    if len(units) == 1:
        return units[0]
    preferred = [u for u in units if u.state in set(prefer)]
    if len(preferred) == 1:
        return preferred[0]
    names = ", ".join(f"{u.product.sku} ({UnitState(u.state).label})" for u in units)
    raise Ambiguous(f"Serial {serial} is on several units: {names}. Say which product.")


def normalize(raw: str) -> str:
    return normalize_serial(raw)


def last_event(unit: Unit) -> UnitEvent | None:
    return (
        UnitEvent.select(UnitEvent, Document, Branch)
        .join(Document, pw.JOIN.LEFT_OUTER)
        .switch(UnitEvent)
        .join(Branch, pw.JOIN.LEFT_OUTER)
        .where(UnitEvent.unit == unit)
        .order_by(UnitEvent.id.desc())
        .first()
    )


def why_not_in_stock_here(unit: Unit, ctx: Context) -> str:
    """Tell the cashier where this unit is and why it cannot be taken from the shelf here."""
    state = UnitState(unit.state)
    last = last_event(unit)
    when = last.at.astimezone().date().isoformat() if last else "an unknown date"
    where = last.branch.name if last and last.branch_id else "an unknown branch"
    doc = (
        f" ({doc_number(last.document.kind, last.document_id)})"
        if last and last.document_id
        else ""
    )
    serial = unit.serial
    if state is UnitState.IN_STOCK:
        return f"{serial} is in stock at {unit.branch.name}, not here. Transfer it here first."
    if state is UnitState.SOLD:
        return f"{serial} was sold on {when} at {where}{doc}. It cannot be sold again."
    if state is UnitState.IN_SERVICE:
        return f"{serial} is in repair since {when} at {where}{doc}."
    if state is UnitState.IN_TRANSIT:
        return (
            f"{serial} is in transit to {unit.branch.name} since {when}{doc}. "
            "Receive it there first."
        )
    if state is UnitState.QUARANTINE:
        return f"{serial} is in quarantine since {when} at {where}{doc}. Release it first."
    return f"{serial} was {state.label} on {when}{doc}."


def append_event(
    unit_id: int,
    event: Event,
    from_state: str | None,
    to_state: UnitState,
    ctx: Context,
    document: Document | None,
    note: str = "",
    approver: Approver | None = None,
    branch_id: int | None = None,
) -> None:
    """Append one row to the unit's history (and to the tamper-evident chain)."""
    append_events(
        [
            {
                "unit": unit_id,
                "event": event.value,
                "at": ctx.now(),
                "branch": branch_id if branch_id is not None else ctx.branch_id,
                "employee": ctx.employee_id,
                "approved_by": approver.employee_id if approver else None,
                "document": document.id if document else None,
                "from_state": from_state,
                "to_state": to_state.value,
                "note": note,
            }
        ]
    )


def move_unit(
    unit: Unit,
    event: Event,
    to_state: UnitState,
    ctx: Context,
    document: Document | None,
    *,
    note: str = "",
    approver: Approver | None = None,
    **changes,
) -> None:
    """Change a unit's state and append the history row, or refuse.

    The update is conditional on the state we read, so a seat that lost a race
    (another seat moved the unit first) is refused instead of overwriting.
    """
    from_state = UnitState(unit.state)
    if not can_transition(event, from_state, to_state):
        raise Refused(
            f"{unit.serial} is {from_state.label}; '{event.label}' cannot make it {to_state.label}."
        )
    changes.setdefault("branch", unit.branch_id)
    updated = (
        Unit.update(state=to_state.value, updated_at=ctx.now(), **changes)
        .where(Unit.id == unit.id, Unit.state == from_state.value)
        .execute()
    )
    if updated != 1:
        raise Refused(f"{unit.serial} was changed at another seat just now. Scan it again.")
    append_event(unit.id, event, from_state.value, to_state, ctx, document, note, approver)
    unit.state = to_state.value
    for name, value in changes.items():
        setattr(unit, name if name != "branch" else "branch_id", value)


def note_came_back(unit_id: int, day: date) -> None:
    """Mark the day a unit first came back under warranty (supplier failure counts it)."""
    Unit.update(came_back=day).where(Unit.id == unit_id, Unit.came_back.is_null()).execute()


def new_document(kind: str, ctx: Context, **fields) -> Document:
    fields.setdefault("business_date", ctx.today())
    fields.setdefault("created_at", ctx.now())
    return Document.create(kind=kind, branch=ctx.branch_id, employee=ctx.employee_id, **fields)


def change_stock(product_id: int, branch_id: int, delta: int, *, product_name: str = "") -> None:
    """Add to (or take from) quantity stock; refuse to go below zero."""
    if delta == 0:
        return
    if delta > 0:
        StockLevel.insert(product=product_id, branch=branch_id, quantity=delta).on_conflict(
            conflict_target=[StockLevel.product, StockLevel.branch],
            update={StockLevel.quantity: StockLevel.quantity + delta},
        ).execute()
        return
    taken = (
        StockLevel.update(quantity=StockLevel.quantity + delta)
        .where(
            StockLevel.product == product_id,
            StockLevel.branch == branch_id,
            StockLevel.quantity >= -delta,
        )
        .execute()
    )
    if taken != 1:
        have = stock_quantity(product_id, branch_id)
        raise Refused(
            f"Only {have} of {product_name or 'this product'} in stock here, not {-delta}."
        )


def stock_quantity(product_id: int, branch_id: int) -> int:
    level = StockLevel.get_or_none(
        (StockLevel.product == product_id) & (StockLevel.branch == branch_id)
    )
    return level.quantity if level else 0


def employee_name(employee_id: int | None) -> str:
    if employee_id is None:
        return ""
    emp = Employee.get_or_none(Employee.id == employee_id)
    return emp.name if emp else ""


def quantity_must_be_positive(quantity: int) -> int:
    if not isinstance(quantity, int) or quantity < 1 or quantity > 100_000:
        raise Refused(f"The quantity {quantity} is not valid (1 to 100000).")
    return quantity


def release_thread_connection() -> None:
    """Close the calling thread's own database connection (Peewee keeps one per thread).

    A worker thread calls it when done, so its connection is not left open.
    """
    if not db.is_closed():
        db.close()
