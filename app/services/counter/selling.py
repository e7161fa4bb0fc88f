"""Checkout: serialized units and quantity goods sold together on one sale."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from app.domain import warranty
from app.domain.errors import NotFound, PermissionDenied, Refused
from app.domain.money import to_money
from app.domain.roles import Action
from app.domain.states import Event, UnitState
from app.domain.text import free_text
from app.domain.tracking import TrackingMode
from app.services.access.context import Approver, Context
from app.services.kits import assembly
from app.services.kits import moves as kit_moves
from app.services.ledger import totals
from app.services.ledger.documents import Kind, doc_number, new_document
from app.services.ledger.lookups import (
    WARRANTY_NUMBER_ALPHABET,
    find_product,
    product_of_scan,
    scan_of,
    serial_in_use,
)
from app.services.ledger.moves import append_event, guard_new_unit, move_unit
from app.services.ledger.product_settings import settings_of
from app.services.ledger.stock_levels import change_stock, quantity_must_be_positive
from app.services.ledger.units import units_with_serial, why_not_in_stock_here
from app.services.shop.products import must_be_active
from app.services.transaction import write_transaction
from db.bulk import create_row
from db.models import Customer, DocumentLine, Product, Unit, WarrantyNumber
from db.prepared import Prepared

PAYMENT_METHODS = ("cash", "card", "transfer", "other")
_CUSTOMER = Prepared(lambda customer_id: Customer.select().where(Customer.id == customer_id), int)
ONE_KIT_AT_A_TIME = "Kits are put together one at a time: scan one kit at a time."


@dataclass
class SaleItem:
    """A scanned serial (or GS1 code), or a product code with a quantity."""

    serial: str | None = None
    product: str | None = None
    quantity: int = 1
    price: Decimal | str | None = None
    # A kit sold unassembled: its product code and the serial of each serialized component.
    components: list[str] = field(default_factory=list)
    # Also a kit put together at checkout, for one with no serialized components at all.
    kit: bool = False


@dataclass
class SoldLine:
    line_id: int
    sku: str
    name: str
    serial: str | None
    quantity: int
    price: Decimal
    warranty_start: date | None
    warranty_end: date | None
    warranty_numbers: list[str] = field(default_factory=list)
    print_mode: str = "never"


class ResolvedItem(NamedTuple):
    """What a sale item means, checked: its product, the unit (None for a quantity good or
    a serial never received), the serial (None for a quantity good), quantity and price."""

    product: Product
    unit: Unit | None
    serial: str | None
    quantity: int
    price: Decimal


@dataclass
class SaleResult:
    number: str
    total: Decimal
    paid: Decimal
    change: Decimal
    payment_method: str
    customer: str
    lines: list[SoldLine]
    warnings: list[str]


def sell(
    ctx: Context,
    items: list[SaleItem],
    *,
    customer_id: int | None = None,
    payment_method: str = "cash",
    tendered: Decimal | str | None = None,
    note: str = "",
    approver: Approver | None = None,
) -> SaleResult:
    """Sell the items in one transaction; refuse all of it if any item cannot be sold here."""
    ctx.require(Action.SELL)
    note = free_text(note, "note", lines=True)
    if not items:
        raise Refused("The cart is empty.")
    if payment_method not in PAYMENT_METHODS:
        raise Refused(f"Unknown payment method '{payment_method}' ({', '.join(PAYMENT_METHODS)}).")
    customer = None
    if customer_id is not None:
        customer = _CUSTOMER.first(customer_id)
        if customer is None:
            raise NotFound(f"No customer #{customer_id}.")

    with write_transaction(ctx):
        warnings: list[str] = []
        items = [_assembled_kit(ctx, item) if _is_kit(item) else item for item in items]
        resolved = [_resolve(ctx, item, warnings) for item in items]
        seen_units = set()
        for r in resolved:
            # a unit, or a serial never received (warranty mode) that this sale will record
            key = (
                r.unit.id if r.unit is not None else (r.product.id, r.serial) if r.serial else None
            )
            if key is not None:
                if key in seen_units:
                    raise Refused(f"{r.serial} is in the cart twice.")
                seen_units.add(key)
        in_kits = kit_moves.kits_in_cart((r.product, r.unit, r.serial) for r in resolved)
        below = [r.product.name for r in resolved if r.price < Decimal(r.product.price)]
        if below:
            try:
                ctx.require(Action.DISCOUNT, approver)
            except PermissionDenied:
                raise PermissionDenied(
                    f"{below[0]} below its list price needs a manager's approval."
                ) from None
        total = sum((r.price * r.quantity for r in resolved), Decimal("0.00"))
        paid = total if tendered in (None, "") else to_money(tendered, what="amount paid")
        if paid < total:
            raise Refused(f"Paid {paid} is less than the total {total}.")
        if payment_method != "cash" and paid != total:
            raise Refused(f"A {payment_method} payment must be exactly the total {total}.")

        doc = new_document(
            Kind.SALE,
            ctx,
            approved_by=approver.employee_id if approver and below else None,
            customer=customer_id,
            total=total,
            paid=paid,
            payment_method=payment_method,
            note=note,
        )
        today = ctx.today()
        lines = [_sell_line(ctx, doc, customer_id, today, r) for r in resolved]
        for r in resolved:
            if r.unit is not None and r.unit.id in in_kits:
                kit_moves.sell_components(ctx, doc, in_kits[r.unit.id], r.unit, customer_id)
        return SaleResult(
            doc_number(Kind.SALE, doc.id),
            total,
            paid,
            paid - total,
            payment_method,
            customer.name if customer else "",
            lines,
            warnings,
        )


@dataclass
class CartLine:
    """What one scan adds to the cart, checked but not yet sold."""

    item: SaleItem
    sku: str
    name: str
    serial: str | None
    quantity: int
    price: Decimal
    warnings: list[str]


def preview_item(ctx: Context, item: SaleItem) -> CartLine:
    """Check an item as checkout scans it; raise with the reason if it cannot be sold here."""
    warnings: list[str] = []
    if _is_kit(item):
        return _preview_kit(ctx, item)
    r = _resolve(ctx, item, warnings)
    if r.serial is None and item.serial:
        # A product barcode: from now on the cart holds it by SKU.
        item = SaleItem(product=r.product.sku, quantity=item.quantity, price=item.price)
    elif r.serial is not None:
        item = SaleItem(serial=r.serial, product=r.product.sku, price=item.price)
    return CartLine(item, r.product.sku, r.product.name, r.serial, r.quantity, r.price, warnings)


def _preview_kit(ctx: Context, item: SaleItem) -> CartLine:
    """A kit to be assembled at checkout: every component scanned and in stock here."""
    if item.quantity != 1:
        raise Refused(ONE_KIT_AT_A_TIME)
    progress = assembly.kit_progress(ctx, item.product or "", item.components)
    if progress.missing:
        missing = ", ".join(progress.missing)
        raise Refused(f"Scan the serial of each component still missing: {missing}.")
    if progress.short:
        raise Refused(f"{progress.name} cannot be put together here: {progress.short[0]}.")
    product = find_product(progress.sku)
    must_be_active(product, "sold")
    item = SaleItem(product=product.sku, components=progress.serials, price=item.price, kit=True)
    return CartLine(item, product.sku, product.name, None, 1, _price(item, product), [])


def _is_kit(item: SaleItem) -> bool:
    """A kit to put together at checkout (not a kit unit already assembled)."""
    return bool(item.components) or item.kit


def _assembled_kit(ctx: Context, item: SaleItem) -> SaleItem:
    """A kit sold from its components: assemble it in this sale, then sell it by its number."""
    if not item.product:
        raise Refused("Say which kit the component serials are for (its SKU or barcode).")
    if item.quantity != 1:
        raise Refused(ONE_KIT_AT_A_TIME)
    kit = find_product(item.product)
    must_be_active(kit, "sold")
    unit = assembly.assemble_in_transaction(
        ctx, kit, item.components, None, "assembled at checkout"
    )
    return SaleItem(serial=unit.serial, product=kit.sku, price=item.price)


def _resolve(ctx: Context, item: SaleItem, warnings: list[str]) -> ResolvedItem:
    """Find what an item means: its product, unit, serial, quantity and price."""
    if item.serial:
        scan = scan_of(item.serial)
        product = product_of_scan(scan, item.product)
        if scan.serial is None:
            # A product barcode scanned at checkout: a quantity good, or ask for the serial.
            return _quantity_item(ctx, product, item)
        units = units_with_serial(scan.serial, product)
        named = _product_by_sku(scan.serial) if product is None and not units else None
        if named is not None:
            # A product's SKU typed or scanned: one piece of it (a serial product says so).
            return _quantity_item(ctx, named, item)
        unit = _sellable_unit(ctx, scan.serial, product, units, warnings)
        if unit is None:
            unit_product, serial = product, scan.serial
        else:
            unit_product, serial = unit.product, unit.serial
        must_be_active(unit_product, "sold")
        price = _price(item, unit_product)
        return ResolvedItem(unit_product, unit, serial, 1, price)
    if item.product:
        return _quantity_item(ctx, find_product(item.product), item)
    raise Refused("Scan a serial or a product barcode.")


def _product_by_sku(code: str) -> Product | None:
    """The product whose SKU a scan is (asked only when no unit carries it as a serial)."""
    return Product.get_or_none(Product.sku == code.upper())


def _quantity_item(ctx: Context, product: Product, item: SaleItem) -> ResolvedItem:
    must_be_active(product, "sold")
    settings = settings_of(product)
    if settings.mode.serialized:
        raise Refused(f"{product.name} is sold by serial: scan the unit's serial.")
    quantity = quantity_must_be_positive(item.quantity)
    return ResolvedItem(product, None, None, quantity, _price(item, product))


def _price(item: SaleItem, product: Product) -> Decimal:
    if item.price in (None, ""):
        return Decimal(product.price)
    return to_money(item.price, what="price")


def _sellable_unit(
    ctx: Context, serial: str, product: Product | None, units: list[Unit], warnings: list[str]
):
    """The unit to sell for a serial (``units``: those carrying it), or None for an
    unknown serial in warranty mode."""
    here = [u for u in units if u.state == UnitState.IN_STOCK and u.branch_id == ctx.branch_id]
    # One unit, or duplicates of one product that warranty mode let in (with a warning):
    # they are interchangeable on the shelf, so the oldest is sold first.
    if len(here) == 1 or (len(here) > 1 and len({u.product_id for u in here}) == 1):
        return here[0]
    if len(here) > 1:
        raise Refused(
            f"Serial {serial} is in stock here on several products. Scan the product barcode first."
        )
    if not units:
        if product is None:
            raise NotFound(
                f"Serial {serial} is not known here. Check the serial, or scan the product "
                "barcode first if it is sold without serial verification."
            )
        settings = settings_of(product)
        if settings.mode is TrackingMode.WARRANTY:
            warnings.append(f"{serial} was never received; recorded on this sale (warranty mode).")
            return None
        if settings.mode is TrackingMode.STRICT:
            raise NotFound(
                f"Serial {serial} of {product.name} is not in stock: it was never received."
            )
        raise Refused(f"{product.name} is not sold by serial: scan its barcode.")
    unit = units[-1]
    settings = settings_of(unit.product)
    if settings.mode is TrackingMode.WARRANTY and unit.state == UnitState.IN_STOCK:
        warnings.append(f"{serial} was recorded at {unit.branch.name}; sold here (warranty mode).")
        return unit
    raise Refused(why_not_in_stock_here(unit, ctx))


def _sell_line(ctx, doc, customer_id, today, resolved: ResolvedItem) -> SoldLine:
    product, unit, serial = resolved.product, resolved.unit, resolved.serial
    qty, price = resolved.quantity, resolved.price
    settings = settings_of(product)
    start = today if settings.mode.has_warranty else None
    end = warranty.warranty_end(today, settings.warranty_months) if start else None
    if unit is None and serial is not None:
        guard_new_unit(serial)  # warranty mode: never received, recorded for a later claim
        unit_id = Unit.insert(
            serial=serial,
            product=product.id,
            state=UnitState.SOLD.value,
            branch=ctx.branch_id,
            customer=customer_id,
            warranty_start=start,
            warranty_end=end,
            updated_at=ctx.now(),
        ).execute()
        append_event(unit_id, Event.SELL, None, UnitState.SOLD, ctx, doc, "never received")
    elif unit is not None:
        unit_id = unit.id
        move_unit(
            unit,
            Event.SELL,
            UnitState.SOLD,
            ctx,
            doc,
            branch=ctx.branch_id,
            customer=customer_id,
            warranty_start=start,
            warranty_end=end,
        )
    else:
        unit_id = None
        change_stock(product.id, ctx.branch_id, -qty, product_name=product.name)
    line = create_row(
        DocumentLine,
        document=doc,
        product=product,
        unit=unit_id,
        serial=serial or "",
        quantity=qty,
        price=price,
        cost=unit.cost if unit is not None else None,
    )
    totals.add_line(doc, line)
    numbers = []
    if settings.mode.issues_warranty_numbers and end is not None:
        for _ in range(qty):
            number = _new_warranty_number()
            WarrantyNumber.create(
                number=number,
                product=product,
                sale_line=line,
                customer=customer_id,
                warranty_start=start,
                warranty_end=end,
            )
            numbers.append(number)
    return SoldLine(
        line.id,
        product.sku,
        product.name,
        serial,
        qty,
        price,
        start,
        end,
        numbers,
        settings.print_mode.value if settings.mode.has_warranty else "never",
    )


def _new_warranty_number() -> str:
    # Unguessable and free of look-alike characters: it is read over the phone; never a
    # unit's serial, or looking the number up would find that unit.
    while True:
        number = "W" + "".join(secrets.choice(WARRANTY_NUMBER_ALPHABET) for _ in range(10))
        if not serial_in_use(number):
            return number
