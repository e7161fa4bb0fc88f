"""Items of the stock documents (transfers, supplier returns, adjustments): a unit by
serial or goods without serials, as scanned and as taken out of stock."""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.errors import NotFound, Refused
from app.domain.serials import plain_text
from app.services.access.context import Context
from app.services.ledger.lookups import find_product, product_of_scan, scan_of
from app.services.ledger.product_settings import settings_of
from app.services.ledger.stock_levels import change_stock, quantity_must_be_positive, stock_quantity
from app.services.ledger.units import units_with_serial
from db.models import Document, DocumentLine, Product


@dataclass
class StockItem:
    """A unit by its serial (or GS1 scan), or a quantity of a product without serials."""

    serial: str | None = None
    product: str | None = None
    quantity: int = 1


def take_quantity(ctx: Context, document: Document, product_code: str | None, quantity: int) -> int:
    """Take goods without serials out of this branch's stock onto a document; return how many."""
    product = find_product(product_code or "")
    if settings_of(product).mode.serialized:
        raise Refused(f"{product.name} is tracked by serial: scan each unit.")
    quantity = quantity_must_be_positive(quantity)
    change_stock(product.id, ctx.branch_id, -quantity, product_name=product.name)
    DocumentLine.create(document=document, product=product, quantity=quantity)
    return quantity


@dataclass
class ScannedStock:
    """One scan for a stock document, checked: a unit by serial, or goods without serials."""

    item: StockItem
    sku: str
    name: str
    serial: str | None = None  # the unit's serial as stored
    in_stock: int = 0  # pieces of goods without serials at this branch


def read_stock_scan(ctx: Context, raw: str, quantity: int = 1) -> ScannedStock:
    """What one scan on a transfer, supplier return or adjustment stands for.

    A typed SKU or a product barcode is goods without serials (refused for a product
    tracked by serial: its units are scanned one by one); anything else is a known serial.
    """
    text = plain_text(raw, "scan").strip()
    if not text:
        raise Refused("The scan was empty. Scan again.")
    product = Product.get_or_none(Product.sku == text.upper())
    if product is None:
        scan = scan_of(text)
        if scan.serial is not None:
            units = units_with_serial(scan.serial, product_of_scan(scan, None))
            if not units:
                raise NotFound(f"'{text[:40]}' is not a serial, SKU or barcode known here.")
            item = units[-1].product
            return ScannedStock(StockItem(serial=text), item.sku, item.name, scan.serial)
        product = find_product(scan.gtin or "")
    if settings_of(product).mode.serialized:
        raise Refused(f"{product.name} is tracked by serial: scan the unit's serial.")
    quantity = quantity_must_be_positive(quantity)
    return ScannedStock(
        StockItem(product=product.sku, quantity=quantity),
        product.sku,
        product.name,
        in_stock=stock_quantity(product.id, ctx.branch_id),
    )
