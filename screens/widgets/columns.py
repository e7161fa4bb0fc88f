"""Fixed column widths for the counter's tables, sized for an 80-column terminal.

A DataTable left to size its columns itself measures new rows only once it is idle, so
during a burst of scans a row can be drawn in columns still as narrow as their labels
("Nimb  867753") and stay that way until something redraws it. Fixed widths draw every
row right at once; a long product name ends in an ellipsis, and a 15-digit IMEI always
fits whole.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import DataTable

from screens.widgets.shown import cell

# Wide enough for a 15-digit IMEI, a GS1 serial of 16 or a kit number.
SERIAL_WIDTH = 16


def add_fixed_columns(table: DataTable, *columns: tuple[str, int]) -> None:
    """Add (label, width) columns that keep their width whatever the rows hold."""
    for label, width in columns:
        table.add_column(label, width=width)


def fit(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters, ending in an ellipsis when something is left out."""
    text = str(text)
    if len(text) <= width:
        return text
    return text[: max(width - 1, 0)] + "…"


def fit_row(table: DataTable, *cells: object) -> list[Text]:
    """Cells from a row's first column on, each fitted to its column's width, read
    literally (a name holding ``[/]`` is drawn, not taken as markup)."""
    columns = table.ordered_columns
    return [
        cell(fit(str(value), column.width)) for value, column in zip(cells, columns, strict=False)
    ]
