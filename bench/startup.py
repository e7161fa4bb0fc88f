"""How long a seat takes from process start to a screen ready for a scan, through the real
``serialdesk`` command (the installed console script) in a terminal of 80x24.

Each run starts a fresh process in a pseudo-terminal, as a person's terminal would:
- ``bench/bare_app.py``: a bare Textual app with one focused Input (the floor);
- ``.venv/bin/serialdesk`` on a built SQLite file: to its login screen, then the login and
  PIN are typed (as keys) and the home screen's scan field is waited for. The seat has a
  file printer, as a counter has a printer (``--no-printer``: none).

"Ready" is when the app has drawn a screen with its input focused: with
``SERIALDESK_STARTUP_MARK=<file>`` the app appends ``login|home <epoch>`` to the file then
(``app/startup_mark.py``; the bare app calls the same function). Figures:
- ``login ready``: process start (just before the fork) to the login screen ready;
- ``login to home``: the PIN's Enter sent to the home screen's scan field ready;
- ``home ready``: the two added (the bench's own typing pause left out).

Every case runs twice: with bytecode (the ``__pycache__`` files as installed; one untimed
run first writes any missing) and without (``PYTHONDONTWRITEBYTECODE=1`` and
``PYTHONPYCACHEPREFIX`` an empty folder per run: every module, the standard library's
too, is compiled from source and nothing is written). Cases are interleaved run by run.

    .venv/bin/python bench/startup.py --db /tmp/b10k/bench.db [--runs 7] [--pin 1234]
        [--baseline /old/.venv/bin/serialdesk /old/b10k/bench.db]

``--baseline``: another install (say the previous commit's, in a worktree and venv of its
own, with a file built by its own builder) timed in the same interleaved runs, so a change
is measured against the box's noise, not against figures from another hour.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import select
import shutil
import signal
import sqlite3
import statistics
import struct
import sys
import tempfile
import termios
import time
from pathlib import Path

import benchlib

ROOT = Path(__file__).resolve().parent.parent
PYTHON = Path(sys.executable)
SERIALDESK = PYTHON.with_name("serialdesk")


class Term:
    """One command in a pseudo-terminal of 80x24; its output is read and thrown away."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.started = time.time()
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: the terminal's size, then the command
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
            os.execve(argv[0], argv, env)

    def drain(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            ready, _, _ = select.select([self.fd], [], [], min(left, 0.005))
            if ready:
                try:
                    os.read(self.fd, 65536)
                except OSError:
                    return

    def send(self, text: str) -> None:
        os.write(self.fd, text.encode())

    def close(self) -> None:
        self.send("\x11")  # Ctrl+Q: nothing unsaved, the app quits
        end = time.monotonic() + 5
        while time.monotonic() < end:
            self.drain(0.05)
            done, _ = os.waitpid(self.pid, os.WNOHANG)
            if done:
                break
        else:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        os.close(self.fd)


def wait_mark(term: Term, mark: Path, name: str, timeout: float = 60) -> float:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        term.drain(0.002)
        if mark.exists():
            for line in mark.read_text().splitlines():
                key, _, when = line.partition(" ")
                if key == name:
                    return float(when)
    raise SystemExit(f"no '{name}' mark within {timeout} s")


def run_once(argv, env, bytecode: bool, login: str | None, pin: str) -> dict[str, float]:
    scratch = Path(tempfile.mkdtemp(prefix="startup-"))
    env = dict(env, SERIALDESK_STARTUP_MARK=str(scratch / "mark"))
    if not bytecode:
        env |= {"PYTHONDONTWRITEBYTECODE": "1", "PYTHONPYCACHEPREFIX": str(scratch / "pyc")}
    term = Term(argv, env)
    try:
        mark = scratch / "mark"
        figures = {"login ready": wait_mark(term, mark, "login") - term.started}
        if login is not None:
            term.send(login + "\r")
            term.drain(0.3)  # the PIN field takes the focus
            term.send(pin + "\r")
            entered = time.time()
            figures["login to home"] = wait_mark(term, mark, "home") - entered
            figures["home ready"] = figures["login ready"] + figures["login to home"]
        return figures
    finally:
        term.close()
        shutil.rmtree(scratch, ignore_errors=True)


def first_cashier(path: Path) -> tuple[str, int]:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as ro:
        login = ro.execute(
            "SELECT login FROM employee WHERE role = 'cashier' AND active ORDER BY id LIMIT 1"
        ).fetchone()[0]
        return login, ro.execute("SELECT COUNT(*) FROM unit").fetchone()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="a SQLite file built by bench/build_db.py")
    parser.add_argument("--pin", default="1234", help="the cashiers' PIN (the builder's: 1234)")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument(
        "--baseline",
        nargs=2,
        metavar=("SERIALDESK", "DB"),
        help="another install's serialdesk command (one that writes SERIALDESK_STARTUP_MARK) "
        "and a file of its own schema, timed in the same runs (e.g. the last release, to show "
        "a change)",
    )
    parser.add_argument(
        "--no-printer",
        action="store_true",
        help="seats without a printer (by default each has a file printer, as a counter has "
        "one: its print queue's worker starts with the seat)",
    )
    args = parser.parse_args()
    path = Path(args.db).resolve()
    login, units = first_cashier(path)
    home = Path(tempfile.mkdtemp(prefix="startup-home-"))
    if not args.no_printer:
        for name in ("seat.toml", "baseline-seat.toml"):
            printer = f'[printer]\nkind = "file"\npath = "{home / "printer.bin"}"\n'
            (home / name).write_text(printer, encoding="utf-8")
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "TERM": "xterm-256color",
        "SERIALDESK_DB": str(path),
        "SERIALDESK_CONFIG": str(home / "seat.toml"),
        "XDG_CONFIG_HOME": os.environ.get("XDG_CONFIG_HOME", str(path.parent / "config")),
    }
    cases = [
        ("bare Textual app", [str(PYTHON), str(ROOT / "bench" / "bare_app.py")], None, {}),
        (f"serialdesk ({units:,} units)", [str(SERIALDESK)], login, {}),
    ]
    if args.baseline:
        command, other = args.baseline
        other_db = Path(other).resolve()
        found = shutil.which(command) if os.sep not in command else command
        if found is None:
            raise SystemExit(f"--baseline: no command {command}")
        own = {
            "SERIALDESK_DB": str(other_db),
            "SERIALDESK_CONFIG": str(home / "baseline-seat.toml"),
            "XDG_CONFIG_HOME": str(other_db.parent / "config"),
        }
        cases.append(("baseline", [str(Path(found).absolute())], first_cashier(other_db)[0], own))
    print(f"start to scan-ready through the command, 80x24 pty; {path} ({units:,} units)")
    print("seats " + ("without a printer" if args.no_printer else "with a file printer"))
    print(f"machine: {benchlib.machine()}")
    results: dict[tuple[str, bool], list[dict[str, float]]] = {}
    try:
        for _, argv, who, own in cases:  # writes any missing bytecode; not timed
            run_once(argv, env | own, True, who, args.pin)
        for _ in range(args.runs):
            for bytecode in (True, False):
                for label, argv, who, own in cases:
                    figures = run_once(argv, env | own, bytecode, who, args.pin)
                    results.setdefault((label, bytecode), []).append(figures)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    for bytecode in (True, False):
        print("with bytecode" if bytecode else "without bytecode (compiled from source each run)")
        floor = statistics.median(r["login ready"] for r in results[(cases[0][0], bytecode)])
        for label, *_ in cases:
            runs = results[(label, bytecode)]
            for name in runs[0]:
                values = [r[name] * 1000 for r in runs]
                median = statistics.median(values)
                ratio = f"{median / floor / 1000:5.2f}x bare" if name != "login to home" else ""
                print(
                    f"  {label:24} {name:14} median {median:6.0f} ms  max {max(values):6.0f} ms"
                    f"  {ratio}"
                )
    print(f"({args.runs} runs each; load average now {os.getloadavg()[0]:.2f})")


if __name__ == "__main__":
    main()
