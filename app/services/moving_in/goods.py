"""Moving in the goods without serials: stock counted by quantity (``quantities``: how
many of a product a branch holds when it moves in) and, in ``warranty_numbers``, the
warranty numbers issued before the shop went live (``warranties``).

Both are written under opening-balance documents (``OB-n``, one per branch and date): a
quantity gets a line (quantity, cost) and the branch's stock level; a warranty number a
line of its own and its row. The same file imported again changes nothing; a row saying
otherwise of a quantity or a number already here is refused, naming the detail that
differs. A blank optional cell means "as before".
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import peewee as pw

from app.domain.errors import Refused
from app.domain.serials import plain_text
from app.services.access.context import Context
from app.services.ledger.documents import Kind, doc_number, new_document
from app.services.ledger.product_settings import Settings, settings_of
from app.services.ledger.stock_levels import change_stock
from app.services.moving_in.files import Row, money
from app.services.moving_in.master import shown_customer
from app.services.moving_in.report import ImportReport, Progress, checked, first_seen
from db.bulk import insert_rows
from db.models import (
    Branch,
    Document,
    DocumentLine,
    Product,
    ProductType,
    StockLevel,
    WarrantyNumber,
)

MAX_QUANTITY = 1_000_000  # more of one product at one branch is a typing error
LABELS = {
    "product": "product", "day": "sale date", "customer": "customer", "price": "price",
    "branch": "branch", "warranty_end": "warranty end", "state": "state",
    "quantity": "quantity", "cost": "cost",
}  # fmt: skip


@dataclass(frozen=True)
class GoodsPlan:
    """What a file of ``kind`` creates, checked; ``apply`` writes it."""

    ctx: Context
    kind: str
    items: list


@dataclass(slots=True)
class CountRow:
    """A checked row of the quantities file."""

    line: int
    product_id: int
    branch_id: int
    quantity: int
    cost: Decimal | None


class Shop:
    """Products, branches and names read once for every row of a file."""

    def __init__(self, ctx: Context) -> None:
        query = Product.select(Product, ProductType).join(ProductType)
        self.products = {p.sku: (p, settings_of(p, p.type)) for p in query}
        self.skus = {p.id: sku for sku, (p, _s) in self.products.items()}
        self.branches = {b.code: b.id for b in Branch.select(Branch.id, Branch.code)}
        self.codes = {i: code for code, i in self.branches.items()}
        self.home = ctx.branch_id
        self.today = ctx.today()

    def product(self, row: Row, numbers: bool) -> tuple[Product, Settings]:
        sku = plain_text(row.get("sku"), "SKU").strip().upper()
        found = self.products.get(sku)
        if found is None:
            raise Refused(f"No product with SKU '{sku[:40]}': import the catalogue first.")
        product, settings = found
        name, mode = f"{product.name} ({sku})", settings.mode
        if not product.active and not numbers:  # a retired product's old warranties stand
            raise Refused(f"{name} is inactive and cannot be counted in stock.")
        if numbers and mode.serialized:
            raise Refused(
                f"{name} is tracked by serial ({mode.label}), not by warranty number: import "
                "the units sold before by serial in sold.csv."
            )
        if numbers and not mode.issues_warranty_numbers and not row.get("warranty_end").strip():
            # Numbers issued before its mode changed stand, with the end they were sold with.
            raise Refused(
                f"{name} issues no warranty numbers now ({mode.label}): give the number's "
                "warranty_end."
            )
        if not numbers and mode.serialized:
            raise Refused(
                f"{name} is tracked by serial ({mode.label}): import them by serial in stock.csv."
            )
        return found

    def branch(self, row: Row, required: bool) -> int:
        code = plain_text(row.get("branch"), "branch").strip().upper()
        if not code and not required:
            return self.home
        if not code:
            raise Refused("The branch is blank: give the branch's code.")
        if code not in self.branches:
            raise Refused(f"No branch with code '{code[:16]}': add it first.")
        return self.branches[code]

    def shown(self, name: str, value) -> str:
        """A detail as a shop owner reads it: an SKU, a branch code, a customer's name."""
        if value is None:
            return "none"
        if name == "product":
            return self.skus.get(value, f"#{value}")
        if name == "branch":
            return self.codes.get(value, f"#{value}")
        if name == "customer":
            return shown_customer(value)
        if isinstance(value, Decimal):
            return f"{value:.2f}"
        return str(value)

    def difference(self, recorded: dict, stated: dict) -> str:
        """'customer Anna Berg, this file says Ben Carter' for the first detail that differs."""
        for name, value in stated.items():
            if name in recorded and recorded[name] != value:
                was, now = self.shown(name, recorded[name]), self.shown(name, value)
                return f"{LABELS[name]} {was}, this file says {now}"
        return ""


def plan(ctx: Context, kind: str, rows: list[Row], report: ImportReport, progress: Progress | None):
    """Check every row of a ``quantities`` file, against the ledger too."""
    shop = Shop(ctx)
    check = _count_row(shop, {})
    items = [i for _r, i in checked(rows, report, check, progress, total=len(rows))]
    return GoodsPlan(ctx, kind, _counts_against_ledger(shop, items, report))


def apply(plan: GoodsPlan) -> None:
    _write_counts(plan.ctx, plan.items)


# --- quantities ---------------------------------------------------------------------------


def _quantity(text: str) -> int:
    value = text.strip()
    if not value:
        raise Refused("The quantity is blank: say how many (0 for none).")
    if value.startswith("-") and value[1:].replace(".", "", 1).isdigit():
        raise Refused(f"The quantity {value[:12]} cannot be negative.")
    if not (value.isascii() and value.isdigit()):
        raise Refused(f"The quantity '{value[:12]}' is not a whole number.")
    if int(value) > MAX_QUANTITY:
        raise Refused(f"The quantity {int(value):,} is more than {MAX_QUANTITY:,}: check it.")
    return int(value)


def _count_row(shop: Shop, seen: dict):
    def check(row: Row) -> CountRow:
        product, _settings = shop.product(row, numbers=False)
        branch = shop.branch(row, required=True)
        quantity, cost = _quantity(row.get("quantity")), money(row.get("cost"), "cost")
        where = f"{product.sku} at branch {shop.codes[branch]}"
        first_seen(seen, (product.id, branch), row.line, where)
        return CountRow(row.line, product.id, branch, quantity, cost)

    return check


def opening_quantities(products: list[int]) -> dict[tuple[int, int], tuple[str, int, Decimal]]:
    """The opening quantity each (product, branch) was imported with: its document, the
    quantity and the cost (lines without a unit or a warranty number, on opening documents)."""
    query = (
        DocumentLine.select(
            DocumentLine.product,
            Document.branch,
            Document.id,
            DocumentLine.quantity,
            DocumentLine.cost,
        )
        .join(Document)
        .switch(DocumentLine)
        .join(WarrantyNumber, pw.JOIN.LEFT_OUTER)
        .where(
            Document.kind == Kind.OPENING,
            DocumentLine.unit.is_null(),
            DocumentLine.product.in_(products),
            WarrantyNumber.id.is_null(),
        )
        .order_by(DocumentLine.id)
        .tuples()
    )
    return {
        (product, branch): (doc_number(Kind.OPENING, doc), quantity, cost)
        for product, branch, doc, quantity, cost in query
    }


def _counts_against_ledger(shop: Shop, items: list[CountRow], report: ImportReport):
    """Keep the quantities new here; skip the ones imported before (or held) as the row
    says; refuse the ones here otherwise, naming both."""
    products = list({i.product_id for i in items})
    openings = opening_quantities(products) if products else {}
    levels = {
        (product, branch): quantity
        for product, branch, quantity in StockLevel.select(
            StockLevel.product, StockLevel.branch, StockLevel.quantity
        )
        .where(StockLevel.product.in_(products or [0]))
        .tuples()
    }
    new = []
    for item in items:
        key = (item.product_id, item.branch_id)
        where = f"{shop.skus[item.product_id]} at {shop.codes[item.branch_id]}"
        if key in openings:
            document, quantity, cost = openings[key]
            stated = {"quantity": item.quantity, "cost": item.cost}
            why = shop.difference(
                {"quantity": quantity, "cost": cost},
                {k: v for k, v in stated.items() if v is not None},
            )
            if why:
                report.refuse(
                    item.line,
                    f"{where} was imported before ({document}) with {why}. An import does not "
                    "change stock already here: count it with a stocktake or an adjustment.",
                )
            else:
                report.skipped += 1
            continue
        have = levels.get(key, 0)
        if have == item.quantity:
            report.skipped += 1  # nothing to bring in, or already here as the row says
        elif have:
            report.refuse(
                item.line,
                f"{where}: {have} already in stock here (received, not imported), this file "
                f"says {item.quantity}. Count it with a stocktake or an adjustment.",
            )
        else:
            new.append(item)
    report.create("stock quantities", len(new))
    return new


def _write_counts(ctx: Context, items: list[CountRow]) -> None:
    """One opening document per branch (dated today); a line and the stock level for each."""
    documents: dict[int, int] = {}
    for item in items:
        if item.branch_id not in documents:
            documents[item.branch_id] = new_document(
                Kind.OPENING, ctx, branch=item.branch_id, business_date=ctx.today(),
                reference="opening stock by quantity",
            ).id  # fmt: skip
    insert_rows(
        DocumentLine,
        [
            {
                "document": documents[i.branch_id],
                "product": i.product_id,
                "quantity": i.quantity,
                "cost": i.cost,
                "price": i.cost or 0,
            }
            for i in items
        ],
    )
    for item in items:
        change_stock(item.product_id, item.branch_id, item.quantity)
