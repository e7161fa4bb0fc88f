"""Backups taken while another seat sells are consistent, and restore brings one back."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.domain import pins
from app.domain.errors import PermissionDenied, Refused
from app.services.safety import backup as backups
from app.services.safety import integrity
from app.services.stock.receiving import ReceiptLine, receive
from db import migrations
from db.database import close_database, open_database
from db.models import Document, DocumentLine, Unit, UnitEvent
from tests.conftest import make_imei, make_shop
from tests.test_crash_safety import ROOT

PHONES = [make_imei(n) for n in range(10000, 13000)]


def _whole() -> int:
    """Check the open database; return its number of sales."""
    report = integrity.check()
    assert report.ok, report.messages()
    sales = Document.select().where(Document.kind == "sale").count()
    assert Unit.select().where(Unit.state == "sold").count() == sales
    assert UnitEvent.select().where(UnitEvent.event == "sell").count() == sales
    return sales


@pytest.mark.slow
def test_backup_under_load_restores_to_a_consistent_shop(tmp_path, monkeypatch):
    monkeypatch.setattr(pins, "_N", 2**4)
    url = str(tmp_path / "shop.db")
    open_database(url)
    shop = make_shop(url)
    receive(shop.inventory, "PhoneCo", [ReceiptLine("PH-X1", PHONES, cost="300")])
    report = tmp_path / "sales.txt"
    seller = subprocess.Popen(
        [sys.executable, "-m", "tests.seat_worker", "sell", url, "cal", str(report), *PHONES],
        cwd=ROOT,
        stderr=subprocess.PIPE,
    )
    try:
        while not report.exists() or report.read_text().count("\n") < 5:
            assert seller.poll() is None, seller.stderr.read().decode()
            time.sleep(0.02)
        taken = []
        for n in range(3):
            taken.append(backups.backup(tmp_path / f"b{n}.db"))
            time.sleep(0.2)
        assert seller.poll() is None, "the seller kept selling during the backups"
    finally:
        seller.send_signal(signal.SIGKILL)
        seller.wait(timeout=10)
    live_sales = _whole()
    close_database()

    # This seat's anchors saw the live database's later rows: opened here, a backup is
    # reported as the history cut back (evidence.check). Each is checked as a seat that
    # holds the key but never anchored the live database would.
    live_key = Path(os.environ["SERIALDESK_KEY_FILE"])
    elsewhere = tmp_path / "other-seat" / "h.key"
    elsewhere.parent.mkdir(mode=0o700)
    elsewhere.write_bytes(live_key.read_bytes())
    monkeypatch.setenv("SERIALDESK_KEY_FILE", str(elsewhere))
    counts = []
    for result in taken:
        assert backups.inspect(result.path).schema_version == migrations.LATEST
        open_database(result.path)
        counts.append(_whole())
        close_database()
    assert counts == sorted(counts) and counts[-1] < live_sales, (counts, live_sales)
    assert counts[0] >= 4

    monkeypatch.setenv("SERIALDESK_KEY_FILE", str(live_key))
    open_database(url)
    info = backups.restore(shop.manager, taken[1].path)
    assert info.history_rows == taken[1].history_rows
    assert _whole() == counts[1]
    assert db_journal_mode(url) == "wal"
    kept = list((tmp_path / "backups").glob("before-restore-*.db"))
    assert len(kept) == 1, "restore keeps the database it replaced"
    # The shop works on after a restore: a seat sells a unit the restore put back.
    sold_after = {line.split()[1] for line in report.read_text().splitlines()[1:]}
    back = next(s for s in PHONES if s in sold_after and Unit.get(Unit.serial == s).state != "sold")
    from app.services.counter.selling import SaleItem, sell

    sell(shop.cashier, [SaleItem(serial=back)])
    assert DocumentLine.select().where(DocumentLine.serial == back).count() == 2
    close_database()


def db_journal_mode(path) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA journal_mode").fetchone()[0]
    finally:
        conn.close()


def test_restore_refuses_damaged_foreign_or_newer_files_and_non_managers(sqlite_shop, tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"SQLite format 3\0" + b"\x07" * 5000)
    with pytest.raises(Refused):
        backups.restore(sqlite_shop.manager, junk)
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(Refused, match="not a SerialDesk database"):
        backups.restore(sqlite_shop.manager, other)
    newer = backups.backup(tmp_path / "newer.db").path
    conn = sqlite3.connect(newer)
    conn.execute("INSERT INTO schema_version (version, applied_at) VALUES (99, '2030-01-01')")
    conn.commit()
    conn.close()
    with pytest.raises(Refused, match="schema version 99"):
        backups.restore(sqlite_shop.manager, newer)
    good = backups.backup(tmp_path / "good.db").path
    with pytest.raises(PermissionDenied):
        backups.restore(sqlite_shop.cashier, good)
    with pytest.raises(Refused, match="already exists"):
        backups.backup(good)
    with pytest.raises(Refused, match="There is no backup file"):
        backups.restore(sqlite_shop.manager, tmp_path / "missing.db")


def test_rotation_keeps_the_newest_days(sqlite_shop, tmp_path):
    folder = tmp_path / "rot"
    folder.mkdir()
    stem = "shop"
    for day in ("2026-01-01", "2026-01-02", "2026-01-03"):
        (folder / f"{stem}-{day}.db").write_bytes(b"old")
    result = backups.rotate(2, folder)
    left = sorted(p.name for p in folder.glob("*.db"))
    assert len(left) == 2 and result.path.endswith(left[-1])
    assert len(result.removed) == 2


def test_postgres_backup_says_to_use_pg_dump(pg_schema_url):
    open_database(pg_schema_url)
    with pytest.raises(Refused, match="pg_dump"):
        backups.backup("/tmp/never.db")


def test_cli_backup_and_restore(tmp_path, capsys, monkeypatch):
    from app.cli.entry import main

    url = str(tmp_path / "shop.db")
    assert main(["--db", url, "init", "--demo"]) == 0
    assert main(["--db", url, "backup", str(tmp_path / "copy.db")]) == 2  # a manager's
    monkeypatch.setenv("SERIALDESK_PIN", "1111")
    assert main(["--db", url, "--employee", "mara", "backup", str(tmp_path / "copy.db")]) == 0
    assert "Backup written" in capsys.readouterr().out
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False)
    restore = ["--db", url, "--employee", "mara", "restore", str(tmp_path / "copy.db")]
    monkeypatch.setenv("SERIALDESK_PIN", "1111")  # mara's demo PIN
    assert main(restore) == 2
    assert "--yes" in capsys.readouterr().err
    assert main([*restore, "--yes"]) == 0
    assert "Restored" in capsys.readouterr().out
    monkeypatch.setenv("SERIALDESK_PIN", "2222")  # cody's: a cashier may not restore
    assert (
        main(["--db", url, "--employee", "cody", "restore", "--yes", str(tmp_path / "copy.db")])
        == 1
    )
    assert main(["--db", url, "verify"]) == 0
