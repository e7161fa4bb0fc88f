"""Stocktake by serial: open a count, scan the shelves in any order, close.

A count cannot close while a scanned serial is unknown or not in stock here;
closing lists the missing units and, with a manager's approval, writes them off.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.domain.errors import InvalidSerial, NotFound, Refused
from app.domain.roles import Action
from app.domain.states import Event, UnitState
from app.services.access.context import Approver, Context
from app.services.kits import moves as kit_moves
from app.services.kits.records import kit_of_component
from app.services.ledger.documents import Kind, doc_number, get_document, new_document
from app.services.ledger.lookups import scan_of
from app.services.ledger.moves import move_unit
from app.services.transaction import write_transaction
from db.models import DocumentLine, Product, ProductType, Unit


class ScanResult:
    EXPECTED = "expected"
    UNKNOWN = "unknown"
    WRONG_BRANCH = "wrong_branch"
    NOT_IN_STOCK = "not_in_stock"
    OUT_OF_SCOPE = "out_of_scope"
    MISSING = "missing"
    # A part inside an assembled kit here: the kit's own serial is what is counted.
    IN_KIT = "in_kit"
    # ... and that kit's own label was not scanned: the count cannot close so.
    KIT_LABEL_NOT_SCANNED = "kit_label_not_scanned"


BLOCKING = {ScanResult.UNKNOWN, ScanResult.WRONG_BRANCH, ScanResult.NOT_IN_STOCK}


@dataclass
class StocktakeStatus:
    number: str
    branch: str
    scope: str
    status: str
    expected: int
    counted: int
    missing: list[str] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (serial, result)


def open_stocktake(ctx: Context, *, product_type: str | None = None) -> str:
    """Open a count for this branch, optionally of one product type; return its number."""
    ctx.require(Action.STOCKTAKE)
    with write_transaction(ctx):
        if product_type:
            if ProductType.get_or_none(ProductType.name == product_type) is None:
                raise NotFound(f"No product type '{product_type}'.")
        doc = new_document(Kind.STOCKTAKE, ctx, status="open", reference=product_type or "")
        return doc_number(Kind.STOCKTAKE, doc.id)


def scan(ctx: Context, number: str, raw: str) -> tuple[str, str]:
    """Record one scanned serial on an open count; return (serial, result)."""
    ctx.require(Action.STOCKTAKE)
    with write_transaction(ctx):
        doc = _open_doc(ctx, number)
        serial = scan_of(raw).serial
        if serial is None:
            raise InvalidSerial("That is a product barcode: scan the unit's serial.")
        if (
            DocumentLine.select()
            .where(DocumentLine.document == doc.id, DocumentLine.serial == serial)
            .exists()
        ):
            raise Refused(f"{serial} was already counted.")
        unit, result = _classify(doc, serial)
        DocumentLine.create(
            document=doc,
            product=unit.product_id if unit else None,
            unit=unit.id if unit else None,
            serial=serial,
            result=result,
        )
        return serial, result


def unscan(ctx: Context, number: str, serial: str) -> None:
    """Take a scan off an open count (scanned by mistake, or put aside)."""
    ctx.require(Action.STOCKTAKE)
    with write_transaction(ctx):
        doc = _open_doc(ctx, number)
        scanned = scan_of(serial).serial  # as scan() stored it: normalised, or out of a GS1 code
        removed = (
            DocumentLine.delete()
            .where(DocumentLine.document == doc.id, DocumentLine.serial == scanned)
            .execute()
        )
        if not removed:
            raise NotFound(f"{serial} is not on this count.")


def status(number: str) -> StocktakeStatus:
    """The running tally: expected, counted, missing, and scans that block closing."""
    doc = get_document(number, Kind.STOCKTAKE)
    scanned = {}
    problems = []
    parts = []  # parts scanned inside a kit box
    for line in doc.lines:
        if doc.status == "open":
            unit, result = _classify(doc, line.serial)
            if result == ScanResult.IN_KIT:
                parts.append((line.serial, unit))
        else:
            result = line.result
        if result == ScanResult.MISSING:
            continue
        scanned[line.serial] = result
        if result in BLOCKING:
            problems.append((line.serial, result))
    if doc.status == "open":
        expected = [s for (s,) in _expected(doc).tuples()]
        missing = [s for s in expected if s not in scanned]
        # A part seen on the shelf while its kit's label is missing from the count: the
        # kit is probably there. Closing now would write off what was just seen.
        unscanned = set(missing)
        for serial, unit in parts:
            kit = kit_of_component(unit.id)
            if kit is not None and kit.serial in unscanned:
                problems.append((serial, ScanResult.KIT_LABEL_NOT_SCANNED))
    else:
        missing = [line.serial for line in doc.lines if line.result == ScanResult.MISSING]
        expected = [s for s, r in scanned.items() if r == ScanResult.EXPECTED] + missing
    counted = sum(1 for r in scanned.values() if r == ScanResult.EXPECTED)
    return StocktakeStatus(
        doc_number(Kind.STOCKTAKE, doc.id),
        doc.branch.name,
        doc.reference or "all products",
        doc.status,
        len(expected),
        counted,
        sorted(missing),
        problems,
    )


def close(
    ctx: Context, number: str, *, write_off_missing: bool = False, approver: Approver | None = None
) -> StocktakeStatus:
    """Close the count: refuse while a scan is unknown or not in stock here; record the result."""
    ctx.require(Action.STOCKTAKE)
    if write_off_missing:
        ctx.require(Action.WRITE_OFF, approver)
    with write_transaction(ctx):
        doc = _open_doc(ctx, number)
        tally = status(number)
        kits = [s for s, r in tally.problems if r == ScanResult.KIT_LABEL_NOT_SCANNED]
        if kits:
            raise Refused(
                f"The count cannot close: {', '.join(kits[:5])} was scanned inside a kit whose "
                "own label was not. Scan the kit's label, or take the part's scan off."
            )
        if tally.problems:
            listed = ", ".join(f"{s} ({r.replace('_', ' ')})" for s, r in tally.problems[:5])
            raise Refused(
                f"The count cannot close: {len(tally.problems)} scanned serial(s) are not in stock "
                f"here: {listed}. Resolve them (receive, transfer in, or take the scan off)."
            )
        for line in doc.lines:
            _unit, line.result = _classify(doc, line.serial)
            line.save()
        missing_units = list(
            _expected(doc, select_units=True).where(
                Unit.serial.in_(tally.missing) if tally.missing else Unit.id < 0
            )
        )
        for unit in missing_units:
            DocumentLine.create(
                document=doc,
                product=unit.product_id,
                unit=unit.id,
                serial=unit.serial,
                result=ScanResult.MISSING,
                cost=unit.cost,
            )
            if write_off_missing:
                note = f"missing at stocktake {doc_number(Kind.STOCKTAKE, doc.id)}"
                move_unit(
                    unit,
                    Event.STOCKTAKE_MISSING,
                    UnitState.WRITTEN_OFF,
                    ctx,
                    doc,
                    note=note,
                    approver=approver,
                )
                # A missing kit is missing with every part inside it.
                kit_moves.write_off_with_kit(ctx, doc, unit, note=note, approver=approver)
        doc.status = "closed"
        doc.closed_at = ctx.now()
        if approver:
            doc.approved_by = approver.employee_id
        doc.save()
    return status(number)


def _open_doc(ctx: Context, number: str):
    doc = get_document(number, Kind.STOCKTAKE)
    if doc.status != "open":
        raise Refused(f"{number} is closed.")
    if doc.branch_id != ctx.branch_id:
        raise Refused(f"{number} is a count of {doc.branch.name}, not of this branch.")
    return doc


def _expected(doc, select_units: bool = False):
    query = (Unit.select() if select_units else Unit.select(Unit.serial)).where(
        Unit.branch == doc.branch_id, Unit.state == UnitState.IN_STOCK
    )
    if doc.reference:
        query = query.join(Product).join(ProductType).where(ProductType.name == doc.reference)
    return query


def _classify(doc, serial: str) -> tuple[Unit | None, str]:
    units = list(Unit.select().where(Unit.serial == serial))
    if not units:
        return None, ScanResult.UNKNOWN
    here = [u for u in units if u.state == UnitState.IN_STOCK and u.branch_id == doc.branch_id]
    if here:
        unit = here[0]
        if doc.reference and unit.product.type.name != doc.reference:
            return unit, ScanResult.OUT_OF_SCOPE
        return unit, ScanResult.EXPECTED
    in_kit = [u for u in units if u.state == UnitState.IN_KIT and u.branch_id == doc.branch_id]
    if in_kit:
        return in_kit[0], ScanResult.IN_KIT
    unit = units[-1]
    if unit.state == UnitState.IN_STOCK:
        return unit, ScanResult.WRONG_BRANCH
    return unit, ScanResult.NOT_IN_STOCK
