"""The events of a unit's life as the simulation in ``ledger.py`` writes them: receipt,
sale, customer return, repair intake and collection, warranty replacement, transfers,
supplier return and adjustments, each with the document, lines, history row and repair
ticket the services would have written.
"""

from __future__ import annotations

from shop_data import (
    D_CLOSED_AT,
    D_PAID,
    D_STATUS,
    D_TOTAL,
    DAY,
    L_RECEIVED,
    L_RETURNED,
    Unit,
    money,
)

from app.domain.states import Event, UnitState

S = UnitState
E = Event

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
WARRANTY_ALPHABET = "ACDEFGHJKLMNPQRTUVWXY3479"


class UnitEvents:
    """The event methods of ``ledger.Batch``, one per event (``_`` and the event's value);
    they write through the batch's ``_document``, ``_line`` and ``_event``."""

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
