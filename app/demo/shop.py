"""The demo shop being built: its master data put in through the real services, the
clock the history runs on, what is on the shelf, and the clerk's restocking."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import NamedTuple

from stdnum import ean, luhn

from app.demo.master_data import (
    BRANCHES,
    COUNTER_STAFF,
    CUSTOMERS,
    EMPLOYEES,
    KITS,
    PRODUCT_TYPES,
    PRODUCTS,
    SHELF,
    SUPPLIERS,
)
from app.services.access import pin_policy
from app.services.access.context import Approver, Context, load_context
from app.services.kits import assembly
from app.services.shop import catalog
from app.services.stock.receiving import ReceiptLine, receive
from db.models import Branch, Product, StockLevel, Unit

SERIAL_MODES = ("strict", "warranty")


def gtin_of(body: str) -> str:
    return body + ean.calc_check_digit(body)


def imei_of(tac: str, number: int) -> str:
    """A valid 15-digit IMEI: 8-digit type allocation code, 6-digit serial, Luhn check digit."""
    body = f"{tac}{number:06d}"
    return body + luhn.calc_check_digit(body)


class Clock:
    """The demo's clock: moved forward by the script, read by every Context."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def set(self, day: date, hour: int, minute: int = 0) -> None:
        moment = datetime.combine(day, time(hour, minute), tzinfo=UTC)
        self.now = max(self.now, moment)

    def tick(self, rng: random.Random) -> None:
        self.now += timedelta(minutes=rng.randint(3, 25))


class StockedProduct(NamedTuple):
    """A product of the demo catalogue as the restocking needs it."""

    id: int
    mode: str  # the tracking mode of its product type
    cost: str
    supplier: str
    serial_prefix: str


class DemoShop:
    """The shop under construction and what the scripted history remembers as it goes."""

    def __init__(self, start: datetime, days: int, rng: random.Random) -> None:
        self.first_day = start.date()
        if days < 60:
            raise ValueError("The demo history needs at least 60 days.")
        self.days = days
        self.faulty_drill: tuple[str, str] | None = None  # (serial, branch code)
        self.replaced_phone: str | None = None
        self.rng = rng
        self.clock = Clock(datetime.combine(self.first_day, time(7, 0), tzinfo=UTC))
        self.serial_counter: dict[str, int] = {}
        self.po_counter = 4100
        self.skipped: list[str] = []

    # --- master data ---------------------------------------------------------------

    def setup(self) -> None:
        for branch in BRANCHES:
            catalog.add_branch(branch.code, branch.name, branch.address)
        # Demo PINs are 4 digits (README): the demo keeps the old minimum for managers too.
        pin_policy.set_min_pin_length("manager", 4)
        for e in EMPLOYEES:
            catalog.add_employee(e.login, e.name, e.role, e.pin, e.branch)
        for supplier in SUPPLIERS:
            catalog.add_supplier(supplier.name, supplier.contact)
        self.customers = [catalog.add_customer(c.name, c.phone).id for c in CUSTOMERS]
        for t in PRODUCT_TYPES:
            catalog.add_product_type(
                t.name,
                t.mode,
                warranty_months=t.warranty_months,
                print_mode=t.print_mode,
                check_kind=t.check_kind,
                mask_policy=t.mask_policy,
            )
        modes = {t.name: t.mode for t in PRODUCT_TYPES}
        self.products: dict[str, StockedProduct] = {}
        self.prices: dict[str, Decimal] = {}
        for p in PRODUCTS:
            product = catalog.add_product(
                p.sku, p.name, p.product_type, p.price, gtin=gtin_of(p.gtin_body)
            )
            self.products[p.sku] = StockedProduct(
                product.id, modes[p.product_type], p.cost, p.supplier, p.serial_prefix
            )
            self.prices[p.sku] = Decimal(p.price)
        self.ctx: dict[str, Context] = {
            e.login: load_context(e.login, clock=self.clock) for e in EMPLOYEES
        }
        for kit in KITS:
            catalog.add_product(
                kit.sku, kit.name, kit.product_type, kit.price, gtin=gtin_of(kit.gtin_body)
            )
            assembly.define_kit(self.ctx["mara"], kit.sku, kit.components)
        self.branch_ids = {b.code: b.id for b in Branch.select()}
        self.staff = COUNTER_STAFF

    def who(self, branch: str, role: str) -> Context:
        return self.ctx[self.staff[branch][role]]

    def manager_approval(self, branch: str) -> Approver:
        """The branch manager's approval, as given with their PIN at the counter."""
        manager = self.who(branch, "manager")
        return Approver(manager.employee_id, manager.employee_name, manager.role)

    # --- stock ---------------------------------------------------------------------

    def new_serials(self, sku: str, count: int) -> list[str]:
        prefix = self.products[sku].serial_prefix
        start = self.serial_counter.get(sku, 0)
        self.serial_counter[sku] = start + count
        numbers = range(start + 1, start + count + 1)
        if sku.startswith("PH-"):
            return [imei_of(prefix, 120_000 + n * 7) for n in numbers]
        return [f"{prefix}{2_406_000 + n * 13:07d}" for n in numbers]

    def on_shelf(self, sku: str, branch: str) -> int:
        product = self.products[sku]
        if product.mode in SERIAL_MODES:
            return (
                Unit.select()
                .where(
                    Unit.product == product.id,
                    Unit.branch == self.branch_ids[branch],
                    Unit.state == "in_stock",
                )
                .count()
            )
        level = StockLevel.get_or_none(
            StockLevel.product == product.id, StockLevel.branch == self.branch_ids[branch]
        )
        return level.quantity if level else 0

    def units_in_stock(self, sku: str, branch: str) -> list[str]:
        pid = self.products[sku].id
        query = Unit.select(Unit.serial).where(
            Unit.product == pid, Unit.branch == self.branch_ids[branch], Unit.state == "in_stock"
        )
        return [s for (s,) in query.order_by(Unit.id).tuples()]

    def sold_units(self, prefix: str, branch: str | None = None) -> list[Unit]:
        """Sold units, to known customers, of products whose SKU starts with ``prefix``."""
        query = (
            Unit.select(Unit)
            .join(Product)
            .where(
                Product.sku.startswith(prefix),
                Unit.state == "sold",
                Unit.customer.is_null(False),
                Unit.replaces.is_null(),  # leave the replacement unit's story as it is
            )
            .order_by(Unit.id)
        )
        if branch is not None:
            query = query.where(Unit.branch == self.branch_ids[branch])
        return list(query)

    def restock(self, branch: str, *, all_products: bool = False) -> None:
        """Order what runs low, one receipt per supplier, as the inventory clerk would."""
        by_supplier: dict[str, list[ReceiptLine]] = {}
        for sku, (low, full) in SHELF[branch].items():
            have = self.on_shelf(sku, branch)
            if not all_products and have >= low:
                continue
            want = full - have
            if want <= 0:
                continue
            product = self.products[sku]
            if product.mode in SERIAL_MODES:
                line = ReceiptLine(sku, self.new_serials(sku, want), cost=product.cost)
            else:
                line = ReceiptLine(sku, quantity=want, cost=product.cost)
            by_supplier.setdefault(product.supplier, []).append(line)
        for supplier, lines in by_supplier.items():
            self.po_counter += 1
            receive(
                self.who(branch, "inventory"),
                supplier,
                lines,
                reference=f"PO-{self.po_counter}",
            )
            self.clock.tick(self.rng)
