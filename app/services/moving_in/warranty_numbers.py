"""Moving in the warranty numbers of goods without serials (``warranties``), issued
before the shop went live: ``passport W...`` answers on day one with the product, the
customer and the dates. Each number is checked as the counter issues them (its form, no
unit's serial) and as the sold file checks a sale (the date, the customer, the warranty
end); it is written with a line of its own (quantity 1, its price) on an opening-balance
document (one per branch and sale date). ``goods`` reads the products and branches.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from app.domain.errors import Refused
from app.domain.serials import plain_text
from app.services.access.context import Context
from app.services.ledger.documents import Kind, doc_number, new_document
from app.services.ledger.lookups import WARRANTY_NUMBER_ALPHABET, WARRANTY_NUMBER_FORM
from app.services.moving_in.files import Row, money
from app.services.moving_in.goods import GoodsPlan, Shop
from app.services.moving_in.master import customer_finder
from app.services.moving_in.report import ImportReport, Progress, checked, first_seen
from app.services.moving_in.units import blanks, sale_terms
from db.bulk import insert_rows, select_in
from db.models import Document, DocumentLine, Unit, WarrantyNumber

STATES = ("active", "returned")  # a warranty number's states (counter.returns ends one)
CHUNK = 5000
NUMBER_DETAILS = {
    "customer": ("customer_name", "customer_phone", "customer_number"), "price": ("price",),
    "branch": ("branch",), "warranty_end": ("warranty_end",), "state": ("state",),
}  # fmt: skip
HELD = (
    WarrantyNumber.number, WarrantyNumber.product, WarrantyNumber.customer,
    WarrantyNumber.warranty_start, WarrantyNumber.warranty_end, WarrantyNumber.state,
    DocumentLine.price, Document.branch, Document.kind, Document.id,
)  # fmt: skip


@dataclass(slots=True)
class NumberRow:
    """A checked row of the warranties file."""

    line: int
    number: str
    product_id: int
    branch_id: int
    day: date  # sold: the warranty starts
    customer_id: int | None
    price: Decimal
    warranty_end: date | None
    state: str
    blank: tuple[str, ...]  # details the row leaves blank: "as before" if already here

    def stated(self) -> dict:
        given = {
            "product": self.product_id, "day": self.day, "customer": self.customer_id,
            "price": self.price, "branch": self.branch_id, "warranty_end": self.warranty_end,
            "state": self.state,
        }  # fmt: skip
        return {k: v for k, v in given.items() if k not in self.blank}


# --- warranty numbers ---------------------------------------------------------------------


def plan(ctx: Context, rows: list[Row], report: ImportReport, progress: Progress | None):
    """Check every row of a ``warranties`` file, against the ledger too."""
    return GoodsPlan(ctx, "warranties", plan_numbers(Shop(ctx), rows, report, progress))


def apply(plan: GoodsPlan) -> None:
    write_numbers(plan.ctx, plan.items)


def plan_numbers(shop: Shop, rows: list[Row], report: ImportReport, progress: Progress | None):
    """Check every row of a warranties file, then against the numbers and serials here;
    return the rows to write."""
    check = _number_row(shop, {})
    items = [item for _row, item in checked(rows, report, check, progress, total=len(rows))]
    return _numbers_against_ledger(shop, items, report)


def _number_row(shop: Shop, seen: dict):
    find_customer = customer_finder()

    def check(row: Row) -> NumberRow:
        number = plain_text(row.get("number"), "warranty number").strip().upper()
        if not number:
            raise Refused("The warranty number is blank.")
        if not WARRANTY_NUMBER_FORM.match(number):
            raise Refused(
                f"'{number[:24]}' is not a warranty number: W and ten of "
                f"{WARRANTY_NUMBER_ALPHABET}, like WACDE34797X."
            )
        first_seen(seen, number, row.line, f"Warranty number {number}")
        product, settings = shop.product(row, numbers=True)
        blank = blanks(row, NUMBER_DETAILS)
        sold, customer, end = sale_terms(row, shop.today, settings.warranty_months, blank,
                                         find_customer)  # fmt: skip
        state = plain_text(row.get("state"), "state").strip().lower() or STATES[0]
        if state not in STATES:
            raise Refused(f"The state '{state[:20]}' is not {' or '.join(STATES)}.")
        price = money(row.get("price"), "price")
        return NumberRow(
            row.line,
            number,
            product.id,
            shop.branch(row, required=False),
            sold,
            customer,
            Decimal(product.price) if price is None else price,
            end,
            state,
            blank,
        )

    return check


def _numbers_against_ledger(shop: Shop, items: list[NumberRow], report: ImportReport):
    """Keep the numbers new here; skip those already here as the row says; refuse those
    here otherwise (naming the detail) and those a unit carries as its serial."""
    numbers = [i.number for i in items]
    serials = {s for (s,) in select_in(Unit, (Unit.serial,), Unit.serial, numbers)}
    held: dict[str, tuple[str, dict]] = {}
    for start in range(0, len(numbers), 500):
        query = (
            WarrantyNumber.select(*HELD)
            .join(DocumentLine)
            .join(Document)
            .where(WarrantyNumber.number.in_(numbers[start : start + 500]))
            .tuples()
        )
        for number, product, customer, start_, end, state, price, branch, kind, doc in query:
            recorded = {
                "product": product, "day": start_, "customer": customer, "price": price,
                "branch": branch, "warranty_end": end, "state": state,
            }  # fmt: skip
            held[number] = (doc_number(kind, doc), recorded)
    new = []
    for item in items:
        if item.number not in held:
            if item.number in serials:
                report.refuse(
                    item.line,
                    f"{item.number} is the serial of a unit here: a warranty number cannot be.",
                )
            else:
                new.append(item)
            continue
        document, recorded = held[item.number]
        stated = item.stated()
        if document.startswith("OB-") and recorded["state"] == "returned":
            stated.pop("state", None)  # returned since it was imported (or imported so)
        why = shop.difference(recorded, stated)
        if not why:
            report.skipped += 1
        elif document.startswith("OB-"):
            report.refuse(
                item.line,
                f"{item.number} was imported before ({document}) with {why}. An import does "
                "not change a warranty number already here.",
            )
        else:
            report.refuse(item.line, f"{item.number} is already here ({document}) with {why}.")
    report.create("warranty numbers", len(new))
    return new


def write_numbers(ctx: Context, items: list[NumberRow]) -> None:
    """One opening document per branch and sale date; a line and a number for each."""
    documents: dict[tuple[int, date], int] = {}
    for item in items:
        key = (item.branch_id, item.day)
        if key not in documents:
            documents[key] = new_document(
                Kind.OPENING, ctx, branch=item.branch_id, business_date=item.day,
                reference="warranties sold before going live",
            ).id  # fmt: skip
    for start in range(0, len(items), CHUNK):
        chunk = items[start : start + CHUNK]
        lines = insert_rows(
            DocumentLine,
            [
                {
                    "document": documents[(i.branch_id, i.day)],
                    "product": i.product_id,
                    "quantity": 1,
                    "price": i.price,
                    "returned_quantity": int(i.state == "returned"),
                    "note": f"warranty number {i.number}",
                }
                for i in chunk
            ],
            returning=(DocumentLine.id, DocumentLine.note),
        )
        line_of = {note.rpartition(" ")[2]: line_id for line_id, note in lines}
        insert_rows(
            WarrantyNumber,
            [
                {
                    "number": i.number,
                    "product": i.product_id,
                    "sale_line": line_of[i.number],
                    "customer": i.customer_id,
                    "warranty_start": i.day,
                    "warranty_end": i.warranty_end,
                    "state": i.state,
                }
                for i in chunk
            ],
        )
