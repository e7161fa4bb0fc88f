"""Reports: pick one, narrow it with filters, see the rows, export them to CSV.

The query runs in a worker thread so the screen keeps answering keys while a
report over a big ledger is on its way; the result comes back as a message.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import DataTable, Input, Label, Select, Static

from app.domain.errors import DomainError
from app.services.reports import runner
from app.services.threads import release_thread_connection
from screens.base import CounterScreen
from screens.modals.ask import AskText
from screens.widgets.errorline import ErrorLine

SHOWN = 500
FIELDS = [
    ("date_from", "From", "YYYY-MM-DD"),
    ("date_to", "To", "YYYY-MM-DD"),
    ("days", "Days", "30"),
    ("product", "Product", "SKU"),
    ("serial", "Serial", "serial"),
    ("customer", "Customer", "#id, name, phone"),
    ("supplier", "Supplier", "name"),
    ("branch", "Branch", "code"),
    ("employee", "Employee", "login"),
]


class ReportsScreen(CounterScreen):
    TITLE = "Reports"
    BINDINGS = [
        *CounterScreen.BINDINGS,
        Binding("f9", "run", "Run", id="reports.run"),
        Binding("f10", "export", "Export CSV", id="reports.export"),
    ]

    class Done(Message):
        def __init__(self, report: runner.Report | None, error: str, path: str) -> None:
            super().__init__()
            self.report = report
            self.error = error
            self.path = path

    def __init__(self) -> None:
        super().__init__()
        self.report: runner.Report | None = None

    def compose(self) -> ComposeResult:
        yield self.seat_bar()
        with Horizontal(classes="form-line"):
            yield Label("Report", classes="label")
            yield Select(
                [(spec.label, name) for name, spec in runner.REPORTS.items()],
                value="sales",
                allow_blank=False,
                id="report",
                compact=True,
            )
        for first in range(0, len(FIELDS), 3):
            with Horizontal(classes="form-line"):
                for key, label, hint in FIELDS[first : first + 3]:
                    yield Label(label, classes="label short")
                    yield Input(placeholder=hint, id=key, compact=True)
        yield Static("Enter or F9 runs · F10 exports CSV", id="status", classes="counts")
        yield ErrorLine(id="message")
        yield DataTable(id="rows", cursor_type="row", zebra_stripes=True)
        yield self.footer()

    def on_mount(self) -> None:
        self.query_one("#report", Select).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.action_run()

    def filters(self, limit: int | None) -> runner.Filters | None:
        values = {key: self.query_one(f"#{key}", Input).value.strip() for key, _l, _h in FIELDS}
        try:
            texts = {k: values.pop(k) for k in ("date_from", "date_to")}
            dates = {k: date.fromisoformat(v) if v else None for k, v in texts.items()}
            days = int(values.pop("days") or 30)
        except ValueError:
            self.message.fail("Dates are written 2026-01-31; days is a whole number.")
            return None
        return runner.Filters(**dates, days=days, limit=limit, **values)

    def action_run(self) -> None:
        self.start(None)

    def action_export(self) -> None:
        def chosen(path: str | None) -> None:
            if path:
                self.start(path)

        name = str(self.query_one("#report", Select).value)
        self.app.push_screen(
            AskText("Export to CSV file", "path", value=f"{name}-{self.app.clock().date()}.csv"),
            chosen,
        )

    def start(self, path: str | None) -> None:
        filters = self.filters(None if path else SHOWN)
        if filters is None:
            return
        name = str(self.query_one("#report", Select).value)
        self.query_one("#status", Static).update(f"Running {runner.REPORTS[name].label}…")
        self.message.clear()
        self.run_report(name, filters, path or "", self.app.clock().astimezone().date())

    @work(thread=True, exclusive=True, exit_on_error=False)
    def run_report(self, name: str, filters: runner.Filters, path: str, today: date) -> None:
        try:
            report = runner.run(name, filters, today=today)
            if path:
                Path(path).expanduser().write_text(report.to_csv(), encoding="utf-8")
            self.post_message(self.Done(report, "", path))
        except DomainError as exc:
            self.post_message(self.Done(None, exc.message, path))
        except OSError as exc:
            self.post_message(self.Done(None, f"Cannot write {path}: {exc.strerror}", path))
        finally:
            release_thread_connection()

    def on_reports_screen_done(self, message: Done) -> None:
        status = self.query_one("#status", Static)
        if message.error:
            status.update("Enter or F9 runs · F10 exports CSV")
            self.message.fail(message.error)
            return
        report = message.report
        if message.path:
            status.update(f"{report.title}: {len(report.rows)} row(s)")
            self.message.ok(f"Exported {len(report.rows)} row(s) to {message.path}.")
            return
        self.report = report
        table = self.query_one(DataTable)
        table.clear(columns=True)
        table.add_columns(*report.columns)
        for row in report.rows:
            table.add_row(*["" if v is None else str(v) for v in row])
        more = f" (first {SHOWN}; export for all)" if len(report.rows) == SHOWN else ""
        status.update(f"{report.title}: {len(report.rows)} row(s){more}")
