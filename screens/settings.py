"""Settings (manager): product types with a live card preview, employees' roles and PINs,
and a product's tracking mode (the service enforces the switch rule)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Input, Label, Select, Static, TextArea

from app.domain.errors import DomainError
from app.domain.roles import Role
from app.domain.tracking import MaskPolicy, PrintMode, TrackingMode
from app.services import catalog, settings
from screens.base import CounterScreen
from screens.widgets.errorline import ErrorLine


def _options(enum_type) -> list[tuple[str, str]]:
    return [(v.value.replace("_", " "), v.value) for v in enum_type]


class SettingsScreen(CounterScreen):
    TITLE = "Settings"
    BINDINGS = [
        *CounterScreen.BINDINGS,
        Binding("f10", "save_type", "Save product type", id="settings.type"),
        Binding("f9", "save_employee", "Save employee", id="settings.employee"),
    ]

    def compose(self) -> ComposeResult:
        yield self.seat_bar()
        yield ErrorLine(id="message")
        with VerticalScroll():
            with Horizontal(classes="form-line"):
                yield Label("Type", classes="label")
                yield Input(placeholder="product type name", id="type", compact=True)
                yield Label("Months", classes="label")
                yield Input(placeholder="warranty", id="months", compact=True, restrict=r"\d*")
            with Horizontal(classes="form-line"):
                yield Label("Print", classes="label")
                yield Select(_options(PrintMode), id="print", compact=True, prompt="(keep)")
                yield Label("Mask", classes="label")
                yield Select(_options(MaskPolicy), id="mask", compact=True, prompt="(keep)")
            yield TextArea(id="template", classes="template")
            yield Static(id="preview", classes="panel")
            with Horizontal(classes="form-line"):
                yield Label("Employee", classes="label")
                yield Input(placeholder="login", id="login", compact=True)
                yield Select(_options(Role), id="role", compact=True, prompt="(keep role)")
                yield Input(placeholder="new PIN", id="pin", compact=True, password=True)
            with Horizontal(classes="form-line"):
                yield Label("Product", classes="label")
                yield Input(placeholder="SKU", id="sku", compact=True)
                yield Select(
                    [*_options(TrackingMode), ("as its type", "inherit")],
                    id="mode",
                    compact=True,
                    prompt="tracking mode",
                )
        yield self.footer()

    def on_mount(self) -> None:
        self.query_one("#type", Input).focus()
        self.message.info("F10 saves the type · F9 saves the employee · mode applies at once")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "type":
            self.load_type(event.value)
        elif event.input.id == "sku":
            self.apply_mode()

    def load_type(self, name: str) -> None:
        found = self.call(settings.product_type, name)
        if found is None:
            return
        self.query_one("#months", Input).value = str(found.warranty_months)
        self.query_one("#template", TextArea).text = found.card_template
        self.query_one("#months", Input).focus()

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        mask = self.query_one("#mask", Select)
        policy = "none" if mask.is_blank() else str(mask.value)
        preview = self.query_one("#preview", Static)
        try:
            preview.update(settings.preview_card(event.text_area.text, policy))
            preview.set_classes("panel")
        except DomainError as exc:
            preview.update(exc.message)
            preview.set_classes("panel error")

    def action_save_type(self) -> None:
        months = self.query_one("#months", Input).value.strip()
        selects = {"print_mode": "#print", "mask_policy": "#mask"}
        kept = {
            k: str(self.query_one(sel, Select).value)
            for k, sel in selects.items()
            if not self.query_one(sel, Select).is_blank()
        }
        saved = self.call(
            settings.update_product_type,
            self.ctx,
            self.query_one("#type", Input).value,
            warranty_months=int(months) if months else None,
            card_template=self.query_one("#template", TextArea).text,
            **kept,
        )
        if saved is not None:
            self.message.ok(f"Saved product type {saved.name}.")

    def action_save_employee(self) -> None:
        login = self.query_one("#login", Input).value
        picked = self.query_one("#role", Select)
        role = None if picked.is_blank() else str(picked.value)
        pin = self.query_one("#pin", Input).value.strip()
        if role is None and not pin:
            self.message.fail("Choose a role or type a new PIN.")
            return
        if role and self.call(settings.set_role, self.ctx, login, role) is None:
            return
        if pin and self.call(settings.reset_pin, self.ctx, login, pin) is None:
            return
        self.query_one("#pin", Input).value = ""
        self.message.ok(f"Saved {login.strip().lower()}.")

    def apply_mode(self) -> None:
        picked = self.query_one("#mode", Select)
        mode = None if picked.is_blank() else str(picked.value)
        if mode is None:
            self.message.fail("Choose the tracking mode first.")
            return
        chosen = None if mode == "inherit" else str(mode)
        sku = self.query_one("#sku", Input).value
        if self.call(catalog.set_product_mode, self.ctx, sku, chosen) is not None:
            self.message.ok(f"{sku.upper()} now tracks as {str(mode).replace('_', ' ')}.")
