"""Master data: branches, employees, suppliers, customers, product types and products."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import peewee as pw

from app.domain.errors import NotFound, Refused
from app.domain.money import to_money
from app.domain.roles import Action, Role
from app.domain.serials import CheckKind, normalize_gtin, plain_text, validate_pattern
from app.domain.states import UnitState
from app.domain.text import MAX_NAME, MAX_NOTE, free_text, plain_name
from app.domain.tracking import MaskPolicy, PrintMode, TrackingMode, check_mode_switch
from app.services.access.context import Context
from app.services.access.pin_policy import pin_hash_for
from app.services.ledger.documents import Kind
from app.services.ledger.lookups import find_product, scan_of
from app.services.ledger.product_settings import settings_of
from app.services.transaction import write_transaction
from db.models import (
    Branch,
    Customer,
    Document,
    DocumentLine,
    Employee,
    KitComponent,
    Product,
    ProductType,
    StockLevel,
    Supplier,
    Unit,
)


def _clean(text: str, what: str, max_len: int = MAX_NAME) -> str:
    value = " ".join(plain_name(free_text(text, what, limit=max_len * 4)).split())
    if not value:
        raise Refused(f"The {what} is empty.")
    if len(value) > max_len:
        raise Refused(f"The {what} is longer than {max_len} characters.")
    return value


def _unique(create, what: str, value: str):
    try:
        with write_transaction():
            return create()
    except pw.IntegrityError:
        raise Refused(f"A {what} '{value}' already exists.") from None


def add_branch(code: str, name: str, address: str = "") -> Branch:
    code = _clean(code, "branch code", 16).upper()
    return _unique(
        lambda: Branch.create(
            code=code, name=_clean(name, "branch name"), address=free_text(address, "address")
        ),
        "branch",
        code,
    )


def add_employee(login: str, name: str, role: str, pin: str, branch: str | None = None) -> Employee:
    login = _clean(login, "login", 40).lower()
    try:
        role_value = Role(role)
    except ValueError:
        raise Refused(f"Unknown role '{role}' ({', '.join(r.value for r in Role)}).") from None
    branch_id = None
    if branch:
        found = Branch.get_or_none(Branch.code == branch.upper())
        if found is None:
            raise NotFound(f"No branch with code '{branch}'.")
        branch_id = found.id
    pin_hash = pin_hash_for(pin, role_value)
    return _unique(
        lambda: Employee.create(
            login=login,
            name=_clean(name, "name"),
            role=role_value.value,
            pin_hash=pin_hash,
            branch=branch_id,
        ),
        "login",
        login,
    )


def add_supplier(name: str, contact: str = "") -> Supplier:
    name = _clean(name, "supplier name")
    return _unique(
        lambda: Supplier.create(name=name, contact=free_text(contact, "contact", limit=MAX_NOTE)),
        "supplier",
        name,
    )


def normalize_phone(phone: str) -> str:
    digits = "".join(ch for ch in phone if ch.isdigit() or ch == "+")
    if phone.strip() and not 5 <= len(digits) <= 20:
        raise Refused(f"'{ascii(phone[:40])[1:-1]}' is not a phone number.")
    return digits


def add_customer(name: str, phone: str = "", email: str = "") -> Customer:
    with write_transaction():
        return Customer.create(
            name=_clean(name, "customer name"),
            phone=normalize_phone(phone),
            email=_clean(email, "e-mail") if email.strip() else "",
        )


def search_customers(text: str, limit: int = 10) -> list[Customer]:
    """Customers matching ``text`` as the cashier types, best first: names that start with
    it, then names with a word that starts with it, then phones holding its digits (a
    leading 0 may stand for the country code), then names holding it anywhere."""
    text = " ".join(plain_text(text, "search").split()).lower()
    if not text:
        return []
    name = pw.fn.LOWER(Customer.name)
    starts = name.startswith(text)
    word_starts = name.contains(" " + text) | name.contains("-" + text)
    phone = _phone_digits_match(text)
    rank = pw.Case(None, [(starts, 0), (word_starts, 1), (phone, 2)], 3)
    return list(
        Customer.select()
        .where(name.contains(text) | phone)
        .order_by(rank, Customer.name, Customer.id)
        .limit(limit)
    )


def _phone_digits_match(text: str) -> pw.Expression:
    """Phones holding the typed digits (spaces and dashes ignored), from 3 digits on."""
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) < 3:
        return pw.Value(False)
    match = Customer.phone.contains(digits)
    if digits.startswith("0") and len(digits) > 3:
        # typed as dialled at home (07700 ...), stored with the country code (+447700 ...)
        match |= Customer.phone.contains(digits[1:])
    return match


def add_product_type(
    name: str,
    tracking_mode: str,
    *,
    warranty_months: int = 0,
    print_mode: str = PrintMode.OFFER.value,
    serial_pattern: str = "",
    check_kind: str = CheckKind.NONE.value,
    mask_policy: str = MaskPolicy.NONE.value,
    card_template: str = "",
) -> ProductType:
    mode = _enum(TrackingMode, tracking_mode, "tracking mode")
    if warranty_months < 0 or warranty_months > 240:
        raise Refused("Warranty months must be between 0 and 240.")
    if mode.has_warranty and warranty_months == 0:
        raise Refused(f"A product type in '{mode.label}' mode needs a warranty period in months.")
    fields = dict(
        name=_clean(name, "product type name", 80),
        tracking_mode=mode.value,
        warranty_months=warranty_months if mode.has_warranty else 0,
        print_mode=_enum(PrintMode, print_mode, "print mode").value,
        serial_pattern=validate_pattern(serial_pattern),
        check_kind=_enum(CheckKind, check_kind, "check").value,
        mask_policy=_enum(MaskPolicy, mask_policy, "mask policy").value,
        card_template=card_template,
    )
    return _unique(lambda: ProductType.create(**fields), "product type", fields["name"])


def add_product(
    sku: str,
    name: str,
    product_type: str,
    price: Decimal | str,
    *,
    gtin: str | None = None,
) -> Product:
    """A new product of an existing type, active; its SKU and barcode are unique."""
    ptype = ProductType.get_or_none(ProductType.name == product_type)
    if ptype is None:
        raise NotFound(f"No product type '{product_type}'.")
    sku = _clean(sku, "SKU", 40).upper()
    fields = dict(
        sku=sku,
        name=_clean(name, "product name", 200),
        type=ptype,
        price=list_price(price),
        gtin=free_gtin(gtin),
    )
    return _unique(lambda: Product.create(**fields), "product with SKU", sku)


def list_price(price: Decimal | str) -> Decimal:
    """A product's list price: money above zero (a gift is a discount at the till)."""
    amount = to_money(price, what="price")
    if amount == 0:
        raise Refused("The price must be more than 0.00.")
    return amount


def free_gtin(gtin: str | None, product_id: int | None = None) -> str | None:
    """The barcode as stored (None if blank), refused if another product carries it."""
    if gtin is None or not plain_text(gtin, "barcode").strip():
        return None
    value = normalize_gtin(gtin)
    other = Product.get_or_none(Product.gtin == value)
    if other is not None and other.id != product_id:
        raise Refused(f"A product with barcode {gtin.strip()} already exists: {other.sku}.")
    return value


def set_product_mode(ctx: Context, product: str, mode: str | None) -> Product:
    """Override one product's tracking mode (None: follow its type), within the trade's rules."""
    ctx.require(Action.SETTINGS)
    with write_transaction():
        item = find_product(product)
        current = settings_of(item).mode
        target_text = mode or item.type.tracking_mode
        new = _enum(TrackingMode, target_text, "tracking mode")
        _check_switch(item, current, new)
        item.tracking_mode = new.value if mode else None
        item.save()
        return item


def set_type_mode(ctx: Context, product_type: str, mode: str) -> ProductType:
    """Change a product type's tracking mode; every product following it must allow the switch."""
    ctx.require(Action.SETTINGS)
    with write_transaction():
        ptype = ProductType.get_or_none(ProductType.name == product_type)
        if ptype is None:
            raise NotFound(f"No product type '{product_type}'.")
        new = _enum(TrackingMode, mode, "tracking mode")
        for item in Product.select().where(
            (Product.type == ptype) & Product.tracking_mode.is_null()
        ):
            _check_switch(item, TrackingMode(ptype.tracking_mode), new)
        ptype.tracking_mode = new.value
        if new.has_warranty and ptype.warranty_months == 0:
            raise Refused(f"Set a warranty period first: '{new.label}' mode needs one.")
        ptype.save()
        return ptype


def _check_switch(item: Product, current: TrackingMode, new: TrackingMode) -> None:
    units_exist = Unit.select().where(Unit.product == item.id).exists()
    check_mode_switch(
        current,
        new,
        quantity_in_stock=quantity_stock(item),
        units_exist=units_exist,
        what=item.name,
    )


def quantity_stock(item: Product) -> int:
    """Stock without serials at every branch, and on its way between branches."""
    quantity = (
        StockLevel.select(pw.fn.COALESCE(pw.fn.SUM(StockLevel.quantity), 0))
        .where(StockLevel.product == item.id)
        .scalar()
    )
    # Quantities on their way between branches are stock too: they land as quantity stock.
    in_transit = (
        DocumentLine.select(
            pw.fn.COALESCE(pw.fn.SUM(DocumentLine.quantity - DocumentLine.received_quantity), 0)
        )
        .join(Document)
        .where(
            DocumentLine.product == item.id,
            DocumentLine.unit.is_null(),
            Document.kind == Kind.TRANSFER,
            Document.status == "open",
        )
        .scalar()
    )
    return int(quantity) + int(in_transit)


def _enum(enum_type, value: str, what: str):
    try:
        return enum_type(value)
    except ValueError:
        choices = ", ".join(v.value for v in enum_type)
        raise Refused(f"Unknown {what} '{value}' ({choices}).") from None


@dataclass
class ProductRow:
    sku: str
    name: str
    gtin: str | None
    product_type: str
    tracking_mode: str
    warranty_months: int
    price: Decimal
    in_stock: int
    active: bool = True
    kit: bool = False


def product_for_scan(raw: str) -> str:
    """The SKU a scanned product barcode (EAN/GTIN or GS1) or typed SKU stands for."""
    scan = scan_of(raw)
    if scan.gtin:
        return find_product(scan.gtin).sku
    return find_product(raw).sku


def lookup_product(code: str, branch_id: int | None = None) -> ProductRow:
    """One product by SKU or barcode, with its effective settings and stock."""
    product = find_product(code)
    return next(row for row in list_products(branch_id, only=product.id))


def list_products(branch_id: int | None = None, only: int | None = None) -> list[ProductRow]:
    """Every product with its effective mode and its stock (at one branch, or all)."""
    unit_counts = _counts(
        Unit.select(Unit.product, pw.fn.COUNT(Unit.id)).where(Unit.state == UnitState.IN_STOCK),
        Unit.branch,
        Unit.product,
        branch_id,
        only,
    )
    qty_counts = _counts(
        StockLevel.select(StockLevel.product, pw.fn.SUM(StockLevel.quantity)),
        StockLevel.branch,
        StockLevel.product,
        branch_id,
        only,
    )
    kits = {kit for (kit,) in KitComponent.select(KitComponent.kit).distinct().tuples()}
    rows = []
    query = Product.select(Product, ProductType).join(ProductType).order_by(Product.sku)
    if only is not None:
        query = query.where(Product.id == only)
    for product in query:
        settings = settings_of(product)
        stock = (
            unit_counts.get(product.id, 0)
            if settings.mode.serialized
            else qty_counts.get(product.id, 0)
        )
        rows.append(
            ProductRow(
                product.sku,
                product.name,
                product.gtin,
                settings.type_name,
                settings.mode.value,
                settings.warranty_months,
                Decimal(product.price),
                int(stock),
                product.active,
                product.id in kits,
            )
        )
    return rows


def _counts(query, branch_field, product_field, branch_id, only):
    if branch_id is not None:
        query = query.where(branch_field == branch_id)
    if only is not None:
        query = query.where(product_field == only)
    return dict(query.group_by(product_field).tuples())
