"""Adjustments: write-offs, found units, quarantine, and manager corrections.

Nothing is edited: each adjustment is a new document and a new history row.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from app.domain.errors import Refused
from app.domain.roles import Action
from app.domain.states import Event, UnitState
from app.services.common import (
    Kind,
    change_stock,
    doc_number,
    find_product,
    move_unit,
    new_document,
    pick_unit,
    product_of_scan,
    scan_of,
    settings_of,
)
from app.services.context import Approver, Context
from db.database import write_transaction
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


@dataclass
class AdjustmentResult:
    number: str
    kind: str
    units: list[str]
    quantity_change: int


def adjust(
    ctx: Context,
    kind: str,
    *,
    serials: list[str] = (),
    product: str | None = None,
    quantity_change: int = 0,
    reason: str,
    to_state: str | None = None,
    approver: Approver | None = None,
) -> AdjustmentResult:
    """Adjust units by serial, or the quantity stock of a product without serials.

    Write-offs, found units and corrections need a manager, or a manager's approval.
    A correction sets any state, with its reason, as a new event.
    """
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
    if not serials and not (product and quantity_change):
        raise Refused("Scan the units to adjust, or give a product and a quantity change.")
    with write_transaction():
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
            unit = pick_unit(scan.serial, product_of_scan(scan, product))
            if (
                unit.branch_id not in (None, ctx.branch_id)
                and kind_value is not AdjustmentKind.CORRECTION
            ):
                raise Refused(f"{unit.serial} is at {unit.branch.name}, not here.")
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
            DocumentLine.create(
                document=doc,
                product=unit.product_id,
                unit=unit.id,
                serial=unit.serial,
                quantity=1,
                cost=unit.cost,
            )
            moved.append(unit.serial)
        if quantity_change:
            item = find_product(product)
            if settings_of(item).mode.serialized:
                raise Refused(f"{item.name} is tracked by serial: adjust its units by serial.")
            if kind_value not in (
                AdjustmentKind.WRITE_OFF,
                AdjustmentKind.FOUND,
                AdjustmentKind.CORRECTION,
            ):
                raise Refused("Quantity stock is only written off, found or corrected.")
            delta = (
                -abs(quantity_change) if kind_value is AdjustmentKind.WRITE_OFF else quantity_change
            )
            if kind_value is AdjustmentKind.FOUND:
                delta = abs(quantity_change)
            change_stock(item.id, ctx.branch_id, delta, product_name=item.name)
            DocumentLine.create(document=doc, product=item, quantity=delta, note=reason.strip())
        else:
            delta = 0
        return AdjustmentResult(doc_number(Kind.ADJUSTMENT, doc.id), kind_value.value, moved, delta)
