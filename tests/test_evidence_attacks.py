"""The keyed history against a hostile reviewer's attacks: each is caught, or refused."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from playhouse.migrate import migrate as run_ops

import db.migrations as migrations
from app.services.counter.selling import SaleItem, sell
from app.services.safety import backup as backups
from app.services.safety import day_end, integrity
from db import chain_key
from db.access_models import ShopSetting
from db.connection import db, is_sqlite
from db.database import close_database, open_database
from db.history import UNKEYED_CONTENT, unkeyed_hash
from db.history_checks import protection_problems
from db.history_upgrade import KeyingRefused, allow_keying_old_history
from db.history_verify import _COLUMNS, chain_rows
from db.models import Document, SchemaVersion, UnitEvent
from tests.support import (
    customer,
    drop_history_triggers,
    imeis,
    receive_phones,
    receive_quantity,
    run_sql,
    sell_serials,
)


def _sold(shop, first: int = 300):
    phones = imeis(first, 4)
    receive_phones(shop.inventory, phones)
    ann, bob = customer(), customer("Bob", "555-0102")
    sell_serials(shop.cashier, phones[:1], customer_id=ann.id)
    sell_serials(shop.cashier, phones[1:2], customer_id=ann.id)
    return phones, ann, bob


def _remove_last_sale_cleanly(phones) -> None:
    """The last sale gone from every table, its unit back in stock (triggers dropped first)."""
    doc = Document.select().where(Document.kind == "sale").order_by(Document.id.desc()).get()
    run_sql("DELETE FROM unit_event WHERE document_id = ?", doc.id)
    run_sql("DELETE FROM document_line WHERE document_id = ?", doc.id)
    run_sql("DELETE FROM day_total")
    run_sql("DELETE FROM warranty_number")
    run_sql("DELETE FROM document WHERE id = ?", doc.id)
    run_sql("UPDATE unit SET state = 'in_stock', customer_id = NULL, warranty_start = NULL, "
         "warranty_end = NULL WHERE serial = ?", phones[1])  # fmt: skip


def _problems(full: bool = True) -> str:
    report = integrity.check(full=full)
    assert not report.ok
    return "\n".join(report.messages())


# --- 1. laundering by downgrade -------------------------------------------------------


def _launder_by_downgrade(database, phones) -> list[str]:
    """Without the key: remove a sale, make the database say it was never keyed (schema 4,
    no facts, no chain id) and re-hash every row with plain SHA-256."""
    drop_history_triggers()
    _remove_last_sale_cleanly(phones)
    run_sql('DROP INDEX "unit_event_lane_seq"')
    migrator = migrations._migrator(database)
    run_ops(migrator.drop_column("unit_event", "facts"), migrator.drop_column("unit_event", "lane"))
    ShopSetting.delete().where(ShopSetting.key == chain_key.CHAIN_ID).execute()
    SchemaVersion.update(version=4).where(SchemaVersion.version >= 5).execute()
    # One chain again, as schema 4 had: numbered in the order the rows were written.
    ids = UnitEvent.select(UnitEvent.id).order_by(UnitEvent.id).tuples()
    for seq, (event_id,) in enumerate(list(ids), 1):
        run_sql("UPDATE unit_event SET seq = ? WHERE id = ?", seq, event_id)
    prev, forged = "0" * 64, []
    for seq, _stored, event_id, *content in list(chain_rows(None, 0, _COLUMNS[:-1])):
        prev = unkeyed_hash(seq, prev, dict(zip(UNKEYED_CONTENT, content, strict=True)))
        run_sql("UPDATE unit_event SET hash = ? WHERE id = ?", prev, event_id)
        forged.append(prev)
    return forged


def _state(database) -> tuple:
    hashes = [h for (h,) in UnitEvent.select(UnitEvent.hash).order_by(UnitEvent.seq).tuples()]
    columns = {c.name for c in database.get_columns("unit_event")}
    return migrations.current_version(database), hashes, "facts" in columns, chain_key.chain_id()


def test_a_forged_unkeyed_history_is_not_keyed_on_a_seat_that_holds_a_key(shop, db_url):
    phones, _ann, _bob = _sold(shop)
    integrity.anchor("day-end")
    with db.atomic():
        forged = _launder_by_downgrade(db.obj, phones)
    keys = sorted(chain_key.key_path().parent.iterdir())
    close_database()
    with pytest.raises(KeyingRefused, match="never keyed.*already keeps a history key"):
        open_database(db_url)
    close_database()
    database = open_database(db_url, migrate=False)
    assert _state(database) == (4, forged, False, None)  # nothing was changed
    assert sorted(chain_key.key_path().parent.iterdir()) == keys
    close_database()
    with pytest.raises(KeyingRefused):
        open_database(db_url)  # refused every time, not only the first
    close_database()
    # A manager who knows this is an old shop's database keys it on purpose, once.
    allow_keying_old_history()
    database = open_database(db_url)
    assert migrations.current_version(database) == migrations.LATEST
    assert integrity.check().chain.ok


# --- 2. the backup-head trick ---------------------------------------------------------


def test_a_backup_copied_over_the_live_file_is_not_a_restore(sqlite_shop, tmp_path):
    shop = sqlite_shop
    phones = imeis(400, 3)
    receive_phones(shop.inventory, phones)
    ann = customer()
    sell_serials(shop.cashier, phones[:1], customer_id=ann.id)
    copy = backups.backup(tmp_path / "copies" / "before.db")
    sell_serials(shop.cashier, phones[1:2], customer_id=ann.id)
    assert integrity.check().ok
    integrity.anchor("verify")
    live = Path(shop.url)
    close_database()
    for extra in (live.with_name(live.name + "-wal"), live.with_name(live.name + "-shm")):
        extra.unlink(missing_ok=True)
    shutil.copy(copy.path, live)
    open_database(str(live))
    problems = _problems(full=False)
    assert "were removed: this seat's anchor" in problems
    assert "exactly backup before.db of" in problems and "'serialdesk restore'" in problems
    integrity.anchor("backup")  # a fresh anchor does not make the loss permanent
    assert "were removed" in _problems()
    anchored = len(chain_key.read_anchors())
    slip = day_end.close_day(today=shop.cashier.today())
    assert not slip.anchored and slip.problems >= 1
    assert "NOT ANCHORED: " in day_end.slip_text(slip)
    assert len(chain_key.read_anchors()) == anchored
    # The same backup through 'serialdesk restore' is recorded: it checks out.
    backups.restore(shop.manager, copy.path)
    assert integrity.check().ok, integrity.check().messages()


def test_the_history_cut_back_to_a_backups_head_is_caught(sqlite_shop, tmp_path):
    shop = sqlite_shop
    phones, _ann, _bob = _sold(shop, 420)
    before = head_seq = UnitEvent.select().count()
    backups.backup(tmp_path / "b.db")
    sell_serials(shop.cashier, phones[2:3])
    integrity.anchor("verify")
    drop_history_triggers()
    run_sql("DELETE FROM unit_event WHERE seq > ?", head_seq)
    assert before == head_seq
    problems = _problems(full=False)
    assert f"History rows #{head_seq + 1} to" in problems and "exactly backup b.db" in problems


# --- 3. the chain id swapped ----------------------------------------------------------


def test_a_changed_chain_id_is_named_and_the_removed_tail_still_caught(shop):
    phones, _ann, _bob = _sold(shop)
    integrity.anchor("day-end")
    old = chain_key.chain_id()
    drop_history_triggers()
    _remove_last_sale_cleanly(phones)
    run_sql("UPDATE shop_setting SET value = 'feedfacefeedface' WHERE key = ?", chain_key.CHAIN_ID)
    problems = _problems(full=False)
    assert f"chain id was changed from {old} to feedfacefeedface" in problems
    assert "were removed: this seat's anchor" in problems


def test_anchors_name_their_chain(shop):
    _sold(shop)
    integrity.anchor("test")
    assert chain_key.read_anchors()[-1]["chain"] == chain_key.chain_id()


# --- 4. triggers rewritten never to fire -----------------------------------------------

SQLITE_NEVER = [
    'CREATE TRIGGER "unit_event_no_update" BEFORE UPDATE ON "unit_event" WHEN 0 '
    "BEGIN SELECT RAISE(ABORT, 'unit history is append-only'); END",
    'CREATE TRIGGER "unit_event_no_update" BEFORE UPDATE ON "unit_event" '
    "BEGIN SELECT RAISE(ABORT, 'unit history is append-only') WHERE 0; END",
]
PG_NEVER = [
    "CREATE OR REPLACE FUNCTION serialdesk_history_append_only() RETURNS trigger AS $$ "
    "BEGIN IF false THEN RAISE EXCEPTION 'unit history is append-only'; END IF; "
    "RETURN NEW; END $$ LANGUAGE plpgsql",
    'DROP TRIGGER "unit_event_append_only" ON "unit_event"; '
    'CREATE TRIGGER "unit_event_append_only" BEFORE UPDATE OR DELETE ON "unit_event" '
    "FOR EACH ROW WHEN (false) EXECUTE FUNCTION serialdesk_history_append_only()",
]


@pytest.mark.parametrize("variant", [0, 1])
def test_a_trigger_rewritten_never_to_fire_is_reported(shop, variant):
    assert protection_problems() == []
    if is_sqlite():
        run_sql('DROP TRIGGER "unit_event_no_update"')
        run_sql(SQLITE_NEVER[variant])
    else:
        run_sql(PG_NEVER[variant])
    assert "append-only trigger" in "\n".join(protection_problems())


# --- 5. warranty numbers and customers --------------------------------------------------


def _watch_sold(shop):
    receive_quantity(shop.inventory, "WA-CL", 2)
    ann, bob = customer(), customer("Bob", "555-0102")
    sell(shop.cashier, [SaleItem(product="WA-CL", quantity=1)], customer_id=ann.id)
    return ann, bob


def test_a_changed_warranty_number_is_caught_against_the_anchor(shop):
    _watch_sold(shop)
    integrity.anchor("day-end")
    run_sql("UPDATE warranty_number SET warranty_end = '2099-12-31'")
    assert "warranty number differs" in _problems()


def test_a_warranty_number_given_to_another_customer_is_caught(shop):
    _ann, bob = _watch_sold(shop)
    run_sql("UPDATE warranty_number SET customer_id = ?", bob.id)
    assert "Warranty number" in _problems() and "does not" in _problems()


def test_a_sale_given_to_another_customer_is_caught(shop):
    _phones, _ann, bob = _sold(shop)
    run_sql("UPDATE document SET customer_id = ? WHERE kind = 'sale'", bob.id)
    assert f"names customer #{bob.id} but unit" in _problems()


# --- 6. the incremental check checks what it anchors ----------------------------------


@pytest.mark.parametrize(
    "tamper",
    [
        "UPDATE document SET customer_id = {bob} WHERE id = {doc}",
        "UPDATE document SET total = total + 100 WHERE id = {doc}",
        "UPDATE document_line SET price = price - 100 WHERE document_id = {doc}",
    ],
)
def test_the_daily_check_catches_a_sale_changed_after_the_anchor(shop, tamper):
    phones, ann, bob = _sold(shop)
    integrity.anchor("day-end")
    sell_serials(shop.cashier, phones[2:3], customer_id=ann.id)
    doc = Document.select().order_by(Document.id.desc()).get()
    run_sql(tamper.format(bob=bob.id, doc=doc.id))
    assert f"Sale {doc.id}" in _problems(full=False)


# --- 7. malformed anchor lines ----------------------------------------------------------


def test_malformed_anchor_lines_are_reported_not_a_crash(shop):
    _sold(shop)
    integrity.anchor("day-end")
    with chain_key.anchor_path().open("a", encoding="utf-8") as f:
        f.write('{"seq":5}\n')
        f.write('{"seq":1,"mac":"00","docs_from":"a","docs_to":2,"docs_mac":"x"}\n')
        f.write("not json\n")
    problems = _problems(full=False)
    for line in (2, 3, 4):
        assert f"Anchor line {line} of" in problems
    assert "Anchor line 1 of" not in problems
