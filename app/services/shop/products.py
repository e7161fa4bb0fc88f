"""Products in the back office (manager): add a product or a product type, change a
product's name, price, barcode, and whether it is still sold and received.

The rules every product follows wherever it is made (a unique SKU and barcode, a price
above zero, a valid GTIN) live in ``catalog``; this module adds the manager's changes.
"""

from __future__ import annotations

from app.domain.errors import Refused
from app.domain.roles import Action
from app.domain.states import UnitState
from app.services.access.context import Context
from app.services.ledger.lookups import find_product
from app.services.shop import catalog
from app.services.transaction import write_transaction
from db.models import Product, ProductType, Unit


def shown_gtin(gtin: str | None) -> str:
    """A stored 14-digit GTIN as printed on the box: EAN-8, EAN-13 or GTIN-14."""
    if not gtin:
        return ""
    if gtin.startswith("000000"):
        return gtin[6:]
    return gtin[1:] if gtin.startswith("0") else gtin


def new_product(
    ctx: Context, sku: str, name: str, product_type: str, price: str, gtin: str = ""
) -> Product:
    """A manager adds a product of an existing type."""
    ctx.require(Action.SETTINGS)
    with write_transaction():
        return catalog.add_product(sku, name, product_type, price, gtin=gtin)


def new_product_type(
    ctx: Context, name: str, tracking_mode: str, warranty_months: str, print_mode: str
) -> ProductType:
    """A manager adds a product type: its tracking mode, warranty months and print mode."""
    ctx.require(Action.SETTINGS)
    text = str(warranty_months).strip() or "0"
    if not text.isdigit():
        raise Refused(f"Warranty months '{text[:10]}' is not a whole number.")
    return catalog.add_product_type(
        name, tracking_mode, warranty_months=int(text), print_mode=print_mode or "offer"
    )


def product_type_names() -> list[str]:
    """Every product type's name, for choosing one."""
    return [
        name for (name,) in ProductType.select(ProductType.name).order_by(ProductType.name).tuples()
    ]


def update_product(
    ctx: Context, sku: str, *, name: str, price: str, gtin: str, active: bool
) -> Product:
    """Change a product's name, price, barcode, and whether it is still sold and received.

    Its SKU, type and history stay. It is deactivated only when none is left in stock, on
    the way between branches or inside a kit: stock nobody may sell would be stranded.
    """
    ctx.require(Action.SETTINGS)
    with write_transaction():
        item = find_product(sku)
        item.name = catalog._clean(name, "product name", 200)
        item.price = catalog.list_price(price)
        item.gtin = catalog.free_gtin(gtin, item.id)
        if item.active and not active:
            left = _stock_left(item)
            if left:
                raise Refused(
                    f"{item.name} still has {left} in stock, in quarantine, on the way or in "
                    "kits. Sell, transfer or write them off before you deactivate it."
                )
        item.active = active
        item.save()
        return item


def must_be_active(product: Product, doing: str) -> None:
    """Refuse to sell or receive a product a manager deactivated."""
    if not product.active:
        raise Refused(
            f"{product.name} ({product.sku}) is inactive and can no longer be {doing}. "
            "A manager can make it active again under Products."
        )


def _stock_left(item: Product) -> int:
    """Quantity stock plus units on the shelf, in quarantine (they may go back on the
    shelf), on the way or inside an assembled kit."""
    held = (UnitState.IN_STOCK, UnitState.QUARANTINE, UnitState.IN_TRANSIT, UnitState.IN_KIT)
    units = Unit.select().where(Unit.product == item.id, Unit.state.in_(held)).count()
    return catalog.quantity_stock(item) + units
