"""A seat's memory as a person uses it: the real ``serialdesk`` in tmux at 80x24 on a built
ledger, driven by keys. Log in, look up ``--passports`` units (F6, the serial, Enter), then
run every report on the Reports screen (F11, r, each report, F9) but the one that
looks up a single unit. The seat process's
resident memory (VmRSS) and its peak (VmHWM) are read from /proc after each stage, with
the time a passport took to appear on screen (polled every 20 ms: a coarse figure);
Esc goes back to the home screen after each.

    .venv/bin/python bench/seat_memory.py --db bench/bench.db [--passports 500]
    XDG_CONFIG_HOME=/work/benchpg/config .venv/bin/python bench/seat_memory.py \
        --db postgresql://postgres@127.0.0.1:5432/serialdesk_bench

The history key is the build's (``XDG_CONFIG_HOME`` beside the file, as the builder
used); staff PINs are the builder's (1234). Nothing is written but login records.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import benchlib

ROOT = Path(__file__).resolve().parent.parent
TMUX = shutil.which("tmux")


class Seat:
    """``serialdesk`` in a tmux pane of 80x24."""

    def __init__(self, env: dict[str, str]) -> None:
        self.session = f"mem-{uuid.uuid4().hex[:8]}"
        program = Path(sys.executable).with_name("serialdesk")
        exports = " ".join(f"{k}={v}" for k, v in env.items())
        subprocess.run(
            [TMUX, "new-session", "-d", "-s", self.session, "-x", "80", "-y", "24",
             f"env {exports} {program}; sleep 60"],
            check=True,
        )  # fmt: skip

    def screen(self) -> str:
        return subprocess.run(
            [TMUX, "capture-pane", "-p", "-t", self.session],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip

    def wait_for(self, text: str, timeout: float = 120, poll: float = 0.02) -> float:
        started = time.perf_counter()
        while time.perf_counter() - started < timeout:
            if text in self.screen():
                return time.perf_counter() - started
            time.sleep(poll)
        raise SystemExit(f"'{text}' never appeared; the screen shows:\n{self.screen()}")

    def wait_for_change(self, before: str, timeout: float = 600) -> str:
        """The report's status line ("Title: N row(s)") once it is not ``before``."""
        started = time.perf_counter()
        while time.perf_counter() - started < timeout:
            screen = self.screen()
            lines = [ln.strip() for ln in screen.splitlines() if "row(s)" in ln]
            if lines and lines[0] != before:
                return lines[0]
            time.sleep(0.02)
        raise SystemExit(f"no report finished; the screen shows:\n{self.screen()}")

    def type(self, text: str) -> None:
        subprocess.run([TMUX, "send-keys", "-t", self.session, "-l", text], check=True)

    def keys(self, *keys: str, pause: float = 0.15) -> None:
        for key in keys:
            subprocess.run([TMUX, "send-keys", "-t", self.session, key], check=True)
            time.sleep(pause)

    def pid(self) -> int:
        """The serialdesk process: the pane's shell's child."""
        shell = subprocess.run(
            [TMUX, "display-message", "-p", "-t", self.session, "#{pane_pid}"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
        children = subprocess.run(["pgrep", "-P", shell], capture_output=True, text=True)
        return int(children.stdout.split()[0])

    def close(self) -> None:
        subprocess.run([TMUX, "kill-session", "-t", self.session], capture_output=True)


def look_up(seat: Seat, serial: str, timeout: float = 10) -> float | None:
    """F6, the serial, Enter: seconds until the passport shows (None if it did not: the
    dialog's field lost the first keys typed as it opened; Esc is pressed, to try again)."""
    seat.keys("F6", pause=0)
    seat.wait_for("Passport: scan")
    seat.type(serial)
    seat.keys("Enter", pause=0)
    try:
        return seat.wait_for("State:", timeout=timeout)
    except SystemExit:
        return None
    finally:
        seat.keys("Escape", pause=0)
        seat.wait_for("F2  Goods receipt")


def memory(pid: int) -> str:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        fields[name] = int(value.split()[0]) // 1024 if value.strip().endswith("kB") else 0
    return f"RSS {fields['VmRSS']:4d} MiB, peak {fields['VmHWM']:4d} MiB"


def picks(db: str, count: int, seed: int) -> tuple[int, list[str], str]:
    """The ledger's unit count, ``count`` random units' serials and a manager's login, read
    from a SQLite file (read-only) or a PostgreSQL URL."""
    if db.startswith("postgresql://"):
        import psycopg2

        connection = psycopg2.connect(db)
        run = connection.cursor()
        mark = "%s"
    else:
        connection = sqlite3.connect(f"file:{Path(db).resolve()}?mode=ro", uri=True)
        run = connection.cursor()
        mark = "?"

    def one(sql: str, *params):
        run.execute(sql.replace("?", mark), params)
        return run.fetchone()[0]

    try:
        units, top = one("SELECT COUNT(*) FROM unit"), one("SELECT MAX(id) FROM unit")
        ids = random.Random(seed).sample(range(1, top + 1), count)
        serials = [one("SELECT serial FROM unit WHERE id >= ? ORDER BY id LIMIT 1", i) for i in ids]
        login = one("SELECT login FROM employee WHERE role = 'manager' ORDER BY id LIMIT 1")
    finally:
        connection.close()
    return units, serials, login


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--db", default="bench/bench.db", help="a built SQLite file, or a PostgreSQL URL"
    )
    parser.add_argument("--passports", type=int, default=500)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    if TMUX is None:
        raise SystemExit("tmux is needed (apt-get install tmux)")
    units, serials, login = picks(args.db, args.passports, args.seed)
    pg = args.db.startswith("postgresql://")
    path = args.db if pg else Path(args.db).resolve()
    if pg and "XDG_CONFIG_HOME" not in os.environ:
        raise SystemExit("on PostgreSQL, XDG_CONFIG_HOME must name the build's config")
    home = Path(tempfile.mkdtemp(prefix="seat-memory-"))
    env = {
        "SERIALDESK_DB": str(path),
        "SERIALDESK_CONFIG": str(home / "seat.toml"),
        "HOME": str(home),
        "XDG_CONFIG_HOME": os.environ.get("XDG_CONFIG_HOME") or str(Path(path).parent / "config"),
        "TERM": "xterm-256color",
    }
    print(f"seat memory on {units:,} units ({path}), {args.passports} passports, every report")
    print(f"machine: {benchlib.machine()}")
    seat = Seat(env)
    try:
        seat.wait_for("log in")
        pid = seat.pid()
        print(f"  login screen:        {memory(pid)}")
        seat.type(login)
        seat.keys("Enter")
        seat.type("1234")
        seat.keys("Enter")
        seat.wait_for("F2  Goods receipt")
        print(f"  logged in:           {memory(pid)}")
        took = []
        retried = 0
        for n, serial in enumerate(serials, 1):
            took.append(look_up(seat, serial))
            if took[-1] is None:
                retried += 1
                took[-1] = look_up(seat, serial, timeout=30)
            if n in (100, len(serials) // 2, len(serials)):
                print(f"  {n:4d} passports:      {memory(pid)}")
        took.sort()
        if retried:
            print(f"  {retried} look-up(s) typed again: the keys were typed as the dialog opened")
        print(
            "  passport on screen (key to text, 20 ms polls): "
            f"p50 {took[len(took) // 2] * 1000:.0f} ms, p99 "
            f"{took[int(len(took) * 0.99)] * 1000:.0f} ms, max {took[-1] * 1000:.0f} ms"
        )
        seat.keys("F11")
        seat.wait_for("Back office")
        seat.keys("r", "Enter")
        seat.wait_for("F9 runs")
        # The list opens at Sales, the 4th; the 1st (where is a unit) needs a serial: from
        # the 2nd on, each report in turn.
        seat.keys("Enter", "Up", "Up", "Enter")
        shown = ""
        for i in range(11):
            if i:
                seat.keys("Enter", "Down", "Enter", pause=0.3)  # the next report
            started = time.perf_counter()
            seat.keys("F9", pause=0)
            shown = seat.wait_for_change(shown)
            took_s = time.perf_counter() - started
            print(f"  {shown[:46]:46} {took_s:5.1f} s: {memory(pid)}")
        print(f"  after every report:  {memory(pid)}")
    finally:
        seat.close()
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
