"""A kit's parts go where the kit goes: sold with it, back with it, transferred with it.

Rules (README, "Kits"):
- Selling the kit unit sells its serialized parts on the same sale, to the same customer,
  with the kit's warranty.
- A sold kit comes back whole on a customer return: the kit goes to stock or quarantine
  (the return's disposition) and each part comes back into it (``customer_return`` then
  ``into_kit`` in its history), so it sells again as a kit or is taken apart. A part of a
  sold kit is never taken back alone: the cashier is told to return the whole kit.
- A transferred kit takes its parts along: in transit with it, in the kit again on arrival.
- A kit with its parts inside is not written off or sent back to a supplier whole: take it
  apart first, then handle the parts one by one.
- A warranty replacement is for a part, never a whole kit: the faulty part of a sold kit is
  replaced by a single unit, which then stands in for it in the kit (it comes back with the
  kit on a return). A kit unit is neither replaced nor issued as a replacement: the customer
  returns the kit and buys another, or the part inside is replaced.
"""

from __future__ import annotations

from collections.abc import Iterable

from app.domain.errors import Refused
from app.domain.states import Event, UnitState
from app.services.access.context import Context
from app.services.kits.records import KitStatus, kit_of_component, latest_record, parts_of
from app.services.ledger.moves import move_unit
from db.models import (
    AssembledKit,
    AssembledKitPart,
    Branch,
    Document,
    KitComponent,
    Product,
    Unit,
)
from db.prepared import Prepared

# Where a returned kit may go: it stays a kit, with its parts inside.
KIT_RETURN_DISPOSITIONS = (UnitState.IN_STOCK, UnitState.QUARANTINE)


# --- selling ------------------------------------------------------------------------------


def kits_in_cart(items: Iterable[tuple[Product, Unit | None, str]]) -> dict[int, AssembledKit]:
    """The assembled kits among a cart's units (by unit id); refuse a kit product that
    would be sold without its components. ``items``: each line's product, unit, serial."""
    items = list(items)
    unit_ids = [unit.id for _p, unit, _serial in items if unit is not None]
    # A serial never received (warranty mode) of a kit product would be a kit without parts.
    unknown = {p.id: (p, serial) for p, unit, serial in items if unit is None and serial}
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
    if len(unit_ids) == 1:  # most sales: one unit
        records = _KIT_OF_UNIT.rows(unit_ids[0])
    else:
        records = AssembledKit.select().where(
            AssembledKit.unit.in_(unit_ids), AssembledKit.status == KitStatus.ASSEMBLED
        )
    return {record.unit_id: record for record in records}


_KIT_OF_UNIT = Prepared(
    lambda unit_id: AssembledKit.select().where(
        AssembledKit.unit == unit_id, AssembledKit.status == KitStatus.ASSEMBLED
    ),
    int,
)


def sell_components(ctx: Context, doc, record: AssembledKit, kit_unit: Unit, customer_id) -> None:
    """Sell a kit's units with the kit itself: same sale, customer and warranty."""
    for part in parts_of(record.id):
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


# --- customer returns ---------------------------------------------------------------------


def kits_coming_back(units: list[tuple[Unit, str]]) -> dict[int, AssembledKit]:
    """The sold kits among a return's (unit, disposition) pairs, by unit id, checked:
    a kit goes to stock or quarantine, and comes back whole (every part with the customer)."""
    sold = {
        record.unit_id: record
        for record in AssembledKit.select().where(
            AssembledKit.unit.in_([u.id for u, _d in units]),
            AssembledKit.status == KitStatus.SOLD,
        )
    }
    for unit, disposition in units:
        record = sold.get(unit.id)
        if record is None:
            continue
        if disposition not in KIT_RETURN_DISPOSITIONS:
            raise Refused(
                f"{unit.serial} is a kit: it comes back to stock or to quarantine, with its "
                "parts. Take it apart afterwards to send or write off a part."
            )
        for part in parts_of(record.id):
            if part.unit_id is None:
                continue
            current = _current_unit(part.unit)
            if current.state != UnitState.SOLD:
                raise Refused(
                    f"Kit {unit.serial} cannot come back: its part {current.serial} is "
                    f"{UnitState(current.state).label}. A kit comes back whole, with every part."
                )
    return sold


def take_back_kits(ctx: Context, doc: Document, kits: dict[int, AssembledKit]) -> None:
    """After the kit units came back on ``doc``: each part comes back into its kit."""
    for record in kits.values():
        serial = Unit.get_by_id(record.unit_id).serial
        for part in parts_of(record.id):
            if part.unit_id is None:
                continue  # quantity parts never left the kit's box
            unit = _current_unit(part.unit)
            if unit.id != part.unit_id:
                # A warranty replacement stands in for the part it replaced.
                AssembledKitPart.update(unit=unit.id).where(
                    AssembledKitPart.id == part.id
                ).execute()
            move_unit(
                unit,
                Event.CUSTOMER_RETURN,
                UnitState.IN_STOCK,
                ctx,
                doc,
                note=f"with kit {serial}",
                branch=ctx.branch_id,
                customer=None,
            )
            move_unit(
                unit, Event.INTO_KIT, UnitState.IN_KIT, ctx, doc, note=f"back in kit {serial}"
            )
        AssembledKit.update(status=KitStatus.ASSEMBLED).where(
            AssembledKit.id == record.id, AssembledKit.status == KitStatus.SOLD
        ).execute()


def _current_unit(unit: Unit) -> Unit:
    """The part itself, or the unit that replaced it under warranty (and so on)."""
    seen = {unit.id}
    while unit.state == UnitState.REPLACED:
        newer = Unit.select().where(Unit.replaces == unit.id).order_by(Unit.id.desc()).first()
        if newer is None or newer.id in seen:
            break
        seen.add(newer.id)
        unit = newer
    return unit


def refuse_part_alone(units: list[Unit]) -> None:
    """Refuse to take back a part of a sold kit on its own (or its warranty replacement):
    the whole kit comes back."""
    for unit in reversed(units):
        if unit.state != UnitState.SOLD:
            continue
        current: Unit | None = unit
        seen: set[int] = set()
        while current is not None and current.id not in seen:
            seen.add(current.id)
            link = kit_of_component(current.id)
            if link is not None and link.status == KitStatus.SOLD:
                raise Refused(
                    f"{unit.serial} was sold as part of kit {link.serial} ({link.name}): "
                    f"return the whole kit {link.serial}."
                )
            replaced = current.replaces_id
            current = Unit.get_or_none(Unit.id == replaced) if replaced else None


# --- transfers ----------------------------------------------------------------------------


def send_with_kit(ctx: Context, doc: Document, kit_unit: Unit, destination: Branch) -> None:
    """The kit unit left for ``destination`` on ``doc``: its parts go in transit with it."""
    record = _assembled(kit_unit)
    for part in parts_of(record.id) if record else []:
        if part.unit_id is None:
            continue
        move_unit(
            part.unit,
            Event.TRANSFER_OUT,
            UnitState.IN_TRANSIT,
            ctx,
            doc,
            note=f"in kit {kit_unit.serial} to {destination.name}",
            branch=destination.id,
        )


def arrive_with_kit(ctx: Context, doc: Document, kit_unit: Unit) -> None:
    """The kit unit arrived here on ``doc``: its parts arrive with it, back in the kit."""
    record = _assembled(kit_unit)
    for part in parts_of(record.id) if record else []:
        if part.unit_id is None or part.unit.state != UnitState.IN_TRANSIT:
            continue
        move_unit(
            part.unit,
            Event.TRANSFER_IN,
            UnitState.IN_KIT,
            ctx,
            doc,
            note=f"in kit {kit_unit.serial} from {doc.branch.name}",
            branch=ctx.branch_id,
        )


def _assembled(kit_unit: Unit) -> AssembledKit | None:
    record = latest_record(kit_unit.id)
    return record if record is not None and record.status == KitStatus.ASSEMBLED else None


# --- warranty replacements ----------------------------------------------------------------


def refuse_kit_replacement(old: Unit, new: Unit) -> None:
    """Refuse a warranty replacement of a kit unit, or by one: the faulty part inside the kit
    is replaced (and stands in for it in the kit), or the whole kit comes back on a return."""
    record = latest_record(old.id)
    if record is not None and record.status != KitStatus.DISASSEMBLED:
        raise Refused(
            f"{old.serial} is a kit: replace the faulty part inside it, or take the kit back "
            "on a return and sell another."
        )
    if _assembled(new) is not None:
        raise Refused(
            f"{new.serial} is a kit with its parts inside: it is not issued as a replacement. "
            "Issue a single unit, or take the kit apart first (Back office, Kits)."
        )


# --- what a kit cannot do whole -----------------------------------------------------------


def refuse_whole_kit(unit: Unit, doing: str) -> None:
    """Refuse to write off, or send back to a supplier, a kit with its parts inside
    (``doing``: "written off", "returned to the supplier")."""
    if _assembled(unit) is None:
        return
    release = ", after releasing it from quarantine" if unit.state == UnitState.QUARANTINE else ""
    raise Refused(
        f"{unit.serial} is a kit with its parts inside; it cannot be {doing} whole. "
        f"Take it apart first (Back office, Kits{release}), then handle its parts one by one."
    )


# --- stocktake ----------------------------------------------------------------------------


def write_off_with_kit(
    ctx: Context, doc: Document, kit_unit: Unit, *, note: str, approver=None
) -> None:
    """The kit unit was written off as missing at a count (``doc``): its parts inside it
    are missing with it, and are written off on the same count."""
    record = _assembled(kit_unit)
    for part in parts_of(record.id) if record else []:
        if part.unit_id is None or part.unit.state != UnitState.IN_KIT:
            continue
        move_unit(
            part.unit,
            Event.STOCKTAKE_MISSING,
            UnitState.WRITTEN_OFF,
            ctx,
            doc,
            note=f"{note}, inside kit {kit_unit.serial}",
            approver=approver,
        )


def found_with_kit(
    ctx: Context, doc: Document, kit_unit: Unit, *, note: str, approver=None
) -> None:
    """A kit written off as missing was found (``doc``): the parts written off inside it
    come back inside it."""
    record = _assembled(kit_unit)
    for part in parts_of(record.id) if record else []:
        if part.unit_id is None or part.unit.state != UnitState.WRITTEN_OFF:
            continue
        move_unit(
            part.unit,
            Event.FOUND,
            UnitState.IN_KIT,
            ctx,
            doc,
            note=f"{note}, inside kit {kit_unit.serial}",
            approver=approver,
            branch=ctx.branch_id,
        )


def refuse_part_of_missing_kit(unit: Unit) -> None:
    """A part written off inside a missing kit is found with its kit, not on its own."""
    if unit.state != UnitState.WRITTEN_OFF:
        return
    part = (
        AssembledKitPart.select(AssembledKitPart, AssembledKit)
        .join(AssembledKit)
        .where(AssembledKitPart.unit == unit.id)
        .order_by(AssembledKitPart.id.desc())
        .first()
    )
    if part is None or part.kit.status != KitStatus.ASSEMBLED:
        return
    kit_unit = Unit.get_by_id(part.kit.unit_id)
    if kit_unit.state == UnitState.WRITTEN_OFF:
        raise Refused(
            f"{unit.serial} was written off inside kit {kit_unit.serial}: record the kit as "
            "found and its parts come back with it (take it apart after, if need be)."
        )
