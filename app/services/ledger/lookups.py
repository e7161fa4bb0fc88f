"""Finding what staff type or scan: a product by SKU or barcode, a scan's product, a
branch, a supplier, a customer, an employee's name."""

from __future__ import annotations

import re

import peewee as pw

from app.domain.errors import Ambiguous, NotFound, Refused
from app.domain.serials import Scan, plain_text, read_scan
from db.bulk import select_in
from db.models import (
    Branch,
    Customer,
    Employee,
    Product,
    ProductType,
    Supplier,
    Unit,
    WarrantyNumber,
)


def find_product(code: str) -> Product:
    """A product by SKU or GTIN (as typed or scanned)."""
    plain_text(code, "product code")
    text = code.strip()
    product = (
        Product.select(Product, ProductType)
        .join(ProductType)
        .where(Product.sku == text.upper())
        .first()
    )
    if product is None and text.isdigit():
        product = (
            Product.select(Product, ProductType)
            .join(ProductType)
            .where(Product.gtin == text.zfill(14))
            .first()
        )
    if product is None:
        raise NotFound(f"No product with SKU or barcode '{code}'.")
    return product


def known_gtin(gtin: str) -> bool:
    return Product.select().where(Product.gtin == gtin).exists()


def scan_of(raw: str) -> Scan:
    """A scan read with this shop's GTINs in mind (a known GTIN is a product, not a serial)."""
    return read_scan(raw, known_gtin=known_gtin)


def product_of_scan(scan: Scan, sku: str | None) -> Product | None:
    """The product a scan or an explicit SKU names, checking they agree."""
    product = find_product(sku) if sku else None
    if scan.gtin:
        scanned = find_product(scan.gtin)
        if product is not None and product.id != scanned.id:
            raise Refused(
                f"The barcode is for {scanned.name}, but {product.name} was chosen. Scan again."
            )
        product = scanned
    return product


def find_branch(code: str) -> Branch:
    plain_text(code, "branch code")
    branch = Branch.get_or_none(Branch.code == code.strip().upper())
    if branch is None:
        raise NotFound(f"No branch with code '{code}'.")
    return branch


def find_supplier(name: str) -> Supplier:
    plain_text(name, "supplier name")
    supplier = Supplier.get_or_none(pw.fn.LOWER(Supplier.name) == name.strip().lower())
    if supplier is None:
        raise NotFound(f"No supplier named '{name}'. Add it in settings first.")
    return supplier


def find_customer(query: str) -> Customer:
    """A customer by id (#12), exact phone or exact name; refuse if several match."""
    plain_text(query, "customer search")
    text = query.strip()
    if text.startswith("#") and text[1:].isdigit():
        customer = Customer.get_or_none(Customer.id == int(text[1:]))
        if customer is None:
            raise NotFound(f"No customer {text}.")
        return customer
    digits = "".join(ch for ch in text if ch.isdigit() or ch == "+")
    matches = list(
        Customer.select()
        .where((Customer.phone == digits) | (pw.fn.LOWER(Customer.name) == text.lower()))
        .limit(5)
    )
    if not matches:
        raise NotFound(f"No customer with name or phone '{query}'.")
    if len(matches) > 1:
        names = ", ".join(f"#{c.id} {c.name} {c.phone}" for c in matches)
        raise Ambiguous(f"Several customers match '{query}': {names}. Choose one by #id.")
    return matches[0]


def employee_name(employee_id: int | None) -> str:
    if employee_id is None:
        return ""
    emp = Employee.get_or_none(Employee.id == employee_id)
    return emp.name if emp else ""


# Warranty numbers: W and ten of these (no look-alikes: they are read over the phone).
WARRANTY_NUMBER_ALPHABET = "ACDEFGHJKLMNPQRTUVWXY3479"
WARRANTY_NUMBER_FORM = re.compile(rf"^W[{WARRANTY_NUMBER_ALPHABET}]{{10}}$")


def warranty_numbers_among(codes) -> set[str]:
    """Which of ``codes`` are warranty numbers of this shop: no unit may take one as its
    serial, or a look-up of the number would find the unit instead of the warranty."""
    rows = select_in(WarrantyNumber, (WarrantyNumber.number,), WarrantyNumber.number, list(codes))
    return {number for (number,) in rows}


def serial_in_use(code: str) -> bool:
    """Is ``code`` the serial of a unit here (a new warranty number must not be)?"""
    return Unit.select().where(Unit.serial == code).exists()
