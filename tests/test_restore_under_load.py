"""A restore while seats sell loses no sale a seat was told is saved, and issues no
document number twice (issue 11, finding 3)."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.domain import pins
from app.services.counter.selling import SaleItem, sell
from app.services.safety import backup as backups
from app.services.stock.receiving import ReceiptLine, receive
from db.database import close_database, open_database
from db.models import Document
from db.number_floor import mark_path, read_floor
from tests.conftest import IMEIS, make_imei, make_shop
from tests.test_crash_safety import ROOT

SEATS = 4
PHONES = [make_imei(n) for n in range(20000, 21600)]


def _acknowledged(reports: list[Path]) -> list[tuple[int, str]]:
    """(document id, serial) of every sale a seat reported complete."""
    sales = []
    for report in reports:
        lines = report.read_text().splitlines() if report.exists() else []
        for line in lines[1:]:
            number, serial = line.split()
            sales.append((int(number.removeprefix("S-")), serial))
    return sales


def _sales_in(path: Path) -> set[tuple[int, str]]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return set(
            conn.execute(
                "SELECT d.id, l.serial FROM document d"
                " JOIN document_line l ON l.document_id = d.id WHERE d.kind = 'sale'"
            ).fetchall()
        )
    finally:
        conn.close()


def _wait_for(reports: list[Path], seats, count: int) -> None:
    deadline = time.monotonic() + 120
    while sum(r.read_text().count("\n") - 1 for r in reports if r.exists()) < count:
        for seat in seats:
            assert seat.poll() is None, seat.stderr.read().decode()
        assert time.monotonic() < deadline, "the seats stopped selling"
        time.sleep(0.02)


@pytest.mark.slow
def test_restore_while_four_seats_sell_keeps_every_acknowledged_sale(tmp_path, monkeypatch):
    monkeypatch.setattr(pins, "_N", 2**4)
    url = str(tmp_path / "shop.db")
    open_database(url)
    shop = make_shop(url)
    receive(shop.inventory, "PhoneCo", [ReceiptLine("PH-X1", PHONES, cost="300")])
    reports = [tmp_path / f"seat{n}.txt" for n in range(SEATS)]
    seats = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.seat_worker", "sell", url, "cal", str(report)]
            + PHONES[n::SEATS],
            cwd=ROOT,
            stderr=subprocess.PIPE,
        )
        for n, report in enumerate(reports)
    ]
    try:
        _wait_for(reports, seats, 20)
        taken = backups.backup(tmp_path / "taken.db")
        before = len(_acknowledged(reports))
        _wait_for(reports, seats, before + 60)
        backups.restore(shop.manager, taken.path)  # the seats go on selling throughout
        after = len(_acknowledged(reports))
        _wait_for(reports, seats, after + 40)
        assert all(seat.poll() is None for seat in seats), "the seats sold throughout"
    finally:
        for seat in seats:
            seat.send_signal(signal.SIGKILL)
            seat.wait(timeout=10)
    close_database()

    acknowledged = _acknowledged(reports)
    numbers = [number for number, _serial in acknowledged]
    assert len(numbers) == len(set(numbers)), "a document number was issued twice"
    (safety,) = (tmp_path / "backups").glob("before-restore-*.db")
    live, kept = _sales_in(tmp_path / "shop.db"), _sales_in(safety)
    lost = [sale for sale in acknowledged if sale not in live and sale not in kept]
    assert not lost, f"{len(lost)} acknowledged sales are in neither file: {lost[:5]}"
    # The restore did throw sales away (they are in the safety copy only), and the sales
    # made after it are numbered above every number issued before it.
    restored = _sales_in(Path(taken.path))
    assert kept - restored - live, "the restore replaced nothing"
    after_restore = [number for number, _serial in live - kept]
    assert after_restore and min(after_restore) > max(n for n, _s in kept)
    assert read_floor(url) == max(n for n, _s in kept)


def test_numbers_go_on_above_the_highest_issued_before_a_restore(sqlite_shop, tmp_path):
    receive(sqlite_shop.inventory, "PhoneCo", [ReceiptLine("PH-X1", IMEIS[:4], cost="300")])
    taken = backups.backup(tmp_path / "taken.db")
    issued = [sell(sqlite_shop.cashier, [SaleItem(serial)]).number for serial in IMEIS[:3]]
    highest = Document.select(Document.id).order_by(Document.id.desc()).scalar()
    assert issued[-1] == f"S-{highest}"

    backups.restore(sqlite_shop.manager, taken.path)
    assert mark_path(sqlite_shop.url).stat().st_mode & 0o777 == 0o600
    again = sell(sqlite_shop.cashier, [SaleItem(IMEIS[0])]).number
    assert again == f"S-{highest + 1}", "a number already on a receipt is not issued again"
    then = sell(sqlite_shop.cashier, [SaleItem(IMEIS[1])]).number
    assert then == f"S-{highest + 2}"

    # A second restore of the same backup keeps the higher mark.
    backups.restore(sqlite_shop.manager, taken.path)
    assert read_floor(sqlite_shop.url) == highest + 2
    assert sell(sqlite_shop.cashier, [SaleItem(IMEIS[3])]).number == f"S-{highest + 3}"


def test_a_failed_safety_copy_leaves_the_database_as_it_was(sqlite_shop, tmp_path, monkeypatch):
    receive(sqlite_shop.inventory, "PhoneCo", [ReceiptLine("PH-X1", IMEIS[:2], cost="300")])
    taken = backups.backup(tmp_path / "taken.db")
    sale = sell(sqlite_shop.cashier, [SaleItem(IMEIS[0])]).number

    def broken(*_args):
        raise OSError("disk full")

    monkeypatch.setattr(backups, "_copy", broken)
    with pytest.raises(OSError, match="disk full"):
        backups.restore(sqlite_shop.manager, taken.path)
    close_database()
    open_database(sqlite_shop.url)
    assert Document.get_by_id(int(sale.removeprefix("S-"))).kind == "sale"
