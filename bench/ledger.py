"""A shop's history, simulated for the bench database: units, their state chains and documents.

Every unit lives through a chain of events that obeys ``app.domain.states``
(receive, sell, customer return, repair intake and collection, transfers,
quarantine, write-off, supplier return, warranty replacement, a flagged
re-receipt...), each with the document and lines the services would have
written. Units are simulated a batch at a time in time order, so ids of events,
documents and lines grow with time inside a batch and a unit's history is
spread over the table as it would be in a real shop.
"""

from __future__ import annotations

import heapq
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from stdnum import ean, luhn

from app.domain.states import Event, UnitState
from app.domain.warranty import warranty_end

DAY = 86_400
S = UnitState
E = Event

COLUMNS: dict[str, tuple[str, ...]] = {
    "customer": ("id", "name", "phone", "email", "created_at"),
    "document": (
        "id", "kind", "branch_id", "to_branch_id", "employee_id", "approved_by_id",
        "customer_id", "supplier_id", "related_id", "reference", "status", "created_at",
        "business_date", "closed_at", "total", "payment_method", "paid", "reason", "note",
    ),
    "unit": (
        "id", "serial", "product_id", "state", "branch_id", "supplier_id", "customer_id",
        "cost", "warranty_start", "warranty_end", "replaces_id", "flag", "updated_at",
    ),
    "document_line": (
        "id", "document_id", "product_id", "unit_id", "serial", "quantity", "price", "cost",
        "source_line_id", "returned_quantity", "received_quantity", "condition",
        "disposition", "result", "note",
    ),
    "unit_event": (
        "id", "unit_id", "event", "at", "branch_id", "employee_id", "approved_by_id",
        "document_id", "from_state", "to_state", "note",
    ),
    "warranty_number": (
        "id", "number", "product_id", "sale_line_id", "customer_id", "warranty_start",
        "warranty_end", "state",
    ),
    "repair_ticket": (
        "id", "document_id", "unit_id", "warranty_number_id", "product_id", "complaint",
        "intake_condition", "accessories", "technician_id", "status", "covered",
        "decision_reason", "diagnosis", "outcome", "quality_check", "collected_at",
    ),
    "repair_status_change": (
        "id", "ticket_id", "from_status", "to_status", "employee_id", "at", "note",
    ),
    "repair_part": ("id", "ticket_id", "description", "quantity", "cost", "employee_id", "at"),
}  # fmt: skip
# The order rows are written in, so every foreign key points at a row already there.
TABLE_ORDER = (
    "customer",
    "document",
    "unit",
    "document_line",
    "unit_event",
    "warranty_number",
    "repair_ticket",
    "repair_status_change",
    "repair_part",
)
# Positions of the document columns that change after the row is made.
D_STATUS, D_CLOSED_AT, D_TOTAL, D_PAID = 10, 13, 14, 16
# Positions of the document line columns that change after the row is made.
L_RETURNED, L_RECEIVED = 9, 10

# Product types: name, tracking mode, warranty months, check, pattern, print mode, share of units.
PRODUCT_TYPES = [
    ("Phones", "strict", 24, "imei", "", "auto", 0.50),
    ("Tablets", "strict", 24, "imei", "", "offer", 0.10),
    ("Laptops", "strict", 24, "none", "", "offer", 0.10),
    ("Power tools", "warranty", 36, "none", "", "offer", 0.22),
    ("Bicycles", "strict", 24, "none", "WBK#########", "offer", 0.08),
    ("Watches", "warranty_no_serial", 12, "none", "", "auto", 0.0),
    ("Accessories", "none", 0, "none", "", "never", 0.0),
]
PRODUCTS_PER_TYPE = {
    "Phones": 60,
    "Tablets": 20,
    "Laptops": 30,
    "Power tools": 60,
    "Bicycles": 20,
    "Watches": 20,
    "Accessories": 60,
}
PRICES = {
    "Phones": (149, 1499),
    "Tablets": (199, 1299),
    "Laptops": (399, 2499),
    "Power tools": (49, 699),
    "Bicycles": (299, 3999),
    "Watches": (39, 499),
    "Accessories": (5, 79),
}

# Next event out of a state, with weights, while the unit's story goes on.
NEXT = {
    S.IN_STOCK: (
        (E.SELL, E.TRANSFER_OUT, E.QUARANTINE, E.SUPPLIER_RETURN, E.WRITE_OFF),
        (76, 16, 5, 1.5, 1),
    ),
    S.SOLD: ((E.REPAIR_INTAKE, E.CUSTOMER_RETURN, E.REPLACED), (55, 42, 3)),
    S.IN_SERVICE: ((E.REPAIR_COLLECT, E.REPLACED), (92, 8)),
    S.QUARANTINE: ((E.RELEASE, E.SUPPLIER_RETURN, E.WRITE_OFF), (75, 15, 10)),
}
# An inactive unit's story goes on only now and then: found, or received again (flagged).
REVIVE = {
    S.RETURNED_TO_SUPPLIER: (E.RECEIVE, 0.3),
    S.WRITTEN_OFF: (E.FOUND, 0.3),
    S.REPLACED: (E.SUPPLIER_RETURN, 0.6),
}
# Days until the next event, by the state the unit is in.
GAP_DAYS = {
    S.IN_STOCK: lambda r: r.expovariate(1 / 25),
    S.IN_TRANSIT: lambda r: r.uniform(1, 4),
    S.SOLD: lambda r: r.expovariate(1 / 60),
    S.IN_SERVICE: lambda r: r.uniform(2, 20),
    S.QUARANTINE: lambda r: r.uniform(3, 30),
}
DISPOSITIONS = ((S.IN_STOCK, S.QUARANTINE, S.RETURNED_TO_SUPPLIER, S.WRITTEN_OFF), (75, 18, 5, 2))
CONDITIONS = ("as new", "opened box", "scratched", "faulty", "damaged")
COMPLAINTS = (
    "does not switch on",
    "battery drains fast",
    "screen flickers",
    "no sound from speaker",
    "overheats",
    "charging port loose",
    "motor stops under load",
    "gears slip",
)
FIRST = ("Anna", "Ben", "Chloe", "David", "Eva", "Felix", "Greta", "Hugo", "Ida", "Jonas",
         "Klara", "Leon", "Mila", "Noah", "Olga", "Paul", "Rosa", "Sami", "Tara")  # fmt: skip
LAST = ("Adler", "Berg", "Costa", "Dahl", "Engel", "Fischer", "Garcia", "Horn", "Ivanov",
        "Jansen", "Keller", "Lang", "Meyer", "Novak", "Ortiz", "Peters", "Quinn", "Roth",
        "Schulz", "Tanaka", "Ulrich", "Vogel", "Weber", "Young", "Zimmer")  # fmt: skip
WARRANTY_ALPHABET = "ACDEFGHJKLMNPQRTUVWXY3479"


def money(value: float) -> str:
    return f"{value:.2f}"


@dataclass
class ProductSpec:
    id: int
    index: int
    type_name: str
    sku: str
    name: str
    gtin: str
    price: str
    cost: str
    months: int
    supplier: int
    made: int = 0  # serials handed out so far

    def next_serial(self) -> str:
        n = self.made
        self.made += 1
        if self.type_name in ("Phones", "Tablets"):  # a type allocation code per model
            tac = f"{35 if self.type_name == 'Phones' else 86}{self.index:04d}{n // 1_000_000:02d}"
            body = f"{tac}{n % 1_000_000:06d}"
            return body + luhn.calc_check_digit(body)
        if self.type_name == "Laptops":
            return f"5CD{self.index:03d}{n:07d}"
        if self.type_name == "Bicycles":
            return f"WBK{self.index:03d}{n:06d}"
        return f"PT{self.index:03d}-{n:07d}"


def make_gtin(n: int) -> str:
    body = f"400{n:09d}"
    return (body + ean.calc_check_digit(body)).zfill(14)


@dataclass
class Master:
    """The shop's master data, as ids the simulation refers to."""

    branches: list[int]
    branch_names: dict[int, str]
    staff: dict[tuple[int, str], list[int]]
    suppliers: list[int]
    serialized: list[ProductSpec]
    weights: list[float]
    accessories: list[ProductSpec]
    watches: list[ProductSpec]
    customers: int
    start: int  # the timeline, in seconds since the epoch (UTC)
    end: int

    def employee(self, rnd: random.Random, branch: int, role: str) -> int:
        return rnd.choice(self.staff[(branch, role)])


@dataclass
class Ids:
    """The next id of every table: the builder hands out ids itself, in time order."""

    next: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COLUMNS, 1))

    def take(self, table: str) -> int:
        value = self.next[table]
        self.next[table] = value + 1
        return value


class Clock:
    """Timestamps and dates as stored, cached per day (millions of them are formatted)."""

    def __init__(self) -> None:
        self._days: dict[int, tuple[str, date]] = {}
        self._ends: dict[tuple[date, int], date | None] = {}

    def day(self, t: int) -> tuple[str, date]:
        d = t // DAY
        cached = self._days.get(d)
        if cached is None:
            day = (datetime(1970, 1, 1, tzinfo=UTC) + timedelta(days=d)).date()
            cached = self._days[d] = (day.isoformat(), day)
        return cached

    def stamp(self, t: int) -> str:
        text, _day = self.day(t)
        s = t % DAY
        return f"{text} {s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}"

    def date(self, t: int) -> str:
        return self.day(t)[0]

    def warranty_end(self, t: int, months: int) -> str | None:
        day = self.day(t)[1]
        key = (day, months)
        if key not in self._ends:
            self._ends[key] = warranty_end(day, months)
        end = self._ends[key]
        return end.isoformat() if end else None


class Unit:
    """One unit while it is simulated; becomes a ``unit`` row at the end of its batch."""

    __slots__ = (
        "id", "serial", "product", "state", "branch", "supplier", "customer", "cost",
        "warranty_start", "warranty_end", "replaces", "flag", "updated", "budget", "version",
        "sale_doc", "sale_line", "ticket", "transfer_doc", "transfer_line", "transfer_to",
    )  # fmt: skip

    def __init__(self, uid: int, product: ProductSpec, branch: int) -> None:
        self.id = uid
        self.product = product
        self.serial = product.next_serial()
        self.state: UnitState | None = None
        self.branch = branch
        self.supplier = product.supplier
        self.customer: int | None = None
        self.cost = product.cost
        self.warranty_start: str | None = None
        self.warranty_end: str | None = None
        self.replaces: int | None = None
        self.flag = ""
        self.updated = 0
        self.budget = 0
        self.version = 0
        self.sale_doc = self.sale_line = None
        self.ticket = None
        self.transfer_doc = self.transfer_line = self.transfer_to = None

    def row(self, clock: Clock) -> tuple:
        return (
            self.id, self.serial, self.product.id, self.state.value, self.branch, self.supplier,
            self.customer, self.cost, self.warranty_start, self.warranty_end, self.replaces,
            self.flag, clock.stamp(self.updated),
        )  # fmt: skip


class Batch:
    """Simulates a batch of units from their receipt to the end of the timeline."""

    def __init__(self, master: Master, ids: Ids, clock: Clock, rnd: random.Random) -> None:
        self.m = master
        self.ids = ids
        self.clock = clock
        self.rnd = rnd
        self.rows: dict[str, list] = {table: [] for table in COLUMNS}
        self.keyed_docs: dict[tuple, list] = {}
        self.in_transit: dict[int, int] = {}  # transfer document id -> units still on the way
        self.shelf: dict[tuple[int, int], set[int]] = {}  # (branch, product) -> units in stock
        self.units: dict[int, Unit] = {}
        self.heap: list[tuple[int, int, int, int]] = []
        self.seq = 0
        self.events = 0

    # -- the simulation ----------------------------------------------------------------

    def run(self, plan: list[tuple[int, ProductSpec, int, int]]) -> dict[str, list]:
        """``plan``: (receipt time, product, branch, number of events) per unit, by time."""
        for t, product, branch, budget in plan:
            unit = Unit(self.ids.take("unit"), product, branch)
            unit.budget = budget
            self.units[unit.id] = unit
            self._schedule(unit, t)
        while self.heap:
            t, _seq, uid, version = heapq.heappop(self.heap)
            unit = self.units[uid]
            if version == unit.version:
                self._step(unit, t)
        self.rows["unit"] = [u.row(self.clock) for u in self.units.values()]
        return self.rows

    def _schedule(self, unit: Unit, t: int) -> None:
        if t >= self.m.end:
            return
        self.seq += 1
        heapq.heappush(self.heap, (t, self.seq, unit.id, unit.version))

    def _later(self, unit: Unit, t: int) -> None:
        """Schedule the unit's next event, at a working hour some days after ``t``."""
        state = unit.state
        if unit.budget <= 0 and state not in (S.IN_TRANSIT, S.IN_SERVICE):
            return
        if state in GAP_DAYS:
            days = GAP_DAYS[state](self.rnd)
        elif self.rnd.random() < REVIVE[state][1]:
            days = self.rnd.uniform(20, 120)
        else:
            return
        day = (t + int(days * DAY)) // DAY * DAY
        when = max(t + 60, day + 8 * 3600 + self.rnd.randrange(10 * 3600))
        self._schedule(unit, when)

    def _step(self, unit: Unit, t: int) -> None:
        state = unit.state
        if state is None:
            self._receive(unit, t)
        elif state is S.IN_TRANSIT:
            self._transfer_in(unit, t)
        elif state in NEXT:
            events, weights = NEXT[state]
            event = self.rnd.choices(events, weights)[0]
            if state is S.IN_SERVICE and unit.budget <= 0:
                event = E.REPAIR_COLLECT
            if event is E.CUSTOMER_RETURN and unit.sale_line is None:
                event = E.REPAIR_INTAKE  # a replacement unit is not on a sale to return it to
            if event is E.REPLACED and self._replace(unit, t):
                event = None
            elif event is E.REPLACED:  # nothing on the shelf here to replace it with
                event = E.REPAIR_COLLECT if state is S.IN_SERVICE else E.REPAIR_INTAKE
            if event is not None:
                getattr(self, "_" + event.value)(unit, t)
        else:
            getattr(self, "_" + REVIVE[state][0].value)(unit, t)
        self._later(unit, t)

    # -- rows ------------------------------------------------------------------------------

    def _event(self, unit, t, event, to_state, branch, employee, doc, note="", approver=None):
        self.rows["unit_event"].append(
            (
                self.ids.take("unit_event"), unit.id, event.value, self.clock.stamp(t), branch,
                employee, approver, doc[0] if doc else None,
                unit.state.value if unit.state else None, to_state.value, note,
            )
        )  # fmt: skip
        if unit.state is S.IN_STOCK:
            self.shelf[(unit.branch, unit.product.id)].discard(unit.id)
        unit.state = to_state
        unit.updated = t
        unit.budget -= 1
        self.events += 1
        if to_state is S.IN_STOCK:
            self.shelf.setdefault((branch, unit.product.id), set()).add(unit.id)

    def _document(self, kind, t, branch, employee, **fields) -> list:
        doc = [
            self.ids.take("document"), kind, branch, fields.get("to_branch"), employee,
            fields.get("approved_by"), fields.get("customer"), fields.get("supplier"),
            fields.get("related"), fields.get("reference", ""), fields.get("status", "closed"),
            self.clock.stamp(t), self.clock.date(t), None, fields.get("total", "0.00"),
            fields.get("payment_method", ""), fields.get("total", "0.00"),
            fields.get("reason", ""), fields.get("note", ""),
        ]  # fmt: skip
        self.rows["document"].append(doc)
        return doc

    def _keyed_document(self, key, kind, t, branch, employee, **fields) -> list:
        doc = self.keyed_docs.get(key)
        if doc is None:
            doc = self.keyed_docs[key] = self._document(kind, t, branch, employee, **fields)
        return doc

    def _line(self, doc, product, unit=None, *, quantity=1, price="0.00", cost=None, **fields):
        line = [
            self.ids.take("document_line"), doc[0], product.id, unit.id if unit else None,
            unit.serial if unit else "", quantity, price, cost, fields.get("source_line"), 0, 0,
            fields.get("condition", ""), fields.get("disposition", ""), "",
            fields.get("note", ""),
        ]  # fmt: skip
        self.rows["document_line"].append(line)
        return line

    # -- events ----------------------------------------------------------------------------

    def _receive(self, unit: Unit, t: int) -> None:
        branch = unit.branch if unit.state is None else self.rnd.choice(self.m.branches)
        week = t // (7 * DAY)
        staff = self.m.employee(self.rnd, branch, "inventory")
        doc = self._keyed_document(
            ("receipt", branch, unit.product.supplier, t),
            "receipt",
            t,
            branch,
            staff,
            supplier=unit.product.supplier,
            reference=f"PO-{week}-{branch}{unit.product.supplier:02d}",
        )
        note = ""
        if unit.state is not None:  # back from the supplier: flagged, as the service does
            unit.flag = f"received again on {self.clock.date(t)} after being {unit.state.label}"
            note = "flagged: " + unit.flag
            unit.customer = unit.warranty_start = unit.warranty_end = None
        unit.supplier = unit.product.supplier
        self._line(doc, unit.product, unit, price=unit.cost, cost=unit.cost)
        self._event(unit, t, E.RECEIVE, S.IN_STOCK, branch, staff, doc, note)
        unit.branch = branch

    def _sell(self, unit: Unit, t: int) -> None:
        rnd, product = self.rnd, unit.product
        customer = rnd.randint(1, self.m.customers) if rnd.random() < 0.75 else None
        staff = self.m.employee(rnd, unit.branch, "cashier")
        price = product.price if rnd.random() < 0.9 else money(float(product.price) * 0.9)
        doc = self._document(
            "sale",
            t,
            unit.branch,
            staff,
            customer=customer,
            payment_method=rnd.choice(("cash", "card", "card", "card", "transfer")),
        )
        line = self._line(doc, product, unit, price=price, cost=unit.cost)
        total = float(price)
        if rnd.random() < 0.2:  # a case or a charger with it
            extra = rnd.choice(self.m.accessories)
            qty = rnd.choice((1, 1, 2))
            self._line(doc, extra, quantity=qty, price=extra.price)
            total += qty * float(extra.price)
        if rnd.random() < 0.03:  # a watch, sold with a warranty number
            total += self._sell_watch(doc, customer, t)
        doc[D_TOTAL] = doc[D_PAID] = money(total)
        self._event(unit, t, E.SELL, S.SOLD, unit.branch, staff, doc)
        unit.customer = customer
        unit.warranty_start = self.clock.date(t)
        unit.warranty_end = self.clock.warranty_end(t, product.months)
        unit.sale_doc, unit.sale_line = doc, line

    def _sell_watch(self, doc, customer, t) -> float:
        watch = self.rnd.choice(self.m.watches)
        line = self._line(doc, watch, price=watch.price)
        number_id = self.ids.take("warranty_number")
        n, body = number_id, []
        for _ in range(10):
            n, digit = divmod(n, len(WARRANTY_ALPHABET))
            body.append(WARRANTY_ALPHABET[digit])
        self.rows["warranty_number"].append(
            (
                number_id, "W" + "".join(body), watch.id, line[0], customer,
                self.clock.date(t), self.clock.warranty_end(t, watch.months), "active",
            )
        )  # fmt: skip
        return float(watch.price)

    def _customer_return(self, unit: Unit, t: int) -> None:
        rnd = self.rnd
        disposition = rnd.choices(*DISPOSITIONS)[0]
        condition = "faulty" if disposition is not S.IN_STOCK else rnd.choice(CONDITIONS[:3])
        sale_doc, sale_line = unit.sale_doc, unit.sale_line
        refund = sale_line[6] if sale_line else "0.00"
        staff = self.m.employee(rnd, unit.branch, "cashier")
        doc = self._document(
            "return",
            t,
            unit.branch,
            staff,
            related=sale_doc[0] if sale_doc else None,
            customer=sale_doc[6] if sale_doc else None,
            total=refund,
        )
        self._line(
            doc,
            unit.product,
            unit,
            price=refund,
            source_line=sale_line[0] if sale_line else None,
            condition=condition,
            disposition=disposition.value,
        )
        if sale_line:
            sale_line[L_RETURNED] = 1
        self._event(unit, t, E.CUSTOMER_RETURN, disposition, unit.branch, staff, doc, condition)
        unit.customer = None
        unit.sale_doc = unit.sale_line = None

    def _repair_intake(self, unit: Unit, t: int) -> None:
        rnd = self.rnd
        branch = unit.branch if rnd.random() < 0.9 else rnd.choice(self.m.branches)
        staff = self.m.employee(rnd, branch, rnd.choice(("technician", "cashier")))
        tech = self.m.employee(rnd, branch, "technician")
        doc = self._document("repair", t, branch, staff, customer=unit.customer, status="open")
        complaint = rnd.choice(COMPLAINTS)
        covered = bool(unit.warranty_end and unit.warranty_end > self.clock.date(t))
        ticket_id = self.ids.take("repair_ticket")
        ticket = [
            ticket_id, doc[0], unit.id, None, unit.product.id, complaint,
            rnd.choice(("good", "scratched case", "cracked screen")),
            rnd.choice(("", "charger", "box and charger")), tech, "received", covered,
            f"In warranty until {unit.warranty_end}." if covered
            else "No warranty on record, or it has ended.",
            "", "", "", None,
        ]  # fmt: skip
        self.rows["repair_ticket"].append(ticket)
        self._status(ticket, None, "received", staff, t, "intake")
        self._event(unit, t, E.REPAIR_INTAKE, S.IN_SERVICE, branch, staff, doc, complaint)
        unit.branch = branch
        unit.ticket = (ticket, doc, tech, t)

    def _status(self, ticket, old, new, employee, t, note="") -> None:
        self.rows["repair_status_change"].append(
            (
                self.ids.take("repair_status_change"), ticket[0], old, new, employee,
                self.clock.stamp(t), note,
            )
        )  # fmt: skip
        ticket[9] = new

    def _close_ticket(self, unit: Unit, t: int, outcome: str) -> None:
        ticket, doc, tech, opened = unit.ticket
        rnd = self.rnd
        steps = ["diagnosing", "repairing", "quality_check", "ready"]
        if rnd.random() < 0.2:
            steps.insert(1, "waiting_for_parts")
        span = max(t - opened, len(steps) + 1)
        for i, status in enumerate(steps, 1):
            self._status(ticket, ticket[9], status, tech, opened + span * i // (len(steps) + 1))
        if rnd.random() < 0.3:
            self.rows["repair_part"].append(
                (
                    self.ids.take("repair_part"), ticket[0],
                    rnd.choice(("battery", "display", "charging port", "switch")), 1,
                    money(rnd.uniform(5, 120)), tech, self.clock.stamp(opened + span // 2),
                )
            )  # fmt: skip
        ticket[12] = rnd.choice(("replaced faulty part", "no fault found", "firmware updated"))
        ticket[14] = "passed"
        self._status(ticket, ticket[9], "collected", tech, t, outcome)
        ticket[13], ticket[15] = outcome, self.clock.stamp(t)
        doc[D_STATUS], doc[D_CLOSED_AT] = "closed", self.clock.stamp(t)
        unit.ticket = None

    def _repair_collect(self, unit: Unit, t: int) -> None:
        doc = unit.ticket[1]
        staff = self.m.employee(self.rnd, unit.branch, "cashier")
        outcome = self.rnd.choice(("repaired", "no fault found", "repaired, part replaced"))
        self._close_ticket(unit, t, outcome)
        self._event(unit, t, E.REPAIR_COLLECT, S.SOLD, unit.branch, staff, doc, outcome)

    def _replace(self, old: Unit, t: int) -> bool:
        """Replace a customer's unit with one from the shelf here; False if none is there."""
        shelf = self.shelf.get((old.branch, old.product.id))
        if not shelf:
            return False
        new = self.units[next(iter(shelf))]
        staff = self.m.employee(self.rnd, old.branch, "technician")
        related = old.ticket[1][0] if old.ticket else None
        doc = self._document(
            "replacement", t, old.branch, staff, customer=old.customer, related=related
        )
        if old.ticket:
            self._close_ticket(old, t, f"replaced by {new.serial}")
        self._event(
            old, t, E.REPLACED, S.REPLACED, old.branch, staff, doc, f"replaced by {new.serial}"
        )
        new_branch = new.branch
        self._event(
            new, t, E.REPLACEMENT_ISSUED, S.SOLD, new_branch, staff, doc, f"replaces {old.serial}"
        )
        new.customer, new.replaces = old.customer, old.id
        new.warranty_start, new.warranty_end = old.warranty_start, old.warranty_end
        new.sale_doc = new.sale_line = None
        self._line(doc, old.product, old, note="returned under warranty")
        self._line(doc, new.product, new, cost=new.cost, note="issued as replacement")
        new.version += 1  # its planned shelf event is void: it was issued now
        self._later(new, t)
        return True

    def _transfer_out(self, unit: Unit, t: int) -> None:
        rnd = self.rnd
        to = rnd.choice([b for b in self.m.branches if b != unit.branch])
        staff = self.m.employee(rnd, unit.branch, "inventory")
        doc = self._keyed_document(
            ("transfer", unit.branch, to, t // DAY),
            "transfer",
            t,
            unit.branch,
            staff,
            to_branch=to,
            status="open",
        )
        line = self._line(doc, unit.product, unit)
        self.in_transit[doc[0]] = self.in_transit.get(doc[0], 0) + 1
        note = f"to {self.m.branch_names[to]}"
        self._event(unit, t, E.TRANSFER_OUT, S.IN_TRANSIT, unit.branch, staff, doc, note)
        unit.transfer_doc, unit.transfer_line, unit.transfer_to = doc, line, unit.branch
        unit.branch = to

    def _transfer_in(self, unit: Unit, t: int) -> None:
        doc, line = unit.transfer_doc, unit.transfer_line
        staff = self.m.employee(self.rnd, unit.branch, "inventory")
        line[L_RECEIVED] = 1
        self.in_transit[doc[0]] -= 1
        if self.in_transit[doc[0]] == 0:
            doc[D_STATUS], doc[D_CLOSED_AT] = "closed", self.clock.stamp(t)
        note = f"from {self.m.branch_names[unit.transfer_to]}"
        self._event(unit, t, E.TRANSFER_IN, S.IN_STOCK, unit.branch, staff, doc, note)
        unit.transfer_doc = unit.transfer_line = unit.transfer_to = None

    def _supplier_return(self, unit: Unit, t: int) -> None:
        staff = self.m.employee(self.rnd, unit.branch, "inventory")
        doc = self._keyed_document(
            ("supplier_return", unit.branch, unit.supplier, t // (7 * DAY)),
            "supplier_return",
            t,
            unit.branch,
            staff,
            supplier=unit.supplier,
            reason="faulty units",
        )
        self._line(doc, unit.product, unit, cost=unit.cost)
        self._event(
            unit, t, E.SUPPLIER_RETURN, S.RETURNED_TO_SUPPLIER, unit.branch, staff, doc, "faulty"
        )

    def _adjust(self, unit: Unit, t: int, event: Event, to_state: UnitState, reason: str):
        rnd = self.rnd
        approver = None
        if event in (E.WRITE_OFF, E.FOUND) and rnd.random() < 0.5:
            staff = self.m.employee(rnd, unit.branch, "inventory")
            approver = self.m.employee(rnd, unit.branch, "manager")
        elif event in (E.WRITE_OFF, E.FOUND):
            staff = self.m.employee(rnd, unit.branch, "manager")
        else:
            staff = self.m.employee(rnd, unit.branch, rnd.choice(("inventory", "technician")))
        doc = self._document(
            "adjustment",
            t,
            unit.branch,
            staff,
            approved_by=approver,
            reference=event.value,
            reason=reason,
        )
        self._line(doc, unit.product, unit, cost=unit.cost)
        self._event(unit, t, event, to_state, unit.branch, staff, doc, reason, approver)

    def _quarantine(self, unit: Unit, t: int) -> None:
        self._adjust(unit, t, E.QUARANTINE, S.QUARANTINE, "seal broken, to be checked")

    def _release(self, unit: Unit, t: int) -> None:
        self._adjust(unit, t, E.RELEASE, S.IN_STOCK, "checked, sellable")

    def _write_off(self, unit: Unit, t: int) -> None:
        self._adjust(unit, t, E.WRITE_OFF, S.WRITTEN_OFF, "damaged beyond repair")

    def _found(self, unit: Unit, t: int) -> None:
        self._adjust(unit, t, E.FOUND, S.IN_STOCK, "found in the back room")
