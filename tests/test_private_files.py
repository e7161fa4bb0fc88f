"""The shop's files hold PIN hashes and customers: 0600 in 0700 folders, whatever the
umask (issue 11, finding 5)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app import crash_log
from app.domain import pins
from app.services.counter.selling import SaleItem, sell
from app.services.safety import backup as backups
from app.services.stock.receiving import ReceiptLine, receive
from db.database import close_database, open_database
from db.number_floor import mark_path
from tests.conftest import IMEIS, make_shop


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


@pytest.fixture(params=[0o022, 0o000], ids=["umask022", "umask000"])
def umask(request):
    old = os.umask(request.param)
    yield request.param
    os.umask(old)


def test_database_wal_shm_queue_backups_and_mark_are_private(umask, tmp_path, monkeypatch):
    monkeypatch.setattr(pins, "_N", 2**4)
    data = tmp_path / "data" / "serialdesk"
    live = data / "shop.db"
    open_database(str(live))
    try:
        shop = make_shop(str(live))
        receive(shop.inventory, "PhoneCo", [ReceiptLine("PH-X1", IMEIS[:2], cost="300")])
        sell(shop.cashier, [SaleItem(IMEIS[0])])
        for path in (live, Path(f"{live}-wal"), Path(f"{live}-shm")):
            assert mode(path) == 0o600, path
        assert mode(data) == mode(data.parent) == 0o700
        queue = Path(f"{live}-writers")
        assert mode(queue) == 0o700
        assert {mode(p) for p in queue.iterdir()} == {0o600}

        daily = Path(backups.rotate(2).path)
        assert mode(daily.parent) == 0o700 and mode(daily) == 0o600
        chosen = Path(backups.backup(tmp_path / "new" / "copy.db").path)
        assert mode(chosen.parent) == 0o700 and mode(chosen) == 0o600
        backups.restore(shop.manager, chosen)
        (safety,) = (data / "backups").glob("before-restore-*.db")
        assert mode(safety) == 0o600
        assert mode(mark_path(live)) == 0o600
    finally:
        close_database()


def test_an_existing_database_keeps_the_mode_its_owner_gave_it(umask, tmp_path):
    shared = tmp_path / "shared.db"
    shared.touch()
    os.chmod(shared, 0o660)  # a shop sharing its database with a group on purpose
    open_database(str(shared))
    close_database()
    assert mode(shared) == 0o660


def test_the_log_of_unexpected_errors_is_private(umask, tmp_path, monkeypatch):
    log = tmp_path / "state" / "serialdesk" / "log" / "serialdesk.log"
    monkeypatch.setattr(crash_log, "log_path", lambda: log)
    try:
        raise ValueError("a customer's name in a traceback")
    except ValueError as exc:
        assert crash_log.record(exc, "test") == log
    assert mode(log) == 0o600
    for folder in (log.parent, log.parent.parent, log.parent.parent.parent):
        assert mode(folder) == 0o700
    assert "customer's name" in log.read_text()


def test_a_new_seat_file_its_folder_and_the_history_key_are_private(umask, tmp_path):
    from app.config import SeatSettings
    from app.seat_file import save_seat_settings
    from db import chain_key

    seat = tmp_path / "config" / "serialdesk" / "seat.toml"
    settings = SeatSettings("Till 1", "", 10, "wedge", "", "", "", "none", "")
    save_seat_settings(seat, settings)
    assert (mode(seat), mode(seat.parent), mode(seat.parent.parent)) == (0o600, 0o700, 0o700)
    key = chain_key.key_path("c0ffee", tmp_path / "keys" / "k.key")
    chain_key.use_key_file(key)
    chain_key.create_key("c0ffee")
    chain_key.write_anchor({"seq": 1}, "c0ffee")
    assert (mode(key), mode(key.parent)) == (0o600, 0o700)
    assert mode(chain_key.anchor_path("c0ffee")) == 0o600
