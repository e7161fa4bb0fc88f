"""Kits (product sets): a kit product made of components, some of them serialized.

A kit is defined once (kit product -> component products with quantities). Assembling
one takes the exact units of its serialized components out of sellable stock
(``in_kit``) and quantity components out of quantity stock, and puts the kit's own
unit in stock under its serial, or a kit number (the assembly's document number).
Selling the kit unit sells its components with it: same sale, customer and warranty.
Disassembling puts every component back in stock and closes the kit record.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import peewee as pw

from app.domain.errors import NotFound, Refused
from app.domain.roles import Action
from app.domain.states import Event, UnitState
from app.services.common import (
    PREFIX,
    Kind,
    append_event,
    change_stock,
    doc_number,
    find_product,
    move_unit,
    new_document,
    normalize,
    quantity_must_be_positive,
    settings_of,
    units_with_serial,
    why_not_in_stock_here,
)
from app.services.context import Context
from db.database import write_transaction
from db.models import AssembledKit, AssembledKitPart, KitComponent, Product, Unit


class KitStatus:
    ASSEMBLED = "assembled"
    SOLD = "sold"
    DISASSEMBLED = "disassembled"


@dataclass
class ComponentLine:
    sku: str
    name: str
    quantity: int
    serialized: bool


@dataclass
class KitDefinition:
    sku: str
    name: str
    components: list[ComponentLine]


@dataclass
class KitPartView:
    sku: str
    name: str
    serial: str | None
    quantity: int
    state: str


@dataclass
class KitView:
    """An assembled kit: its unit, where it is, and the exact parts in it."""

    serial: str
    sku: str
    name: str
    state: str
    branch: str
    status: str
    assembly: str
    disassembly: str | None
    parts: list[KitPartView] = field(default_factory=list)


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


def kit_definition(kit_sku: str) -> KitDefinition:
    """What a kit product is made of; refuse a product that is not a kit."""
    kit = find_product(kit_sku)
    rows = _components(kit.id)
    if not rows:
        raise NotFound(f"{kit.name} ({kit.sku}) is not a kit. Define it with 'kit define'.")
    return KitDefinition(
        kit.sku,
        kit.name,
        [ComponentLine(p.sku, p.name, qty, settings_of(p).mode.serialized) for p, qty in rows],
    )


def _components(kit_id: int) -> list[tuple[Product, int]]:
    query = (
        KitComponent.select(KitComponent, Product)
        .join(Product, on=(KitComponent.component == Product.id))
        .where(KitComponent.kit == kit_id)
        .order_by(KitComponent.id)
    )
    return [(row.component, row.quantity) for row in query]


# --- assembly -----------------------------------------------------------------------------


def assemble_kit(
    ctx: Context, kit_sku: str, serials: list[str], *, kit_serial: str | None = None, note: str = ""
) -> KitView:
    """Put a kit together here from the exact units scanned (one serial per serialized
    component); quantity components come from quantity stock. All or nothing."""
    ctx.require(Action.RECEIVE)
    with write_transaction():
        unit = assemble_in_transaction(ctx, find_product(kit_sku), serials, kit_serial, note)
        return kit_view(unit.serial, product=kit_sku)


def assemble_in_transaction(
    ctx: Context, kit: Product, serials: list[str], kit_serial: str | None, note: str = ""
) -> Unit:
    """Assemble inside the caller's write transaction (checkout uses it); return the kit unit."""
    components = _components(kit.id)
    if not components:
        raise Refused(f"{kit.name} ({kit.sku}) is not a kit: it has no components defined.")
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
    if missing:
        raise Refused(f"Scan the serial of each component still missing: {', '.join(missing)}.")
    return found


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


# --- selling ------------------------------------------------------------------------------


def kits_in_cart(resolved: list[tuple]) -> dict[int, AssembledKit]:
    """The assembled kits among a cart's units (by unit id); refuse a kit product that
    would be sold without its components. ``resolved`` is checkout's (product, unit, ...)."""
    unit_ids = [unit.id for _p, unit, *_rest in resolved if unit is not None]
    # A serial never received (warranty mode) of a kit product would be a kit without parts.
    unknown = {p.id: (p, serial) for p, unit, serial, *_rest in resolved if unit is None and serial}
    if unknown:
        kit_ids = KitComponent.select(KitComponent.kit).where(KitComponent.kit.in_(list(unknown)))
        for (kit_id,) in kit_ids.tuples():
            product, serial = unknown[kit_id]
            raise Refused(
                f"{serial} is not an assembled {product.name}. Assemble the kit first, or sell it "
                "with the serial of each component."
            )
    if not unit_ids:
        return {}
    return {
        record.unit_id: record
        for record in AssembledKit.select().where(
            AssembledKit.unit.in_(unit_ids), AssembledKit.status == KitStatus.ASSEMBLED
        )
    }


def sell_components(ctx: Context, doc, record: AssembledKit, kit_unit: Unit, customer_id) -> None:
    """Sell a kit's units with the kit itself: same sale, customer and warranty."""
    for part in _parts(record.id):
        if part.unit_id is None:
            continue
        move_unit(
            part.unit,
            Event.SOLD_IN_KIT,
            UnitState.SOLD,
            ctx,
            doc,
            note=f"in kit {kit_unit.serial}",
            branch=ctx.branch_id,
            customer=customer_id,
            warranty_start=kit_unit.warranty_start,
            warranty_end=kit_unit.warranty_end,
        )
    record.status = KitStatus.SOLD
    record.save(only=[AssembledKit.status])


def refuse_kit_return(units: list[Unit]) -> None:
    """Refuse a customer return of a kit sold with its components (not supported yet)."""
    if not units:
        return
    record = (
        AssembledKit.select(AssembledKit, Unit)
        .join(Unit)
        .where(AssembledKit.unit.in_([u.id for u in units]), AssembledKit.status == KitStatus.SOLD)
        .first()
    )
    if record is not None:
        raise Refused(
            f"{record.unit.serial} is a kit sold with its components; a kit cannot be taken "
            "back on a return yet. Ask a manager to correct the kit and its parts."
        )


# --- disassembly --------------------------------------------------------------------------


def disassemble_kit(ctx: Context, serial: str, *, note: str = "") -> KitView:
    """Take a kit in stock here apart: every component back in stock, the kit record closed."""
    ctx.require(Action.RECEIVE)
    with write_transaction():
        unit, record = _open_kit(serial)
        if unit.state != UnitState.IN_STOCK or unit.branch_id != ctx.branch_id:
            raise Refused(why_not_in_stock_here(unit, ctx))
        doc = new_document(Kind.KIT_DISASSEMBLY, ctx, note=note, related=record.assembly_id)
        move_unit(unit, Event.KIT_DISASSEMBLE, UnitState.DISASSEMBLED, ctx, doc, note=note)
        for part in _parts(record.id):
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
        record = _latest_record(unit.id)
        if record is None:
            continue
        if record.status != KitStatus.ASSEMBLED:
            raise Refused(f"Kit {text} is {record.status}; only an assembled kit comes apart.")
        return unit, record
    raise NotFound(f"{text} is not an assembled kit.")


def _latest_record(unit_id: int) -> AssembledKit | None:
    return (
        AssembledKit.select()
        .where(AssembledKit.unit == unit_id)
        .order_by(AssembledKit.id.desc())
        .first()
    )


def _parts(record_id: int) -> list[AssembledKitPart]:
    return list(
        AssembledKitPart.select(AssembledKitPart, Unit)
        .join(Unit, on=(AssembledKitPart.unit == Unit.id), join_type=pw.JOIN.LEFT_OUTER)
        .where(AssembledKitPart.kit == record_id)
        .order_by(AssembledKitPart.id)
    )


# --- views --------------------------------------------------------------------------------


def kit_view(serial: str, *, product: str | None = None) -> KitView:
    """An assembled (or sold, or taken apart) kit by its serial or kit number."""
    text = normalize(serial)
    wanted = find_product(product) if product else None
    for unit in reversed(units_with_serial(text, wanted)):
        record = _latest_record(unit.id)
        if record is not None:
            return _view(unit, record)
    raise NotFound(f"{text} is not a kit assembled here.")


def _view(unit: Unit, record: AssembledKit) -> KitView:
    parts = []
    for part in _parts(record.id):
        product = Product.get_by_id(part.product_id)
        if part.unit_id is None:
            parts.append(KitPartView(product.sku, product.name, None, part.quantity, ""))
        else:
            parts.append(
                KitPartView(product.sku, product.name, part.unit.serial, 1, part.unit.state)
            )
    return KitView(
        serial=unit.serial,
        sku=unit.product.sku,
        name=unit.product.name,
        state=unit.state,
        branch=unit.branch.name if unit.branch_id else "",
        status=record.status,
        assembly=doc_number(Kind.KIT_ASSEMBLY, record.assembly_id),
        disassembly=(
            doc_number(Kind.KIT_DISASSEMBLY, record.disassembly_id)
            if record.disassembly_id
            else None
        ),
        parts=parts,
    )


@dataclass
class KitLink:
    """A kit as a component's passport shows it."""

    serial: str
    sku: str
    name: str
    status: str


def kit_of_component(unit_id: int) -> KitLink | None:
    """The (latest) kit a unit went into, or None."""
    part = (
        AssembledKitPart.select(AssembledKitPart, AssembledKit, Unit, Product)
        .join(AssembledKit)
        .join(Unit, on=(AssembledKit.unit == Unit.id))
        .join(Product, on=(Unit.product == Product.id))
        .where(AssembledKitPart.unit == unit_id)
        .order_by(AssembledKitPart.id.desc())
        .first()
    )
    if part is None:
        return None
    kit_unit = part.kit.unit
    return KitLink(kit_unit.serial, kit_unit.product.sku, kit_unit.product.name, part.kit.status)


def parts_of_kit(unit_id: int) -> list[KitPartView]:
    """The parts of the (latest) kit a kit unit was assembled as; empty if it is not a kit."""
    record = _latest_record(unit_id)
    if record is None:
        return []
    return _view(Unit.get_by_id(unit_id), record).parts
