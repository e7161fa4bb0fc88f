"""The bench shop's data: the ledger tables' columns and the order they are written in, the
catalogue (product types, products, prices), customers' names, and what the simulation in
``ledger.py`` keeps of it: master data as ids, the ids it hands out, its clock, and each
unit while it is simulated.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from stdnum import ean, luhn

from app.domain.states import UnitState
from app.domain.warranty import warranty_end

DAY = 86_400

COLUMNS: dict[str, tuple[str, ...]] = {
    "customer": ("id", "name", "phone", "email", "created_at"),
    "document": (
        "id", "kind", "branch_id", "to_branch_id", "employee_id", "approved_by_id",
        "customer_id", "supplier_id", "related_id", "reference", "status", "created_at",
        "business_date", "closed_at", "total", "payment_method", "paid", "reason", "note",
    ),
    "unit": (
        "id", "serial", "product_id", "state", "branch_id", "supplier_id", "customer_id",
        "cost", "warranty_start", "warranty_end", "replaces_id", "flag", "updated_at",
    ),
    "document_line": (
        "id", "document_id", "product_id", "unit_id", "serial", "quantity", "price", "cost",
        "source_line_id", "returned_quantity", "received_quantity", "condition",
        "disposition", "result", "note",
    ),
    "unit_event": (
        "id", "unit_id", "event", "at", "branch_id", "employee_id", "approved_by_id",
        "document_id", "from_state", "to_state", "note",
    ),
    "warranty_number": (
        "id", "number", "product_id", "sale_line_id", "customer_id", "warranty_start",
        "warranty_end", "state",
    ),
    "repair_ticket": (
        "id", "document_id", "unit_id", "warranty_number_id", "product_id", "complaint",
        "intake_condition", "accessories", "technician_id", "status", "covered",
        "decision_reason", "diagnosis", "outcome", "quality_check", "collected_at",
    ),
    "repair_status_change": (
        "id", "ticket_id", "from_status", "to_status", "employee_id", "at", "note",
    ),
    "repair_part": ("id", "ticket_id", "description", "quantity", "cost", "employee_id", "at"),
}  # fmt: skip
# The order rows are written in, so every foreign key points at a row already there.
TABLE_ORDER = (
    "customer",
    "document",
    "unit",
    "document_line",
    "unit_event",
    "warranty_number",
    "repair_ticket",
    "repair_status_change",
    "repair_part",
)
# Positions of the document columns that change after the row is made.
D_STATUS, D_CLOSED_AT, D_TOTAL, D_PAID = 10, 13, 14, 16
# Positions of the document line columns that change after the row is made.
L_RETURNED, L_RECEIVED = 9, 10

# Product types: name, tracking mode, warranty months, check, pattern, print mode, share of units.
PRODUCT_TYPES = [
    ("Phones", "strict", 24, "imei", "", "auto", 0.50),
    ("Tablets", "strict", 24, "imei", "", "offer", 0.10),
    ("Laptops", "strict", 24, "none", "", "offer", 0.10),
    ("Power tools", "warranty", 36, "none", "", "offer", 0.22),
    ("Bicycles", "strict", 24, "none", "WBK#########", "offer", 0.08),
    ("Watches", "warranty_no_serial", 12, "none", "", "auto", 0.0),
    ("Accessories", "none", 0, "none", "", "never", 0.0),
]
PRODUCTS_PER_TYPE = {
    "Phones": 60,
    "Tablets": 20,
    "Laptops": 30,
    "Power tools": 60,
    "Bicycles": 20,
    "Watches": 20,
    "Accessories": 60,
}
PRICES = {
    "Phones": (149, 1499),
    "Tablets": (199, 1299),
    "Laptops": (399, 2499),
    "Power tools": (49, 699),
    "Bicycles": (299, 3999),
    "Watches": (39, 499),
    "Accessories": (5, 79),
}
FIRST = ("Anna", "Ben", "Chloe", "David", "Eva", "Felix", "Greta", "Hugo", "Ida", "Jonas",
         "Klara", "Leon", "Mila", "Noah", "Olga", "Paul", "Rosa", "Sami", "Tara")  # fmt: skip
LAST = ("Adler", "Berg", "Costa", "Dahl", "Engel", "Fischer", "Garcia", "Horn", "Ivanov",
        "Jansen", "Keller", "Lang", "Meyer", "Novak", "Ortiz", "Peters", "Quinn", "Roth",
        "Schulz", "Tanaka", "Ulrich", "Vogel", "Weber", "Young", "Zimmer")  # fmt: skip


def money(value: float) -> str:
    return f"{value:.2f}"


@dataclass
class ProductSpec:
    id: int
    index: int
    type_name: str
    sku: str
    name: str
    gtin: str
    price: str
    cost: str
    months: int
    supplier: int
    made: int = 0  # serials handed out so far

    def next_serial(self) -> str:
        n = self.made
        self.made += 1
        if self.type_name in ("Phones", "Tablets"):  # a type allocation code per model
            tac = f"{35 if self.type_name == 'Phones' else 86}{self.index:04d}{n // 1_000_000:02d}"
            body = f"{tac}{n % 1_000_000:06d}"
            return body + luhn.calc_check_digit(body)
        if self.type_name == "Laptops":
            return f"5CD{self.index:03d}{n:07d}"
        if self.type_name == "Bicycles":
            return f"WBK{self.index:03d}{n:06d}"
        return f"PT{self.index:03d}-{n:07d}"


def make_gtin(n: int) -> str:
    body = f"400{n:09d}"
    return (body + ean.calc_check_digit(body)).zfill(14)


@dataclass
class Master:
    """The shop's master data, as ids the simulation refers to."""

    branches: list[int]
    branch_names: dict[int, str]
    staff: dict[tuple[int, str], list[int]]
    suppliers: list[int]
    serialized: list[ProductSpec]
    weights: list[float]
    accessories: list[ProductSpec]
    watches: list[ProductSpec]
    customers: int
    start: int  # the timeline, in seconds since the epoch (UTC)
    end: int

    def employee(self, rnd: random.Random, branch: int, role: str) -> int:
        return rnd.choice(self.staff[(branch, role)])


@dataclass
class Ids:
    """The next id of every table: the builder hands out ids itself, in time order."""

    next: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COLUMNS, 1))

    def take(self, table: str) -> int:
        value = self.next[table]
        self.next[table] = value + 1
        return value


class Clock:
    """Timestamps and dates as stored, cached per day (millions of them are formatted)."""

    def __init__(self) -> None:
        self._days: dict[int, tuple[str, date]] = {}
        self._ends: dict[tuple[date, int], date | None] = {}

    def day(self, t: int) -> tuple[str, date]:
        d = t // DAY
        cached = self._days.get(d)
        if cached is None:
            day = (datetime(1970, 1, 1, tzinfo=UTC) + timedelta(days=d)).date()
            cached = self._days[d] = (day.isoformat(), day)
        return cached

    def stamp(self, t: int) -> str:
        text, _day = self.day(t)
        s = t % DAY
        return f"{text} {s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}"

    def date(self, t: int) -> str:
        return self.day(t)[0]

    def warranty_end(self, t: int, months: int) -> str | None:
        day = self.day(t)[1]
        key = (day, months)
        if key not in self._ends:
            self._ends[key] = warranty_end(day, months)
        end = self._ends[key]
        return end.isoformat() if end else None


class Unit:
    """One unit while it is simulated; becomes a ``unit`` row at the end of its batch."""

    __slots__ = (
        "id", "serial", "product", "state", "branch", "supplier", "customer", "cost",
        "warranty_start", "warranty_end", "replaces", "flag", "updated", "budget", "version",
        "sale_doc", "sale_line", "ticket", "transfer_doc", "transfer_line", "transfer_to",
    )  # fmt: skip

    def __init__(self, uid: int, product: ProductSpec, branch: int) -> None:
        self.id = uid
        self.product = product
        self.serial = product.next_serial()
        self.state: UnitState | None = None
        self.branch = branch
        self.supplier = product.supplier
        self.customer: int | None = None
        self.cost = product.cost
        self.warranty_start: str | None = None
        self.warranty_end: str | None = None
        self.replaces: int | None = None
        self.flag = ""
        self.updated = 0
        self.budget = 0
        self.version = 0
        self.sale_doc = self.sale_line = None
        self.ticket = None
        self.transfer_doc = self.transfer_line = self.transfer_to = None

    def row(self, clock: Clock) -> tuple:
        return (
            self.id, self.serial, self.product.id, self.state.value, self.branch, self.supplier,
            self.customer, self.cost, self.warranty_start, self.warranty_end, self.replaces,
            self.flag, clock.stamp(self.updated),
        )  # fmt: skip
