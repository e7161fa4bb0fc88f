"""The unit history is a hash chain: verify names any row changed, removed or slipped in."""

from __future__ import annotations

from app.services.counter.selling import SaleItem, sell
from app.services.safety.integrity import check
from db.connection import db, is_sqlite
from db.history import GENESIS, event_hash
from db.history_verify import verify_history
from db.models import UnitEvent
from tests.support import (
    customer,
    fast_shop,  # noqa: F401
    imeis,
    receive_drills,
    receive_phones,
    seeded_shop,  # noqa: F401
    sell_serials,
)


def _history(shop):
    phones, drills = imeis(100, 30), [f"DRL{n:05d}" for n in range(5)]
    receive_phones(shop.inventory, phones)
    receive_drills(shop.inventory, drills)
    receive_phones(shop.inventory_b, imeis(200, 4))
    ann = customer()
    sell_serials(shop.cashier, phones[:3], customer_id=ann.id)
    sell(shop.cashier, [SaleItem(serial=drills[0])])
    sell_serials(shop.cashier_b, imeis(200, 2), customer_id=ann.id)
    return phones


def _unprotect() -> None:
    """What an attacker with the database file does first: drop the append-only triggers."""
    if is_sqlite():
        db.execute_sql('DROP TRIGGER "unit_event_no_update"')
        db.execute_sql('DROP TRIGGER "unit_event_no_delete"')
    else:
        db.execute_sql('DROP TRIGGER "unit_event_append_only" ON "unit_event"')


def _sql(text: str) -> None:
    db.execute_sql(text.replace("?", "%s") if not is_sqlite() else text)


def test_every_history_row_is_chained_in_order_in_its_branchs_lane(shop):
    _history(shop)
    lanes = {}
    for r in UnitEvent.select().order_by(UnitEvent.lane, UnitEvent.seq):
        lanes.setdefault(r.lane, []).append(r)
    assert set(lanes) == {shop.inventory.branch_id, shop.inventory_b.branch_id}
    heads = {}
    for lane, rows in lanes.items():
        assert all(r.branch_id == lane for r in rows), "a row's lane is its branch"
        assert [r.seq for r in rows] == list(range(1, len(rows) + 1))
        assert [r.id for r in rows] == sorted(r.id for r in rows), "chain order is insert order"
        heads[lane] = _check_lane(lane, rows)
    report = check()
    assert report.ok, report.messages()
    assert report.chain.rows == UnitEvent.select().count()
    assert {lane: mac for lane, (_seq, mac) in report.chain.heads.items() if lane} == heads


def _check_lane(lane, rows) -> str:
    prev = GENESIS
    for r in rows:
        content = {name: getattr(r, name + "_id", None) for name in ("unit", "branch")}
        content |= {
            "employee": r.employee_id,
            "approved_by": r.approved_by_id,
            "document": r.document_id,
            "event": r.event,
            "at": r.at,
            "from_state": r.from_state,
            "to_state": r.to_state,
            "note": r.note,
            "facts": r.facts,
        }
        assert event_hash(r.seq, prev, content, lane) == r.hash
        assert event_hash(r.seq, prev, content) != r.hash, "the lane is under the hash"
        prev = r.hash
    return prev


def test_verify_names_a_row_edited_with_plain_sql(shop):
    _history(shop)
    sale_row = UnitEvent.select().where(UnitEvent.event == "sell").order_by(UnitEvent.seq).first()
    _unprotect()
    _sql(f"UPDATE unit_event SET note = 'nothing to see' WHERE id = {sale_row.id}")
    result = verify_history()
    assert [(p.kind, p.seq, p.event_id) for p in result.problems] == [
        ("changed", sale_row.seq, sale_row.id)
    ]
    assert f"#{sale_row.seq}" in result.problems[0].message
    assert "sell of" in result.problems[0].message


def test_verify_catches_a_changed_employee_or_date(shop):
    _history(shop)
    first, second = UnitEvent.select().order_by(UnitEvent.seq).limit(2)
    _unprotect()
    _sql(f"UPDATE unit_event SET employee_id = {shop.manager.employee_id} WHERE id = {first.id}")
    _sql(f"UPDATE unit_event SET at = '2020-01-01 00:00:00' WHERE id = {second.id}")
    assert [p.seq for p in verify_history().problems] == [first.seq, second.seq]


def test_verify_names_a_deleted_row(shop):
    _history(shop)
    victim = UnitEvent.select().where(UnitEvent.event == "sell").order_by(UnitEvent.seq).first()
    _unprotect()
    _sql(f"DELETE FROM unit_event WHERE id = {victim.id}")
    problems = verify_history().problems
    assert [(p.kind, p.seq) for p in problems] == [("removed", victim.seq)]
    name = victim.branch.name
    assert f"#{victim.seq} of the {name} chain was removed" in problems[0].message
    # The sale now has a line without its history: the document check sees it too.
    assert any("has no history row" in m for m in check().problems)


def test_verify_names_a_row_inserted_behind_the_applications_back(shop):
    phones = _history(shop)
    unit_id = UnitEvent.select(UnitEvent.unit).order_by(UnitEvent.seq.desc()).scalar()
    UnitEvent.insert(
        unit=unit_id, event="sell", employee=shop.cashier.employee_id, to_state="sold"
    ).execute()
    problems = verify_history().problems
    assert [p.kind for p in problems] == ["unchained"]
    assert phones  # the chain itself is untouched


def test_a_re_hashed_forgery_still_breaks_the_next_link(shop):
    _history(shop)
    rows = list(UnitEvent.select().order_by(UnitEvent.lane, UnitEvent.seq).limit(3))
    _unprotect()
    forged = {
        "unit": rows[1].unit_id,
        "event": rows[1].event,
        "at": rows[1].at,
        "branch": rows[1].branch_id,
        "employee": shop.manager.employee_id,
        "approved_by": None,
        "document": rows[1].document_id,
        "from_state": rows[1].from_state,
        "to_state": rows[1].to_state,
        "note": rows[1].note,
        "facts": rows[1].facts,
    }
    # Even with the key, a re-hashed row breaks the link to the row after it.
    new_hash = event_hash(rows[1].seq, rows[0].hash, forged, rows[1].lane)
    who, row = shop.manager.employee_id, rows[1].id
    _sql(f"UPDATE unit_event SET employee_id = {who}, hash = '{new_hash}' WHERE id = {row}")
    assert [p.seq for p in verify_history().problems] == [rows[2].seq]


def test_cli_verify_reports_and_exits_1_after_tampering(tmp_path, capsys):
    from app.cli.entry import main

    url = str(tmp_path / "shop.db")
    assert main(["--db", url, "init", "--demo"]) == 0
    assert main(["--db", url, "verify"]) == 0
    assert "Everything checks out" in capsys.readouterr().out
    import sqlite3

    conn = sqlite3.connect(url)
    conn.executescript(
        "DROP TRIGGER unit_event_no_update; DROP TRIGGER unit_event_no_delete;"
        "UPDATE unit_event SET to_state = 'written_off' WHERE seq = 40 AND lane = 1;"
        "DELETE FROM unit_event WHERE seq = 41 AND lane = 1;"
    )
    (branch,) = conn.execute("SELECT name FROM branch WHERE id = 1").fetchone()
    conn.close()
    assert main(["--db", url, "verify"]) == 1
    captured = capsys.readouterr()
    assert f"#40 of the {branch} chain" in captured.out and "was changed" in captured.out
    assert f"#41 of the {branch} chain was removed" in captured.out
    assert "problem(s) found" in captured.err


def test_a_row_moved_to_another_branchs_lane_is_caught(shop):
    _history(shop)
    lanes = sorted({r.lane for r in UnitEvent.select(UnitEvent.lane)})
    assert len(lanes) == 2
    # The first row of one lane, moved to the end of the other with the right next seq.
    row = UnitEvent.select().where(UnitEvent.lane == lanes[0], UnitEvent.seq == 1).get()
    top = UnitEvent.select(UnitEvent.seq).where(UnitEvent.lane == lanes[1])
    top = top.order_by(UnitEvent.seq.desc()).scalar()
    _unprotect()
    _sql(f"UPDATE unit_event SET lane = {lanes[1]}, seq = {top + 1} WHERE id = {row.id}")
    problems = verify_history().problems
    assert ("changed", top + 1) in [(p.kind, p.seq) for p in problems]
    assert ("removed", 1) in [(p.kind, p.seq) for p in problems]
