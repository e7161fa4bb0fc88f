"""bench/counter_seat.py and bench/report_load.py's counter seats: valid IMEIs in every run,
enough of them, shares that do not overlap, and a seat out of stock said so."""

from __future__ import annotations

import queue
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"


@pytest.fixture
def bench_path(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCH))
    import counter_seat
    import seats

    return counter_seat, seats


def _report_load(url, *extra, seconds="4"):
    run = subprocess.run(
        [sys.executable, str(BENCH / "report_load.py"), "--ledger", url, "--fresh"]
        + ["--seats", "2", "--rate", "8", "--seconds", seconds, "--warm-up", "4"]
        + ["--only", "none", *extra],
        capture_output=True,
        text=True,
        timeout=300,
    )
    return run


def test_a_later_round_still_receives_valid_imeis(pg_schema_url):
    # --round 4 (or --repeat 4 and more): the run's turn is 12, the seats' indices 1200 and
    # 1201, their fresh numbers 1,200,000.. : 7 digits after the 8-digit TAC, a 16-digit
    # "IMEI", and every receipt is refused ("an IMEI is exactly 15 digits").
    run = _report_load(pg_schema_url, "--round", "4", seconds="6")
    out = run.stdout
    assert run.returncode == 0, out + run.stderr
    assert "receive refused" not in out, out
    assert "refused (not timed; each seat works on units of its own): 0" in out, out


def test_fresh_imeis_fit_in_fifteen_digits_for_every_run_and_seat(bench_path):
    counter_seat, _seats = bench_path
    # report_load.main: turn = len(RUNS) * (round * repeat + r) + n; index = i + 100 * turn
    for index in (0, 1, 99, 1201, 10**6 + 7):
        for base in (0, 999_999):
            imeis = counter_seat.fresh_imeis({"tac_base": base}, index)
            first = next(imeis)
            assert len(first) == 15 and first.startswith("97"), (index, base, first)
    seat_a = counter_seat.fresh_imeis({"tac_base": 5}, 1)
    seat_b = counter_seat.fresh_imeis({"tac_base": 5}, 2)
    assert not {next(seat_a) for _ in range(100)} & {next(seat_b) for _ in range(100)}


def test_a_seat_that_ran_out_of_its_stock_is_reported(pg_schema_url):
    # A fresh shop used before (or any seat whose share is sold or transferred away): the
    # seat at branch A finds none of its phones in stock, and its sells and transfers
    # become passport look-ups: the report says how many, not only "nothing refused".
    setup = f"""
import sys; sys.path.insert(0, {str(BENCH)!r}); sys.path.insert(0, {str(ROOT)!r})
import seats
seats.setup({pg_schema_url!r})
from db.database import open_database, close_database
from app.services.access.context import load_context
from app.services.counter.selling import SaleItem, sell
open_database({pg_schema_url!r})
sell(load_context("mia"), [SaleItem(serial=seats.imei(n)) for n in range(seats.STOCK // 2)])
close_database()
"""
    made = subprocess.run(
        [sys.executable, "-c", setup], capture_output=True, text=True, timeout=300
    )
    assert made.returncode == 0, made.stderr
    run = _report_load(pg_schema_url)
    out = run.stdout
    assert run.returncode == 0, out + run.stderr
    assert re.search(r"a passport instead \(the seat's stock was out.*: \d+", out), out


def test_more_than_a_hundred_seats_are_refused(pg_schema_url):
    # Each run numbers its seats from 100 x the run: seat 100 would share seat 0's phones.
    run = subprocess.run(
        [sys.executable, str(BENCH / "report_load.py"), "--ledger", pg_schema_url]
        + ["--fresh", "--seats", "101"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 2 and "--seats: 1 to 100" in run.stderr, run.stderr


def test_seats_of_a_run_share_no_phones(bench_path):
    counter_seat, _seats = bench_path
    plan = {"stock": [[f"A{n}" for n in range(2000)], [f"B{n}" for n in range(2000)]]}
    for n_seats in (1, 2, 3, 7, 100):
        slots = (n_seats + 1) // 2
        for run in (0, 5):
            shares = [
                set(counter_seat.share_of(plan, i + 100 * run, slots)) for i in range(n_seats)
            ]
            assert all(shares), n_seats
            for i in range(n_seats):
                for j in range(i + 1, n_seats):
                    assert not shares[i] & shares[j], (n_seats, i, j)


def test_a_long_run_does_not_run_out_of_fresh_imeis(bench_path, tmp_path, monkeypatch):
    # A seat drew its receipts' IMEIs from 1,000 numbers once: 200 receipts, a --seconds 600
    # slice at the default rate, then "receive: StopIteration" on every later one.
    counter_seat, seats = bench_path
    url = str(tmp_path / "shop.db")
    seats.setup(url)
    monkeypatch.setattr(counter_seat, "WEIGHTS", (1, 0, 0, 0, 0))  # receipts only, faster
    start, results = threading.Event(), queue.Queue()
    plan = {**seats.FRESH, "tac_base": 1}
    start.set()
    t = threading.Thread(
        target=counter_seat.seat, args=(url, 0, 1, 12.0, start, results, 1000.0, plan)
    )
    # the seat stops at its time limit; 12 s at 1000/s asks for far more than 200 receipts
    t.start()
    t.join(120)
    _index, done, tally, errors, _stats, _took = results.get(timeout=5)
    assert not errors, (len(errors), errors[:2], tally)
    assert tally.get("receive", 0) > 200, tally
