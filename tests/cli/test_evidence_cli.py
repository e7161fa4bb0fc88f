"""``serialdesk verify`` (full and since the last anchor) and ``serialdesk day-end``, as a
shop's daily jobs run them: anchors written, a removed tail caught, the slip on paper."""

from __future__ import annotations

from db.chain_key import read_anchors
from db.connection import db
from db.history import heads
from tests.support import drop_history_triggers, imeis, receive_phones, run_sql, sell_serials


def test_verify_anchors_then_walks_only_the_rows_after_the_anchor(run, shop):
    phones = imeis(700, 3)
    receive_phones(shop.inventory, phones)
    lane = str(shop.inventory.branch_id)  # the branch's lane of the chain
    full = run.json("verify")
    assert full["ok"] and full["full"] and full["history_rows"] == heads()[int(lane)][0]
    assert full["anchor"] == {"0": 0, lane: heads()[int(lane)][0]}
    assert read_anchors()[-1]["lanes"][lane][0] == full["anchor"][lane]
    sell_serials(shop.cashier, phones[:1])
    since = run.json("verify", "--since-anchor")
    assert since["ok"] and not since["full"]
    assert since["from"] == {lane: full["anchor"][lane]}
    assert since["history_rows"] == heads()[int(lane)][0] - full["anchor"][lane] == 1
    assert since["rows_after_anchor"] == 1


def test_a_sale_removed_after_an_anchor_is_caught_by_the_daily_check(run, shop):
    phones = imeis(710, 2)
    receive_phones(shop.inventory, phones)
    sell_serials(shop.cashier, phones[:1])
    lane = shop.cashier.branch_id
    anchored = run.json("verify")["anchor"][str(lane)]
    assert anchored > 0
    drop_history_triggers()
    run_sql("DELETE FROM unit_event WHERE lane = ? AND seq = ?", lane, anchored)
    code, out, err = run("verify", "--since-anchor")
    assert code == 1 and "problem(s) found" in err
    assert f"#{anchored} of the Main Street chain were removed" in out


def test_a_branchs_lane_removed_whole_is_caught_by_the_daily_check(run, shop):
    phones, others = imeis(740, 2), imeis(750, 2)
    receive_phones(shop.inventory, phones)
    receive_phones(shop.inventory_b, others)
    sell_serials(shop.cashier_b, others[:1])
    assert run.json("verify")["ok"]
    drop_history_triggers()
    run_sql("DELETE FROM unit_event WHERE lane = ?", shop.cashier_b.branch_id)
    code, out, _err = run("verify", "--since-anchor")
    assert code == 1 and "#1 to #3 of the Harbour chain were removed" in out


def test_day_end_prints_the_days_figures_and_the_history_head(run, shop, tmp_path, monkeypatch):
    paper = tmp_path / "printer.bin"
    seat = tmp_path / "seat.toml"
    seat.write_text(f'seat = "Till 1"\n[printer]\nkind = "file"\npath = "{paper}"\n')
    monkeypatch.setenv("SERIALDESK_CONFIG", str(seat))
    phones = imeis(720, 2)
    receive_phones(shop.inventory, phones)
    sell_serials(shop.cashier, phones)
    day = shop.cashier.today().isoformat()  # the test shop's clock
    slip = run.json("day-end", "--date", day, employee="cal")
    assert slip["sales"] == 1 and slip["returns"] == 0  # one sale of two phones
    lane = shop.cashier.branch_id
    seq, mac = heads()[lane]
    assert slip["heads"] == {"0": [0, "0" * 64], str(lane): [seq, mac]}
    assert read_anchors()[-1]["lanes"] == {str(lane): [seq, mac]}
    printed = paper.read_bytes()
    assert f"Day end {day}".encode() in printed
    assert f"Main Street #{seq}".encode() in printed
    assert mac[:32].encode() in printed and mac[32:].encode() in printed
    assert printed.endswith(b"\x1dV\x00")


def test_day_end_shows_takings_only_to_someone_who_proves_who_they_are(run, shop):
    err = run.refused("day-end", "--no-print", code=2)
    assert "PIN" in err or "token" in err


def test_the_seat_files_key_file_is_where_the_seat_finds_the_key(run, shop, tmp_path, monkeypatch):
    import os

    phones = imeis(730, 2)
    receive_phones(shop.inventory, phones)
    moved = tmp_path / "elsewhere" / "shop.key"
    seat = tmp_path / "seat.toml"
    seat.write_text(f'seat = "Till 1"\nkey_file = "{moved}"\n')
    monkeypatch.setenv("SERIALDESK_CONFIG", str(seat))
    err = run.refused("sell", phones[0], employee="cal")
    assert f"expected at {moved}" in err  # nothing sold without the key
    code, out, _err = run("passport", phones[0], employee="cal")
    assert code == 0 and "in stock" in out.lower()  # reading still works
    moved.parent.mkdir()
    moved.write_bytes(open(os.environ["SERIALDESK_KEY_FILE"], "rb").read())  # this run's key
    run.ok("sell", phones[0], employee="cal")


def test_init_keys_a_never_keyed_history_only_when_a_manager_says_so(srun):
    from db.database import close_database, open_database
    from db.migrations import LATEST, current_version
    from tests.test_evidence_attacks import _launder_by_downgrade, _sold

    phones, _ann, _bob = _sold(srun.shop)
    with db.atomic():
        _launder_by_downgrade(db.obj, phones)
    close_database()
    code, _out, err = srun("init")
    assert code == 1 and "Traceback" not in err
    assert "never keyed" in err and "serialdesk init --key-old-history" in err
    code, _out, _err = srun("init", "--key-old-history", employee="cal")
    assert code != 0  # a cashier cannot
    assert current_version(open_database(srun.url, migrate=False)) == 4
    close_database()
    code, out, err = srun("init", "--key-old-history", employee="mia")
    assert code == 0, err
    assert f"schema version {LATEST}" in out
    assert current_version(open_database(srun.url, migrate=False)) == LATEST


def test_day_end_does_not_anchor_a_database_that_fails_its_check(run, shop):
    phones = imeis(740, 2)
    receive_phones(shop.inventory, phones)
    sell_serials(shop.cashier, phones[:1])
    run.ok("verify")
    anchored = len(read_anchors())
    run_sql("UPDATE document SET total = total + 100 WHERE kind = 'sale'")
    day = shop.cashier.today().isoformat()
    code, out, err = run("day-end", "--date", day, "--no-print", employee="cal")
    assert code == 1 and "NOT ANCHORED: " in out and "NOT anchored" in err
    code, _out, _err = run("verify")
    assert code == 1
    assert len(read_anchors()) == anchored  # neither wrote an anchor


def test_a_malformed_anchor_line_is_a_problem_not_a_crash(run, shop):
    from db.chain_key import anchor_path

    receive_phones(shop.inventory, imeis(750, 1))
    run.ok("verify")
    with anchor_path().open("a", encoding="utf-8") as f:
        f.write('{"seq":5}\n{"seq":1,"mac":"00","docs_from":"x","docs_to":1,"docs_mac":""}\n')
    code, out, err = run("verify", "--since-anchor")
    assert code == 1 and "problem(s) found" in err
    assert "Anchor line 2 of" in out and "Anchor line 3 of" in out
