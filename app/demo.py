"""Demo data: a believable two-branch shop with months of history.

Everything after the master data is made by the real services, with a clock
that moves forward day by day, so the history is exactly what the shop would
have recorded. The same ``clock_start`` and ``seed`` give the same shop
(warranty numbers excepted: the sale service draws them at random).
"""

from __future__ import annotations

import inspect
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from stdnum import ean, luhn

from app.demo_data import (
    BRANCHES,
    CUSTOMERS,
    EMPLOYEES,
    KITS,
    PRODUCT_TYPES,
    PRODUCTS,
    SHELF,
    SUPPLIERS,
)
from app.domain.errors import DomainError, Refused
from app.services.access.context import Approver, Context, load_context
from app.services.counter import repairs, returns, selling
from app.services.kits import assembly
from app.services.ledger.transaction import write_transaction
from app.services.shop import catalog
from app.services.stock import adjustments, stocktake, supplier_returns, transfers
from app.services.stock.receiving import ReceiptLine, receive
from db.models import (
    AssembledKit,
    Branch,
    Document,
    DocumentLine,
    Employee,
    Product,
    StockLevel,
    Unit,
    WarrantyNumber,
)

DEMO_DAYS = 180  # the default length of the history
SCRIPT_DAYS = 180  # the scripted events are placed on a history this long, then scaled
DEMO_SEED = 2026
SERIAL_MODES = ("strict", "warranty")

__all__ = ["DEMO_DAYS", "EMPLOYEES", "DemoSummary", "database_is_empty", "load_demo"]


def gtin_of(body: str) -> str:
    return body + ean.calc_check_digit(body)


def imei_of(tac: str, number: int) -> str:
    """A valid 15-digit IMEI: 8-digit type allocation code, 6-digit serial, Luhn check digit."""
    body = f"{tac}{number:06d}"
    return body + luhn.calc_check_digit(body)


@dataclass
class DemoSummary:
    first_day: date
    last_day: date
    branches: int
    employees: int
    products: int
    customers: int
    units: int
    units_sold: int
    sales: int
    returns: int
    transfers: int
    repairs: int
    replacements: int
    supplier_returns: int
    adjustments: int
    stocktakes: int
    kits: int
    skipped: list[str]


class _Clock:
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


def _need(found, what: str):
    """What a scripted event needs, or a refusal that skips the event."""
    if not found:
        raise Refused(f"no {what} yet")
    return found


def database_is_empty() -> bool:
    """No branch, employee, product or document yet: demo data may go in."""
    return not any(model.select().exists() for model in (Branch, Employee, Product, Document))


def load_demo(
    clock_start: datetime, *, days: int | None = None, seed: int = DEMO_SEED
) -> DemoSummary:
    """Build the demo shop in an empty database: ``days`` days of history from ``clock_start``.

    The history starts on ``clock_start``'s date, in shop hours (UTC); ``days``
    (at least 60, default ``DEMO_DAYS``) sets its length. The same ``days`` and
    ``seed`` give the same units, documents and history from any start date.

    All or nothing: it runs in one transaction. Refused if the database has data.
    """
    if clock_start.tzinfo is None:
        clock_start = clock_start.replace(tzinfo=UTC)
    with write_transaction():
        if not database_is_empty():
            raise Refused(
                "This database already has data; demo data goes only into an empty database. "
                "Give another --db (a new file) for the demo."
            )
        shop = _DemoShop(clock_start, days or DEMO_DAYS, random.Random(seed))
        shop.run()
        return shop.summary()


class _DemoShop:
    def __init__(self, start: datetime, days: int, rng: random.Random) -> None:
        self.first_day = start.date()
        if days < 60:
            raise ValueError("The demo history needs at least 60 days.")
        self.days = days
        self.faulty_drill: tuple[str, str] | None = None
        self.replaced_phone: str | None = None
        self.rng = rng
        self.clock = _Clock(datetime.combine(self.first_day, time(7, 0), tzinfo=UTC))
        self.serial_counter: dict[str, int] = {}
        self.po_counter = 4100
        self.skipped: list[str] = []

    # --- master data ---------------------------------------------------------------

    def setup(self) -> None:
        for code, name, address in BRANCHES:
            catalog.add_branch(code, name, address)
        for login, name, role, branch, pin in EMPLOYEES:
            catalog.add_employee(login, name, role, pin, branch)
        for name, contact in SUPPLIERS:
            catalog.add_supplier(name, contact)
        self.customers = [catalog.add_customer(name, phone).id for name, phone in CUSTOMERS]
        for name, mode, months, print_mode, check, mask in PRODUCT_TYPES:
            catalog.add_product_type(
                name,
                mode,
                warranty_months=months,
                print_mode=print_mode,
                check_kind=check,
                mask_policy=mask,
            )
        modes = {t[0]: t[1] for t in PRODUCT_TYPES}
        self.products = {}
        self.prices: dict[str, Decimal] = {}
        for sku, name, ptype, price, cost, gtin, supplier, prefix in PRODUCTS:
            product = catalog.add_product(sku, name, ptype, price, gtin=gtin_of(gtin))
            self.products[sku] = (product.id, modes[ptype], cost, SUPPLIERS[supplier][0], prefix)
            self.prices[sku] = Decimal(price)
        self.ctx: dict[str, Context] = {
            login: load_context(login, clock=self.clock) for login, *_ in EMPLOYEES
        }
        for sku, name, ptype, price, gtin, parts in KITS:
            catalog.add_product(sku, name, ptype, price, gtin=gtin_of(gtin))
            assembly.define_kit(self.ctx["mara"], sku, parts)
        self.branch_ids = {b.code: b.id for b in Branch.select()}
        self.staff = {
            "CITY": {"cashier": "cody", "inventory": "ines", "manager": "mara"},
            "PARK": {"cashier": "pia", "inventory": "ivan", "manager": "paul"},
        }

    def who(self, branch: str, role: str) -> Context:
        return self.ctx[self.staff[branch][role]]

    def manager_approval(self, branch: str) -> Approver:
        """The branch manager's approval, as given with their PIN at the counter."""
        manager = self.who(branch, "manager")
        return Approver(manager.employee_id, manager.employee_name, manager.role)

    # --- helpers ---------------------------------------------------------------------

    def new_serials(self, sku: str, count: int) -> list[str]:
        prefix = self.products[sku][4]
        start = self.serial_counter.get(sku, 0)
        self.serial_counter[sku] = start + count
        numbers = range(start + 1, start + count + 1)
        if sku.startswith("PH-"):
            return [imei_of(prefix, 120_000 + n * 7) for n in numbers]
        return [f"{prefix}{2_406_000 + n * 13:07d}" for n in numbers]

    def on_shelf(self, sku: str, branch: str) -> int:
        pid, mode, *_ = self.products[sku]
        if mode in ("strict", "warranty"):
            return (
                Unit.select()
                .where(
                    Unit.product == pid,
                    Unit.branch == self.branch_ids[branch],
                    Unit.state == "in_stock",
                )
                .count()
            )
        level = StockLevel.get_or_none(
            StockLevel.product == pid, StockLevel.branch == self.branch_ids[branch]
        )
        return level.quantity if level else 0

    def units_in_stock(self, sku: str, branch: str) -> list[str]:
        pid = self.products[sku][0]
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

    # --- the history -------------------------------------------------------------------

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
            pid, mode, cost, supplier, _prefix = self.products[sku]
            if mode in ("strict", "warranty"):
                line = ReceiptLine(sku, self.new_serials(sku, want), cost=cost)
            else:
                line = ReceiptLine(sku, quantity=want, cost=cost)
            by_supplier.setdefault(supplier, []).append(line)
        for supplier, lines in by_supplier.items():
            self.po_counter += 1
            receive(
                self.who(branch, "inventory"),
                supplier,
                lines,
                reference=f"PO-{self.po_counter}",
            )
            self.clock.tick(self.rng)

    def random_sale(self, branch: str) -> None:
        rng = self.rng
        roll = rng.random()
        items: list[selling.SaleItem] = []

        def add_unit(sku: str) -> bool:
            serials = self.units_in_stock(sku, branch)
            if not serials:
                return False
            price = None
            if rng.random() < 0.08:  # the odd price match against another shop
                price = (self.prices[sku] * Decimal("0.95")).quantize(Decimal("1")) - Decimal("1")
            items.append(selling.SaleItem(serial=rng.choice(serials), price=price))
            return True

        def add_qty(sku: str, quantity: int = 1) -> None:
            if self.on_shelf(sku, branch) >= quantity:
                items.append(selling.SaleItem(product=sku, quantity=quantity))

        big = False
        if roll < 0.38:
            big = add_unit(rng.choice(["PH-AUR15", "PH-AUR15", "PH-AUR15P", "PH-NIM8", "PH-NIM8"]))
            if rng.random() < 0.5:
                add_qty("AC-CASE")
            if rng.random() < 0.35:
                add_qty("AC-GLASS")
            if rng.random() < 0.25:
                add_qty("AC-CHG30")
        elif roll < 0.58:
            big = add_unit(rng.choice(["PT-DRL18", "PT-DRL18", "PT-IMP18", "PT-AGR125"]))
        elif roll < 0.75:
            add_qty(rng.choice(["WA-CLS", "WA-SPT", "WA-SPT"]))
            big = True
        else:
            for sku in rng.sample(
                ["AC-CASE", "AC-USBC", "AC-CHG30", "AC-GLASS"], rng.randint(1, 2)
            ):
                add_qty(sku, rng.choice([1, 1, 1, 2]))
        if not items:
            return
        customer = rng.choice(self.customers) if rng.random() < (0.85 if big else 0.15) else None
        method = "card" if rng.random() < 0.62 else "cash"
        price_match = any(item.price is not None for item in items)
        selling.sell(
            self.who(branch, "cashier"),
            items,
            customer_id=customer,
            payment_method=method,
            approver=self.manager_approval(branch) if price_match else None,
        )
        self.clock.tick(self.rng)

    def run(self) -> None:
        """Walk the days: scripted events first, weekly restock, then the day's sales."""
        self.setup()
        # Days of a 180-day history; a shorter or longer one is scaled to fit.
        script = [
            (0, self.opening_stock),
            (9, self.transfer_to_park),
            (24, self.return_changed_mind),
            (38, self.return_faulty_drill),
            (44, self.return_accessory_and_watch),
            (50, self.repair_phone_covered),
            (70, self.repair_drill_damaged),
            (82, self.repair_then_replace),
            (96, self.supplier_returns),
            (112, self.quarantine_damaged_box),
            (121, self.faulty_drill_back_from_supplier),
            (126, self.write_off_broken_glass),
            (134, self.stocktake_park_phones),
            (150, self.repair_watch_open),
            (150, self.drill_kits),
            (164, self.repair_phone_in_progress),
            (177, self.transfer_in_transit),
        ]
        pending: dict[int, list] = {}
        for day, step in script:
            at = min(self.days - 1, round(day * self.days / SCRIPT_DAYS))
            pending.setdefault(at, []).append((step.__name__, step))
        for number in range(self.days):
            day = self.first_day + timedelta(days=number)
            self.clock.set(day, 8, 30)
            for name, step in pending.pop(number, []):
                self._run_step(number, name, step, pending)
            if number % 7 == 6:
                for branch in ("CITY", "PARK"):
                    self.restock(branch)
            self.clock.set(day, 9, 30)
            # Nothing here depends on the date, so any start date gives the same shop.
            for branch, most in (("CITY", 2), ("PARK", 1)):
                for _ in range(self.rng.randint(0, most)):
                    self.random_sale(branch)

    def _run_step(self, number: int, name: str, step, pending: dict[int, list]) -> None:
        """Run a scripted event; one that yields N goes on N days later (a repair's days)."""
        try:
            if not inspect.isgenerator(step):
                step = step()
                if not inspect.isgenerator(step):
                    self.clock.tick(self.rng)
                    return
            wait = next(step)
        except StopIteration:
            pass
        except DomainError as exc:  # a guard: the random sales may have left nothing to use
            self.skipped.append(f"{name}: {exc.message}")
        else:
            pending.setdefault(number + max(1, wait), []).append((name, step))
        self.clock.tick(self.rng)

    # --- scripted events -------------------------------------------------------------

    def opening_stock(self) -> None:
        for branch in ("CITY", "PARK"):
            self.restock(branch, all_products=True)

    def transfer_to_park(self):
        phones = self.units_in_stock("PH-AUR15", "CITY")[:3]
        items = [transfers.TransferItem(serial=s) for s in phones]
        items.append(transfers.TransferItem(product="AC-CASE", quantity=10))
        result = transfers.transfer_out(
            self.who("CITY", "inventory"), "PARK", items, note="Parkside sells more Aurora"
        )
        yield 1
        transfers.transfer_in(self.who("PARK", "inventory"), result.number, phones)
        yield 2
        selling.sell(
            self.who("PARK", "cashier"),
            [selling.SaleItem(serial=phones[0]), selling.SaleItem(product="AC-CASE")],
            customer_id=self.customers[3],
            payment_method="card",
        )

    def _latest_sale_line(self, sku_prefix: str) -> DocumentLine | None:
        return (
            DocumentLine.select(DocumentLine, Document)
            .join(Document)
            .switch(DocumentLine)
            .join(Product)
            .where(Document.kind == "sale", Product.sku.startswith(sku_prefix))
            .order_by(DocumentLine.id.desc())
            .first()
        )

    def _sale_of(self, unit: Unit) -> tuple[str, str]:
        """The sale number a unit was sold on, and the code of the branch that sold it."""
        line = (
            DocumentLine.select(DocumentLine, Document)
            .join(Document)
            .where(DocumentLine.unit == unit.id, Document.kind == "sale")
            .order_by(DocumentLine.id.desc())
            .first()
        )
        return f"S-{line.document_id}", Branch.get_by_id(line.document.branch_id).code

    def return_changed_mind(self) -> None:
        line = _need(self._latest_sale_line("PH-"), "phone sale")
        branch = Branch.get_by_id(line.document.branch_id).code
        returns.customer_return(
            self.who(branch, "cashier"),
            [returns.ReturnItem(serial=line.serial, condition="as new, sealed box")],
            sale=f"S-{line.document_id}",
            reason="Changed mind within 14 days",
        )

    def return_faulty_drill(self) -> None:
        unit = _need(self.sold_units("PT-DRL18"), "sold drill")[0]
        sale, branch = self._sale_of(unit)
        returns.customer_return(
            self.who(branch, "cashier"),
            [
                returns.ReturnItem(
                    serial=unit.serial,
                    condition="motor stalls under load",
                    disposition="quarantine",
                )
            ],
            sale=sale,
            reason="Faulty after two weeks",
        )
        self.faulty_drill = (unit.serial, branch)

    def return_accessory_and_watch(self) -> None:
        line = self._latest_sale_line("AC-CHG30")
        if line is not None:
            branch = Branch.get_by_id(line.document.branch_id).code
            returns.customer_return(
                self.who(branch, "cashier"),
                [returns.ReturnItem(sale_line=line.id, quantity=1, condition="unopened")],
                sale=f"S-{line.document_id}",
                reason="Bought the wrong plug type",
            )
        number = _need(WarrantyNumber.select().order_by(WarrantyNumber.id).first(), "watch sale")
        sale_line = number.sale_line
        branch = Branch.get_by_id(sale_line.document.branch_id).code
        returns.customer_return(
            self.who(branch, "cashier"),
            [
                returns.ReturnItem(
                    warranty_number=number.number,
                    condition="strap scratched",
                    disposition="quarantine",
                    refund=(sale_line.price * Decimal("0.8")).quantize(Decimal("0.01")),
                )
            ],
            reason="Unwanted gift; strap scratched, so 80% refunded",
        )

    def _status(self, number: str, status: str, note: str = "", diagnosis: str | None = None):
        repairs.change_status(self.ctx["theo"], number, status, note=note, diagnosis=diagnosis)
        self.clock.tick(self.rng)

    def repair_phone_covered(self):
        unit = _need(self.sold_units("PH-AUR15"), "sold Aurora")[0]
        ticket = repairs.intake(
            self.who("CITY", "cashier"),
            unit.serial,
            complaint="Display flickers and goes black after a few minutes",
            intake_condition="Light scratches on the back, no cracks",
            accessories="Phone only, no SIM",
            technician="theo",
        )
        yield 1
        self._status(ticket.number, "diagnosing")
        self._status(
            ticket.number, "waiting_for_parts", "Display assembly ordered", "Display connector"
        )
        repairs.add_part(self.ctx["theo"], ticket.number, "Display assembly", cost="89.00")
        yield 4
        self._status(ticket.number, "repairing", "Part arrived")
        self._status(ticket.number, "quality_check")
        self._status(ticket.number, "ready", "Customer called")
        yield 2
        repairs.collect(
            self.who("CITY", "cashier"), ticket.number, outcome="Repaired: display replaced"
        )

    def repair_drill_damaged(self):
        unit = _need(self.sold_units("PT-"), "sold tool")[-1]
        ticket = repairs.intake(
            self.who("CITY", "cashier"),
            unit.serial,
            complaint="Chuck wobbles, sparks at the vents",
            intake_condition="Housing cracked, as if dropped",
            accessories="Drill, one battery, no charger",
            technician="theo",
            damage=True,
        )
        yield 1
        self._status(ticket.number, "diagnosing", "Quote given: 38.00", "Worn brushes, bent chuck")
        yield 1
        self._status(ticket.number, "repairing", "Customer accepted the quote")
        repairs.add_part(self.ctx["theo"], ticket.number, "Carbon brushes", quantity=2, cost="6.25")
        repairs.add_part(self.ctx["theo"], ticket.number, "Keyless chuck 13 mm", cost="14.00")
        self._status(ticket.number, "ready")
        yield 1
        repairs.collect(
            self.who("CITY", "cashier"), ticket.number, outcome="Repaired, paid by customer 38.00"
        )

    def repair_then_replace(self):
        candidates = _need(self.sold_units("PH-", "CITY"), "phone sold at City Centre")
        unit = candidates[len(candidates) // 2]
        ticket = repairs.intake(
            self.who("CITY", "cashier"),
            unit.serial,
            complaint="Does not charge, gets hot",
            intake_condition="As new",
            accessories="Phone and original cable",
            technician="theo",
        )
        yield 1
        self._status(
            ticket.number, "diagnosing", "", "Charging IC on the mainboard failed; swap the unit"
        )
        yield 1
        sku = Product.get_by_id(unit.product_id).sku
        if not self.units_in_stock(sku, "CITY"):  # a new unit must be on the shelf to swap
            self.restock("CITY", all_products=True)
        repairs.replace(
            self.ctx["theo"],
            unit.serial,
            self.units_in_stock(sku, "CITY")[0],
            ticket=ticket.number,
            note="Swapped under warranty; the old unit goes back to the supplier",
        )
        self.replaced_phone = unit.serial

    def _faulty_drill(self) -> tuple[str, str]:
        if self.faulty_drill is None:
            raise Refused("no faulty drill came back")
        return self.faulty_drill

    def supplier_returns(self) -> None:
        if self.replaced_phone is None:
            raise Refused("no phone was replaced")
        supplier_returns.supplier_return(
            self.who("CITY", "inventory"),
            "Nordic Mobile Supply",
            [supplier_returns.SupplierReturnItem(serial=self.replaced_phone)],
            reason="Charging IC failed after two months; replaced for the customer",
            reference="NMS-RMA-88213",
        )
        serial, branch = self._faulty_drill()
        supplier_returns.supplier_return(
            self.who(branch, "inventory"),
            "ToolPro Wholesale",
            [supplier_returns.SupplierReturnItem(serial=serial)],
            reason="Motor stalls under load (customer return)",
            reference="TP-CLAIM-5521",
        )

    def quarantine_damaged_box(self) -> None:
        adjustments.adjust(
            self.who("PARK", "inventory"),
            "quarantine",
            serials=[_need(self.units_in_stock("PH-NIM8", "PARK"), "Nimbus in stock")[-1]],
            reason="Box crushed in delivery; check the unit before selling",
        )

    def faulty_drill_back_from_supplier(self) -> None:
        serial, branch = self._faulty_drill()
        receive(
            self.who(branch, "inventory"),
            "ToolPro Wholesale",
            [ReceiptLine("PT-DRL18", [serial], cost="96.00")],
            reference="TP-CLAIM-5521",
            note="Repaired by the supplier and sent back",
        )

    def write_off_broken_glass(self) -> None:
        adjustments.adjust(
            self.who("CITY", "manager"),
            "write_off",
            product="AC-GLASS",
            quantity_change=3,
            reason="Cracked in the drawer",
        )

    def stocktake_park_phones(self) -> None:
        ctx = self.who("PARK", "inventory")
        number = stocktake.open_stocktake(ctx, product_type="Phones")
        for sku in ("PH-AUR15", "PH-AUR15P", "PH-NIM8"):
            for serial in self.units_in_stock(sku, "PARK"):
                self.clock.now += timedelta(seconds=20)
                stocktake.scan(ctx, number, serial)
        stocktake.close(ctx, number)

    def repair_watch_open(self):
        number = _need(
            WarrantyNumber.select()
            .where(WarrantyNumber.state == "active")
            .order_by(WarrantyNumber.id.desc())
            .first(),
            "watch with a warranty",
        )
        ticket = repairs.intake(
            self.who("PARK", "cashier"),
            number.number,
            complaint="Loses about two minutes a day",
            intake_condition="Good, small scuff on the bezel",
            accessories="Watch and box",
            technician="theo",
        )
        yield 1
        self._status(ticket.number, "diagnosing", "Sent to the watchmaker")

    def drill_kits(self):
        """Drill kits put together from the shelf (two at City Centre, one at Parkside),
        and a week later one sold as a whole at City Centre."""
        sku, *_about, parts = KITS[0]
        by_serial = [part for part, _q in parts if self.products[part][1] in SERIAL_MODES]
        made: dict[str, list[str]] = {}
        for branch, count in (("CITY", 2), ("PARK", 1)):
            if any(self.on_shelf(part, branch) < count for part, _q in parts):
                self.restock(branch)  # order what runs low first, as the clerk would
            for _ in range(count):
                # the newest units: an older one may be the drill back from the supplier
                serials = [self.units_in_stock(part, branch)[-1] for part in by_serial]
                kit = assembly.assemble_kit(
                    self.who(branch, "inventory"), sku, serials, note="Drill kit offer"
                )
                made.setdefault(branch, []).append(kit.serial)
                self.clock.tick(self.rng)
        yield 6
        selling.sell(
            self.who("CITY", "cashier"),
            [selling.SaleItem(serial=made["CITY"][0])],
            customer_id=self.customers[7],
            payment_method="card",
        )

    def repair_phone_in_progress(self):
        unit = _need(self.sold_units("PH-AUR15P"), "sold Aurora Pro")[0]
        ticket = repairs.intake(
            self.who("CITY", "cashier"),
            unit.serial,
            complaint="Rear camera does not focus",
            intake_condition="Case worn at the corners",
            accessories="None",
            technician="theo",
        )
        yield 1
        self._status(ticket.number, "diagnosing", "", "Camera module autofocus fault")
        self._status(ticket.number, "repairing", "Module in stock")
        repairs.add_part(self.ctx["theo"], ticket.number, "Rear camera module", cost="64.00")

    def transfer_in_transit(self) -> None:
        items = [
            transfers.TransferItem(serial=s) for s in self.units_in_stock("PT-IMP18", "PARK")[:1]
        ]
        items.append(transfers.TransferItem(product="AC-USBC", quantity=5))
        transfers.transfer_out(
            self.who("PARK", "inventory"), "CITY", items, note="Workshop needs a demo unit"
        )

    # --- result -----------------------------------------------------------------------

    def summary(self) -> DemoSummary:
        def count(kind: str) -> int:
            return Document.select().where(Document.kind == kind).count()

        return DemoSummary(
            first_day=self.first_day,
            last_day=self.first_day + timedelta(days=self.days - 1),
            branches=Branch.select().count(),
            employees=Employee.select().count(),
            products=Product.select().count(),
            customers=len(self.customers),
            units=Unit.select().count(),
            units_sold=Unit.select().where(Unit.state == "sold").count(),
            sales=count("sale"),
            returns=count("return"),
            transfers=count("transfer"),
            repairs=count("repair"),
            replacements=count("replacement"),
            supplier_returns=count("supplier_return"),
            adjustments=count("adjustment"),
            stocktakes=count("stocktake"),
            kits=AssembledKit.select().count(),
            skipped=self.skipped,
        )
