"""Moving in the shop's master data: the catalogue (product types and products), suppliers
and customers. Each row is checked by the rules every other door applies (``catalog``,
``serial_rules``); one already in the ledger as it is is skipped, one that differs refused."""

from __future__ import annotations

from collections.abc import Callable

from app.domain.errors import Refused
from app.domain.serials import normalize_gtin, plain_text
from app.domain.text import MAX_NOTE, free_text
from app.domain.tracking import MaskPolicy, PrintMode, TrackingMode
from app.services.moving_in.files import Row, amount_text, whole
from app.services.moving_in.report import ImportReport, Progress, checked, first_seen
from app.services.shop import catalog
from app.services.shop.serial_rules import serial_rule
from app.services.shop.settings import preview_card
from db.bulk import insert_rows
from db.connection import db, is_sqlite
from db.models import Customer, Product, ProductType, Supplier, now

TYPE_COLUMNS = ("tracking_mode", "warranty_months", "serial_pattern", "check", "print_mode")


# --- catalogue ----------------------------------------------------------------------------


def _type_fields(row: Row) -> dict | None:
    """The product type settings a row gives, checked as ``add product-type`` checks them;
    None when the row gives none (the type must exist)."""
    if not any(row.get(c).strip() for c in TYPE_COLUMNS):
        return None
    mode = catalog._enum(TrackingMode, row.get("tracking_mode").strip().lower(), "tracking mode")
    months = whole(row.get("warranty_months"), "warranty months")
    if months > 240:
        raise Refused("Warranty months must be between 0 and 240.")
    if mode.has_warranty and months == 0:
        raise Refused(f"A product type in '{mode.label}' mode needs a warranty period in months.")
    rule = serial_rule(row.get("serial_pattern"), row.get("check"))
    print_mode = row.get("print_mode").strip().lower() or PrintMode.OFFER.value
    fields = {
        "tracking_mode": mode.value,
        "warranty_months": months if mode.has_warranty else 0,
        "serial_pattern": rule.pattern,
        "check_kind": rule.check.value,
        "print_mode": catalog._enum(PrintMode, print_mode, "print mode").value,
    }
    mask = row.get("mask").strip().lower()
    if mask:
        fields["mask_policy"] = catalog._enum(MaskPolicy, mask, "mask").value
    template = row.get("card_template")
    if template.strip():
        # Checked as the settings screen checks it: a broken or hostile template is refused.
        preview_card(template, fields.get("mask_policy", MaskPolicy.NONE.value))
        fields["card_template"] = template
    return fields


def _own_settings(row: Row, type_fields: dict) -> dict:
    """The product's own tracking mode, warranty and serial rule (None: as its type),
    checked as ``set-mode --product`` and the serial rule settings check them."""
    mode = row.get("product_mode").strip().lower()
    months = row.get("product_warranty_months").strip()
    pattern, check = row.get("product_serial_pattern"), row.get("product_check").strip()
    own = {
        "tracking_mode": catalog._enum(TrackingMode, mode, "product mode").value if mode else None,
        "warranty_months": whole(months, "product warranty months") if months else None,
        "serial_pattern": None,
        "check_kind": None,
    }
    if own["warranty_months"] is not None and own["warranty_months"] > 240:
        raise Refused("Warranty months must be between 0 and 240.")
    # A product's own mode is taken as `set-mode --product` takes it: whatever its months.
    if pattern.strip() or check:
        rule = serial_rule(
            pattern if pattern.strip() else type_fields["serial_pattern"],
            check or type_fields["check_kind"],
        )
        own["serial_pattern"] = rule.pattern if pattern.strip() else None
        own["check_kind"] = rule.check.value if check else None
    return own


def _active(text: str) -> bool | None:
    """Whether the product is still sold and received (None, a blank cell: as before, or
    yes for a new product)."""
    value = text.strip().lower()
    if not value:
        return None
    if value in ("yes", "y", "true", "1"):
        return True
    if value in ("no", "n", "false", "0"):
        return False
    raise Refused(f"active '{value[:10]}' is not yes or no.")


OWN_FIELDS = ("tracking_mode", "warranty_months", "serial_pattern", "check_kind")


def _differences(have: dict, want: dict) -> str:
    return ", ".join(
        f"{name.replace('_', ' ')} {have[name] or '(none)'} here, {want[name] or '(none)'} in "
        "the file"
        for name in want
        if str(have[name]) != str(want[name])
    )


def plan_catalogue(rows: list[Row], report: ImportReport, progress: Progress | None):
    """Check every row; return the types and products to create."""
    types = {
        t.name: {f: getattr(t, f) for f in ("tracking_mode", "warranty_months", "serial_pattern",
                                            "check_kind", "print_mode", "mask_policy",
                                            "card_template")}
        for t in ProductType.select()
    }  # fmt: skip
    new_types: dict[str, dict] = {}
    products = {p.sku: p for p in Product.select(Product, ProductType).join(ProductType)}
    gtins = {p.gtin: p.sku for p in products.values() if p.gtin}
    seen: dict = {}

    def check(row: Row):
        sku = catalog._clean(row.get("sku"), "SKU", 40).upper()
        first_seen(seen, ("sku", sku), row.line, f"SKU {sku}")
        type_name = catalog._clean(row.get("type"), "product type name", 80)
        fields = _type_fields(row)
        known = types.get(type_name)
        if known is None and fields is None:
            raise Refused(
                f"No product type '{type_name}': give its tracking_mode (and warranty_months)."
            )
        if known is not None and fields is not None and _differences(known, fields):
            raise Refused(f"Product type '{type_name}' differs: {_differences(known, fields)}.")
        if known is None:
            new_fields = fields
        type_fields = known or fields
        item = {
            "sku": sku,
            "name": catalog._clean(row.get("name"), "product name", 200),
            "type": type_name,
            "price": catalog.list_price(amount_text(row.get("price"), "price")),
            "gtin": _gtin(row.get("gtin")),
            **_own_settings(row, type_fields),
            "active": _active(row.get("active")),
        }
        if item["gtin"]:
            owner = gtins.get(item["gtin"])
            if owner is not None and owner != sku:
                raise Refused(f"Barcode {row.get('gtin').strip()} is already {owner}'s.")
            first_seen(seen, ("gtin", item["gtin"]), row.line, f"Barcode {item['gtin']}")
        existing = products.get(sku)
        if existing is None:
            if known is None:  # counted only for a row that is taken
                types[type_name] = new_types[type_name] = new_fields
            return item
        have = {
            "sku": sku,
            "name": existing.name,
            "type": existing.type.name,
            "price": existing.price,
            "gtin": existing.gtin,
            **{name: getattr(existing, name) for name in OWN_FIELDS},
            "active": existing.active,
        }
        # A blank barcode cell states nothing: only what the row gives is compared.
        want = {k: v for k, v in item.items() if v is not None}
        if _differences(have, want):
            raise Refused(f"Product {sku} differs: {_differences(have, want)}.")
        return None

    items = [item for _row, item in checked(rows, report, check, progress, total=len(rows))]
    report.create("product types", len(new_types))
    report.create("products", len(items))
    return new_types, items


def _gtin(raw: str) -> str | None:
    if not plain_text(raw, "barcode").strip():
        return None
    return normalize_gtin(raw)


def apply_catalogue(plan) -> None:
    """Create the checked types and products, through the catalogue's own rules."""
    new_types, items = plan
    for name, fields in new_types.items():
        catalog.add_product_type(
            name,
            fields["tracking_mode"],
            warranty_months=fields["warranty_months"],
            print_mode=fields["print_mode"],
            serial_pattern=fields["serial_pattern"],
            check_kind=fields["check_kind"],
            mask_policy=fields.get("mask_policy", MaskPolicy.NONE.value),
            card_template=fields.get("card_template", ""),
        )
    for item in items:
        product = catalog.add_product(
            item["sku"], item["name"], item["type"], item["price"], gtin=item["gtin"]
        )
        for name in OWN_FIELDS:
            setattr(product, name, item[name])
        product.active = item["active"] is not False
        product.save()


# --- suppliers ----------------------------------------------------------------------------


def plan_suppliers(rows: list[Row], report: ImportReport, progress: Progress | None):
    existing = {s.name.lower(): s for s in Supplier.select()}
    seen: dict = {}

    def check(row: Row):
        name = catalog._clean(row.get("name"), "supplier name")
        contact = free_text(row.get("contact"), "contact", limit=MAX_NOTE)
        first_seen(seen, name.lower(), row.line, f"Supplier {name}")
        known = existing.get(name.lower())
        if known is None:
            return {"name": name, "contact": contact}
        # Suppliers are found by name whatever its case; a blank contact states nothing.
        if contact and known.contact != contact:
            raise Refused(
                f"Supplier {known.name} is already here with other details "
                f"(contact '{known.contact}')."
            )
        return None

    items = [item for _row, item in checked(rows, report, check, progress, total=len(rows))]
    report.create("suppliers", len(items))
    return items


def apply_suppliers(items: list[dict]) -> None:
    for item in items:
        catalog.add_supplier(item["name"], item["contact"])


# --- customers ----------------------------------------------------------------------------


def shown_customer(customer_id: int) -> str:
    """A customer as a refusal names them: 'Anna Berg +15550100 (#3)'."""
    found = Customer.get_or_none(Customer.id == customer_id)
    if found is None:
        return f"#{customer_id}"
    return " ".join(p for p in (found.name, found.phone) if p) + f" (#{customer_id})"


def customer_key(name: str, phone: str) -> tuple[str, str]:
    return (" ".join(name.split()).lower(), phone)


def customer_number(text: str, what: str = "customer number") -> int | None:
    """A customer's number as the counter shows it (``#29`` or ``29``); None when blank."""
    value = plain_text(text, what).strip().removeprefix("#")
    if not value:
        return None
    if not (value.isascii() and value.isdigit()) or not 0 < int(value) < 2**31:
        raise Refused(f"The {what} '{value[:12]}' is not a customer number like 29.")
    return int(value)


def plan_customers(rows: list[Row], report: ImportReport, progress: Progress | None):
    """Customers are found by number when the file gives one (an export does: two
    customers may share a name and phone), else by name and phone."""
    existing: dict[tuple[str, str], list[str]] = {}
    numbers: dict[int, tuple[str, str, str]] = {}
    for cid, name, phone, email in Customer.select(
        Customer.id, Customer.name, Customer.phone, Customer.email
    ).tuples():
        existing.setdefault(customer_key(name, phone), []).append(email)
        numbers[cid] = (name, phone, email)
    seen: dict = {}

    def check(row: Row):
        name = catalog._clean(row.get("name"), "customer name")
        phone = catalog.normalize_phone(plain_text(row.get("phone"), "phone"))
        email = row.get("email")
        email = catalog._clean(email, "e-mail") if email.strip() else ""
        number = customer_number(row.get("number"))
        shown = f"Customer {name} {phone}".strip()
        if number is not None:
            first_seen(seen, ("number", number), row.line, f"Customer number {number}")
            known = numbers.get(number)
            if known is None:
                return {"id": number, "name": name, "phone": phone, "email": email}
            if customer_key(*known[:2]) == customer_key(name, phone) and known[2] == email:
                return None
            raise Refused(
                f"Customer number {number} is already here as {_person(*known)}; this file "
                f"says {_person(name, phone, email)}."
            )
        key = customer_key(name, phone)
        first_seen(seen, key, row.line, shown)
        known = existing.get(key)
        if known is None:
            return {"name": name, "phone": phone, "email": email}
        if email in known:
            return None
        raise Refused(f"{shown} is already here with another e-mail ({known[0] or 'none'}).")

    items = [item for _row, item in checked(rows, report, check, progress, total=len(rows))]
    report.create("customers", len(items))
    return items


def _person(name: str, phone: str, email: str) -> str:
    return ", ".join(p for p in (name, phone, email) if p)


def apply_customers(items: list[dict]) -> None:
    """Insert the customers; those with a number keep it (the counter's ``#29``)."""
    at = now()
    numbered = [item for item in items if "id" in item]
    for group in (numbered, [item for item in items if "id" not in item]):
        for start in range(0, len(group), 5000):
            insert_rows(
                Customer, [{**item, "created_at": at} for item in group[start : start + 5000]]
            )
        if group is numbered and numbered and not is_sqlite():
            # PostgreSQL's id sequence does not see ids given: set it past them.
            table = Customer._meta.table_name
            db.execute_sql(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                f'(SELECT MAX(id) FROM "{table}"))'
            )


def customer_finder() -> Callable[[str, str, str], int]:
    """A look-up of customers for the sold file: by number when given (name and phone,
    if given too, must be that customer's), else by name and phone (either may be
    blank), refusing a customer not found or several who match."""
    by_name: dict[str, list[int]] = {}
    by_phone: dict[str, list[int]] = {}
    by_id: dict[int, tuple[str, str]] = {}
    for cid, name, phone in Customer.select(Customer.id, Customer.name, Customer.phone).tuples():
        by_name.setdefault(customer_key(name, "")[0], []).append(cid)
        by_id[cid] = (name, phone)
        if phone:
            by_phone.setdefault(phone, []).append(cid)

    def find(name: str, phone: str, number_text: str = "") -> int:
        name = " ".join(plain_text(name, "customer name").split())
        phone = catalog.normalize_phone(plain_text(phone, "customer phone"))
        number = customer_number(number_text)
        if number is not None:
            known = by_id.get(number)
            if known is None:
                raise Refused(
                    f"No customer number {number}: import it with the customers file first."
                )
            if (name and name.lower() != customer_key(known[0], "")[0]) or (
                phone and phone != known[1]
            ):
                raise Refused(
                    f"Customer number {number} is {_person(*known, '')}; this file says "
                    f"{_person(name, phone, '')}."
                )
            return number
        if not name and not phone:
            raise Refused("Say whose it is: customer_name or customer_phone.")
        ids = None
        if name:
            ids = set(by_name.get(name.lower(), ()))
        if phone:
            found = set(by_phone.get(phone, ()))
            ids = found if ids is None else ids & found
        shown = " ".join(p for p in (name, phone) if p)
        if not ids:
            raise Refused(f"No customer {shown}: import it with the customers file first.")
        if len(ids) > 1:
            raise Refused(
                f"{len(ids)} customers are {shown}: give both name and phone, or the "
                "customer_number."
            )
        return next(iter(ids))

    return find
