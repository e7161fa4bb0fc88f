"""Quantity stock of goods without serials: how many of a product a branch holds."""

from __future__ import annotations

from app.domain.errors import Refused
from db.models import StockLevel


def change_stock(product_id: int, branch_id: int, delta: int, *, product_name: str = "") -> None:
    """Add to (or take from) quantity stock; refuse to go below zero."""
    if delta == 0:
        return
    if delta > 0:
        StockLevel.insert(product=product_id, branch=branch_id, quantity=delta).on_conflict(
            conflict_target=[StockLevel.product, StockLevel.branch],
            update={StockLevel.quantity: StockLevel.quantity + delta},
        ).execute()
        return
    taken = (
        StockLevel.update(quantity=StockLevel.quantity + delta)
        .where(
            StockLevel.product == product_id,
            StockLevel.branch == branch_id,
            StockLevel.quantity >= -delta,
        )
        .execute()
    )
    if taken != 1:
        have = stock_quantity(product_id, branch_id)
        raise Refused(
            f"Only {have} of {product_name or 'this product'} in stock here, not {-delta}."
        )


def stock_quantity(product_id: int, branch_id: int) -> int:
    level = StockLevel.get_or_none(
        (StockLevel.product == product_id) & (StockLevel.branch == branch_id)
    )
    return level.quantity if level else 0


def quantity_must_be_positive(quantity: int) -> int:
    if not isinstance(quantity, int) or quantity < 1 or quantity > 100_000:
        raise Refused(f"The quantity {quantity} is not valid (1 to 100000).")
    return quantity
