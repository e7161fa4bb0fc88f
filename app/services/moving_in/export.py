"""``export FOLDER``: everything the shop owns as one CSV file per kind ``import`` reads
(numbers, catalogue, suppliers, customers, stock, sold, quantities, warranties) and
``shop.json`` with the same rows plus branches, staff (no PINs) and the units no file
carries (in transit, in a kit, in quarantine, returned, written off, replaced), each with
its state.

Cells a spreadsheet would run as formulas get a leading apostrophe (``files.quote``),
which ``import`` takes off again, so every value goes round trip. Files are 0600 in a
0700 folder: they hold every customer.
"""

from __future__ import annotations

import csv
import json
import os
from datetime import UTC, datetime
from pathlib import Path

import peewee as pw

from app.domain.errors import Refused
from app.domain.states import UnitState
from app.services.ledger.documents import Kind, doc_number
from app.services.ledger.product_settings import settings_of
from app.services.moving_in.files import KINDS, ORDER, quote
from app.services.shop.products import shown_gtin
from db.migrations import LATEST
from db.models import (
    Branch,
    Customer,
    Document,
    DocumentLine,
    Employee,
    Product,
    ProductType,
    StockLevel,
    Supplier,
    Unit,
    WarrantyNumber,
)
from db.private_files import FOLDER_MODE, create_private_file, make_private_folder

SOLD_STATES = (UnitState.SOLD.value, UnitState.IN_SERVICE.value)


def export_shop(folder: str | Path) -> dict:
    """Write the files into ``folder`` (new, or empty); return where and how many rows."""
    target = Path(folder).expanduser()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise Refused(f"{target} is not an empty folder: give a new one.")
    try:
        make_private_folder(target)
        os.chmod(target, FOLDER_MODE)  # an empty folder given: its files hold every customer
    except OSError as exc:
        raise Refused(f"Cannot make {target}: {exc.strerror or exc}.") from None
    tables = {
        "catalogue": _catalogue(),
        "suppliers": [[s.name, s.contact] for s in Supplier.select().order_by(Supplier.name)],
        "customers": [
            [c.name, c.phone, c.email, c.id] for c in Customer.select().order_by(Customer.id)
        ],
    }
    top = Document.select(Document.id, Document.kind).order_by(Document.id.desc()).first()
    tables["numbers"] = [[doc_number(top.kind, top.id)]] if top else []
    tables["stock"], tables["sold"], others = _units()
    tables["quantities"], tables["warranties"] = _quantities(), _warranty_numbers()
    counts = {}
    for kind in ORDER:
        columns = KINDS[kind].all
        _write(target / f"{kind}.csv", columns, tables[kind])
        counts[f"{kind}.csv"] = len(tables[kind])
    whole = {
        "exported_at": datetime.now(UTC).isoformat(),
        "schema": LATEST,
        "branches": [
            {"code": b.code, "name": b.name, "address": b.address}
            for b in Branch.select().order_by(Branch.id)
        ],
        "employees": [
            {
                "login": e.login,
                "name": e.name,
                "role": e.role,
                "active": e.active,
                "branch": e.branch.code if e.branch_id else None,
            }
            for e in Employee.select(Employee, Branch).join(Branch, pw.JOIN.LEFT_OUTER)
        ],  # fmt: skip
        **{
            kind: [dict(zip(KINDS[kind].all, row, strict=True)) for row in tables[kind]]
            for kind in ORDER
        },
        "not_carried": others,
    }
    path = target / "shop.json"
    create_private_file(path)
    path.write_text(json.dumps(whole, ensure_ascii=False, indent=1, default=str) + "\n")
    counts["shop.json"] = sum(len(tables[k]) for k in ORDER) + len(others)
    by_state: dict[str, int] = {}
    for unit in others:
        label = UnitState(unit["state"]).label
        by_state[label] = by_state.get(label, 0) + 1
    return {"folder": str(target.resolve()), "files": counts, "not_carried": by_state}


def _write(path: Path, columns: tuple[str, ...], rows: list[list]) -> None:
    create_private_file(path)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([quote(v) for v in row] for row in rows)


def _catalogue() -> list[list]:
    query = Product.select(Product, ProductType).join(ProductType).order_by(Product.sku)
    return [
        [
            p.sku, p.name, p.type.name, p.price, shown_gtin(p.gtin), p.type.tracking_mode,
            p.type.warranty_months, p.type.serial_pattern, p.type.check_kind, p.type.print_mode,
            p.type.mask_policy, p.type.card_template, p.tracking_mode or "",
            "" if p.warranty_months is None else p.warranty_months,
            "" if p.serial_pattern is None else p.serial_pattern, p.check_kind or "",
            "yes" if p.active else "no",
        ]
        for p in query
    ]  # fmt: skip


def _units() -> tuple[list[list], list[list], list[dict]]:
    """The units on the shelves (stock), those customers hold (sold), and the rest."""
    received: dict[int, tuple] = {}  # unit: (date received, its receipt's number)
    query = (
        DocumentLine.select(DocumentLine.unit, Document.business_date, Document.kind, Document.id)
        .join(Document)
        .where(Document.kind.in_([Kind.RECEIPT, Kind.OPENING]), DocumentLine.unit.is_null(False))
        .order_by(DocumentLine.id.desc())
        .tuples()
    )  # the first line of each unit wins
    for unit, day, kind, doc in query:
        received[unit] = (day, doc_number(kind, doc))
    sales = {
        unit: (price, doc_number(kind, doc))
        for unit, price, kind, doc in DocumentLine.select(
            DocumentLine.unit, DocumentLine.price, Document.kind, Document.id
        )
        .join(Document)
        .where(
            Document.kind.in_([Kind.SALE, Kind.REPLACEMENT, Kind.OPENING]),
            DocumentLine.unit.is_null(False),
        )
        .order_by(DocumentLine.id)
        .tuples()
    }  # the last line of each unit wins
    branches = dict(Branch.select(Branch.id, Branch.code).tuples())
    suppliers = dict(Supplier.select(Supplier.id, Supplier.name).tuples())
    customers = {
        c: (n, p)
        for c, n, p in Customer.select(Customer.id, Customer.name, Customer.phone).tuples()
    }
    skus = dict(Product.select(Product.id, Product.sku).tuples())
    stock, sold, others = [], [], []
    query = Unit.select().order_by(Unit.id)
    for u in query.iterator():
        sku, branch = skus[u.product_id], branches.get(u.branch_id, "")
        if u.state == UnitState.IN_STOCK:
            day, number = received.get(u.id, ("", ""))
            stock.append(
                [u.serial, sku, branch, suppliers.get(u.supplier_id, ""), u.cost, day, number]
            )
        elif u.state in SOLD_STATES and u.warranty_start is not None:
            name, phone = customers.get(u.customer_id, ("", ""))
            price, number = sales.get(u.id, (None, ""))
            sold.append(
                [u.serial, sku, u.warranty_start, name, phone, price, branch,
                 u.warranty_end, suppliers.get(u.supplier_id, ""), u.cost, u.customer_id, number]
            )  # fmt: skip
        else:
            others.append({"serial": u.serial, "sku": sku, "state": u.state, "branch": branch})
    return stock, sold, others


def _quantities() -> list[list]:
    """Stock counted by quantity: each product without serials, per branch holding some,
    with the cost it last came in at (a receipt's or an opening balance's)."""
    products = {
        p.id: p.sku
        for p in Product.select(Product, ProductType).join(ProductType)
        if not settings_of(p, p.type).mode.serialized
    }
    branches = dict(Branch.select(Branch.id, Branch.code).tuples())
    costs = dict(
        DocumentLine.select(DocumentLine.product, DocumentLine.cost)
        .join(Document)
        .where(
            Document.kind.in_([Kind.RECEIPT, Kind.OPENING]),
            DocumentLine.unit.is_null(),
            DocumentLine.cost.is_null(False),
        )
        .order_by(DocumentLine.id)
        .tuples()
    )  # the last cost of each product wins
    levels = StockLevel.select(StockLevel.product, StockLevel.branch, StockLevel.quantity)
    rows = [
        [products[product], branches[branch], quantity, costs.get(product)]
        for product, branch, quantity in levels.where(StockLevel.quantity != 0).tuples()
        if product in products
    ]
    return sorted(rows, key=lambda row: (row[0], row[1]))


def _warranty_numbers() -> list[list]:
    """Every warranty number (goods without serials), active or returned, with its state,
    customer, dates, and the branch and price of the line it was sold on."""
    skus = dict(Product.select(Product.id, Product.sku).tuples())
    branches = dict(Branch.select(Branch.id, Branch.code).tuples())
    customers = {
        c: (n, p)
        for c, n, p in Customer.select(Customer.id, Customer.name, Customer.phone).tuples()
    }
    query = (
        WarrantyNumber.select(
            WarrantyNumber.number,
            WarrantyNumber.product,
            WarrantyNumber.customer,
            WarrantyNumber.warranty_start,
            WarrantyNumber.warranty_end,
            WarrantyNumber.state,
            DocumentLine.price,
            Document.branch,
        )
        .join(DocumentLine)
        .join(Document)
        .order_by(WarrantyNumber.id)
        .tuples()
    )
    rows = []
    for number, product, customer, start, end, state, price, branch in query.iterator():
        name, phone = customers.get(customer, ("", ""))
        rows.append(
            [number, skus[product], start, name, phone, customer, price, branches.get(branch, ""),
             end, state]
        )  # fmt: skip
    return rows
