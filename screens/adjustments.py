"""Adjustments and write-offs: kind, reason, the units and the pieces of goods without
serials; a manager approves when the role needs it.

Nothing is edited: each adjustment is a new document and a correcting event.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Input, Label, Select, Static

from app.domain.errors import DomainError, PermissionDenied
from app.domain.states import UnitState
from app.services.stock.adjustments import AdjustmentKind, AdjustmentResult, adjust
from screens.modals.approval import ManagerApproval
from screens.stock_document import StockLinesScreen
from screens.widgets.errorline import ErrorLine
from screens.widgets.stocklines import StockLines


class AdjustmentsScreen(StockLinesScreen):
    TITLE = "Adjustments"
    BINDINGS = [
        *StockLinesScreen.BINDINGS,
        Binding("f10", "apply", "Apply", id="adjustments.apply"),
    ]

    def compose(self) -> ComposeResult:
        yield self.seat_bar()
        with Horizontal(classes="form-line"):
            yield Label("Kind", classes="label")
            yield Select(
                [(k.value.replace("_", " "), k.value) for k in AdjustmentKind],
                value=AdjustmentKind.WRITE_OFF.value,
                allow_blank=False,
                id="kind",
                compact=True,
            )
            yield Label("Real state", classes="label")
            yield Select(
                [(s.label, s.value) for s in UnitState],
                prompt="(correction only)",
                id="to-state",
                compact=True,
            )
        with Horizontal(classes="form-line"):
            yield Label("Reason", classes="label")
            yield Input(placeholder="why (required)", id="reason", compact=True)
        with Horizontal(classes="form-line"):
            yield Label("Scan", classes="label")
            yield Input(
                placeholder="serial, or barcode/SKU of goods without serials",
                id="serial",
                compact=True,
            )
        yield Static(
            "F10 applies · Ctrl+N quantity (correction: -2 takes two off) · Ctrl+D removes",
            classes="counts",
        )
        yield ErrorLine(id="message")
        yield StockLines(signed=True, id="scans")
        yield self.footer()

    def on_mount(self) -> None:
        self.query_one("#reason", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "reason":
            self.query_one("#serial", Input).focus()
        elif event.input.id == "serial":
            event.input.value = ""
            self.add_scan(event.value)

    def action_apply(self) -> None:
        self.run_adjustment(None)

    def run_adjustment(self, approver) -> None:
        kind = str(self.query_one("#kind", Select).value)
        picked = self.query_one("#to-state", Select)
        items = self.stock_lines.items()

        def refused(exc: DomainError) -> None:
            if not isinstance(exc, PermissionDenied) or approver is not None:
                self.message.fail(exc.message)
                return

            def approved(manager) -> None:
                if manager is None:
                    self.message.fail("Not done: this adjustment needs a manager's approval.")
                else:
                    self.run_adjustment(manager)

            self.app.push_screen(ManagerApproval(kind.replace("_", " ")), approved)

        self.save(
            adjust,
            self.ctx,
            kind,
            serials=[i.serial for i in items if i.serial],
            quantities={i.product: i.quantity for i in items if not i.serial},
            reason=self.query_one("#reason", Input).value,
            to_state=None if picked.is_blank() else str(picked.value),
            approver=approver,
            then=self.adjusted,
            refused=refused,
            what="Saving the adjustment",
        )

    def adjusted(self, result: AdjustmentResult) -> None:
        self.stock_lines.clear_lines()
        if not self.typed_meanwhile("#reason"):
            self.query_one("#reason", Input).value = ""
        what = result.kind.replace("_", " ")
        done = [f"{len(result.units)} unit(s)"] if result.units else []
        done += [f"{sku} {change:+d}" for sku, change in result.quantities.items()]
        self.message.ok(f"Saved {result.number}: {what} of {', '.join(done)}.")
