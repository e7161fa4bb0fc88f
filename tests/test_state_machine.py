"""Random operation sequences against the ledger, checking its invariants after every step.

- a serial is in exactly one state, and the one a simple model of the shop expects;
- stock counts equal in-stock units (serialized) and the sum of the documents (quantity goods);
- every unit's history replays, event by event, to its current state;
- a refused operation changes nothing.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections import Counter
from pathlib import Path

import hypothesis.strategies as st
import peewee as pw
import psycopg2
import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from app.domain.errors import DomainError
from app.domain.states import Event, UnitState, replay
from app.services.counter import repairs, replacements, returns, selling
from app.services.shop.catalog import list_products
from app.services.stock import adjustments, supplier_returns, transfers
from app.services.stock.receiving import ReceiptLine, receive
from db.database import close_database, open_database
from db.models import Document, DocumentLine, StockLevel, Unit, UnitEvent
from tests.conftest import PG_URL, make_imei, make_shop

SERIALS = [make_imei(n, tac="35209900") for n in range(1, 9)]
S = UnitState


class Ledger(RuleBasedStateMachine):
    backend = "sqlite"

    def __init__(self) -> None:
        super().__init__()
        self.tmp = Path(tempfile.mkdtemp(prefix="serialdesk-sm-"))
        if self.backend == "sqlite":
            url = str(self.tmp / "shop.db")
            self.schema = None
        else:
            self.schema = f"sm_{uuid.uuid4().hex[:12]}"
            with psycopg2.connect(PG_URL) as conn, conn.cursor() as cur:
                cur.execute(f'CREATE SCHEMA "{self.schema}"')
            url = f"{PG_URL}?options=-csearch_path%3D{self.schema}"
        open_database(url)
        self.shop = make_shop(url)
        self.ctx = {"A": self.shop.manager, "B": self.shop.manager_b}
        # The model: serial -> (state, branch code or None); quantity goods per branch.
        self.model: dict[str, tuple[UnitState, str | None]] = {}
        self.sales: dict[str, str] = {}  # serial -> sale number while sold
        self.transfers: dict[str, str] = {}  # serial -> open transfer number
        self.tickets: dict[str, str] = {}  # serial -> open repair ticket
        self.cases = Counter()

    def _serial(self, data, *states):
        """Mostly a serial the model says is in one of ``states``; sometimes any serial."""
        fitting = [s for s, (state, _b) in self.model.items() if state in states]
        if fitting and data.draw(st.integers(0, 4), label="fit") > 0:
            return data.draw(st.sampled_from(fitting), label="serial")
        return data.draw(st.sampled_from(SERIALS), label="serial")

    def _branch(self, data, serial):
        """Mostly the branch the unit is at; sometimes the other one."""
        at = self.model.get(serial, (None, None))[1]
        if at and data.draw(st.integers(0, 4), label="here") > 0:
            return at
        return data.draw(st.sampled_from("AB"), label="branch")

    def teardown(self) -> None:
        close_database()
        shutil.rmtree(self.tmp, ignore_errors=True)
        if self.schema:
            with psycopg2.connect(PG_URL) as conn, conn.cursor() as cur:
                cur.execute(f'DROP SCHEMA "{self.schema}" CASCADE')

    def _snapshot(self):
        return (
            Unit.select().count(),
            UnitEvent.select().count(),
            Document.select().count(),
            list(
                StockLevel.select(StockLevel.product, StockLevel.branch, StockLevel.quantity)
                .order_by(StockLevel.id)
                .tuples()
            ),
            list(Unit.select(Unit.id, Unit.state, Unit.branch).order_by(Unit.id).tuples()),
        )

    def _attempt(self, fn, *args, **kwargs):
        """Run an operation; a refusal must leave the database exactly as it was."""
        before = self._snapshot()
        try:
            result = fn(*args, **kwargs)
        except DomainError:
            assert self._snapshot() == before, f"{fn.__name__} was refused but changed data"
            return None
        return result

    # --- operations -------------------------------------------------------

    @rule(serial=st.sampled_from(SERIALS), branch=st.sampled_from("AB"))
    def receive_phone(self, serial, branch):
        result = self._attempt(
            receive, self.ctx[branch], "PhoneCo", [ReceiptLine("PH-X1", [serial], cost="300")]
        )
        known = self.model.get(serial)
        may = known is None or known[0] in (S.RETURNED_TO_SUPPLIER, S.WRITTEN_OFF)
        assert (result is not None) == may, (serial, known)
        if result:
            self.model[serial] = (S.IN_STOCK, branch)

    @rule(qty=st.integers(1, 5), branch=st.sampled_from("AB"))
    def receive_cases(self, qty, branch):
        receive(self.ctx[branch], "PhoneCo", [ReceiptLine("AC-CASE", quantity=qty)])
        self.cases[branch] += qty

    @rule(data=st.data(), cases=st.integers(0, 3))
    def sell(self, data, cases):
        serial = self._serial(data, S.IN_STOCK)
        branch = self._branch(data, serial)
        items = [selling.SaleItem(serial=serial)]
        if cases:
            items.append(selling.SaleItem(product="AC-CASE", quantity=cases))
        result = self._attempt(selling.sell, self.ctx[branch], items)
        may = self.model.get(serial) == (S.IN_STOCK, branch) and self.cases[branch] >= cases
        assert (result is not None) == may
        if result:
            self.model[serial] = (S.SOLD, branch)
            self.sales[serial] = result.number
            self.cases[branch] -= cases

    @rule(data=st.data(), disposition=st.sampled_from([S.IN_STOCK, S.QUARANTINE, S.WRITTEN_OFF]))
    def customer_return(self, data, disposition):
        serial = self._serial(data, S.SOLD)
        branch = data.draw(st.sampled_from("AB"), label="branch")
        sale = self.sales.get(serial)
        result = self._attempt(
            returns.customer_return,
            self.ctx[branch],
            [returns.ReturnItem(serial=serial, disposition=disposition.value)],
            sale=sale,
        )
        may = self.model.get(serial, (None,))[0] is S.SOLD
        assert (result is not None) == may
        if result:
            self.model[serial] = (disposition, branch)
            self.sales.pop(serial, None)

    @rule(data=st.data())
    def transfer_out(self, data):
        serial = self._serial(data, S.IN_STOCK)
        src = self._branch(data, serial)
        dst = "B" if src == "A" else "A"
        result = self._attempt(
            transfers.transfer_out, self.ctx[src], dst, [transfers.TransferItem(serial=serial)]
        )
        assert (result is not None) == (self.model.get(serial) == (S.IN_STOCK, src))
        if result:
            self.model[serial] = (S.IN_TRANSIT, dst)
            self.transfers[serial] = result.number

    @rule(data=st.data())
    def transfer_in(self, data):
        serial = self._serial(data, S.IN_TRANSIT)
        branch = self._branch(data, serial)
        number = self.transfers.get(serial)
        if number is None:
            return
        result = self._attempt(transfers.transfer_in, self.ctx[branch], number, [serial])
        assert (result is not None) == (self.model[serial] == (S.IN_TRANSIT, branch))
        if result:
            self.model[serial] = (S.IN_STOCK, branch)
            del self.transfers[serial]

    @rule(data=st.data())
    def repair_intake(self, data):
        serial = self._serial(data, S.SOLD)
        branch = data.draw(st.sampled_from("AB"), label="branch")
        result = self._attempt(repairs.intake, self.ctx[branch], serial, complaint="no power")
        assert (result is not None) == (self.model.get(serial, (None,))[0] is S.SOLD)
        if result:
            self.model[serial] = (S.IN_SERVICE, branch)
            self.tickets[serial] = result.number

    @rule(data=st.data())
    def repair_collect(self, data):
        serial = self._serial(data, S.IN_SERVICE)
        number = self.tickets.get(serial)
        if number is None:
            return
        state, branch = self.model[serial]
        result = self._attempt(repairs.collect, self.ctx[branch], number, outcome="fixed")
        assert (result is not None) == (state is S.IN_SERVICE)
        if result:
            self.model[serial] = (S.SOLD, branch)
            del self.tickets[serial]

    @rule(data=st.data())
    def replace(self, data):
        old = self._serial(data, S.SOLD, S.IN_SERVICE)
        new = self._serial(data, S.IN_STOCK)
        branch = self._branch(data, new)
        result = self._attempt(replacements.replace, self.ctx[branch], old, new)
        may = (
            old != new
            and self.model.get(old, (None,))[0] in (S.SOLD, S.IN_SERVICE)
            and self.model.get(new) == (S.IN_STOCK, branch)
        )
        assert (result is not None) == may
        if result:
            self.model[old] = (S.REPLACED, self.model[old][1])
            self.model[new] = (S.SOLD, branch)
            self.sales.pop(old, None)
            self.tickets.pop(old, None)

    @rule(data=st.data())
    def supplier_return(self, data):
        serial = self._serial(data, S.IN_STOCK, S.QUARANTINE, S.REPLACED)
        branch = self._branch(data, serial)
        result = self._attempt(
            supplier_returns.supplier_return,
            self.ctx[branch],
            "PhoneCo",
            [supplier_returns.SupplierReturnItem(serial=serial)],
            reason="faulty",
        )
        state, at = self.model.get(serial, (None, None))
        may = state is S.REPLACED or (state in (S.IN_STOCK, S.QUARANTINE) and at == branch)
        assert (result is not None) == may, (serial, state, at, branch)
        if result:
            self.model[serial] = (S.RETURNED_TO_SUPPLIER, at)

    @rule(data=st.data(), kind=st.sampled_from(["write_off", "quarantine", "release", "found"]))
    def adjust(self, data, kind):
        serial = self._serial(data, S.IN_STOCK, S.QUARANTINE, S.WRITTEN_OFF)
        branch = self._branch(data, serial)
        result = self._attempt(
            adjustments.adjust, self.ctx[branch], kind, serials=[serial], reason="test"
        )
        state, at = self.model.get(serial, (None, None))
        sources = {
            "write_off": (S.IN_STOCK, S.QUARANTINE),
            "quarantine": (S.IN_STOCK,),
            "release": (S.QUARANTINE,),
            "found": (S.WRITTEN_OFF,),
        }[kind]
        may = state in sources and at in (None, branch)
        assert (result is not None) == may, (kind, serial, state, at, branch)
        if result:
            target = {
                "write_off": S.WRITTEN_OFF,
                "quarantine": S.QUARANTINE,
                "release": S.IN_STOCK,
                "found": S.IN_STOCK,
            }[kind]
            self.model[serial] = (target, branch)

    # --- invariants -------------------------------------------------------

    @invariant()
    def units_match_the_model(self):
        rows = {
            serial: (UnitState(state), code)
            for serial, state, code in Unit.select(
                Unit.serial, Unit.state, pw.fn.COALESCE(Unit.branch, 0)
            ).tuples()
            for code in [self._code(code)]
        }
        assert len(rows) == Unit.select().count(), "a serial is on two units"
        for serial, (state, branch) in self.model.items():
            assert rows[serial][0] is state, (serial, rows[serial], state)
            if state in (S.IN_STOCK, S.IN_TRANSIT):
                assert rows[serial][1] == branch, (serial, rows[serial], branch)

    @invariant()
    def stock_counts_equal_units_and_documents(self):
        products = {(p.sku): p.in_stock for p in list_products()}
        in_stock = sum(1 for s, _b in self.model.values() if s is S.IN_STOCK)
        assert products["PH-X1"] == in_stock
        for code, ctx in self.ctx.items():
            by_branch = {p.sku: p.in_stock for p in list_products(ctx.branch_id)}
            assert by_branch["PH-X1"] == sum(
                1 for s, b in self.model.values() if s is S.IN_STOCK and b == code
            )
            assert by_branch["AC-CASE"] == self.cases[code]
            assert by_branch["AC-CASE"] == self._cases_from_documents(ctx.branch_id)

    @invariant()
    def history_replays_to_current_state(self):
        chains: dict[int, list] = {}
        for unit_id, event, from_state, to_state in (
            UnitEvent.select(
                UnitEvent.unit, UnitEvent.event, UnitEvent.from_state, UnitEvent.to_state
            )
            .order_by(UnitEvent.id)
            .tuples()
        ):
            chains.setdefault(unit_id, []).append(
                (Event(event), UnitState(from_state) if from_state else None, UnitState(to_state))
            )
        for unit_id, state in Unit.select(Unit.id, Unit.state).tuples():
            assert replay(chains[unit_id]) is UnitState(state)

    def _code(self, branch_id):
        for code, ctx in self.ctx.items():
            if ctx.branch_id == branch_id:
                return code
        return None

    def _cases_from_documents(self, branch_id: int) -> int:
        sign = {"receipt": 1, "sale": -1}
        total = 0
        for kind, qty in (
            DocumentLine.select(Document.kind, DocumentLine.quantity)
            .join(Document)
            .where(Document.branch == branch_id, DocumentLine.unit.is_null())
            .tuples()
        ):
            total += sign.get(kind, 0) * qty
        return total


class PostgresLedger(Ledger):
    backend = "postgres"


_settings = settings(
    max_examples=30,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@pytest.mark.slow
def test_ledger_on_sqlite():
    run_state_machine_as_test(Ledger, settings=_settings)


@pytest.mark.slow
def test_ledger_on_postgres():
    run_state_machine_as_test(PostgresLedger, settings=settings(_settings, max_examples=12))
