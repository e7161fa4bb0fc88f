"""Reports: pick one, narrow it with filters, see the rows, export them to CSV.

The query runs in a worker thread so the screen keeps answering keys while a
report over a big ledger is on its way; the result comes back as a message. Every
filter filled in applies, or the report says it cannot take it; F10 writes the CSV
into the documents folder (or a full path typed) and says the full path written.
"""

from __future__ import annotations

from datetime import date

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import DataTable, Input, Label, Select, Static

from app.domain.errors import DomainError
from app.services.reports import runner
from app.services.reports.export import export_csv, export_folder
from app.services.threads import release_thread_connection
from screens.base import CounterScreen
from screens.modals.ask import AskText
from screens.widgets.errorline import ErrorLine
from screens.widgets.shown import cell, plain

SHOWN = 500
FIELDS = [
    ("date_from", "From", "YYYY-MM-DD"),
    ("date_to", "To", "YYYY-MM-DD"),
    ("days", "Days", "last/next N"),
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
        yield Static(self.keys_hint("sales"), id="status", classes="counts")
        yield ErrorLine(id="message")
        yield DataTable(id="rows", cursor_type="row", zebra_stripes=True)
        yield self.footer()

    def on_mount(self) -> None:
        self.query_one("#report", Select).focus()

    def keys_hint(self, name: str) -> str:
        return f"Filters: {runner.takes(name)} · F9 runs · F10 CSV"

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "report" and event.value in runner.REPORTS:
            self.query_one("#status", Static).update(self.keys_hint(str(event.value)))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.action_run()

    def filters(self, limit: int | None) -> runner.Filters | None:
        values = {key: self.query_one(f"#{key}", Input).value.strip() for key, _l, _h in FIELDS}
        try:
            texts = {k: values.pop(k) for k in ("date_from", "date_to")}
            dates = {k: date.fromisoformat(v) if v else None for k, v in texts.items()}
            days_text = values.pop("days")
            days = int(days_text) if days_text else None
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
        stamp = self.app.clock().astimezone().strftime("%Y-%m-%d-%H%M")
        self.app.push_screen(
            AskText(
                f"Export to CSV: a name (into {export_folder()}) or a full path",
                "file name",
                value=f"{name}-{stamp}.csv",
            ),
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
            report = runner.run(
                name, filters, today=today, reports_database=self.app.config.reports_database
            )
            written = str(export_csv(report, path)) if path else ""
            self.post_message(self.Done(report, "", written))
        except DomainError as exc:
            self.post_message(self.Done(None, exc.message, path))
        finally:
            release_thread_connection()

    def on_reports_screen_done(self, message: Done) -> None:
        status = self.query_one("#status", Static)
        if message.error:
            status.update(self.keys_hint(str(self.query_one("#report", Select).value)))
            self.message.fail(message.error)
            return
        report = message.report
        note = f" · {report.note}" if report.note else ""
        if message.path:
            status.update(plain(f"{report.title}: {len(report.rows)} row(s){note}"))
            self.message.ok(f"Exported {len(report.rows)} row(s) to {message.path}.")
            return
        self.report = report
        table = self.query_one(DataTable)
        table.clear(columns=True)
        table.add_columns(*map(cell, report.columns))
        for row in report.rows:
            table.add_row(*[cell("" if v is None else v) for v in row])
        more = f" (first {SHOWN}; export for all)" if len(report.rows) == SHOWN else ""
        status.update(plain(f"{report.title}: {len(report.rows)} row(s){more}{note}"))
