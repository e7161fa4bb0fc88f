"""What a kit is and what became of it: definitions, assembled kits and their parts,
as the screens, the passport and the other kit services read them (no writes here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import peewee as pw

from app.domain.errors import NotFound
from app.domain.states import UnitState
from app.services.ledger.documents import Kind, doc_number
from app.services.ledger.lookups import find_product
from app.services.ledger.product_settings import settings_of
from app.services.ledger.units import normalize, units_with_serial
from db.models import AssembledKit, AssembledKitPart, Document, KitComponent, Product, Unit


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


# --- definitions and records ------------------------------------------------------------


def kit_definition(kit_sku: str) -> KitDefinition:
    """What a kit product is made of; refuse a product that is not a kit."""
    kit = find_product(kit_sku)
    rows = components_of(kit.id)
    if not rows:
        raise NotFound(f"{kit.name} ({kit.sku}) is not a kit. Define it with 'kit define'.")
    return KitDefinition(
        kit.sku,
        kit.name,
        [ComponentLine(p.sku, p.name, qty, settings_of(p).mode.serialized) for p, qty in rows],
    )


def components_of(kit_id: int) -> list[tuple[Product, int]]:
    query = (
        KitComponent.select(KitComponent, Product)
        .join(Product, on=(KitComponent.component == Product.id))
        .where(KitComponent.kit == kit_id)
        .order_by(KitComponent.id)
    )
    return [(row.component, row.quantity) for row in query]


def latest_record(unit_id: int) -> AssembledKit | None:
    return (
        AssembledKit.select()
        .where(AssembledKit.unit == unit_id)
        .order_by(AssembledKit.id.desc())
        .first()
    )


def parts_of(record_id: int) -> list[AssembledKitPart]:
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
        record = latest_record(unit.id)
        if record is not None:
            return _view(unit, record)
    raise NotFound(f"{text} is not a kit assembled here.")


def _view(unit: Unit, record: AssembledKit) -> KitView:
    parts = []
    for part in parts_of(record.id):
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
    record = latest_record(unit_id)
    if record is None:
        return []
    return _view(Unit.get_by_id(unit_id), record).parts


@dataclass
class KitRow:
    """An assembled kit kept at a branch, as the kits screen lists it."""

    serial: str
    sku: str
    name: str
    state: str
    assembly: str
    assembled: date
    parts: list[str] = field(default_factory=list)  # serials, then "1 × Charger 18V"


def kits_here(branch_id: int) -> list[KitRow]:
    """Assembled kits at a branch, in stock or in quarantine, newest first."""
    query = (
        AssembledKit.select(AssembledKit, Unit, Product, Document)
        .join(Unit, on=(AssembledKit.unit == Unit.id))
        .join(Product, on=(Unit.product == Product.id))
        .switch(AssembledKit)
        .join(Document, on=(AssembledKit.assembly == Document.id))
        .where(
            AssembledKit.status == KitStatus.ASSEMBLED,
            Unit.branch == branch_id,
            Unit.state.in_([UnitState.IN_STOCK.value, UnitState.QUARANTINE.value]),
        )
        .order_by(AssembledKit.id.desc())
    )
    rows = {
        record.id: KitRow(
            record.unit.serial,
            record.unit.product.sku,
            record.unit.product.name,
            record.unit.state,
            doc_number(Kind.KIT_ASSEMBLY, record.assembly_id),
            record.assembly.business_date,
        )
        for record in query
    }
    if not rows:
        return []
    parts = (
        AssembledKitPart.select(AssembledKitPart, Unit, Product)
        .join(Unit, on=(AssembledKitPart.unit == Unit.id), join_type=pw.JOIN.LEFT_OUTER)
        .switch(AssembledKitPart)
        .join(Product, on=(AssembledKitPart.product == Product.id))
        .where(AssembledKitPart.kit.in_(list(rows)))
        .order_by(AssembledKitPart.id)
    )
    for part in parts:
        shown = part.unit.serial if part.unit_id else f"{part.quantity} × {part.product.name}"
        rows[part.kit_id].parts.append(shown)
    return list(rows.values())
