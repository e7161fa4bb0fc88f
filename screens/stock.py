"""Stock by serial: what is in stock here, filtered by product and state."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Input, Label, Select, Static

from app.domain.states import UnitState
from app.messages import OpenPassport
from app.services.stock import on_hand
from screens.base import CounterScreen
from screens.widgets.columns import SERIAL_WIDTH, add_fixed_columns, fit_row
from screens.widgets.errorline import ErrorLine
from screens.widgets.shown import plain

LIMIT = 500


class StockScreen(CounterScreen):
    TITLE = "Stock by serial"
    BINDINGS = [
        *CounterScreen.BINDINGS,
        Binding("ctrl+b", "toggle_branch", "This branch / all", id="stock.branch"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.all_branches = False

    def compose(self) -> ComposeResult:
        yield self.seat_bar()
        with Horizontal(classes="form-line"):
            yield Label("Product", classes="label")
            yield Input(
                placeholder="SKU or part of the name; Enter filters", id="product", compact=True
            )
            yield Label("State", classes="label")
            yield Select(
                [(s.label, s.value) for s in UnitState],
                value=UnitState.IN_STOCK.value,
                allow_blank=False,
                id="state",
                compact=True,
            )
        yield Static(id="summary", classes="counts")
        yield ErrorLine(id="message")
        yield DataTable(id="units", cursor_type="row", zebra_stripes=True)
        yield self.footer()

    def on_mount(self) -> None:
        # Fixed widths: with their padding, the focus marker and the scroll bar, 80 columns.
        add_fixed_columns(
            self.query_one(DataTable),
            ("Serial", SERIAL_WIDTH),
            ("SKU", 9),
            ("Product", 12),
            ("State", 10),
            ("Branch", 8),
            ("Since", 10),
        )
        self.load()
        self.query_one("#product", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.load()

    def on_select_changed(self, event: Select.Changed) -> None:
        self.load()

    def action_toggle_branch(self) -> None:
        self.all_branches = not self.all_branches
        self.load()

    def load(self) -> None:
        state = str(self.query_one("#state", Select).value)
        rows = self.call(
            on_hand.units,
            branch_id=None if self.all_branches else self.ctx.branch_id,
            product=self.query_one("#product", Input).value,
            state=state,
            limit=LIMIT,
        )
        if rows is None:
            return
        table = self.query_one(DataTable)
        table.clear()
        for r in rows:
            table.add_row(
                *fit_row(
                    table,
                    r.serial,
                    r.sku,
                    r.product,
                    UnitState(r.state).label,
                    r.branch,
                    r.since.astimezone().strftime("%Y-%m-%d"),
                ),
                key=r.serial,
            )
        where = "all branches" if self.all_branches else self.ctx.branch_name
        more = f" (first {LIMIT})" if len(rows) == LIMIT else ""
        self.query_one("#summary", Static).update(
            plain(
                f"{len(rows)} unit(s){more} · {UnitState(state).label} · {where} · "
                "Enter opens the passport"
            )
        )

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.post_message(OpenPassport(str(event.row_key.value)))
