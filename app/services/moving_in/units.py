"""Moving in the units: opening stock by serial, and units sold before the shop went live
(their warranties run from the real sale date, so claims work on day one).

Every row is checked against its product's rules (tracking mode, serial pattern, check
digit) and the ledger (``earlier``: a serial already here), in sets, not one query per row. The
units are written in bulk, each with one history row in the keyed chain naming an
opening-balance document (one per branch and date, ``OB-n``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import peewee as pw

from app.domain import warranty
from app.domain.errors import Refused
from app.domain.serials import normalize_serial, plain_text
from app.domain.states import Event, UnitState
from app.services.access.context import Context
from app.services.ledger.documents import Kind, new_document, reserve_numbers
from app.services.ledger.lookups import WARRANTY_NUMBER_FORM, warranty_numbers_among
from app.services.ledger.product_settings import Settings, settings_of
from app.services.moving_in.files import Row, day, money, old_number
from app.services.moving_in.master import customer_finder
from app.services.moving_in.report import ImportReport, Progress, checked
from db.bulk import insert_rows
from db.history import append_events, facts_text
from db.models import Branch, Customer, DocumentLine, Product, ProductType, Supplier, Unit

CHUNK = 5000


@dataclass(slots=True)  # a million of them stay in memory until written
class UnitRow:
    """A checked row: the unit to create and what its opening document says."""

    line: int
    serial: str
    product_id: int
    strict: bool
    branch_id: int
    day: date  # received, or sold
    supplier_id: int | None = None
    cost: Decimal | None = None
    customer_id: int | None = None
    price: Decimal | None = None
    warranty_start: date | None = None
    warranty_end: date | None = None
    blank: tuple[str, ...] = ()  # the details the row leaves blank: "as before" if imported
    number: int = 0  # the receipt's or sale's number in the shop the rows were exported from


def blanks(row: Row, cells: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """The details (keys of ``cells``) whose cells the row leaves all blank."""
    blank = []
    for detail, names in cells.items():
        for name in names:
            if row.get(name).strip():
                break
        else:
            blank.append(detail)
    return tuple(blank)


STOCK_DETAILS = {
    "branch": ("branch",), "day": ("received",), "supplier": ("supplier",), "cost": ("cost",),
}  # fmt: skip
SOLD_DETAILS = {
    "branch": ("branch",), "price": ("price",), "supplier": ("supplier",), "cost": ("cost",),
    "customer": ("customer_name", "customer_phone", "customer_number"),
    "warranty_end": ("warranty_end",),
}  # fmt: skip
MAX_WARRANTY_MONTHS = 120  # an extended warranty longer than this is a typing error


class _Catalogue:
    """Products, branches and suppliers read once, for every row of a file."""

    def __init__(self, ctx: Context) -> None:
        query = Product.select(Product, ProductType).join(ProductType)
        self.products = {p.sku: (p, settings_of(p, p.type)) for p in query}
        self.branches = {b.code: b.id for b in Branch.select(Branch.id, Branch.code)}
        self.suppliers = {s.name.lower(): s.id for s in Supplier.select(Supplier.id, Supplier.name)}
        self.home = ctx.branch_id
        self.today = ctx.today()
        self.seen: dict[str, tuple[int, int, bool]] = {}
        self.memo: dict[tuple, object] = {}
        settings = sorted((sku, p.id, p.active, repr(s)) for sku, (p, s) in self.products.items())
        customers = Customer.select(pw.fn.COUNT(Customer.id), pw.fn.MAX(Customer.id)).tuples()
        self.stamp = hash(
            (tuple(settings), tuple(sorted(self.branches.items())),
             tuple(sorted(self.suppliers.items())), customers.first())
        )  # fmt: skip

    def cell(self, row: Row, name: str, read):
        """``read(text)`` of a cell, once per distinct text (SKUs, branches, dates repeat)."""
        text = row.get(name)
        key = (name, text)
        if key not in self.memo:
            self.memo[key] = read(text)
        return self.memo[key]

    def product(self, row: Row, doing: str) -> tuple[Product, Settings]:
        return self.cell(row, "sku", lambda text: self._product(text, doing))

    def _product(self, text: str, doing: str) -> tuple[Product, Settings]:
        sku = plain_text(text, "SKU").strip().upper()
        found = self.products.get(sku)
        if found is None:
            raise Refused(f"No product with SKU '{sku[:40]}': import the catalogue first.")
        product, settings = found
        if not product.active and doing != "sold":  # a retired product's sales stand
            raise Refused(f"{product.name} ({sku}) is inactive and cannot be {doing}.")
        if not settings.mode.serialized:
            raise Refused(
                f"{product.name} ({sku}) is not tracked by serial ({settings.mode.label}): "
                "only serialized units are imported."
            )
        return found

    def serial(self, row: Row, product: Product, settings: Settings) -> str:
        serial = normalize_serial(plain_text(row.get("serial"), "serial"))
        serial = settings.rule.canonical(serial)  # as receiving stores it: one form per unit
        settings.rule.validate(serial)
        if WARRANTY_NUMBER_FORM.match(serial) and warranty_numbers_among([serial]):
            raise Refused(f"{serial} is a warranty number of this shop, not a serial.")
        strict = settings.mode.verified
        earlier = self.seen.get(serial)
        if earlier is not None and (earlier[1] == product.id or strict or earlier[2]):
            raise Refused(f"Serial {serial} is already on line {earlier[0]} of this file.")
        self.seen[serial] = (row.line, product.id, strict)
        return serial

    def branch(self, row: Row) -> int:
        return self.cell(row, "branch", self._branch)

    def _branch(self, text: str) -> int:
        code = plain_text(text, "branch").strip().upper()
        if not code:
            return self.home
        if code not in self.branches:
            raise Refused(f"No branch with code '{code[:16]}': add it first.")
        return self.branches[code]

    def supplier(self, row: Row) -> int | None:
        return self.cell(row, "supplier", self._supplier)

    def _supplier(self, text: str) -> int | None:
        name = " ".join(plain_text(text, "supplier").split())
        if not name:
            return None
        if name.lower() not in self.suppliers:
            raise Refused(f"No supplier '{name[:60]}': import the suppliers file first.")
        return self.suppliers[name.lower()]


def parse_units(
    ctx: Context, sold: bool, rows: list[Row], report: ImportReport, progress: Progress | None
) -> tuple[list[UnitRow], int]:
    """Check each row by its product's rules (not yet against the ledger's units); return
    the rows read, and a stamp of the catalogue, branches, suppliers and customers they
    were read against (the same stamp later: the same rows would be read)."""
    shop = _Catalogue(ctx)
    check = _sold_row(shop) if sold else _stock_row(shop)
    items = [item for _r, item in checked(rows, report, check, progress, total=len(rows))]
    return items, shop.stamp


def _stock_row(shop: _Catalogue):
    def check(row: Row) -> UnitRow:
        product, settings = shop.product(row, "received")
        serial = shop.serial(row, product, settings)
        received = row.get("received")
        return UnitRow(
            row.line,
            serial,
            product.id,
            settings.mode.verified,
            shop.branch(row),
            shop.cell(row, "received", lambda t: day(t, "date received", shop.today))
            if received.strip()
            else shop.today,
            supplier_id=shop.supplier(row),
            cost=shop.cell(row, "cost", lambda t: money(t, "cost")),
            blank=blanks(row, STOCK_DETAILS),
            number=shop.cell(row, "receipt", lambda t: old_number(t, "receipt")),
        )

    return check


def sale_terms(row: Row, today: date, months: int, blank, find_customer):
    """What a row of goods sold before going live says of the sale: its date, the customer
    (None when the row names none) and the warranty's end (``months`` from the sale, or
    the end the row gives)."""
    sold = day(row.get("sold"), "sale date", today)
    customer = None
    if "customer" not in blank:
        customer = find_customer(
            row.get("customer_name"), row.get("customer_phone"), row.get("customer_number")
        )
    end = warranty.warranty_end(sold, months)
    if row.get("warranty_end").strip():
        end = _warranty_end_given(row, sold, months)
    return sold, customer, end


def _warranty_end_given(row: Row, sold: date, product_months: int) -> date:
    """The warranty end a row gives (an extended warranty): not before the sale, and at
    most ``MAX_WARRANTY_MONTHS`` (or the product's own months) after it."""
    end = day(row.get("warranty_end"), "warranty end", date.max)
    if end < sold:
        raise Refused(f"The warranty ends ({end}) before the sale ({sold}).")
    months = max(MAX_WARRANTY_MONTHS, product_months)
    if end > warranty.warranty_end(sold, months):
        raise Refused(
            f"The warranty end {end} is more than {months // 12} years after the sale "
            f"({sold}): check the year."
        )
    return end


def _sold_row(shop: _Catalogue):
    find_customer = customer_finder()

    def check(row: Row) -> UnitRow:
        product, settings = shop.product(row, "sold")
        serial = shop.serial(row, product, settings)
        blank = blanks(row, SOLD_DETAILS)
        sold, customer, end = sale_terms(row, shop.today, settings.warranty_months, blank,
                                         find_customer)  # fmt: skip
        price = money(row.get("price"), "price")
        return UnitRow(
            row.line,
            serial,
            product.id,
            settings.mode.verified,
            shop.branch(row),
            sold,
            supplier_id=shop.supplier(row),
            cost=money(row.get("cost"), "cost"),
            customer_id=customer,
            price=Decimal(product.price) if price is None else price,
            warranty_start=sold,
            warranty_end=end,
            blank=blank,
            number=old_number(row.get("sale"), "sale"),
        )

    return check


# --- writing ------------------------------------------------------------------------------


def apply_units(ctx: Context, items: list[UnitRow], sold: bool, progress: Progress | None) -> None:
    """Write the units, one opening-balance document per branch and date, their lines and
    their history rows (one chained append per chunk)."""
    documents: dict[tuple[int, date], int] = {}
    reference = "sold before going live" if sold else "opening stock"
    # Numbers the shop issued before (an export's receipts and sales) are not issued again.
    reserve_numbers(max((item.number for item in items), default=0))
    for item in items:
        key = (item.branch_id, item.day)
        if key not in documents:
            doc = new_document(
                Kind.OPENING, ctx, branch=item.branch_id, business_date=item.day,
                reference=reference,
            )  # fmt: skip
            documents[key] = doc.id
    state = UnitState.SOLD if sold else UnitState.IN_STOCK
    event = Event.SELL if sold else Event.RECEIVE
    at = ctx.now()
    for start in range(0, len(items), CHUNK):
        chunk = items[start : start + CHUNK]
        rows = [
            {
                "serial": i.serial,
                "product": i.product_id,
                "state": state.value,
                "branch": i.branch_id,
                "supplier": i.supplier_id,
                "cost": i.cost,
                "updated_at": at,
                **(
                    {
                        "customer": i.customer_id,
                        "warranty_start": i.warranty_start,
                        "warranty_end": i.warranty_end,
                    }
                    if sold
                    else {}
                ),
            }
            for i in chunk
        ]
        returned = insert_rows(Unit, rows, returning=(Unit.serial, Unit.product, Unit.id))
        ids = {(serial, product): uid for serial, product, uid in returned}
        unit_ids = [ids[(i.serial, i.product_id)] for i in chunk]
        append_events(
            [
                {
                    "unit": uid,
                    "event": event.value,
                    "at": at,
                    "branch": i.branch_id,
                    "employee": ctx.employee_id,
                    "document": documents[(i.branch_id, i.day)],
                    "from_state": None,
                    "to_state": state.value,
                    "note": f"opening balance: {'sold' if sold else 'received'} {i.day}",
                    "facts": facts_text(
                        [i.serial, i.product_id, i.customer_id, i.warranty_start, i.warranty_end]
                    ),
                }
                for uid, i in zip(unit_ids, chunk, strict=True)
            ]
        )
        insert_rows(
            DocumentLine,
            [
                {
                    "document": documents[(i.branch_id, i.day)],
                    "product": i.product_id,
                    "unit": uid,
                    "serial": i.serial,
                    "quantity": 1,
                    "cost": i.cost,
                    "price": i.price if sold else (i.cost or 0),
                }
                for uid, i in zip(unit_ids, chunk, strict=True)
            ],
        )
        if progress is not None:
            progress("writing", min(start + CHUNK, len(items)), len(items))
