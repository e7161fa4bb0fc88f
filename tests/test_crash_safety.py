"""A seat killed (SIGKILL) in the middle of a sale or a 1,000-serial receipt loses nothing
it reported done, leaves no half document, and leaves the SQLite file whole."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.domain import pins
from app.services.ledger.documents import get_document
from app.services.safety import integrity
from app.services.stock.receiving import ReceiptLine, receive
from db.connection import db
from db.database import close_database, open_database
from db.models import Document, DocumentLine, Unit, UnitEvent
from tests.conftest import make_imei, make_shop
from tests.seat_worker import RECEIPT_SIZE

ROOT = Path(__file__).resolve().parent.parent
PHONES = [make_imei(n) for n in range(5000, 7000)]


def _start(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.seat_worker", *args],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _lines(report: Path) -> list[str]:
    return report.read_text().splitlines() if report.exists() else []


def _kill_while_working(
    args: list[str], report: Path, rng: random.Random, *, done_first: int = 0
) -> None:
    """Start a seat, let it work a random moment, and kill it without warning.

    With ``done_first``, the kill waits for that many finished operations first, so that
    a slow machine still finishes some before the kill lands in the middle of the next.
    """
    before = len(_lines(report))
    seat = _start(*args)
    deadline = time.monotonic() + 60
    while len(_lines(report)) <= before + done_first and time.monotonic() < deadline:
        assert seat.poll() is None, seat.stderr.read().decode()
        time.sleep(0.01)
    time.sleep(rng.uniform(0.02, 0.3))
    still_working = seat.poll() is None
    seat.send_signal(signal.SIGKILL)
    seat.wait(timeout=10)
    assert still_working, seat.stderr.read().decode()


@pytest.mark.slow
def test_killed_seats_lose_nothing_reported_and_leave_no_half_document(tmp_path, monkeypatch):
    monkeypatch.setattr(pins, "_N", 2**4)
    url = str(tmp_path / "shop.db")
    open_database(url)
    shop = make_shop(url)
    receive(shop.inventory, "PhoneCo", [ReceiptLine("PH-X1", PHONES, cost="300")])
    close_database()
    rng = random.Random(6)
    sales, receipts = tmp_path / "sales.txt", tmp_path / "receipts.txt"

    for _round in range(6):
        sold = {line.split()[1] for line in _lines(sales) if line != "ready"}
        left = [s for s in PHONES if s not in sold]
        _kill_while_working(["sell", url, "cal", str(sales), *left], sales, rng)
    for n in range(4):
        _kill_while_working(
            ["receive", url, "ivy", str(receipts), f"K{n}"], receipts, rng, done_first=n % 2
        )

    open_database(url)
    assert db.execute_sql("PRAGMA integrity_check").fetchall() == [("ok",)]
    report = integrity.check()
    assert report.ok, report.messages()

    reported_sales = [line.split() for line in _lines(sales) if line != "ready"]
    assert len(reported_sales) >= 6, "the seats should have sold something before each kill"
    for number, serial in reported_sales:
        doc = get_document(number, "sale")
        line = DocumentLine.get(DocumentLine.document == doc)
        assert line.serial == serial
        assert Unit.get_by_id(line.unit_id).state == "sold"
        assert UnitEvent.get(UnitEvent.document == doc).event == "sell"
    # Every sale in the database is whole: one line, one history row, the unit sold.
    for doc in Document.select().where(Document.kind == "sale"):
        assert DocumentLine.select().where(DocumentLine.document == doc).count() == 1
        assert UnitEvent.select().where(UnitEvent.document == doc).count() == 1
    sold_units = Unit.select().where(Unit.state == "sold").count()
    assert sold_units == Document.select().where(Document.kind == "sale").count()

    reported_receipts = [line.split() for line in _lines(receipts) if line != "ready"]
    assert reported_receipts, "the receipt loop should have finished some receipts"
    for number, units in reported_receipts:
        assert int(units) == RECEIPT_SIZE
        get_document(number, "receipt")
    for doc in Document.select().where(Document.kind == "receipt", Document.id > 1):
        assert DocumentLine.select().where(DocumentLine.document == doc).count() == RECEIPT_SIZE
        assert UnitEvent.select().where(UnitEvent.document == doc).count() == RECEIPT_SIZE
    assert not list(tmp_path.glob("*.db-journal"))
    close_database()
    assert os.path.getsize(url) > 0
