"""1,000 scans at 20 scans/s into an open goods receipt, end to end through the app.

    .venv/bin/python bench/receipt_scans.py [--scans 1000] [--rate 20] [--only serial|wedge]
    .venv/bin/python bench/receipt_scans.py --growth 10000

``--growth N``: N scans one after another as fast as the screen takes them (no scanner
timing), each timed (the app's CPU time) from the scan until its messages are handled
and the screen drawn (checked against the receipt and the ledger, row added): the cost
per scan at scans 1-100 against the last 100, which must not grow with the receipt.

The counter app runs headless at 80x24 on a fresh SQLite shop with the receipt
screen open on a strict-mode phone (IMEI check, duplicate check against the
ledger). Serial: a real pseudo-terminal played as a scanner, read by the seat's
pyserial scanner thread. Wedge: key events stamped with scanner timing (2 ms
apart) delivered to the app in order, as the terminal driver queues them.
Counted: serials in the receipt list, lost, merged or split, refused; latency
from the scan's last byte (or its Enter key) to the serial showing in the list:
median, p99, max.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path

import benchlib
from stdnum import luhn
from textual import events

from app.config import SeatConfig
from app.services.access.context import load_context
from app.services.shop import catalog
from app.tui import SerialDeskApp
from db.database import open_database
from devices.config import ScannerConfig


def imeis(count: int) -> list[str]:
    return [f"35693803{n:06d}" + luhn.calc_check_digit(f"35693803{n:06d}") for n in range(count)]


def shop(path: Path) -> None:
    open_database(str(path))
    catalog.add_branch("A", "Bench")
    catalog.add_employee("inv", "Bench Inventory", "inventory", "1234", "A")
    catalog.add_supplier("PhoneCo")
    catalog.add_product_type("Phones", "strict", warranty_months=24, check_kind="imei")
    catalog.add_product("PH", "Phone", "Phones", "499")


async def receipt_screen(app: SerialDeskApp, pilot):
    """The inventory clerk's receipt screen, PhoneCo's phones chosen, as a scan finds it."""
    app.ctx = load_context("inv")
    if len(app.screen_stack) > 1:  # the login screen over the default one
        app.pop_screen()
    await app.switch_mode("receipt")
    await pilot.pause(0.3)
    screen = app.screen
    screen.query_one("#supplier").value = "PhoneCo"
    screen.choose_product("PH")
    return screen


async def run(kind: str, codes: list[str], rate: float) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="sd-bench-"))
    shop(tmp / "shop.db")
    master = slave = None
    if kind == "serial":
        master, slave = os.openpty()
        scanner = ScannerConfig(source="serial", port=os.ttyname(slave), terminator="\r")
    else:
        scanner = ScannerConfig(source="wedge")
    app = SerialDeskApp(SeatConfig(seat="bench", branch="A", scanner=scanner))
    shown: dict[str, float] = {}
    sent: dict[str, float] = {}
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await receipt_screen(app, pilot)
        screen.query_one("#serial").focus()
        original = screen.add_row

        def timed_add_row(row):
            shown.setdefault(row.serial, time.monotonic())
            original(row)

        screen.add_row = timed_add_row
        await pilot.pause(0.5)
        interval = 1 / rate
        start = time.monotonic()
        for n, code in enumerate(codes):
            target = start + n * interval
            await asyncio.sleep(max(0.0, target - time.monotonic()))
            if kind == "serial":
                os.write(master, code.encode())
                sent[code] = time.monotonic()
                os.write(master, b"\r")
            else:
                # The terminal stamps each key as it arrives (2 ms apart from a scanner);
                # they wait in the app's queue in order, as they would behind a busy frame.
                keys = [events.Key(ch, ch) for ch in code] + [events.Key("enter", "\r")]
                t0 = keys[0].time
                for i, key in enumerate(keys):
                    key.time = t0 + i * 0.002
                await asyncio.sleep(max(0.0, keys[-1].time - time.monotonic()))
                sent[code] = time.monotonic()
                for key in keys:
                    await app.on_event(key)
        deadline = time.monotonic() + 10
        while len(shown) < len(codes) and time.monotonic() < deadline:
            await pilot.pause(0.05)
        rows = list(screen.rows)
    for fd in (master, slave):
        if fd is not None:
            os.close(fd)
    if os.environ.get("BENCH_DEBUG"):
        print([(r.serial, r.reason) for r in rows if not r.ok][:5])
    latencies = [(shown[c] - sent[c]) * 1000 for c in codes if c in shown]
    wanted = set(codes)
    return {
        "received": sum(1 for r in rows if r.serial in wanted and r.ok),
        "refused": sum(1 for r in rows if not r.ok),
        "lost": sum(1 for c in codes if c not in shown),
        "foreign": sum(1 for r in rows if r.serial not in wanted),  # merged or split pieces
        "median": statistics.median(latencies) if latencies else float("nan"),
        "p99": statistics.quantiles(latencies, n=100)[98]
        if len(latencies) > 100
        else max(latencies, default=float("nan")),
        "max": max(latencies, default=float("nan")),
    }


async def growth(count: int) -> list[float]:
    """Each scan's cost (CPU seconds), from the scan to the screen drawn, in order."""
    tmp = Path(tempfile.mkdtemp(prefix="sd-bench-"))
    shop(tmp / "shop.db")
    app = SerialDeskApp(SeatConfig(seat="bench", branch="A", scanner=ScannerConfig(source="wedge")))
    costs = []
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await receipt_screen(app, pilot)
        await pilot.pause(0.3)
        for code in imeis(count):
            start = time.process_time()  # CPU, not wall time: the same on a busy box
            screen.scan(code)
            await pilot.pause(0)  # the screen's messages handled, then it is drawn
            costs.append(time.process_time() - start)
        shown = len(screen.rows)
    if shown != count:
        raise SystemExit(f"{shown} of {count} scans in the receipt")
    return costs


def print_growth(count: int) -> None:
    costs = asyncio.run(growth(count))
    ms = [statistics.median(part) * 1000 for part in (costs[:100], costs[-100:])]
    print(
        f"{count:,} scans into one receipt (fresh SQLite shop); CPU per scan, median: "
        f"scans 1-100 {ms[0]:.2f} ms, scans {count - 99:,}-{count:,} {ms[1]:.2f} ms "
        f"({ms[1] / ms[0]:.2f}x); all {sum(costs):.1f} s of CPU; {benchlib.machine()}"
    )
    for first in range(0, count, max(100, count // 10)):
        part = costs[first : first + 100]
        print(
            f"  scans {first + 1:,}-{first + len(part):,}: {statistics.median(part) * 1000:.2f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scans", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=20.0)
    parser.add_argument("--only", choices=("serial", "wedge"))
    parser.add_argument("--growth", type=int, default=0, help="N scans, cost per scan")
    args = parser.parse_args()
    if args.growth:
        print_growth(args.growth)
        return
    codes = imeis(args.scans)
    for kind in ("serial", "wedge"):
        if args.only and kind != args.only:
            continue
        r = asyncio.run(run(kind, codes, args.rate))
        print(
            f"{kind:<6} {args.scans} scans at {args.rate:g}/s into a receipt: "
            f"in list {r['received']}, lost {r['lost']}, merged/split {r['foreign']}, "
            f"refused {r['refused']}; scan end -> row shown median {r['median']:.1f} ms, "
            f"p99 {r['p99']:.1f} ms, max {r['max']:.1f} ms"
        )


if __name__ == "__main__":
    main()
