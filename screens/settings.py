"""Settings (manager): product types (warranty, printing, masking, serial rule tried on a
sample serial, card template with a live preview), employees' roles and PINs, and one
product's tracking mode and serial rule (the services enforce the trade's rules)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Input, Label, Select, Static, TextArea

from app.domain.errors import DomainError
from app.domain.roles import Role
from app.domain.serials import CheckKind
from app.domain.tracking import MaskPolicy, PrintMode, TrackingMode
from app.services.shop import catalog, serial_rules, settings
from screens.base import CounterScreen
from screens.widgets.errorline import ErrorLine
from screens.widgets.shown import plain

NO_SAMPLE = "Type a sample serial to try the pattern and check."


def _options(enum_type) -> list[tuple[str, str]]:
    return [(v.value.replace("_", " "), v.value) for v in enum_type]


def _chosen(select: Select) -> str | None:
    return None if select.is_blank() else str(select.value)


class SettingsScreen(CounterScreen):
    TITLE = "Settings"
    BINDINGS = [
        *CounterScreen.BINDINGS,
        Binding("f10", "save_type", "Save product type", id="settings.type"),
        Binding("f9", "save_employee", "Save employee", id="settings.employee"),
        Binding("ctrl+o", "save_product", "Save product", id="settings.product", priority=True),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.loaded_type: str | None = None

    def compose(self) -> ComposeResult:
        yield self.seat_bar()
        yield ErrorLine(id="message")
        with VerticalScroll():
            with Horizontal(classes="form-line"):
                yield Label("Type", classes="label")
                yield Input(placeholder="product type name, Enter", id="type", compact=True)
                yield Label("Months", classes="label")
                yield Input(placeholder="warranty", id="months", compact=True, restrict=r"\d*")
            with Horizontal(classes="form-line"):
                yield Label("Print", classes="label")
                yield Select(_options(PrintMode), id="print", compact=True, prompt="(keep)")
                yield Label("Mask", classes="label")
                yield Select(_options(MaskPolicy), id="mask", compact=True, prompt="(keep)")
            with Horizontal(classes="form-line"):
                yield Label("Pattern", classes="label")
                yield Input(placeholder="* any, # digit, @ letter", id="pattern", compact=True)
                yield Label("Check", classes="label")
                yield Select(_options(CheckKind), id="check", compact=True, prompt="(keep)")
            with Horizontal(classes="form-line"):
                yield Label("Try serial", classes="label")
                yield Input(placeholder="a sample serial", id="sample", compact=True)
            yield Static(NO_SAMPLE, id="serial-check", classes="panel")
            yield TextArea(id="template", classes="template")
            yield Static(id="preview", classes="panel")
            with Horizontal(classes="form-line"):
                yield Label("Employee", classes="label")
                yield Input(placeholder="login", id="login", compact=True)
                yield Select(_options(Role), id="role", compact=True, prompt="(keep role)")
                yield Input(placeholder="new PIN", id="pin", compact=True, password=True)
            with Horizontal(classes="form-line"):
                yield Label("Product", classes="label")
                yield Input(placeholder="SKU, Enter", id="sku", compact=True)
                yield Select(
                    [*_options(TrackingMode), ("as its type", "inherit")],
                    id="mode",
                    compact=True,
                    prompt="tracking mode",
                )
            with Horizontal(classes="form-line"):
                yield Label("Serials", classes="label")
                yield Select(
                    [("as its type", "inherit"), ("own rule", "own")],
                    id="prule",
                    compact=True,
                    prompt="(keep rule)",
                )
                yield Input(placeholder="own pattern", id="ppattern", compact=True)
                yield Select(_options(CheckKind), id="pcheck", compact=True, prompt="no check")
            yield Static("", id="product-info", classes="panel")
        yield self.footer()

    def on_mount(self) -> None:
        self.query_one("#type", Input).focus()
        self.message.info("Enter loads · F10 saves the type · F9 the employee · Ctrl+O the product")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "type":
            self.load_type(event.value)
        elif event.input.id == "sku":
            if self.product_changes_chosen():
                self.action_save_product()
            else:
                self.load_product(event.value)
        elif event.input.id == "ppattern":
            self.action_save_product()

    def load_type(self, name: str) -> None:
        found = self.call(settings.product_type, name)
        if found is None:
            return
        self.loaded_type = found.name
        self.query_one("#months", Input).value = str(found.warranty_months)
        self.query_one("#pattern", Input).value = found.serial_pattern
        self.query_one("#check", Select).value = found.check_kind
        self.query_one("#template", TextArea).text = found.card_template
        self.query_one("#months", Input).focus()
        self.message.info(
            f"{found.name}: {found.tracking_mode.replace('_', ' ')}; F10 saves."
            + self.old_rule_warning(found)
        )

    @staticmethod
    def old_rule_warning(found) -> str:
        """A note when the type's stored serial rule would be refused if typed today."""
        problem = serial_rules.rule_problem(found.serial_pattern, found.check_kind)
        return "" if problem is None else f" Its serial rule is kept until changed: {problem}"

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        mask = self.query_one("#mask", Select)
        policy = "none" if mask.is_blank() else str(mask.value)
        preview = self.query_one("#preview", Static)
        try:
            preview.update(plain(settings.preview_card(event.text_area.text, policy)))
            preview.set_classes("panel")
        except DomainError as exc:
            preview.update(plain(exc.message))
            preview.set_classes("panel error")

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id in ("pattern", "sample"):
            self.try_sample()

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "check":
            self.try_sample()

    def try_sample(self) -> None:
        """The preview line: does the sample serial pass the pattern and check as typed?"""
        line = self.query_one("#serial-check", Static)
        sample = self.query_one("#sample", Input).value
        if not sample.strip():
            line.update(NO_SAMPLE)
            line.set_classes("panel")
            return
        try:
            tried = serial_rules.try_serial(
                self.query_one("#pattern", Input).value,
                _chosen(self.query_one("#check", Select)) or "none",
                sample,
            )
            line.update(plain(f"✓ {tried}"))
            line.set_classes("panel")
        except DomainError as exc:
            line.update(plain(f"✗ {exc.message}"))
            line.set_classes("panel error")

    def action_save_type(self) -> None:
        name = self.query_one("#type", Input).value.strip()
        if not name or name != self.loaded_type:
            self.message.fail("Type the product type's name and press Enter to load it first.")
            return
        months = self.query_one("#months", Input).value.strip()
        selects = {"print_mode": "#print", "mask_policy": "#mask", "check_kind": "#check"}
        kept = {
            k: value
            for k, sel in selects.items()
            if (value := _chosen(self.query_one(sel, Select))) is not None
        }
        self.save(
            settings.update_product_type,
            self.ctx,
            name,
            warranty_months=int(months) if months else None,
            card_template=self.query_one("#template", TextArea).text,
            serial_pattern=self.query_one("#pattern", Input).value,
            **kept,
            then=self.type_saved,
            what="Saving the product type",
        )

    def type_saved(self, saved) -> None:
        if not self.typed_meanwhile("#pattern"):
            self.query_one("#pattern", Input).value = saved.serial_pattern
        self.message.ok(f"Saved product type {saved.name}." + self.old_rule_warning(saved))

    def action_save_employee(self) -> None:
        login = self.query_one("#login", Input).value
        role = _chosen(self.query_one("#role", Select))
        pin = self.query_one("#pin", Input).value.strip()
        if role is None and not pin:
            self.message.fail("Choose a role or type a new PIN.")
            return
        # One change: a PIN that is refused leaves the role as it was too.

        def saved(_employee) -> None:
            if not self.typed_meanwhile("#pin"):
                self.query_one("#pin", Input).value = ""
            self.message.ok(f"Saved {login.strip().lower()}.")

        self.save(
            settings.update_employee,
            self.ctx,
            login,
            role=role,
            pin=pin or None,
            then=saved,
            what="Saving the employee",
        )

    # --- one product --------------------------------------------------------------------

    def product_changes_chosen(self) -> bool:
        return any(not self.query_one(s, Select).is_blank() for s in ("#mode", "#prule"))

    def load_product(self, code: str) -> None:
        found = self.call(serial_rules.product_settings, code)
        if found is None:
            return
        self.query_one("#ppattern", Input).value = found.pattern
        self.query_one("#pcheck", Select).value = found.check
        self.show_product(found)
        self.message.info(f"{found.sku}: choose a mode or a serial rule, then Ctrl+O saves.")

    def show_product(self, found: serial_rules.ProductSettings) -> None:
        own = " (own)" if found.own_mode else " (as its type)"
        ruled = " (own)" if found.own_pattern is not None or found.own_check else " (as its type)"
        self.query_one("#product-info", Static).update(
            plain(
                f"{found.sku} {found.name} · {found.type_name} · "
                f"{found.mode.replace('_', ' ')}{own}"
                f" · pattern {found.pattern or '-'}, check {found.check}{ruled}"
            )
        )

    def action_save_product(self) -> None:
        sku = self.query_one("#sku", Input).value.strip()
        mode = _chosen(self.query_one("#mode", Select))
        rule = _chosen(self.query_one("#prule", Select))
        if not sku:
            self.message.fail("Type the product's SKU first.")
            return
        if mode is None and rule is None:
            self.message.fail("Choose the tracking mode or the serial rule first.")
            return
        pattern = self.query_one("#ppattern", Input).value
        check = _chosen(self.query_one("#pcheck", Select)) or "none"
        if rule == "own" and self.call(serial_rules.serial_rule, pattern, check) is None:
            return  # refused before anything is saved
        self.save(
            save_product_settings,
            self.ctx,
            sku,
            mode,
            rule,
            pattern,
            check,
            then=self.product_saved,
            what="Saving the product",
        )

    def product_saved(self, saved: tuple[serial_rules.ProductSettings, list[str]]) -> None:
        found, done = saved
        self.show_product(found)
        self.message.ok(f"{found.sku} now {' and '.join(done)}.")


def save_product_settings(
    ctx, sku: str, mode: str | None, rule: str | None, pattern: str, check: str
) -> tuple[serial_rules.ProductSettings, list[str]]:
    """The product's tracking mode and serial rule as chosen (run in the save's thread);
    the product as it now is, and what changed in words."""
    done = []
    if mode is not None:
        catalog.set_product_mode(ctx, sku, None if mode == "inherit" else mode)
        done.append(f"tracks as {mode.replace('_', ' ')}")
    if rule is not None:
        own = rule == "own"
        serial_rules.set_product_serial_rule(
            ctx, sku, pattern if own else None, check if own else None
        )
        done.append("has its own serial rule" if own else "follows its type's serial rule")
    return serial_rules.product_settings(sku), done
