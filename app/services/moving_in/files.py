"""The files a shop prepares to move in: which columns each kind has, reading a CSV file
(UTF-8, header row) into numbered rows, and reading the cells (dates, money, counts).

A cell a spreadsheet would run as a formula is written by ``export`` with a leading
apostrophe (``'=SUM(...)``, ``'+44 7700``); reading takes one leading apostrophe off
when the next character is one of ``= + - @ '`` (``unquote``), so values go round trip.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from app.domain.errors import Refused
from app.domain.money import to_money


@dataclass(frozen=True)
class Columns:
    """A kind's columns: those every row must have, and those it may have."""

    required: tuple[str, ...]
    optional: tuple[str, ...] = ()

    @property
    def all(self) -> tuple[str, ...]:
        return self.required + self.optional


KINDS: dict[str, Columns] = {
    "catalogue": Columns(
        ("sku", "name", "type", "price"),
        ("gtin", "tracking_mode", "warranty_months", "serial_pattern", "check", "print_mode"),
    ),
    "suppliers": Columns(("name",), ("contact",)),
    "customers": Columns(("name",), ("phone", "email")),
    "stock": Columns(("serial", "sku"), ("branch", "supplier", "cost", "received")),
    "sold": Columns(
        ("serial", "sku", "sold"),
        ("customer_name", "customer_phone", "price", "branch", "warranty_end", "supplier", "cost"),
    ),
}
# The order a shop imports its files in: each kind names rows of the ones before it.
ORDER = ("catalogue", "suppliers", "customers", "stock", "sold")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_FILE_BYTES = 2_000_000_000


class Row:
    """One data row of a file: its line number (as a text editor counts) and its cells
    (a tuple, with the header's column places shared by every row: a million rows fit)."""

    __slots__ = ("line", "cells", "places", "problem")

    def __init__(self, line: int, cells: tuple, places: dict[str, int], problem: str = ""):
        self.line = line
        self.cells = cells
        self.places = places
        self.problem = problem  # why the row cannot be read at all

    def get(self, name: str) -> str:
        place = self.places.get(name)
        return self.cells[place] if place is not None and place < len(self.cells) else ""


def kind_columns(kind: str) -> Columns:
    try:
        return KINDS[kind]
    except KeyError:
        raise Refused(f"Unknown kind '{kind}' ({', '.join(KINDS)}).") from None


def read_rows(kind: str, path: str | Path) -> list[Row]:
    """The rows of a CSV file of ``kind``; refuse a file that is not UTF-8 CSV, or whose
    header row lacks a column the kind needs or names one it does not know."""
    columns = kind_columns(kind)
    path = Path(path).expanduser()
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise Refused(f"{path} is larger than 2 GB; split it into several files.")
        data = path.read_bytes()
    except OSError as exc:
        raise Refused(f"Cannot read {path}: {exc.strerror or exc}.") from None
    return parse_rows(kind, columns, data, str(path))


def parse_rows(kind: str, columns: Columns, data: bytes, name: str) -> list[Row]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise Refused(
            f"{name} is not UTF-8 text: byte {data[exc.start]:#04x} on line {line}. "
            "Save it from the spreadsheet as 'CSV UTF-8'; nothing was read."
        ) from None
    if "\x00" in text:
        raise Refused(f"{name} holds NUL bytes: it is not a CSV text file.")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise Refused(f"{name} is empty: the first line names the columns.") from None
    except csv.Error as exc:
        raise Refused(f"{name} line 1 is not CSV: {exc}.") from None
    names = [_column_name(h) for h in header]
    _check_header(kind, columns, names)
    places = {n: i for i, n in enumerate(names)}
    rows = []
    try:
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue  # a blank line
            line = reader.line_num
            if len(cells) > len(names):
                rows.append(
                    Row(line, (), places, f"{len(cells)} cells; the header names {len(names)}.")
                )
                continue
            rows.append(Row(line, tuple(unquote(c) for c in cells), places))
    except csv.Error as exc:
        raise Refused(f"{name} line {reader.line_num} is not CSV: {exc}.") from None
    return rows


def _column_name(text: str) -> str:
    return "_".join(text.strip().lower().replace("-", " ").split())


def _check_header(kind: str, columns: Columns, names: list[str]) -> None:
    missing = [c for c in columns.required if c not in names]
    unknown = [n or "(blank)" for n in names if n not in columns.all]
    twice = sorted({n for n in names if names.count(n) > 1})
    shown = ", ".join(columns.required) + " (and may have " + ", ".join(columns.optional) + ")"
    if missing:
        raise Refused(
            f"The {kind} file has no column {', '.join(missing)}. Its first line names the "
            f"columns: {shown}."
        )
    if unknown:
        raise Refused(
            f"The {kind} file has unknown column(s) {', '.join(unknown)}. A {kind} file has "
            f"the columns {shown}."
        )
    if twice:
        raise Refused(f"The {kind} file names the column {', '.join(twice)} twice.")


def unquote(cell: str) -> str:
    """A cell as meant: one leading apostrophe before a formula character taken off."""
    if cell[:1] == "'" and cell[1:2] in (*FORMULA_STARTS, "'"):
        return cell[1:]
    return cell


def quote(value: object) -> str:
    """A value as ``export`` writes it: text a spreadsheet would run as a formula (or that
    starts with an apostrophe) gets a leading apostrophe; numbers and dates stay as they are."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = str(value)
    if isinstance(value, int | Decimal):
        return text
    if text[:1] in (*FORMULA_STARTS, "'"):
        return "'" + text
    return text


# --- cells --------------------------------------------------------------------------------


def day(text: str, what: str, today: date) -> date:
    """A date as YYYY-MM-DD, not after today."""
    value = text.strip()
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        raise Refused(f"The {what} '{value[:20]}' is not a date like 2025-03-31.") from None
    if len(value) != 10:
        raise Refused(f"The {what} '{value[:20]}' is not a date like 2025-03-31.")
    if parsed > today:
        raise Refused(f"The {what} {value} is in the future.")
    return parsed


def money(text: str, what: str) -> Decimal | None:
    """Money (None when blank); negative or not a number refused."""
    if not text.strip():
        return None
    return to_money(text, what=what)


def whole(text: str, what: str, default: int = 0) -> int:
    value = text.strip()
    if not value:
        return default
    if not value.isdigit():
        raise Refused(f"The {what} '{value[:10]}' is not a whole number.")
    return int(value)
