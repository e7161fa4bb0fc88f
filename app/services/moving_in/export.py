"""``export FOLDER``: everything the shop owns as one CSV file per kind ``import`` reads
(catalogue, suppliers, customers, stock, sold) and ``shop.json`` with the same rows plus
branches, staff (no PINs) and the units no file carries (in transit, in a kit, in
quarantine, returned, written off, replaced), each with its state.

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
from app.services.ledger.documents import Kind
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
    Supplier,
    Unit,
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
    tables["stock"], tables["sold"], others = _units()
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
    return {"folder": str(target.resolve()), "files": counts, "not_carried": len(others)}


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
        ]
        for p in query
    ]  # fmt: skip


def _units() -> tuple[list[list], list[list], list[dict]]:
    """The units on the shelves (stock), those customers hold (sold), and the rest."""
    received = dict(
        DocumentLine.select(DocumentLine.unit, pw.fn.MIN(Document.business_date))
        .join(Document)
        .where(Document.kind.in_([Kind.RECEIPT, Kind.OPENING]), DocumentLine.unit.is_null(False))
        .group_by(DocumentLine.unit)
        .tuples()
    )
    prices = dict(
        DocumentLine.select(DocumentLine.unit, DocumentLine.price)
        .join(Document)
        .where(
            Document.kind.in_([Kind.SALE, Kind.REPLACEMENT, Kind.OPENING]),
            DocumentLine.unit.is_null(False),
        )
        .order_by(DocumentLine.id)
        .tuples()
    )  # the last line of each unit wins
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
            day = received.get(u.id)
            stock.append(
                [u.serial, sku, branch, suppliers.get(u.supplier_id, ""), u.cost, day or ""]
            )
        elif u.state in SOLD_STATES and u.warranty_start is not None:
            name, phone = customers.get(u.customer_id, ("", ""))
            sold.append(
                [u.serial, sku, u.warranty_start, name, phone, prices.get(u.id), branch,
                 u.warranty_end, suppliers.get(u.supplier_id, ""), u.cost, u.customer_id]
            )  # fmt: skip
        else:
            others.append({"serial": u.serial, "sku": sku, "state": u.state, "branch": branch})
    return stock, sold, others
