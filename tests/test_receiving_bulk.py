"""A large receipt with units coming back, written in bulk (COPY on PostgreSQL): every row
as the history and the ledger expect it, and a unit changed meanwhile refuses the receipt."""

from __future__ import annotations

import pytest

from app.domain.errors import Refused
from app.services.counter.selling import SaleItem, sell
from app.services.safety import integrity
from app.services.stock import receiving
from app.services.stock.adjustments import adjust
from db.bulk import update_in
from db.history import unit_facts
from db.models import DocumentLine, Unit, UnitEvent
from tests.conftest import make_imei
from tests.support import receive_phones


def test_bulk_receipt_with_units_coming_back_keeps_history_and_ledger_whole(shop):
    first = [make_imei(n) for n in range(3000, 3150)]
    receive_phones(shop.inventory, first)
    back = first[:40]
    adjust(shop.manager, "write_off", serials=back, reason="water damage", approver=shop.approver())
    fresh = [make_imei(n) for n in range(4000, 4160)]
    result = receive_phones(shop.inventory, fresh + back, cost="310")
    assert result.units == 200 and sorted(result.flagged) == sorted(back)
    units = {u.serial: u for u in Unit.select().where(Unit.serial.in_(fresh + back))}
    assert len(units) == 200 and {u.state for u in units.values()} == {"in_stock"}
    ids = [u.id for u in units.values()]
    rows = UnitEvent.select().where(UnitEvent.unit.in_(ids), UnitEvent.event == "receive")
    latest = {}
    for row in rows.order_by(UnitEvent.id):
        latest[row.unit_id] = row
    # Each history row records its unit as the receipt left it (computed, not read back).
    assert {uid: row.facts for uid, row in latest.items()} == unit_facts(ids)
    assert {units[s].id for s in back} == {
        uid for uid, row in latest.items() if row.from_state == "written_off"
    }
    [doc_id] = {row.document_id for row in latest.values()}
    lines = DocumentLine.select().where(DocumentLine.document == doc_id)
    assert sorted(line.unit_id for line in lines) == sorted(ids)
    assert integrity.check().problems == []
    sell(shop.cashier, [SaleItem(serial=fresh[0])])  # a unit received in bulk sells


def test_update_in_changes_only_rows_still_as_expected(shop):
    serials = [make_imei(n) for n in range(5000, 5012)]
    receive_phones(shop.inventory, serials)
    ids = [u.id for u in Unit.select().where(Unit.serial.in_(serials))]
    sell(shop.cashier, [SaleItem(serial=serials[0])])
    changed = update_in(Unit, {"flag": "x"}, Unit.id, ids, chunk=5, state="in_stock")
    assert changed == 11
    assert Unit.select().where(Unit.flag == "x").count() == 11


def test_a_unit_changed_at_another_seat_refuses_the_receipt(shop, monkeypatch):
    serials = [make_imei(n) for n in range(6000, 6003)]
    receive_phones(shop.inventory, serials)
    adjust(shop.manager, "write_off", serials=serials, reason="flood", approver=shop.approver())
    real = receiving.update_in

    def raced(model, changes, field, values, **where):  # another seat took one meanwhile
        Unit.update(state="in_stock").where(Unit.id == values[0]).execute()
        return real(model, changes, field, values, **where)

    monkeypatch.setattr(receiving, "update_in", raced)
    events = UnitEvent.select().count()
    with pytest.raises(Refused, match="changed at another seat"):
        receive_phones(shop.inventory, serials)
    assert UnitEvent.select().count() == events
