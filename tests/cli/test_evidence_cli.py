"""``serialdesk verify`` (full and since the last anchor) and ``serialdesk day-end``, as a
shop's daily jobs run them: anchors written, a removed tail caught, the slip on paper."""

from __future__ import annotations

from db.chain_key import read_anchors
from db.connection import db, is_sqlite
from db.history import head
from tests.support import imeis, receive_phones, sell_serials


def _sql(text: str, *params) -> None:
    db.execute_sql(text.replace("?", "%s") if not is_sqlite() else text, params)


def test_verify_anchors_then_walks_only_the_rows_after_the_anchor(run, shop):
    phones = imeis(700, 3)
    receive_phones(shop.inventory, phones)
    full = run.json("verify")
    assert full["ok"] and full["full"] and full["history_rows"] == head()[0]
    assert full["anchor"] == head()[0] == read_anchors()[-1]["seq"]
    sell_serials(shop.cashier, phones[:1])
    since = run.json("verify", "--since-anchor")
    assert since["ok"] and not since["full"]
    assert since["from_seq"] == full["anchor"]
    assert since["history_rows"] == head()[0] - full["anchor"] == 1
    assert since["rows_after_anchor"] == 1


def test_a_sale_removed_after_an_anchor_is_caught_by_the_daily_check(run, shop):
    phones = imeis(710, 2)
    receive_phones(shop.inventory, phones)
    sell_serials(shop.cashier, phones[:1])
    anchored = run.json("verify")["anchor"]
    if is_sqlite():
        _sql('DROP TRIGGER "unit_event_no_delete"')
    else:
        _sql('DROP TRIGGER "unit_event_append_only" ON "unit_event"')
    _sql("DELETE FROM unit_event WHERE seq = ?", anchored)
    code, out, err = run("verify", "--since-anchor")
    assert code == 1 and "problem(s) found" in err
    assert f"#{anchored}" in out


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
    assert (slip["head_seq"], slip["head_mac"]) == head()
    assert read_anchors()[-1]["seq"] == head()[0]
    printed = paper.read_bytes()
    assert f"Day end {day}".encode() in printed
    assert f"History head #{head()[0]}".encode() in printed
    assert head()[1][:32].encode() in printed and printed.endswith(b"\x1dV\x00")


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
