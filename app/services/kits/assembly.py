"""Kits (product sets): a kit product made of components, some of them serialized.

A kit is defined once (kit product -> component products with quantities). Assembling
one takes the exact units of its serialized components out of sellable stock
(``in_kit``) and quantity components out of quantity stock, and puts the kit's own
unit in stock under its serial, or a kit number (the assembly's document number).
Selling the kit unit sells its components with it: same sale, customer and warranty.
Disassembling puts every component back in stock and closes the kit record.

This module defines, assembles and takes kits apart; ``records`` reads them, and
``kit_moves`` carries the parts along when the kit is sold, returned or transferred.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from app.domain.errors import DomainError, NotFound, Refused
from app.domain.roles import Action
from app.domain.states import Event, UnitState
from app.domain.text import free_text
from app.services.access.context import Context
from app.services.kits.records import (
    ComponentLine,
    KitDefinition,
    KitLink,
    KitPartView,
    KitRow,
    KitStatus,
    KitView,
    components_of,
    kit_definition,
    kit_of_component,
    kit_view,
    kits_here,
    latest_record,
    parts_of,
    parts_of_kit,
)
from app.services.ledger.documents import PREFIX, Kind, doc_number, new_document
from app.services.ledger.lookups import find_product, scan_of
from app.services.ledger.moves import append_event, move_unit
from app.services.ledger.product_settings import settings_of
from app.services.ledger.stock_levels import change_stock, quantity_must_be_positive, stock_quantity
from app.services.ledger.units import normalize, units_with_serial, why_not_in_stock_here
from app.services.shop.products import must_be_active
from app.services.transaction import write_transaction
from db.models import AssembledKit, AssembledKitPart, KitComponent, Product, Unit

# What the CLI, the screens and the passport read through this module.
__all__ = [
    "ComponentLine",
    "KitDefinition",
    "KitLink",
    "KitPartView",
    "KitProgress",
    "KitRow",
    "KitStatus",
    "KitView",
    "assemble_kit",
    "components_from_text",
    "define_kit",
    "disassemble_kit",
    "kit_definition",
    "kit_for_scan",
    "kit_of_component",
    "kit_progress",
    "kit_view",
    "kits_here",
    "parts_of_kit",
]


# --- definition ---------------------------------------------------------------------------


def define_kit(ctx: Context, kit_sku: str, components: list[tuple[str, int]]) -> KitDefinition:
    """Set (or replace) what one kit is made of; a manager's setting.

    Kits already assembled keep the exact parts they were made of.
    """
    ctx.require(Action.SETTINGS)
    if not components:
        raise Refused("A kit needs at least one component.")
    with write_transaction():
        kit = find_product(kit_sku)
        if not settings_of(kit).mode.serialized:
            raise Refused(
                f"{kit.name} is not tracked by serial. A kit is followed by its serial or kit "
                "number: set its tracking mode to strict or warranty first."
            )
        if KitComponent.select().where(KitComponent.component == kit.id).exists():
            raise Refused(f"{kit.name} is a component of another kit; kits do not nest.")
        wanted: dict[int, tuple[Product, int]] = {}
        for sku, quantity in components:
            part = find_product(sku)
            quantity_must_be_positive(quantity)
            if part.id == kit.id:
                raise Refused(f"{kit.name} cannot be a component of itself.")
            if KitComponent.select().where(KitComponent.kit == part.id).exists():
                raise Refused(f"{part.name} is itself a kit; kits do not nest.")
            if part.id in wanted:
                raise Refused(f"{part.name} is listed twice; give it once with its quantity.")
            wanted[part.id] = (part, quantity)
        KitComponent.delete().where(KitComponent.kit == kit.id).execute()
        for part, quantity in wanted.values():
            KitComponent.create(kit=kit.id, component=part.id, quantity=quantity)
        return kit_definition(kit.sku)


def components_from_text(text: str) -> list[tuple[str, int]]:
    """Components as typed on a screen, "DR-18 BT-18:2 CH-18", as (SKU, quantity) pairs."""
    components = []
    for token in text.replace(",", " ").split():
        sku, colon, quantity = token.rpartition(":")
        if not colon:
            components.append((token, 1))
        elif sku and quantity.isdigit():
            components.append((sku, int(quantity)))
        else:
            raise Refused(f"'{token}' is not a component: write SKU, or SKU:QUANTITY.")
    return components


# --- assembly -----------------------------------------------------------------------------


def assemble_kit(
    ctx: Context, kit_sku: str, serials: list[str], *, kit_serial: str | None = None, note: str = ""
) -> KitView:
    """Put a kit together here from the exact units scanned (one serial per serialized
    component); quantity components come from quantity stock. All or nothing."""
    ctx.require(Action.RECEIVE)
    note = free_text(note, "note", lines=True)
    with write_transaction():
        unit = assemble_in_transaction(ctx, find_product(kit_sku), serials, kit_serial, note)
        return kit_view(unit.serial, product=kit_sku)


def assemble_in_transaction(
    ctx: Context, kit: Product, serials: list[str], kit_serial: str | None, note: str = ""
) -> Unit:
    """Assemble inside the caller's write transaction (checkout uses it); return the kit unit."""
    components = components_of(kit.id)
    if not components:
        raise Refused(f"{kit.name} ({kit.sku}) is not a kit: it has no components defined.")
    must_be_active(kit, "assembled")
    units = _component_units(ctx, kit, components, serials)
    reused = _kit_unit_to_reuse(ctx, kit, kit_serial) if kit_serial else None

    doc = new_document(Kind.KIT_ASSEMBLY, ctx, note=note, reason=f"kit {kit.sku}")
    serial = normalize(kit_serial) if kit_serial else doc_number(Kind.KIT_ASSEMBLY, doc.id)
    costs = [u.cost for u in units if u.cost is not None]
    cost = sum(costs) if costs else None
    if reused is not None:
        move_unit(
            reused,
            Event.KIT_ASSEMBLE,
            UnitState.IN_STOCK,
            ctx,
            doc,
            branch=ctx.branch_id,
            cost=cost,
        )
        kit_unit = reused
    else:
        kit_unit_id = Unit.insert(
            serial=serial,
            product=kit.id,
            state=UnitState.IN_STOCK.value,
            branch=ctx.branch_id,
            cost=cost,
            updated_at=ctx.now(),
        ).execute()
        append_event(kit_unit_id, Event.KIT_ASSEMBLE, None, UnitState.IN_STOCK, ctx, doc, note)
        kit_unit = Unit.get_by_id(kit_unit_id)
    record = AssembledKit.create(unit=kit_unit.id, branch=ctx.branch_id, assembly=doc.id)
    for unit in units:
        move_unit(
            unit, Event.INTO_KIT, UnitState.IN_KIT, ctx, doc, note=f"into kit {kit_unit.serial}"
        )
        AssembledKitPart.create(kit=record, product=unit.product_id, unit=unit.id, quantity=1)
    for part, quantity in components:
        if not settings_of(part).mode.serialized:
            change_stock(part.id, ctx.branch_id, -quantity, product_name=part.name)
            AssembledKitPart.create(kit=record, product=part.id, quantity=quantity)
    return kit_unit


def _component_units(
    ctx: Context, kit: Product, components: list[tuple[Product, int]], serials: list[str]
) -> list[Unit]:
    """The exact in-stock units the scanned serials name, exactly as many as the kit takes."""
    found, missing = _match_components(ctx, kit, components, serials)
    if missing:
        raise Refused(f"Scan the serial of each component still missing: {', '.join(missing)}.")
    return found


def _match_components(
    ctx: Context, kit: Product, components: list[tuple[Product, int]], serials: list[str]
) -> tuple[list[Unit], list[str]]:
    """The units scanned so far (each checked) and what is still missing ("2 × Battery")."""
    needed = {p.id: (p, q) for p, q in components if settings_of(p).mode.serialized}
    found: list[Unit] = []
    seen: set[str] = set()
    counts: Counter[int] = Counter()
    for raw in serials:
        serial = normalize(raw)
        if serial in seen:
            raise Refused(f"{serial} was scanned twice.")
        seen.add(serial)
        units = [u for u in units_with_serial(serial) if u.product_id in needed]
        if not units:
            names = ", ".join(p.name for p, _q in needed.values()) or "none"
            raise Refused(
                f"{serial} is not a serial of a component of {kit.name} "
                f"(serialized components: {names})."
            )
        here = [u for u in units if u.state == UnitState.IN_STOCK and u.branch_id == ctx.branch_id]
        if len(here) > 1:
            raise Refused(f"{serial} is in stock here on several products; cannot tell which.")
        if not here:
            raise Refused(why_not_in_stock_here(units[-1], ctx))
        unit = here[0]
        counts[unit.product_id] += 1
        product, quantity = needed[unit.product_id]
        if counts[unit.product_id] > quantity:
            raise Refused(f"{kit.name} takes {quantity} {product.name}; {serial} is one too many.")
        found.append(unit)
    missing = [
        f"{quantity - counts[pid]} × {product.name}"
        for pid, (product, quantity) in needed.items()
        if counts[pid] < quantity
    ]
    return found, missing


@dataclass
class KitProgress:
    """A kit being put together (at the kits screen or the counter): what is scanned, what
    is still missing, and quantity components short here."""

    sku: str
    name: str
    serials: list[str]
    missing: list[str]
    short: list[str]
    by_sku: dict[str, list[str]] = field(default_factory=dict)  # which serial is which part

    @property
    def complete(self) -> bool:
        return not self.missing


def kit_progress(ctx: Context, kit_code: str, serials: list[str]) -> KitProgress:
    """Check the component serials scanned so far for a kit to be assembled here.

    Refuses a serial of another product, a unit not in stock here (sold, in transit,
    already in a kit...), a serial scanned twice and one too many; writes nothing.
    """
    kit = find_product(kit_code)
    components = components_of(kit.id)
    if not components:
        raise Refused(f"{kit.name} ({kit.sku}) is not a kit: it has no components defined.")
    units, missing = _match_components(ctx, kit, components, serials)
    short = [
        f"only {have} of {part.name} here, {quantity} needed"
        for part, quantity in components
        if not settings_of(part).mode.serialized
        and (have := stock_quantity(part.id, ctx.branch_id)) < quantity
    ]
    sku_of = {part.id: part.sku for part, _q in components}
    by_sku: dict[str, list[str]] = {}
    for unit in units:
        by_sku.setdefault(sku_of[unit.product_id], []).append(unit.serial)
    return KitProgress(kit.sku, kit.name, [u.serial for u in units], missing, short, by_sku)


def kit_for_scan(raw: str) -> KitDefinition | None:
    """The kit a counter scan names (its product barcode, or its SKU when no unit carries
    that serial), so checkout asks for the components; None for anything else."""
    try:
        scan = scan_of(raw)
        if scan.gtin and scan.serial is None:
            product = find_product(scan.gtin)
        elif scan.gtin or scan.serial is None or units_with_serial(scan.serial):
            return None
        else:
            product = Product.get_or_none(Product.sku == scan.serial)
    except DomainError:
        return None  # checkout's own look-up gives the reason
    if product is None or not components_of(product.id):
        return None
    return kit_definition(product.sku)


def _kit_unit_to_reuse(ctx: Context, kit: Product, raw: str) -> Unit | None:
    """A kit serial given at assembly: new, or a kit of this product taken apart before."""
    serial = normalize(raw)
    if serial.startswith(PREFIX[Kind.KIT_ASSEMBLY] + "-"):
        raise Refused(f"{serial} looks like a kit number; those are given by SerialDesk.")
    settings_of(kit).rule.validate(serial)
    units = units_with_serial(serial, kit)
    if not units:
        return None
    unit = units[-1]
    if unit.state != UnitState.DISASSEMBLED:
        raise Refused(
            f"{serial} is already a {kit.name} ({UnitState(unit.state).label}); "
            "a kit serial is used once."
        )
    return unit


# --- disassembly --------------------------------------------------------------------------


def disassemble_kit(ctx: Context, serial: str, *, note: str = "") -> KitView:
    """Take a kit in stock here apart: every component back in stock, the kit record closed."""
    ctx.require(Action.RECEIVE)
    note = free_text(note, "note", lines=True)
    with write_transaction():
        unit, record = _open_kit(serial)
        if unit.state != UnitState.IN_STOCK or unit.branch_id != ctx.branch_id:
            raise Refused(why_not_in_stock_here(unit, ctx))
        doc = new_document(Kind.KIT_DISASSEMBLY, ctx, note=note, related=record.assembly_id)
        move_unit(unit, Event.KIT_DISASSEMBLE, UnitState.DISASSEMBLED, ctx, doc, note=note)
        for part in parts_of(record.id):
            if part.unit_id is None:
                change_stock(part.product_id, ctx.branch_id, part.quantity)
                continue
            move_unit(
                part.unit,
                Event.OUT_OF_KIT,
                UnitState.IN_STOCK,
                ctx,
                doc,
                note=f"out of kit {unit.serial}",
                branch=ctx.branch_id,
            )
        AssembledKit.update(status=KitStatus.DISASSEMBLED, disassembly=doc.id).where(
            AssembledKit.id == record.id, AssembledKit.status == KitStatus.ASSEMBLED
        ).execute()
        return kit_view(unit.serial, product=unit.product.sku)


def _open_kit(serial: str) -> tuple[Unit, AssembledKit]:
    text = normalize(serial)
    for unit in reversed(units_with_serial(text)):
        record = latest_record(unit.id)
        if record is None:
            continue
        if record.status != KitStatus.ASSEMBLED:
            raise Refused(f"Kit {text} is {record.status}; only an assembled kit comes apart.")
        return unit, record
    raise NotFound(f"{text} is not an assembled kit.")
