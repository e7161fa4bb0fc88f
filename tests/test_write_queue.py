"""Seats take a SQLite file's write lock first come, first served (db/write_queue.py)."""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import time

import pytest

from db import database
from db.write_queue import QueueTimeout, WriteQueue


def _writer(path: str, index: int, t0: float, hold: float, log: str) -> None:
    """Ask for a turn at ``t0 + index * 50 ms``, note the order it came in, hold it."""
    queue = WriteQueue(path)
    time.sleep(max(0.0, t0 + index * 0.05 - time.time()))
    with queue.turn(time.monotonic() + 30):
        with open(log, "a") as out:
            out.write(f"{index}\n")
        time.sleep(hold)


def test_writers_get_their_turn_in_the_order_they_asked(tmp_path):
    path, log = str(tmp_path / "shop.db"), str(tmp_path / "order.txt")
    ctx = mp.get_context("fork")
    t0 = time.time() + 0.5
    # The first holds its turn 0.6 s; the others ask 50 ms apart while it does.
    procs = [
        ctx.Process(target=_writer, args=(path, i, t0, 0.6 if i == 0 else 0.01, log))
        for i in range(8)
    ]
    for p in reversed(procs):  # started in the wrong order: asking time is what counts
        p.start()
    for p in procs:
        p.join(timeout=30)
    assert [p.exitcode for p in procs] == [0] * 8
    assert open(log).read().split() == [str(i) for i in range(8)]


def _hold_forever(path: str, ready) -> None:
    with WriteQueue(path).turn(time.monotonic() + 30):
        ready.set()
        time.sleep(60)


def test_a_killed_seat_does_not_block_the_queue(tmp_path):
    path = str(tmp_path / "shop.db")
    ctx = mp.get_context("fork")
    ready = ctx.Event()
    holder = ctx.Process(target=_hold_forever, args=(path, ready))
    holder.start()
    assert ready.wait(10)
    os.kill(holder.pid, signal.SIGKILL)
    holder.join()
    started = time.monotonic()
    with WriteQueue(path).turn(time.monotonic() + 5):
        pass
    assert time.monotonic() - started < 1


def test_a_turn_that_never_comes_times_out_and_the_queue_goes_on(tmp_path):
    path = str(tmp_path / "shop.db")
    ctx = mp.get_context("fork")
    ready = ctx.Event()
    holder = ctx.Process(target=_hold_forever, args=(path, ready))
    holder.start()
    try:
        assert ready.wait(10)
        with pytest.raises(QueueTimeout):
            with WriteQueue(path).turn(time.monotonic() + 0.3):
                pass
    finally:
        holder.kill()
        holder.join()
    with WriteQueue(path).turn(time.monotonic() + 2):
        pass


def test_a_sale_waiting_past_the_deadline_is_refused_as_busy(sqlite_shop, monkeypatch):
    """The queue's timeout reaches staff as the same Busy refusal, with nothing saved."""
    from app.domain.errors import Busy
    from app.services.counter.selling import SaleItem, sell
    from app.services.stock.receiving import ReceiptLine, receive
    from db.models import Unit
    from tests.conftest import IMEIS

    receive(sqlite_shop.inventory, "PhoneCo", [ReceiptLine("PH-X1", IMEIS[:1], cost="300")])
    ctx = mp.get_context("fork")
    ready = ctx.Event()
    holder = ctx.Process(target=_hold_forever, args=(sqlite_shop.url, ready))
    holder.start()
    monkeypatch.setattr(database, "BUSY_DEADLINE_S", 0.3)
    try:
        assert ready.wait(10)
        with pytest.raises(Busy, match="Nothing was saved"):
            sell(sqlite_shop.cashier, [SaleItem(IMEIS[0])])
    finally:
        holder.kill()
        holder.join()
    assert Unit.get(Unit.serial == IMEIS[0]).state == "in_stock"
    sell(sqlite_shop.cashier, [SaleItem(IMEIS[0])])
    assert Unit.get(Unit.serial == IMEIS[0]).state == "sold"
