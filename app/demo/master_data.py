"""The demo shop's master data: branches, staff, suppliers, customers, the catalogue with
its kit, and what each branch keeps on the shelf.

The tables live in ``shop.json`` beside this module (package data); here they are read
once and given names. ``app.demo.shop`` builds the shop from them.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import NamedTuple


class BranchRow(NamedTuple):
    code: str
    name: str
    address: str


class EmployeeRow(NamedTuple):
    login: str
    name: str
    role: str
    branch: str  # the home branch's code
    pin: str  # printed in the README: demo only


class SupplierRow(NamedTuple):
    name: str
    contact: str


class CustomerRow(NamedTuple):
    name: str
    phone: str


class ProductTypeRow(NamedTuple):
    name: str
    mode: str  # the tracking mode
    warranty_months: int
    print_mode: str
    check_kind: str
    mask_policy: str


class ProductRow(NamedTuple):
    sku: str
    name: str
    product_type: str
    price: str
    cost: str
    gtin_body: str  # 12 digits; the check digit is added
    supplier: str  # the supplier's name
    serial_prefix: str  # the TAC for phones; empty for goods without serials


class KitRow(NamedTuple):
    """A kit, put together in the shop and never received as such."""

    sku: str
    name: str
    product_type: str
    price: str
    gtin_body: str
    components: list[tuple[str, int]]  # (sku, quantity)


class ShelfLevel(NamedTuple):
    """What a branch keeps of one product: restock below this, order up to that."""

    restock_below: int
    order_up_to: int


def _read_tables() -> dict:
    text = resources.files("app.demo").joinpath("shop.json").read_text(encoding="utf-8")
    return json.loads(text)


_TABLES = _read_tables()

BRANCHES = [BranchRow(**row) for row in _TABLES["branches"]]
EMPLOYEES = [EmployeeRow(**row) for row in _TABLES["employees"]]
# Who works the counter, the stock room and the office at each branch: role -> login
COUNTER_STAFF: dict[str, dict[str, str]] = _TABLES["counter_staff"]
SUPPLIERS = [SupplierRow(**row) for row in _TABLES["suppliers"]]
CUSTOMERS = [CustomerRow(**row) for row in _TABLES["customers"]]
PRODUCT_TYPES = [ProductTypeRow(**row) for row in _TABLES["product_types"]]
# Includes the parts of the drill kit: a battery with its own serial, a charger without.
PRODUCTS = [ProductRow(**row) for row in _TABLES["products"]]
KITS = [
    KitRow(**{**row, "components": [(sku, quantity) for sku, quantity in row["components"]]})
    for row in _TABLES["kits"]
]
# What a branch keeps on the shelf: branch code -> sku -> level, in restocking order
SHELF = {
    branch: {sku: ShelfLevel(*level) for sku, level in levels.items()}
    for branch, levels in _TABLES["shelf"].items()
}
