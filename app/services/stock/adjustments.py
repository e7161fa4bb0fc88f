"""Adjustments: write-offs, found units, quarantine, and manager corrections.

Nothing is edited: each adjustment is a new document and a new history row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from app.domain.errors import Refused
from app.domain.roles import Action
from app.domain.states import Event, UnitState
from app.domain.text import free_text
from app.services.access.context import Approver, Context
from app.services.kits import moves as kit_moves
from app.services.ledger.documents import Kind, doc_number, new_document
from app.services.ledger.lookups import find_product, product_of_scan, scan_of
from app.services.ledger.moves import move_unit
from app.services.ledger.product_settings import settings_of
from app.services.ledger.stock_levels import change_stock, quantity_must_be_positive
from app.services.ledger.units import pick_unit
from app.services.transaction import write_transaction
from db.models import DocumentLine


class AdjustmentKind(StrEnum):
    WRITE_OFF = "write_off"
    FOUND = "found"
    QUARANTINE = "quarantine"
    RELEASE = "release"
    CORRECTION = "correction"


# kind -> (event, target state, permission)
_RULES = {
    AdjustmentKind.WRITE_OFF: (Event.WRITE_OFF, UnitState.WRITTEN_OFF, Action.WRITE_OFF),
    AdjustmentKind.FOUND: (Event.FOUND, UnitState.IN_STOCK, Action.WRITE_OFF),
    AdjustmentKind.QUARANTINE: (Event.QUARANTINE, UnitState.QUARANTINE, Action.QUARANTINE),
    AdjustmentKind.RELEASE: (Event.RELEASE, UnitState.IN_STOCK, Action.QUARANTINE),
    AdjustmentKind.CORRECTION: (Event.CORRECTION, None, Action.CORRECTION),
}

_QUANTITY_KINDS = (AdjustmentKind.WRITE_OFF, AdjustmentKind.FOUND, AdjustmentKind.CORRECTION)


@dataclass
class AdjustmentResult:
    number: str
    kind: str
    units: list[str]
    quantity_change: int
    quantities: dict[str, int] = field(default_factory=dict)  # SKU -> change of its stock


def adjust(
    ctx: Context,
    kind: str,
    *,
    serials: list[str] = (),
    product: str | None = None,
    quantity_change: int = 0,
    quantities: dict[str, int] | None = None,
    reason: str,
    to_state: str | None = None,
    approver: Approver | None = None,
) -> AdjustmentResult:
    """Adjust units by serial, and the quantity stock of products without serials.

    ``product``/``quantity_change`` adjust one product, ``quantities`` (code -> change)
    several; a write-off takes, a found adds, a correction adds or takes by its sign.
    Write-offs, found units and corrections need a manager, or a manager's approval.
    A correction sets any state, with its reason, as a new event.
    """
    reason = free_text(reason, "reason", lines=True)
    try:
        kind_value = AdjustmentKind(kind)
    except ValueError:
        choices = ", ".join(k.value for k in AdjustmentKind)
        raise Refused(f"Unknown adjustment '{kind}' ({choices}).") from None
    event, target, action = _RULES[kind_value]
    ctx.require(action, approver)
    if not reason.strip():
        raise Refused("Give the reason for the adjustment.")
    if kind_value is AdjustmentKind.CORRECTION and serials:
        try:
            target = UnitState(to_state or "")
        except ValueError:
            raise Refused("A correction needs the state the unit really is in.") from None
    changes = dict(quantities or {})
    if product and quantity_change:
        changes[product] = changes.get(product, 0) + quantity_change
    if not serials and not changes:
        raise Refused("Scan the units to adjust, or give a product and a quantity change.")
    if changes and kind_value not in _QUANTITY_KINDS:
        raise Refused("Quantity stock is only written off, found or corrected.")
    for change in changes.values():
        quantity_must_be_positive(abs(change))
    # ``product`` names the quantity good when a change is given, not the serials' product
    serial_product = None if quantity_change else product
    with write_transaction(ctx):
        doc = new_document(
            Kind.ADJUSTMENT,
            ctx,
            reason=reason.strip(),
            reference=kind_value.value,
            approved_by=approver.employee_id if approver else None,
        )
        moved = []
        for raw in serials:
            scan = scan_of(raw)
            unit = pick_unit(scan.serial, product_of_scan(scan, serial_product))
            if (
                unit.branch_id not in (None, ctx.branch_id)
                and kind_value is not AdjustmentKind.CORRECTION
            ):
                raise Refused(f"{unit.serial} is at {unit.branch.name}, not here.")
            if kind_value is AdjustmentKind.WRITE_OFF:
                kit_moves.refuse_whole_kit(unit, "written off")
            if kind_value is AdjustmentKind.FOUND:
                kit_moves.refuse_part_of_missing_kit(unit)
            move_unit(
                unit,
                event,
                target,
                ctx,
                doc,
                note=reason.strip(),
                approver=approver,
                branch=ctx.branch_id if target is UnitState.IN_STOCK else unit.branch_id,
            )
            if kind_value is AdjustmentKind.FOUND:
                kit_moves.found_with_kit(ctx, doc, unit, note=reason.strip(), approver=approver)
            DocumentLine.create(
                document=doc,
                product=unit.product_id,
                unit=unit.id,
                serial=unit.serial,
                quantity=1,
                cost=unit.cost,
            )
            moved.append(unit.serial)
        done: dict[str, int] = {}
        for code, change in changes.items():
            item = find_product(code)
            if settings_of(item).mode.serialized:
                raise Refused(f"{item.name} is tracked by serial: adjust its units by serial.")
            delta = change
            if kind_value is AdjustmentKind.WRITE_OFF:
                delta = -abs(change)
            elif kind_value is AdjustmentKind.FOUND:
                delta = abs(change)
            change_stock(item.id, ctx.branch_id, delta, product_name=item.name)
            DocumentLine.create(document=doc, product=item, quantity=delta, note=reason.strip())
            done[item.sku] = done.get(item.sku, 0) + delta
        return AdjustmentResult(
            doc_number(Kind.ADJUSTMENT, doc.id), kind_value.value, moved, sum(done.values()), done
        )
