"""Kits (product sets): define what a kit is made of, put one together from the exact
serials of its parts, take one apart, and see the assembled kits kept here."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Input, Label, Static

from app.domain.roles import Role
from app.services.kits import assembly
from screens.base import CounterScreen
from screens.modals.ask import AskText
from screens.modals.confirm import Confirm
from screens.widgets.errorline import ErrorLine
from screens.widgets.shown import cell, plain


class KitsScreen(CounterScreen):
    TITLE = "Kits"
    BINDINGS = [
        *CounterScreen.BINDINGS,
        Binding("f10", "assemble", "Assemble", id="kits.assemble"),
        Binding("ctrl+t", "take_apart", "Take apart", id="kits.take_apart", priority=True),
        Binding("f9", "define", "Define kit", id="kits.define"),
        Binding("ctrl+d", "drop_scan", "Remove scan", id="kits.drop", priority=True),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.definition: assembly.KitDefinition | None = None
        self.progress: assembly.KitProgress | None = None

    def compose(self) -> ComposeResult:
        yield self.seat_bar()
        with Horizontal(classes="form-line"):
            yield Label("Kit SKU", classes="label")
            yield Input(placeholder="kit product code", id="kit", compact=True)
            yield Label("Kit serial", classes="label")
            yield Input(placeholder="blank: a kit number", id="kit-serial", compact=True)
        with Horizontal(classes="form-line"):
            yield Label("Scan part", classes="label")
            yield Input(placeholder="serial of each serialized part", id="scan", compact=True)
        yield Static(id="progress", classes="counts")
        yield ErrorLine(id="message")
        yield DataTable(id="parts", cursor_type="row")
        yield Static("Assembled kits here", classes="counts")
        yield DataTable(id="kits", cursor_type="row")
        yield self.footer()

    def on_mount(self) -> None:
        self.query_one("#parts", DataTable).add_columns("Part", "SKU", "Qty", "Serials scanned")
        self.query_one("#kits", DataTable).add_columns("Kit", "Product", "State", "Parts")
        self.query_one("#kit", Input).focus()
        self.show_progress()
        self.show_kits()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        field, value = event.input.id, event.value.strip()
        if field == "kit":
            self.choose_kit(value)
        elif field == "kit-serial":
            self.query_one("#scan", Input).focus()
        elif field == "scan":
            event.input.value = ""
            self.scan(value)

    # --- assembling ---------------------------------------------------------------------

    def choose_kit(self, code: str) -> None:
        if not code or self.hold(self.choose_kit, code):
            return
        definition = self.call(assembly.kit_definition, code)
        if definition is None:
            return
        progress = self.call(assembly.kit_progress, self.ctx, definition.sku, [])
        if progress is None:
            return
        self.definition, self.progress = definition, progress
        self.message.info(f"{definition.name}: scan the serial of each part.")
        self.show_progress()
        self.query_one("#kit-serial", Input).focus()

    def scan(self, serial: str) -> None:
        if not serial or self.hold(self.scan, serial):
            return
        if self.progress is None:
            self.message.fail("Type the kit's SKU first.")
            self.query_one("#kit", Input).focus()
            return
        progress = self.call(
            assembly.kit_progress, self.ctx, self.progress.sku, [*self.progress.serials, serial]
        )
        if progress is None:
            return
        self.progress = progress
        self.message.ok(f"{progress.serials[-1]} goes into the kit.")
        self.show_progress()

    def action_drop_scan(self) -> None:
        if self.progress is None or not self.progress.serials:
            return
        serials = self.progress.serials[:-1]
        progress = self.call(assembly.kit_progress, self.ctx, self.progress.sku, serials)
        if progress is not None:
            self.progress = progress
            self.message.info("Last scan removed.")
            self.show_progress()

    def action_assemble(self) -> None:
        if self.progress is None:
            self.message.fail("Type the kit's SKU, then scan its parts.")
            return
        if self.progress.missing:
            self.message.fail(f"Still missing: {', '.join(self.progress.missing)}.")
            return
        kit_serial = self.query_one("#kit-serial", Input).value.strip() or None
        self.save(
            assembly.assemble_kit,
            self.ctx,
            self.progress.sku,
            self.progress.serials,
            kit_serial=kit_serial,
            then=self.assembled,
            what="Assembling the kit",
        )

    def assembled(self, view: assembly.KitView) -> None:
        self.message.ok(f"Assembled {view.serial}: {view.name}, in stock here.")
        kit_serial = self.query_one("#kit-serial", Input)
        if not self.typed_meanwhile("#kit-serial"):
            kit_serial.value = ""
            kit_serial.focus()
        self.progress = self.call(assembly.kit_progress, self.ctx, view.sku, [])
        self.show_progress()
        self.show_kits()

    def show_progress(self) -> None:
        table = self.query_one("#parts", DataTable)
        table.clear()
        status = self.query_one("#progress", Static)
        if self.definition is None or self.progress is None:
            status.update("F9 defines a kit (manager) · Ctrl+T takes one apart")
            return
        for line in self.definition.components:
            if line.serialized:
                shown = ", ".join(self.progress.by_sku.get(line.sku, [])) or "-"
            else:
                shown = "from stock"
            table.add_row(cell(line.name[:24]), cell(line.sku), str(line.quantity), cell(shown))
        if self.progress.missing:
            text = f"Still missing: {', '.join(self.progress.missing)}"
        else:
            text = "All parts scanned: F10 assembles"
        if self.progress.short:
            text += f" · {self.progress.short[0]}"
        status.update(plain(text))

    # --- the kits kept here -------------------------------------------------------------

    def show_kits(self) -> None:
        table = self.query_one("#kits", DataTable)
        table.clear()
        for row in self.call(assembly.kits_here, self.ctx.branch_id) or []:
            table.add_row(
                cell(row.serial),
                cell(row.name[:20]),
                "in stock" if row.state == "in_stock" else "quarantine",
                cell(", ".join(row.parts)[:34]),
                key=row.serial,
            )

    def action_take_apart(self) -> None:
        table = self.query_one("#kits", DataTable)
        chosen = ""
        if table.row_count:
            chosen = str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        self.app.push_screen(
            AskText("Take apart which kit? Its serial or kit number", value=chosen),
            self.confirm_take_apart,
        )

    def confirm_take_apart(self, serial: str | None) -> None:
        if not serial:
            return
        view = self.call(assembly.kit_view, serial)
        if view is None:
            return
        parts = ", ".join(p.serial or f"{p.quantity} × {p.name}" for p in view.parts)

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            self.save(
                assembly.disassemble_kit,
                self.ctx,
                view.serial,
                then=self.taken_apart,
                what="Taking the kit apart",
            )

        self.app.push_screen(
            Confirm(f"Take kit {view.serial} apart?", f"Back in stock: {parts}", destructive=True),
            answered,
        )

    def taken_apart(self, done: assembly.KitView) -> None:
        self.message.ok(f"{done.serial} taken apart: its parts are back in stock.")
        self.show_kits()

    # --- definition (manager) -----------------------------------------------------------

    def action_define(self) -> None:
        if self.ctx.role is not Role.MANAGER:
            self.message.fail("Defining a kit is for a manager only.")
            return
        code = self.query_one("#kit", Input).value.strip()
        if not code:
            self.message.fail("Type the kit's SKU first, then F9.")
            self.query_one("#kit", Input).focus()
            return
        current = ""
        if self.definition is not None and self.definition.sku == code.upper():
            current = " ".join(f"{c.sku}:{c.quantity}" for c in self.definition.components)

        def typed(text: str | None) -> None:
            if text is None:
                return
            components = self.call(assembly.components_from_text, text)
            if components is None:
                return

            def defined(definition: assembly.KitDefinition) -> None:
                self.choose_kit(definition.sku)
                self.message.ok(f"{definition.name} is made of {len(components)} component(s).")

            self.save(
                assembly.define_kit, self.ctx, code, components, then=defined, what="Saving the kit"
            )

        self.app.push_screen(
            AskText(f"Components of {code.upper()}: SKU or SKU:QTY, spaces between", value=current),
            typed,
        )
