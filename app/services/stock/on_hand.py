"""Stock by serial: which units are where, in which state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import peewee as pw

from app.domain.errors import Refused
from app.domain.states import UnitState
from db.models import Branch, Product, Unit


@dataclass
class StockRow:
    serial: str
    sku: str
    product: str
    state: str
    branch: str
    cost: Decimal | None
    since: datetime
    flag: str


def units(
    *,
    branch_id: int | None = None,
    product: str = "",
    state: str | None = UnitState.IN_STOCK.value,
    limit: int = 500,
) -> list[StockRow]:
    """Units by serial, filtered by branch, product (SKU or name contains) and state."""
    if state is not None and state not in {s.value for s in UnitState}:
        raise Refused(f"Unknown state '{state}' ({', '.join(s.value for s in UnitState)}).")
    query = (
        Unit.select(
            Unit.serial,
            Product.sku,
            Product.name,
            Unit.state,
            Branch.name,
            Unit.cost,
            Unit.updated_at,
            Unit.flag,
        )
        .join(Product)
        .switch(Unit)
        .join(Branch, pw.JOIN.LEFT_OUTER)
    )
    if state is not None:
        query = query.where(Unit.state == state)
    if branch_id is not None:
        query = query.where(Unit.branch == branch_id)
    text = product.strip()
    if text:
        query = query.where(
            (Product.sku == text.upper()) | pw.fn.LOWER(Product.name).contains(text.lower())
        )
    rows = query.order_by(Product.sku, Unit.serial).limit(limit).tuples()
    return [
        StockRow(s, sku, name, st, b or "", cost, since, flag)
        for s, sku, name, st, b, cost, since, flag in rows
    ]
