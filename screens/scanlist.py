"""A counter screen that gathers scanned serials into a list before one operation."""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import DataTable

from screens.base import CounterScreen


class ScanListScreen(CounterScreen):
    """Keeps ``self.serials`` shown in the ``#scans`` table; Ctrl+D drops the selected one."""

    BINDINGS = [
        *CounterScreen.BINDINGS,
        Binding("ctrl+d", "drop_row", "Remove scan", id="scans.drop", priority=True),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.serials: list[str] = []

    def add_serial(self, serial: str) -> None:
        serial = serial.strip()
        if not serial:
            return
        if serial in self.serials:
            self.message.fail(f"{serial} is already on the list.")
            return
        self.serials.append(serial)
        self.message.clear()
        self.show_serials()

    def action_drop_row(self) -> None:
        table = self.query_one("#scans", DataTable)
        if self.serials and table.row_count:
            self.serials.pop(table.cursor_row)
            self.show_serials()

    def show_serials(self) -> None:
        table = self.query_one("#scans", DataTable)
        table.clear()
        for n, serial in enumerate(self.serials, 1):
            table.add_row(str(n), serial)
