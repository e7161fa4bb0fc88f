"""The lines of a stock document gathered by scanning: units by serial, and pieces of
goods without serials (a case's barcode or SKU, once per piece, or ``SKU*5``).

Shared by transfers, supplier returns and adjustments: ``StockLines`` keeps and shows
the lines (``screens.stock_document.StockLinesScreen`` gives every such screen the same keys).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable

from app.domain.errors import Refused
from app.services.access.context import Context
from app.services.stock.items import StockItem, read_stock_scan
from screens.widgets.columns import SERIAL_WIDTH, add_fixed_columns, fit_row


def split_count(raw: str) -> tuple[str, int]:
    """``CODE*5`` as (CODE, 5), as at checkout; anything else is one of it."""
    code, star, count = raw.strip().rpartition("*")
    if star and code and re.fullmatch(r"\d{1,6}", count):
        return code.strip(), int(count)
    return raw.strip(), 1


@dataclass
class Line:
    sku: str
    name: str
    serial: str | None  # a unit's serial; None for pieces of goods without serials
    scanned: str  # what was scanned (a GS1 code keeps its product)
    quantity: int = 1
    in_stock: int = 0

    @property
    def item(self) -> StockItem:
        if self.serial is not None:
            return StockItem(serial=self.scanned)
        return StockItem(product=self.sku, quantity=self.quantity)


class StockLines(DataTable):
    """Scanned lines; with the table focused, + and - change the selected line's quantity."""

    BINDINGS = [
        Binding("plus,equals_sign", "step(1)", "One more", id="lines.more"),
        Binding("minus", "step(-1)", "One fewer", id="lines.fewer"),
    ]

    def __init__(self, *, signed: bool = False, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row")
        self.lines: list[Line] = []
        self.signed = signed  # a correction may take away (-3) as well as add

    def on_mount(self) -> None:
        add_fixed_columns(
            self, ("#", 3), ("Product", 34), ("Serial", SERIAL_WIDTH), ("Qty", 6), ("Here", 6)
        )

    def add_scan(self, ctx: Context, raw: str) -> Line | None:
        """Add a scan (``CODE*N`` for N pieces) as a line, or to its product's line.

        Raises the service's refusal for an unknown code or a serial product's barcode.
        """
        raw = raw.strip()
        if not raw:
            return None
        raw, quantity = split_count(raw)
        scanned = read_stock_scan(ctx, raw, quantity)
        if scanned.serial is not None:
            if any(line.serial == scanned.serial for line in self.lines):
                raise Refused(f"{scanned.serial} is already on the list.")
            line = Line(scanned.sku, scanned.name, scanned.serial, raw)
            self.lines.append(line)
        else:
            line = next((x for x in self.lines if x.serial is None and x.sku == scanned.sku), None)
            if line is None:
                line = Line(scanned.sku, scanned.name, None, scanned.sku, 0)
                self.lines.append(line)
            line.quantity += quantity
            line.in_stock = scanned.in_stock
        self.show(self.lines.index(line))
        return line

    @property
    def selected(self) -> Line | None:
        if not self.lines or not 0 <= self.cursor_row < len(self.lines):
            return None
        return self.lines[self.cursor_row]

    def set_quantity(self, quantity: int) -> None:
        """Set the selected line's pieces; 0 takes the line off."""
        line = self.selected
        if line is None:
            return
        if line.serial is not None:
            raise Refused(f"{line.serial} is one unit: its quantity is always 1.")
        if quantity < 0 and not self.signed:
            raise Refused("Type how many pieces: 1 or more (0 takes the line off).")
        if quantity == 0:
            self.drop_selected()
            return
        line.quantity = quantity
        self.show(self.cursor_row)

    def action_step(self, by: int) -> None:
        line = self.selected
        if line is not None and line.serial is None:
            self.set_quantity(line.quantity + by)

    def drop_selected(self) -> Line | None:
        line = self.selected
        if line is None:
            return None
        row = self.cursor_row
        self.lines.remove(line)
        self.show(min(row, len(self.lines) - 1))
        return line

    def clear_lines(self) -> None:
        self.lines = []
        self.show(0)

    def items(self) -> list[StockItem]:
        return [line.item for line in self.lines]

    @property
    def units(self) -> int:
        return sum(1 for line in self.lines if line.serial is not None)

    @property
    def pieces(self) -> int:
        return sum(line.quantity for line in self.lines if line.serial is None)

    def summary(self) -> str:
        """``2 unit(s) and 5 piece(s)``, leaving out what is not there."""
        parts = [f"{self.units} unit(s)"] if self.units else []
        if self.pieces or any(line.serial is None for line in self.lines):
            parts.append(f"{self.pieces} piece(s)")
        return " and ".join(parts) or "nothing"

    def show(self, cursor: int) -> None:
        self.clear()
        for n, line in enumerate(self.lines, 1):
            here = "" if line.serial is not None else str(line.in_stock)
            self.add_row(*fit_row(self, n, line.name, line.serial or "", line.quantity, here))
        if self.lines:
            self.move_cursor(row=max(cursor, 0))
        self.post_message(self.Changed(self))

    class Changed(Message):
        """The lines changed (added, quantity set, removed)."""

        def __init__(self, lines: StockLines) -> None:
            super().__init__()
            self.lines = lines
