"""A shop's history, simulated for the bench database: units, their state chains and documents.

Every unit lives through a chain of events that obeys ``app.domain.states``
(receive, sell, customer return, repair intake and collection, transfers,
quarantine, write-off, supplier return, warranty replacement, a flagged
re-receipt...), each with the document and lines the services would have
written. Units are simulated a batch at a time in time order, so ids of events,
documents and lines grow with time inside a batch and a unit's history is
spread over the table as it would be in a real shop.

The tables, catalogue, ids and clock are in ``shop_data.py``; what each event writes is
in ``unit_events.py``.
"""

from __future__ import annotations

import heapq
import random

from shop_data import COLUMNS, DAY, Clock, Ids, Master, ProductSpec, Unit
from unit_events import UnitEvents

from app.domain.states import Event, UnitState

S = UnitState
E = Event

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


class Batch(UnitEvents):
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
