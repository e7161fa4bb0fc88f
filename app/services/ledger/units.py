"""Units by serial: which unit a serial means, its last history row, and where it is
when it cannot be taken from the shelf here."""

from __future__ import annotations

from collections.abc import Iterable

import peewee as pw

from app.domain.errors import Ambiguous, NotFound
from app.domain.meid import meid_or_none
from app.domain.serials import CheckKind, imei_as_printed, normalize_serial
from app.domain.states import UnitState
from app.services.access.context import Context
from app.services.ledger.documents import doc_number
from app.services.ledger.product_settings import settings_of
from db.models import Branch, Document, Product, ProductType, Unit, UnitEvent
from db.prepared import Prepared


def units_with_serial(serial: str, product: Product | None = None) -> list[Unit]:
    """The units carrying a serial: as scanned, else as the same code printed otherwise
    (an IMEI with dashes, a MEID in decimal or with its check digit)."""
    units = _with_serial(serial, product)
    if units:
        return units
    imei = imei_as_printed(serial)
    if imei is not None:
        return _with_serial(imei, product)
    meid = meid_or_none(serial)
    if meid is None or meid == serial:
        return []
    # Only units whose product checks MEIDs: another product's serial may look like one.
    meids = _with_serial(meid, product)
    return [u for u in meids if settings_of(u.product).rule.check is CheckKind.MEID]


def _units_query(serial: str, product_id: int | None = None):
    """The units with a serial (of one product), oldest first, each with its product and
    the product's type (read with it: checkout and the passport ask for both)."""
    query = Unit.select(Unit, Product, ProductType).join(Product).join(ProductType)
    query = query.where(Unit.serial == serial)
    if product_id is not None:
        query = query.where(Unit.product == product_id)
    return query.order_by(Unit.id)


_WITH_SERIAL = Prepared(_units_query, str)
_WITH_SERIAL_OF = Prepared(_units_query, str, int)


def _with_serial(serial: str, product: Product | None) -> list[Unit]:
    if product is None:
        return _WITH_SERIAL.rows(serial)
    return _WITH_SERIAL_OF.rows(serial, product.id)


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
