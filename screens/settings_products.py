"""Products (manager): the catalogue with its stock, a form to add a product or change
one (name, price, barcode, active), and a small dialog to add a product type.

A product's tracking mode and serial rule change on the Settings screen; a kit's parts on
the Kits screen. The services refuse what the trade does not allow and write nothing then.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Label, Select, Static

from app.domain.tracking import PrintMode, TrackingMode
from app.services.shop import catalog, products
from screens.base import CounterScreen
from screens.modals.confirm import Confirm
from screens.saving import Saves
from screens.widgets.errorline import ErrorLine
from screens.widgets.shown import cell

STATUS = [("active", "active"), ("inactive (not sold)", "inactive")]
NEXT = {"sku": "#name", "name": "#type", "price": "#gtin", "gtin": "#status"}
HINT = "F9 adds · Enter loads a row, F10 saves it · Ctrl+L new product · Ctrl+N new type"
# Short enough that the useful columns fit 80 characters; the form shows the rest.
MODE = {
    "strict": "strict",
    "warranty": "warranty",
    "warranty_no_serial": "wty no SN",
    "none": "none",
}


def _choices(enum_type) -> list[tuple[str, str]]:
    return [(v.value.replace("_", " "), v.value) for v in enum_type]


class ProductsScreen(CounterScreen):
    TITLE = "Products"
    BINDINGS = [
        *CounterScreen.BINDINGS,
        Binding("f9", "add", "Add product", id="products.add"),
        Binding("f10", "update", "Save changes", id="products.update"),
        Binding("ctrl+n", "add_type", "New product type", id="products.type", priority=True),
        Binding("ctrl+l", "clear", "New product", id="products.clear"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, catalog.ProductRow] = {}
        # The SKU of the product loaded into the form: its SKU and type are then fixed.
        self.loaded: str | None = None

    def compose(self) -> ComposeResult:
        yield self.seat_bar()
        yield DataTable(id="products", cursor_type="row", zebra_stripes=True)
        with Horizontal(classes="form-line"):
            yield Label("SKU", classes="label")
            yield Input(placeholder="new SKU, e.g. PT-SAW18", id="sku", compact=True)
            yield Label("Name", classes="label")
            yield Input(placeholder="product name", id="name", compact=True)
        with Horizontal(classes="form-line"):
            yield Label("Type", classes="label")
            yield Select([], id="type", compact=True, prompt="product type")
            yield Label("Price", classes="label")
            yield Input(placeholder="list price, e.g. 149.00", id="price", compact=True)
        with Horizontal(classes="form-line"):
            yield Label("Barcode", classes="label")
            yield Input(placeholder="EAN/GTIN, optional", id="gtin", compact=True)
            yield Label("Status", classes="label")
            yield Select(STATUS, id="status", compact=True, value="active", allow_blank=False)
        yield Static(HINT, classes="hint")
        yield ErrorLine(id="message")
        yield self.footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("SKU")
        table.add_column("Name", width=18)
        table.add_columns("Price", "Stock", "Active", "Type", "Tracking", "Barcode")
        self.refresh_types()
        self.refresh_rows()
        self.query_one("#sku", Input).focus()

    # --- the list -------------------------------------------------------------------------

    def refresh_types(self, choose: str | None = None) -> None:
        select = self.query_one("#type", Select)
        select.set_options([(name, name) for name in products.product_type_names()])
        if choose is not None:
            select.value = choose

    def refresh_rows(self, keep: str | None = None) -> None:
        table = self.query_one(DataTable)
        table.clear()
        self.rows = {row.sku: row for row in catalog.list_products()}
        for row in self.rows.values():
            table.add_row(
                cell(row.sku),
                cell(row.name),
                f"{row.price:.2f}",
                str(row.in_stock),
                "yes" if row.active else "no",
                cell(f"{row.product_type} (kit)" if row.kit else row.product_type),
                MODE[row.tracking_mode],
                cell(products.shown_gtin(row.gtin)),
                key=row.sku,
            )
        if keep in self.rows:
            table.move_cursor(row=table.get_row_index(keep))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        row = self.rows[str(event.row_key.value)]
        self.fill(
            sku=row.sku, name=row.name, price=f"{row.price:.2f}", gtin=products.shown_gtin(row.gtin)
        )
        self.query_one("#type", Select).value = row.product_type
        self.query_one("#status", Select).value = "active" if row.active else "inactive"
        self.loaded = row.sku
        self.query_one("#sku", Input).disabled = True  # documents carry it: not edited here
        self.query_one("#type", Select).disabled = True
        self.query_one("#name", Input).focus()
        self.message.info(f"{row.sku}: change name, price, barcode or status; F10 saves.")

    # --- the form -------------------------------------------------------------------------

    def fill(self, **values: str) -> None:
        for key, value in values.items():
            self.query_one(f"#{key}", Input).value = value

    def value(self, key: str) -> str:
        return self.query_one(f"#{key}", Input).value

    def clear_form(self) -> None:
        self.loaded = None
        self.query_one("#sku", Input).disabled = False
        self.query_one("#type", Select).disabled = False
        self.fill(sku="", name="", price="", gtin="")
        self.query_one("#type", Select).clear()
        self.query_one("#status", Select).value = "active"
        self.query_one("#sku", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id in NEXT:
            self.query_one(NEXT[str(event.input.id)]).focus()

    def action_clear(self) -> None:
        self.clear_form()
        self.message.info("A new product: SKU, name, type, price; F9 adds it.")

    def action_add(self) -> None:
        if self.loaded is not None:
            self.message.fail(
                f"{self.loaded} is loaded: F10 saves its changes, Ctrl+L starts a new product."
            )
            return
        ptype = self.query_one("#type", Select)
        if ptype.is_blank():
            self.message.fail("Choose the new product's type (Ctrl+N adds a type).")
            return

        def added(product) -> None:
            self.refresh_rows(keep=product.sku)
            self.clear_form()
            self.message.ok(f"Added {product.sku} ({product.name}) at {product.price:.2f}.")

        self.save(
            products.new_product,
            self.ctx,
            self.value("sku"),
            self.value("name"),
            str(ptype.value),
            self.value("price"),
            self.value("gtin"),
            then=added,
            what="Adding the product",
        )

    def action_update(self) -> None:
        sku = self.loaded
        if sku is None:
            self.message.fail("Highlight a product and press Enter to load it first.")
            return
        active = self.query_one("#status", Select).value == "active"
        was = self.rows.get(sku)
        if was is not None and was.active and not active:
            question = f"Deactivate {was.name} ({sku})? It can no longer be sold or received."
            self.app.push_screen(
                Confirm(question, destructive=True),
                lambda yes: self.save_product(sku, active) if yes else None,
            )
            return
        self.save_product(sku, active)

    def save_product(self, sku: str, active: bool) -> None:
        def saved(product) -> None:
            self.refresh_rows(keep=product.sku)
            self.clear_form()
            state = "" if product.active else "; inactive: no longer sold or received"
            self.message.ok(f"Saved {product.sku} ({product.name}) at {product.price:.2f}{state}.")

        self.save(
            products.update_product,
            self.ctx,
            sku,
            name=self.value("name"),
            price=self.value("price"),
            gtin=self.value("gtin"),
            active=active,
            then=saved,
            what="Saving the product",
        )

    def action_add_type(self) -> None:
        def added(name: str | None) -> None:
            if name is not None:
                self.refresh_types(choose=name)
                self.message.ok(f"Added product type {name}; it is chosen for the next product.")

        self.app.push_screen(NewProductType(), added)


class NewProductType(Saves, ModalScreen[str | None]):
    """A new product type: name, tracking mode, warranty months, print mode. Esc cancels."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="type.cancel"),
        Binding("f10", "save", "Save type", id="type.save"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("New product type", classes="dialog-title")
            yield Input(placeholder="name, e.g. Bicycles", id="type-name")
            yield Select(_choices(TrackingMode), id="type-mode", prompt="tracking mode")
            yield Input(placeholder="warranty months (0 if none)", id="type-months")
            yield Select(_choices(PrintMode), id="type-print", value="offer", allow_blank=False)
            yield ErrorLine(id="type-problem")
            yield Static("Enter next · F10 save · Esc cancel", classes="dialog-keys")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "type-name":
            self.query_one("#type-mode", Select).focus()
        else:
            self.action_save()

    @property
    def message(self) -> ErrorLine:
        return self.query_one("#type-problem", ErrorLine)

    def action_save(self) -> None:
        mode = self.query_one("#type-mode", Select)
        if mode.is_blank():
            self.message.fail("Choose the tracking mode.")
            return
        self.save(
            products.new_product_type,
            self.app.ctx,
            self.query_one("#type-name", Input).value,
            str(mode.value),
            self.query_one("#type-months", Input).value,
            str(self.query_one("#type-print", Select).value),
            then=lambda made: self.dismiss(made.name),
            what="Adding the type",
        )

    def action_cancel(self) -> None:
        if self.saving is None:
            self.dismiss(None)
