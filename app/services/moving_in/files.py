"""The files a shop prepares to move in: which columns each kind has, reading a CSV file
(UTF-8, header row) into numbered rows, and reading the cells (dates, money, counts).

A cell a spreadsheet would run as a formula is written by ``export`` with a leading
apostrophe (``'=SUM(...)``, ``'+44 7700``); reading takes one leading apostrophe off
when the next character is one of ``= + - @ '`` (``unquote``), so values go round trip.
"""

from __future__ import annotations

import csv
import io
import os
import re
import stat
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from app.domain.errors import Refused
from app.domain.money import to_money
from app.services.ledger.documents import KIND_BY_PREFIX


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
        (
            "gtin",
            "tracking_mode",
            "warranty_months",
            "serial_pattern",
            "check",
            "print_mode",
            "mask",
            "card_template",
            "product_mode",
            "product_warranty_months",
            "product_serial_pattern",
            "product_check",
            "active",
        ),  # fmt: skip
    ),
    "numbers": Columns(("last_document",)),
    "suppliers": Columns(("name",), ("contact",)),
    "customers": Columns(("name",), ("phone", "email", "number")),
    "stock": Columns(("serial", "sku"), ("branch", "supplier", "cost", "received", "receipt")),
    "sold": Columns(
        ("serial", "sku", "sold"),
        (
            "customer_name",
            "customer_phone",
            "price",
            "branch",
            "warranty_end",
            "supplier",
            "cost",
            "customer_number",
            "sale",
        ),
    ),  # fmt: skip
    "quantities": Columns(("sku", "branch", "quantity"), ("cost",)),
    "warranties": Columns(
        ("number", "sku", "sold"),
        (
            "customer_name",
            "customer_phone",
            "customer_number",
            "price",
            "branch",
            "warranty_end",
            "state",
        ),
    ),  # fmt: skip
}
# The order a shop imports its files in: each kind names rows of the ones before it.
ORDER = (
    "numbers", "catalogue", "suppliers", "customers", "stock", "sold", "quantities", "warranties",
)  # fmt: skip
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_FILE_BYTES = 200 * 1024 * 1024  # a million rows of stock take about 60 MB
EARLIEST = date(1990, 1, 1)  # before it, a date in a shop's spreadsheet is a typing error
DECIMAL_COMMA = re.compile(r"\d+,\d{1,2}")


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
    return parse_rows(kind, columns, read_bounded(path), str(path))


def read_bounded(path: Path) -> bytes:
    """The bytes of a regular file (symlinks followed) of at most ``MAX_FILE_BYTES``: a
    device, a pipe or a folder is refused before anything is read (never read forever)."""
    try:
        # Non-blocking: opening a FIFO must not wait for a writer; the check comes next.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise Refused(f"Cannot read {path}: {exc.strerror or exc}.") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise Refused(
            f"{path} is not a regular file (a folder, device or pipe): give the CSV file "
            "the spreadsheet saved."
        )
    with os.fdopen(fd, "rb") as file:
        data = file.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise Refused(
            f"{path} is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB: split it into "
            "several files (each with the header row) and import them one by one."
        )
    return data


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
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise Refused(f"{name} is empty: the first line names the columns.") from None
    except csv.Error as exc:
        raise Refused(_not_csv(name, 1, exc)) from None
    if len(header) == 1 and ";" in header[0]:
        raise Refused(
            f"{name} has one column, '{header[0][:60]}': the file seems to use ';' between "
            "columns; use commas (save it from the spreadsheet as 'CSV UTF-8', comma-separated)."
        )
    names = [_column_name(h) for h in header]
    _check_header(kind, columns, names)
    places = {n: i for i, n in enumerate(names)}
    rows = []
    line = reader.line_num + 1  # the first line of the next record
    try:
        for cells in reader:
            first, line = line, reader.line_num + 1
            if not any(c.strip() for c in cells):
                continue  # a blank line
            if len(cells) > len(names):
                rows.append(
                    Row(first, (), places, f"{len(cells)} cells; the header names {len(names)}.")
                )
                continue
            rows.append(Row(first, tuple(unquote(c) for c in cells), places))
    except csv.Error as exc:
        raise Refused(_not_csv(name, line, exc)) from None
    return rows


def _not_csv(name: str, line: int, exc: csv.Error) -> str:
    """Why a record starting on ``line`` is not CSV, as a spreadsheet user reads it."""
    if "unexpected end of data" in str(exc):
        return (
            f'{name} has an unterminated quote starting on line {line}: a cell opens with " '
            "and never closes it. Nothing was read."
        )
    if "expected after" in str(exc):
        return (
            f'{name} line {line} is not CSV: text follows a closing quote (like "A1"x); '
            "quote the whole cell. Nothing was read."
        )
    return f"{name} line {line} is not CSV: {exc}. Nothing was read."


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
    if parsed < EARLIEST:
        raise Refused(f"The {what} {value} is before {EARLIEST}: check the year.")
    return parsed


def money(text: str, what: str) -> Decimal | None:
    """Money (None when blank); negative or not a number refused."""
    if not text.strip():
        return None
    return to_money(amount_text(text, what), what=what)


def amount_text(text: str, what: str) -> str:
    """An amount as typed, with a decimal comma (``1234,50``) read as a point; a comma that
    may be a thousands separator (``1,299``, ``1,250.00``, ``1.299,00``) refused."""
    value = text.strip()
    if "," not in value:
        return value
    if DECIMAL_COMMA.fullmatch(value):
        return value.replace(",", ".")
    raise Refused(
        f"The {what} '{value[:20]}' has a comma that may separate thousands: write it "
        "without one, like 1299.00 (or 1299,00)."
    )


def whole(text: str, what: str, default: int = 0) -> int:
    value = text.strip()
    if not value:
        return default
    if not (value.isascii() and value.isdigit()):
        raise Refused(f"The {what} '{value[:10]}' is not a whole number.")
    return int(value)


MAX_OLD_NUMBER = 99_999_999  # new numbers are issued above it: a typo must not use them up


def old_number(text: str, what: str) -> int:
    """The id of a document number an export wrote (``S-156``, ``GR-12``, ``OB-3``): the
    numbers the shop issued before, which new documents must never issue again; 0 when blank."""
    value = text.strip().upper()
    if not value:
        return 0
    prefix, _, digits = value.rpartition("-")
    ok = digits.isascii() and digits.isdigit() and 0 < int(digits) <= MAX_OLD_NUMBER
    if prefix not in KIND_BY_PREFIX or not ok:
        raise Refused(
            f"The {what} '{value[:16]}' is not a document number like S-42: that column holds "
            "the numbers of an export; leave it out of a spreadsheet's file."
        )
    return int(digits)
