"""The real ``serialdesk`` in tmux at 80x24 on a fresh database, driven as a person would:
log in, receive two serials, sell one, open its passport, reading the screen each step;
then lock the seat, log out from the lock screen and log in as someone else."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from stdnum import luhn

from tests.support import wait_for_text

pytestmark = pytest.mark.slow

TMUX = shutil.which("tmux")


def imei(n: int) -> str:
    body = f"35209011{n:06d}"
    return body + luhn.calc_check_digit(body)


class Terminal:
    def __init__(self, command: list[str], env: dict[str, str]) -> None:
        self.session = f"sd-{uuid.uuid4().hex[:8]}"
        exports = " ".join(f"{k}={v}" for k, v in env.items())
        shell = f"env {exports} {' '.join(command)}; sleep 30"
        subprocess.run(
            [TMUX, "new-session", "-d", "-s", self.session, "-x", "80", "-y", "24", shell],
            check=True,
        )

    def screen(self) -> str:
        return subprocess.run(
            [TMUX, "capture-pane", "-p", "-t", self.session],
            capture_output=True,
            text=True,
            check=True,
        ).stdout

    def wait_for(self, text: str, timeout: float = 60) -> str:
        return wait_for_text(self.screen, text, timeout, "the screen")

    def type(self, text: str) -> None:
        subprocess.run([TMUX, "send-keys", "-t", self.session, "-l", text], check=True)
        time.sleep(0.3)

    def keys(self, *keys: str) -> None:
        for key in keys:
            subprocess.run([TMUX, "send-keys", "-t", self.session, key], check=True)
            time.sleep(0.3)

    def close(self) -> None:
        subprocess.run([TMUX, "kill-session", "-t", self.session], capture_output=True)


@pytest.mark.skipif(TMUX is None, reason="tmux is not installed (.ci/run installs it)")
def test_person_receives_sells_and_reads_the_passport(tmp_path):
    serialdesk = Path(sys.executable).with_name("serialdesk")
    command = [str(serialdesk)] if serialdesk.exists() else [sys.executable, "-m", "app.cli"]
    env = {
        "SERIALDESK_DB": str(tmp_path / "shop.db"),
        "SERIALDESK_CONFIG": str(tmp_path / "seat.toml"),
        "HOME": str(tmp_path),
        "TERM": "xterm-256color",
        "TZ": "UTC",
    }
    term = Terminal(command, env)
    new = [imei(900001), imei(900002)]
    try:
        term.wait_for("log in")
        term.type("mara")
        term.keys("Enter")
        term.type("1111")
        term.keys("Enter")
        term.wait_for("F2  Goods receipt")

        term.keys("F2")
        term.wait_for("Supplier")
        term.type("Nordic Mobile Supply")
        term.keys("Enter")
        term.type("PO-E2E")
        term.keys("Enter")
        term.type("PH-AUR15")
        term.keys("Enter")
        term.wait_for("Aurora 15")
        term.type("512")
        term.keys("Enter")
        term.type("2")
        term.keys("Enter")
        term.type(new[0])
        term.keys("Enter")
        term.type(new[0])  # a wrong scan: the same unit twice
        term.keys("Enter")
        term.wait_for("already on this receipt")
        term.type(new[1])
        term.keys("Enter")
        term.wait_for("Serials ok: 2 of 2 expected")
        term.keys("F10")
        term.wait_for("Save this receipt?")
        term.keys("y")
        screen = term.wait_for("Saved GR-")
        assert "2 unit(s)" in screen

        term.keys("F3")
        term.wait_for("Customer")
        term.type(new[0])
        term.keys("Enter")
        term.wait_for("Added Aurora 15")
        term.keys("F10")
        term.wait_for("Total to pay")
        term.keys("Enter")
        term.wait_for("complete")

        term.keys("F6")
        term.wait_for("Passport: scan")
        term.type(new[0])
        term.keys("Enter")
        screen = term.wait_for("Warranty active")
        assert new[0] in screen
        assert "State: sold" in screen
        assert "receive" in screen and "sell" in screen
        assert "Traceback" not in screen

        # Changing cashier without quitting: lock, Esc logs out, someone else logs in.
        term.keys("F12")
        term.wait_for("Seat locked")
        term.keys("Escape")
        term.wait_for("log in")
        term.type("cody")
        term.keys("Enter")
        term.type("2222")
        term.keys("Enter")
        screen = term.wait_for("F2  Goods receipt")
        assert "Cody Brennan" in screen and "Mara" not in screen
        assert "Traceback" not in screen
    finally:
        term.close()
