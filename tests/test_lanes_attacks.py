"""The keyed history's lanes against a hostile reviewer's attacks (tamper evidence, and
the upgrade from one chain): each is caught or refused."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from playhouse.migrate import migrate as run_ops

import db.migrations as migrations
from app.services.safety import evidence, integrity
from db import chain_key
from db.connection import db, is_sqlite
from db.database import close_database, open_database, write_transaction
from db.history import GENESIS, append_events, event_mac
from db.models import Document, SchemaVersion, UnitEvent
from tests.support import (
    drop_history_triggers,
    imeis,
    receive_phones,
    run_sql,
    sell_serials,
)


def _problems(full: bool = True) -> list[str]:
    """The problems verify names, leaving out the dropped-trigger notice (a tamperer who
    only INSERTs needs no trigger dropped; one who updates is told apart by the rest)."""
    messages = integrity.check(full=full).messages()
    return [m for m in messages if "append-only trigger" not in m]


def _two_branch_history(shop, first: int = 500):
    phones_a, phones_b = imeis(first, 3), imeis(first + 10, 3)
    receive_phones(shop.inventory, phones_a)
    receive_phones(shop.inventory_b, phones_b)
    sell_serials(shop.cashier, phones_a[:2])
    sell_serials(shop.cashier_b, phones_b[:2])
    return phones_a, phones_b


def _copy_row(event_id: int, **override) -> None:
    """Insert a copy of a history row (all columns) with some columns overridden."""
    cols = [c.name for c in db.get_columns("unit_event") if c.name != "id"]
    row = dict(zip(cols, db.execute_sql(
        f'SELECT {", ".join(chr(34) + c + chr(34) for c in cols)} FROM "unit_event" WHERE "id" = '
        + ("?" if is_sqlite() else "%s"), (event_id,)).fetchone(), strict=True))  # fmt: skip
    row.update(override)
    q = "?" if is_sqlite() else "%s"
    db.execute_sql(
        f'INSERT INTO "unit_event" ({", ".join(chr(34) + c + chr(34) for c in row)}) '
        f"VALUES ({', '.join([q] * len(row))})",
        tuple(row.values()),
    )


# --- 1. tamper evidence -----------------------------------------------------------------


@pytest.mark.parametrize("seq", [0, -7])
def test_a_forged_row_with_seq_zero_or_negative_is_caught(shop, seq):
    """Found in review: chain_rows walks seq > 0 only and the 'unchained' check looks for NULL
    seq/hash only: a row with seq 0 (or negative) and any hash is seen by nothing."""
    phones_a, _ = _two_branch_history(shop)
    assert integrity.check().ok
    last = UnitEvent.select().order_by(UnitEvent.id.desc()).get()
    # A forged row: an extra event, the unit's state unchanged, no facts (skipped by the
    # facts check as a row from before schema 5), a junk hash.
    _copy_row(last.id, seq=seq, hash="f" * 64, facts="", note="forged: sold by Cal again",
              event="sell", employee_id=last.employee_id)  # fmt: skip
    problems = _problems()

    assert problems, "a forged history row with seq <= 0 went unnoticed by verify"


def test_a_forged_row_with_a_null_lane_is_caught(shop):
    """Found in review (PostgreSQL, or a rebuilt SQLite table): the lane's NOT NULL is dropped and
    a row with lane NULL slipped in; lanes() skips NULL, 'unchained' looks at seq/hash only."""
    if is_sqlite():
        pytest.skip("on SQLite dropping NOT NULL needs a table rebuild; same effect")
    _two_branch_history(shop)
    run_sql('ALTER TABLE "unit_event" ALTER COLUMN "lane" DROP NOT NULL')
    last = UnitEvent.select().order_by(UnitEvent.id.desc()).get()
    _copy_row(last.id, lane=None, seq=1, hash="f" * 64, facts="", note="forged")
    problems = _problems()

    assert problems, "a forged history row with lane NULL went unnoticed by verify"


def _lane_zero_rows(shop, n: int = 3):
    """Rows of lane 0 (no branch), written through the application's own append."""
    from db.models import Unit

    unit_id = Unit.select(Unit.id).where(Unit.state == "in_stock").order_by(Unit.id).scalar()
    with write_transaction():
        append_events([
            {"unit": unit_id, "event": "note", "at": datetime.now(UTC), "branch": None,
             "employee": shop.manager.employee_id, "from_state": "in_stock",
             "to_state": "in_stock", "note": f"shop row {i}"} for i in range(n)
        ])  # fmt: skip


@pytest.mark.parametrize("alias", ["''", "X''"])
def test_lane_zero_copied_into_an_empty_text_lane_is_caught(sqlite_shop, alias):
    """Found in review (SQLite): a lane stored as '' (or an empty blob) is falsy in Python, so it is
    hashed as lane 0: a copy of lane 0's rows under lane '' verifies clean (the unique index
    sees ('', seq) apart from (0, seq)). Duplicated history rows go unnoticed."""
    shop = sqlite_shop
    _two_branch_history(shop)
    _lane_zero_rows(shop)
    assert integrity.check().ok
    run_sql(
        'INSERT INTO "unit_event" (unit_id, event, "at", branch_id, employee_id, approved_by_id,'
        " document_id, from_state, to_state, note, lane, seq, hash, facts) SELECT unit_id, event,"
        ' "at", branch_id, employee_id, approved_by_id, document_id, from_state, to_state, note,'
        f' {alias}, seq, hash, facts FROM "unit_event" WHERE lane = 0'
    )
    assert UnitEvent.select().count() > 0
    problems = _problems()
    assert problems, "lane 0's rows duplicated under lane '' went unnoticed by verify"


def test_lane_zero_moved_to_an_empty_text_lane_is_caught_without_anchors(sqlite_shop):
    """Same hole, moving instead of copying: lane 0 'disappears' into lane ''."""
    shop = sqlite_shop
    _two_branch_history(shop)
    _lane_zero_rows(shop)
    drop_history_triggers()
    run_sql("UPDATE unit_event SET lane = '' WHERE lane = 0")
    migrations._protect_history(db.obj)  # the triggers put back as they were
    assert integrity.check().messages(), "lane 0 relabelled as lane '' went unnoticed"


def test_a_dropped_lane_seq_index_is_reported(shop):
    """The unique (lane, seq) index is what stops a forked lane; a tamperer who drops it
    can slip in duplicate (lane, seq) rows. Is its loss reported like a dropped trigger?"""
    _two_branch_history(shop)
    run_sql('DROP INDEX "unit_event_lane_seq"')
    problems = _problems()
    assert problems, "the unique (lane, seq) index was dropped and verify said nothing"


def test_a_duplicate_seq_at_a_batch_boundary_is_caught(shop, monkeypatch):
    """Found in review: with the unique (lane, seq) index dropped (not reported, see above), a
    forged row with the same (lane, seq) as the real row that ends a batch of the walk is
    never read: the next batch asks for seq > last. The forgery copies the unit's last
    row (same state, same facts) with another note, so no other check sees it either.
    A real ledger's batches end at seq 20,000, 40,000, ...; BATCH is made small here."""
    import db.history_verify as hv

    _two_branch_history(shop)
    lane = shop.cashier.branch_id
    run_sql('DROP INDEX "unit_event_lane_seq"')
    real = UnitEvent.select().where(UnitEvent.lane == lane).order_by(UnitEvent.seq.desc()).get()
    _copy_row(real.id, note="forged: customer signed for a cracked screen", hash="f" * 64)
    monkeypatch.setattr(hv, "BATCH", real.seq)  # this batch ends at the real row
    problems = _problems()
    assert problems, "a forged duplicate (lane, seq) row at a batch's end went unnoticed"


@pytest.mark.parametrize("lane", [999, -1])
def test_a_bogus_lane_is_caught(shop, lane):
    _two_branch_history(shop)
    last = UnitEvent.select().order_by(UnitEvent.id.desc()).get()
    _copy_row(last.id, lane=lane, seq=1)
    assert _problems()


def test_two_lanes_swapped_whole_are_caught(shop):
    _two_branch_history(shop)
    a, b = shop.cashier.branch_id, shop.cashier_b.branch_id
    drop_history_triggers()
    run_sql("UPDATE unit_event SET lane = -5 WHERE lane = ?", a)
    run_sql("UPDATE unit_event SET lane = ? WHERE lane = ?", a, b)
    run_sql("UPDATE unit_event SET lane = ? WHERE lane = -5", b)
    assert _problems()


def test_a_lanes_tail_moved_to_lane_zero_and_re_seqd_is_caught(shop):
    _two_branch_history(shop)
    _lane_zero_rows(shop, 1)
    b = shop.cashier_b.branch_id
    top = UnitEvent.select().where(UnitEvent.lane == b).order_by(UnitEvent.seq.desc()).get()
    zero = UnitEvent.select().where(UnitEvent.lane == 0).count()
    drop_history_triggers()
    run_sql("UPDATE unit_event SET lane = 0, seq = ? WHERE id = ?", zero + 1, top.id)
    assert _problems()


def test_a_truncated_lane_tail_is_caught_by_since_anchor(shop):
    _two_branch_history(shop)
    integrity.anchor("verify")
    b = shop.cashier_b.branch_id
    drop_history_triggers()
    top = UnitEvent.select().where(UnitEvent.lane == b).order_by(UnitEvent.seq.desc()).get()
    run_sql("DELETE FROM unit_event WHERE id = ?", top.id)
    assert any("removed" in p for p in _problems(full=False))


def test_a_lane_deleted_whole_and_another_branch_lane_grown_is_caught(shop):
    phones_a, phones_b = _two_branch_history(shop)
    integrity.anchor("verify")
    sell_serials(shop.cashier, phones_a[2:])  # lane A grows after the anchor
    b = shop.cashier_b.branch_id
    drop_history_triggers()
    run_sql("DELETE FROM unit_event WHERE lane = ?", b)
    assert any("removed" in p for p in _problems(full=False))


# --- 3. upgrade from schema 5 ------------------------------------------------------------


def _downgrade_to_schema_5(database) -> None:
    """Make the database what a schema-5 seat kept: one chain, seq in the order written,
    every row MAC'd as lane 0 (this test has the key: it plays the schema-5 seat)."""
    key = chain_key.load_key()
    rows = list(UnitEvent.select().order_by(UnitEvent.id).dicts())
    drop_history_triggers()
    run_sql('DROP INDEX "unit_event_lane_seq"')
    prev = GENESIS
    for seq, row in enumerate(rows, 1):
        content = {k.removesuffix("_id") if False else k: v for k, v in row.items()}
        content = {
            "unit": row["unit"], "event": row["event"], "at": row["at"], "branch": row["branch"],
            "employee": row["employee"], "approved_by": row["approved_by"],
            "document": row["document"], "from_state": row["from_state"],
            "to_state": row["to_state"], "note": row["note"], "facts": row["facts"],
        }  # fmt: skip
        prev = event_mac(key, seq, prev, content, 0)
        run_sql("UPDATE unit_event SET seq = ?, hash = ?, lane = 0 WHERE id = ?", seq, prev,
                row["id"])  # fmt: skip
    migrator = migrations._migrator(database)
    run_ops(migrator.drop_column("unit_event", "lane"))
    run_sql('CREATE UNIQUE INDEX "unit_event_seq" ON "unit_event" ("seq")')
    SchemaVersion.update(version=5).where(SchemaVersion.version >= 6).execute()
    migrations._protect_history(database) if hasattr(migrations, "_protect_history") else None


def _schema5_anchor(key: bytes) -> dict:
    seq, mac = db.execute_sql(
        'SELECT seq, hash FROM "unit_event" ORDER BY seq DESC LIMIT 1'
    ).fetchone()
    first = db.execute_sql('SELECT hash FROM "unit_event" WHERE seq = 1').fetchone()[0]
    upto = Document.select(Document.id).order_by(Document.id.desc()).scalar() or 0
    entry = {
        "seq": seq, "mac": mac, "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "why": "verify", "docs_from": 0, "docs_to": upto, "docs_v": 4,
        "docs_mac": evidence.documents_digest(key, 0, upto, 4), "first": first,
    }  # fmt: skip
    chain_key.write_anchor(entry)
    return entry


def test_a_schema_5_history_upgraded_still_verifies_and_its_anchor_still_catches_a_cut(shop):
    phones_a, phones_b = _two_branch_history(shop)
    url = shop.url
    database = db.obj
    _downgrade_to_schema_5(database)
    assert migrations.current_version(database) == 5
    key = chain_key.load_key()
    old = _schema5_anchor(key)
    close_database()
    open_database(url)  # step 6
    assert migrations.current_version(db.obj) == migrations.LATEST
    report = integrity.check()
    assert report.ok, report.messages()
    report = integrity.check(full=False)
    assert report.ok, report.messages()
    # New work lands in the branches' lanes; the old chain's tail is cut.
    sell_serials(shop.cashier_b, phones_b[2:])
    drop_history_triggers()
    run_sql("DELETE FROM unit_event WHERE lane = 0 AND seq = ?", old["seq"])
    for full in (True, False):
        problems = _problems(full)
        assert any("removed" in p for p in problems), (full, problems)


@pytest.mark.parametrize(
    "lanes",
    [[1, 2], {"1": [1]}, {"1": [True, "x"]}, {"-1": [1, "x"]}, {"1": [1, None]}, {"１": [1, "x"]},
     {"1": {"seq": 1}}, "1:#1", None],
)  # fmt: skip
def test_malformed_lanes_in_an_anchor_are_reported_not_a_crash(shop, lanes):
    _two_branch_history(shop)
    entry = integrity.anchor("verify")
    bad = {**entry, "lanes": lanes}
    path = chain_key.anchor_path()
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps(bad) + "\n")
    report = integrity.check()
    assert not report.ok
    assert any("lanes" in m or "malformed" in m.lower() or "anchor" in m for m in report.messages())
