"""How long a seat takes from process start to a screen ready for a scan.

Runs each case as a fresh process (imports included), headless at 80x24:
- a bare Textual app with one Input (the floor);
- SerialDesk to its login screen, and on to the home screen's scan field after a login,
  on a given database (the demo database, or the 1,000,000-unit bench database).

    .venv/bin/python bench/startup.py --db /path/to/demo.db=2222 --db bench/bench.db

(``=PIN``: the first cashier's PIN on that database; the demo's is 2222, default 1234.)

Prints the median and max of several runs per case, with the database's unit count.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = r"""
import asyncio, os, sys, time, json
t0 = float(os.environ["T0"])
sys.path.insert(0, os.environ["ROOT"])
mode = sys.argv[1]
marks = {}
if mode == "bare":
    from textual.app import App
    from textual.widgets import Input
    class Bare(App):
        def compose(self):
            yield Input(placeholder="scan")
        def on_ready(self):
            marks["ready"] = time.time() - t0
            self.exit()
    Bare().run(headless=True, size=(80, 24))
else:
    from db.database import open_database
    from app.tui import SerialDeskApp
    from app.config import SeatConfig
    open_database(sys.argv[2])
    from db.models import Employee
    login = Employee.select().where(Employee.role == "cashier").order_by(Employee.id).first().login
    class Probe(SerialDeskApp):
        async def on_ready(self):
            marks["login_screen"] = time.time() - t0
            async def go():
                from screens.home import HomeScreen
                start = time.time()
                screen = self.screen
                screen.query_one("#login").value = login
                pin = screen.query_one("#pin")
                pin.value = os.environ.get("PIN", "1234")
                await pin.action_submit()
                while not (isinstance(self.screen, HomeScreen) and self.focused is not None):
                    await asyncio.sleep(0.001)
                marks["login_to_home"] = time.time() - start
                marks["home_ready"] = time.time() - t0
                self.exit()
            self.run_worker(go())
    Probe(SeatConfig(seat="bench", branch=None)).run(headless=True, size=(80, 24))
print(json.dumps(marks))
"""


def run(mode: str, db: str | None, pin: str = "1234") -> dict:
    env = dict(os.environ, T0=repr(time.time()), ROOT=str(ROOT), PIN=pin)
    args = [sys.executable, "-c", PROBE, mode] + ([db] if db else [])
    out = subprocess.run(args, env=env, capture_output=True, text=True, timeout=60)
    if out.returncode != 0:
        raise SystemExit(f"probe failed: {out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def units_in(db: str) -> int:
    sys.path.insert(0, str(ROOT))
    from db.database import close_database, open_database
    from db.models import Unit

    open_database(db)
    count = Unit.select().count()
    close_database()
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--db", action="append", default=[], help="database to start on (PATH or PATH=PIN)"
    )
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    cases = [("bare Textual app (one Input)", "bare", None, "")]
    for spec in args.db:
        db, _, pin = spec.partition("=")
        cases.append((f"SerialDesk on {db} ({units_in(db):,} units)", "serialdesk", db, pin))
    for label, mode, db, pin in cases:
        results = [run(mode, db, pin or "1234") for _ in range(args.runs)]
        print(label)
        for mark in results[0]:
            values = [r[mark] * 1000 for r in results]
            print(
                f"  {mark:<14} median {statistics.median(values):7.0f} ms   "
                f"max {max(values):7.0f} ms   ({args.runs} runs)"
            )


if __name__ == "__main__":
    main()
