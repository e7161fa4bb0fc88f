"""The keyed history as evidence: each tampering a warranty dispute could turn on is caught."""

from __future__ import annotations

import hashlib
import json

import pytest

from app.domain.errors import Refused
from app.services.safety import evidence, integrity
from db.history import CONTENT, GENESIS, head, heads
from db.models import Document, DocumentLine, Unit, UnitEvent
from tests.support import (
    customer,
    drop_history_triggers,
    imeis,
    receive_phones,
    run_sql,
    sell_serials,
)


def _sold(shop):
    phones = imeis(300, 4)
    receive_phones(shop.inventory, phones)
    ann, bob = customer(), customer("Bob", "555-0102")
    sell_serials(shop.cashier, phones[:1], customer_id=ann.id)
    sell_serials(shop.cashier, phones[1:2], customer_id=ann.id)
    return phones, ann, bob


def _problems(full: bool = True) -> str:
    report = integrity.check(full=full)
    assert not report.ok
    return "\n".join(report.messages())


def test_a_clean_shop_verifies_and_anchors(shop):
    _sold(shop)
    assert integrity.check().ok
    entry = integrity.anchor("test")
    lane = shop.cashier.branch_id  # the branch's own lane of the chain
    assert evidence.lane_heads(entry) == heads() and heads()[lane][0] > 0
    report = integrity.check(full=False)
    assert report.ok and report.chain.rows == 0 and report.anchors.start == {lane: heads()[lane]}


def test_a_changed_warranty_end_is_caught(shop):
    phones, _ann, _bob = _sold(shop)
    run_sql("UPDATE unit SET warranty_end = '2099-12-31' WHERE serial = ?", phones[0])
    assert f"Unit {phones[0]}" in _problems() and "warranty end" in _problems()


def test_a_units_changed_customer_is_caught(shop):
    phones, _ann, bob = _sold(shop)
    run_sql("UPDATE unit SET customer_id = ? WHERE serial = ?", bob.id, phones[0])
    assert "customer" in _problems()


@pytest.mark.parametrize(
    "tamper",
    [
        "UPDATE document SET customer_id = {bob} WHERE kind = 'sale'",
        "UPDATE document SET total = total + 100 WHERE kind = 'sale'",
        "UPDATE document_line SET price = price - 100 WHERE unit_id IS NOT NULL",
    ],
)
def test_changed_sale_figures_are_caught_against_the_anchor(shop, tamper):
    _phones, _ann, bob = _sold(shop)
    integrity.anchor("day-end")
    run_sql(tamper.format(bob=bob.id))
    assert "were changed after the anchor" in _problems()


@pytest.mark.parametrize("version", [2, 3, 4])
def test_anchors_of_every_digest_version_still_catch_a_changed_sale(shop, monkeypatch, version):
    """Anchors written by an earlier SerialDesk (digest version 2) are checked as written."""
    _phones, _ann, bob = _sold(shop)
    with monkeypatch.context() as patch:
        patch.setattr(evidence, "DOCS_VERSION", version)
        assert integrity.anchor("day-end")["docs_v"] == version
    assert integrity.check().ok and integrity.check(full=False).ok
    run_sql("UPDATE document SET customer_id = ? WHERE kind = 'sale'", bob.id)
    assert "were changed after the anchor" in _problems()


def test_the_digest_is_the_same_whatever_its_window_and_sees_a_line_moved(shop, monkeypatch):
    _sold(shop)
    top = Document.select(Document.id).order_by(Document.id.desc()).scalar()
    key = integrity.history_key()
    whole = evidence.documents_digest(key, 0, top, 4)
    monkeypatch.setattr(evidence, "DIGEST_WINDOW", 1)
    assert evidence.documents_digest(key, 0, top, 4) == whole
    first, second = (
        Document.select(Document.id).where(Document.kind == "sale").order_by(Document.id)
    )
    run_sql("UPDATE document_line SET document_id = ? WHERE document_id = ?", second.id, first.id)
    assert evidence.documents_digest(key, 0, top, 4) != whole


def _row(r: UnitEvent) -> dict:
    return {name: getattr(r, name + "_id", getattr(r, name, None)) for name in CONTENT}


def _unkeyed(seq: int, prev: str, row: dict) -> str:
    from db.history import _text

    return hashlib.sha256(_text(seq, prev, row, CONTENT)).hexdigest()


def test_a_row_appended_with_an_unkeyed_hash_is_caught(shop):
    _sold(shop)
    lane = shop.cashier.branch_id
    seq, prev = head(lane)
    last = UnitEvent.get(UnitEvent.lane == lane, UnitEvent.seq == seq)
    row = {**_row(last), "note": "forged"}
    run_sql(
        "INSERT INTO unit_event (unit_id, event, at, employee_id, to_state, note, facts, branch_id,"
        " lane, seq, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        row["unit"], "sell", last.at, row["employee"], "sold", "forged", row["facts"], lane,
        lane, seq + 1, _unkeyed(seq + 1, prev, row),
    )  # fmt: skip
    assert f"History row #{seq + 1} of the Main Street chain" in _problems(full=False)


def test_a_middle_row_changed_and_the_rest_re_hashed_without_the_key_is_caught(shop):
    _sold(shop)
    drop_history_triggers()
    lane = UnitEvent.lane == shop.cashier.branch_id
    rows = list(UnitEvent.select().where(lane).order_by(UnitEvent.seq))
    middle = len(rows) // 2
    run_sql(
        "UPDATE unit_event SET employee_id = ? WHERE id = ?", rows[0].employee_id, rows[middle].id
    )
    prev = rows[middle - 1].hash
    for r in (
        UnitEvent.select().where(lane, UnitEvent.seq >= rows[middle].seq).order_by(UnitEvent.seq)
    ):
        prev = _unkeyed(r.seq, prev, _row(r))
        run_sql("UPDATE unit_event SET hash = ? WHERE id = ?", prev, r.id)
    assert f"History row #{rows[middle].seq}" in _problems()


def test_the_last_sale_removed_cleanly_is_caught_by_the_anchor(shop):
    phones, _ann, _bob = _sold(shop)
    integrity.anchor("day-end")
    drop_history_triggers()
    doc = Document.select().where(Document.kind == "sale").order_by(Document.id.desc()).get()
    event = UnitEvent.get(UnitEvent.document == doc.id)
    run_sql("DELETE FROM unit_event WHERE document_id = ?", doc.id)
    run_sql("DELETE FROM document_line WHERE document_id = ?", doc.id)
    run_sql("DELETE FROM day_total")
    run_sql("DELETE FROM warranty_number")
    run_sql("DELETE FROM document WHERE id = ?", doc.id)
    facts = json.dumps([phones[1], event.unit.product_id, None, None, None], separators=(",", ":"))
    run_sql("UPDATE unit SET state = 'in_stock', customer_id = NULL, warranty_start = NULL, "
         "warranty_end = NULL WHERE serial = ?", phones[1])  # fmt: skip
    assert facts  # the unit now looks never sold
    assert "were removed: this seat's anchor" in _problems(full=False)


def test_a_dropped_append_only_trigger_is_reported(shop):
    _sold(shop)
    drop_history_triggers()
    assert "append-only trigger" in _problems(full=False)


def test_a_seat_without_the_key_reads_but_cannot_write(shop, tmp_path, monkeypatch):
    phones, ann, _bob = _sold(shop)
    lines = DocumentLine.select().count()
    before = (UnitEvent.select().count(), Unit.get(Unit.serial == phones[2]).state)
    monkeypatch.setenv("SERIALDESK_KEY_FILE", str(tmp_path / "nowhere" / "h.key"))
    with pytest.raises(Refused, match="no key for the shop's history"):
        sell_serials(shop.cashier, phones[2:3], customer_id=ann.id)
    assert (UnitEvent.select().count(), Unit.get(Unit.serial == phones[2]).state) == before
    assert DocumentLine.select().count() == lines
    with pytest.raises(Refused, match="no key"):
        integrity.check()
    assert GENESIS != head(shop.cashier.branch_id)[1]


def test_a_connection_reads_with_a_small_cache_and_sorts_on_disk(shop):
    """A seat, and verify over a whole ledger, must not grow their memory with the file."""
    from db.connection import db, is_sqlite

    if not is_sqlite():
        pytest.skip("SQLite's page cache")
    cache, temp = (
        db.execute_sql(f"PRAGMA {p}").fetchone()[0] for p in ("cache_size", "temp_store")
    )
    assert -8_000 <= cache < 0 and temp == 1  # at most 8 MB; 1: temporary files
