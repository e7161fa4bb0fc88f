"""Supplier returns (RMA): units in stock, quarantined or replaced go back to the supplier."""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.errors import Refused
from app.domain.roles import Action
from app.domain.states import TRANSITIONS, Event, UnitState
from app.domain.text import free_text
from app.services.access.context import Context
from app.services.kits import moves as kit_moves
from app.services.ledger.documents import Kind, doc_number, new_document
from app.services.ledger.lookups import find_supplier, product_of_scan, scan_of
from app.services.ledger.moves import move_unit
from app.services.ledger.units import pick_unit
from app.services.stock.items import StockItem, take_quantity
from app.services.transaction import write_transaction
from db.models import DocumentLine

RETURNABLE = TRANSITIONS[Event.SUPPLIER_RETURN][0]


# A supplier return sends back serials, or quantities of goods without serials.
SupplierReturnItem = StockItem


@dataclass
class SupplierReturnResult:
    number: str
    supplier: str
    units: int
    quantity: int
    warnings: list[str]


def supplier_return(
    ctx: Context,
    supplier: str,
    items: list[SupplierReturnItem],
    *,
    reason: str,
    reference: str = "",
) -> SupplierReturnResult:
    """Send units (and quantities) back to a supplier; they leave stock for good."""
    ctx.require(Action.SUPPLIER_RETURN)
    reason = free_text(reason, "reason", lines=True)
    reference = free_text(reference, "supplier's reference", limit=120)
    if not items:
        raise Refused("Nothing to return: scan the units first.")
    if not reason.strip():
        raise Refused("Give the reason for the supplier return (faulty, wrong item, ...).")
    with write_transaction(ctx):
        supplier_row = find_supplier(supplier)
        doc = new_document(
            Kind.SUPPLIER_RETURN,
            ctx,
            supplier=supplier_row.id,
            reason=reason.strip(),
            reference=reference.strip(),
        )
        warnings: list[str] = []
        units = quantity = 0
        for item in items:
            if item.serial:
                scan = scan_of(item.serial)
                unit = pick_unit(
                    scan.serial, product_of_scan(scan, item.product), prefer=RETURNABLE
                )
                if unit.state not in RETURNABLE:
                    raise Refused(
                        f"{unit.serial} is {UnitState(unit.state).label}; only units in stock, "
                        "in quarantine or replaced under warranty go back to the supplier."
                    )
                if unit.state != UnitState.REPLACED and unit.branch_id != ctx.branch_id:
                    raise Refused(f"{unit.serial} is at {unit.branch.name}, not here.")
                if unit.supplier_id not in (None, supplier_row.id):
                    warnings.append(
                        f"{unit.serial} came from {unit.supplier.name}, not {supplier_row.name}."
                    )
                kit_moves.refuse_whole_kit(unit, "returned to the supplier")
                move_unit(
                    unit,
                    Event.SUPPLIER_RETURN,
                    UnitState.RETURNED_TO_SUPPLIER,
                    ctx,
                    doc,
                    note=reason.strip(),
                )
                DocumentLine.create(
                    document=doc,
                    product=unit.product_id,
                    unit=unit.id,
                    serial=unit.serial,
                    quantity=1,
                    cost=unit.cost,
                )
                units += 1
            else:
                quantity += take_quantity(ctx, doc, item.product, item.quantity)
        return SupplierReturnResult(
            doc_number(Kind.SUPPLIER_RETURN, doc.id), supplier_row.name, units, quantity, warnings
        )
