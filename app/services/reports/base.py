"""What every report shares: its filters, its result (a table for the screen, CSV or
JSON), and the look-ups and narrowing the listings and the figures both use."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from app.domain.errors import NotFound, Refused
from app.services.ledger.documents import PREFIX
from app.services.ledger.lookups import find_branch, find_customer, scan_of
from db.models import (
    Document,
    Employee,
)

CENT = Decimal("0.01")


@dataclass
class Filters:
    """What a report is narrowed to; every field is optional."""

    date_from: date | None = None
    date_to: date | None = None
    product: str = ""  # SKU or GTIN
    serial: str = ""
    customer: str = ""  # '#id', exact name or phone
    supplier: str = ""
    branch: str = ""  # branch code
    employee: str = ""  # login
    days: int | None = None  # a listing: the last N days; expiring: the next N (30)
    limit: int | None = None  # rows of a listing; None = all

    def given(self) -> list[str]:
        """The filters set (``limit`` is how many rows to show, not a filter)."""
        return [
            name
            for name, value in vars(self).items()
            if name != "limit" and value is not None and value != ""
        ]


@dataclass
class Report:
    name: str
    title: str
    columns: list[str]
    rows: list[tuple] = field(default_factory=list)
    note: str = ""  # how current the figures are, when read from a replica

    def as_dicts(self) -> list[dict]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]

    def to_csv(self) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(self.columns)
        for row in self.rows:
            writer.writerow(["" if v is None else _plain(v) for v in row])
        return buffer.getvalue()


def _plain(value) -> str:
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    # A spreadsheet runs a cell starting with = + - @ as a formula (a customer named
    # =HYPERLINK(...)): such text gets a leading apostrophe; numbers stay numbers.
    if text[:1] in FORMULA_STARTS and not isinstance(value, int | float | Decimal):
        return "'" + text
    return text


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def money(value) -> Decimal:
    """A database sum as money: SQLite gives floats, PostgreSQL Decimals."""
    if value is None:
        return Decimal("0.00")
    return Decimal(str(value)).quantize(CENT)


def number_of(kind: str, doc_id: int) -> str:
    return f"{PREFIX[kind]}-{doc_id}"


def employee_by_login(login: str) -> Employee:
    emp = Employee.get_or_none(Employee.login == login.strip().lower())
    if emp is None:
        raise NotFound(f"No employee with login '{login}'.")
    return emp


def serial_of(raw: str) -> str:
    serial = scan_of(raw).serial
    if serial is None:
        raise Refused("That is a product barcode: give the unit's serial.")
    return serial


def doc_filters(query, f: Filters, *, employee_field=None):
    """Narrow a query that joins Document (and DocumentLine, Unit) by the common filters."""
    if f.date_from:
        query = query.where(Document.business_date >= f.date_from)
    if f.date_to:
        query = query.where(Document.business_date <= f.date_to)
    if f.branch:
        query = query.where(Document.branch == find_branch(f.branch).id)
    if f.customer:
        query = query.where(Document.customer == find_customer(f.customer).id)
    if f.employee:
        query = query.where(
            (employee_field or Document.employee) == employee_by_login(f.employee).id
        )
    return query
