"""The browser seat for real: ``serialdesk serve`` on a demo shop, driven from a headless
Chromium over its DevTools protocol as the repair-desk tablet would be: the page loads, the
terminal appears, a cashier logs in by typing and a scanned serial shows its passport.

The screen is read from xterm.js's own buffer (what the browser draws, not what the server
sent), and a screenshot is kept in ``tests/artifacts/browser_seat.png`` (ignored by git).
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from websockets.sync.client import connect

from tests.support import wait_for_text

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"

# xterm.js keeps its Terminal inside textual-serve's bundle; its constructor assigns
# `this._addonManager`, so a setter of that name on Object.prototype catches the instance.
CATCH_TERMINAL = """
Object.defineProperty(Object.prototype, "_addonManager", {
  configurable: true,
  get() { return undefined; },
  set(value) {
    Object.defineProperty(this, "_addonManager", {value, writable: true, configurable: true});
    (window.__terminals = window.__terminals || []).push(this);
  },
});
"""
READ_SCREEN = """(() => {
  const t = (window.__terminals || [])[0];
  if (!t || !t.buffer) return null;
  const b = t.buffer.active, lines = [];
  for (let y = 0; y < t.rows; y++) {
    const line = b.getLine(b.viewportY + y);
    lines.push(line ? line.translateToString(true) : "");
  }
  return lines.join("\\n");
})()"""
KEYS = {  # DevTools key events: key, code, Windows virtual key code, text
    "Enter": ("Enter", "Enter", 13, "\r"),
    "F6": ("F6", "F6", 117, ""),
}


class Page:
    """One browser tab over the DevTools protocol: commands, typing, reading, screenshots."""

    def __init__(self, ws) -> None:
        self.ws = ws
        self.last_id = 0

    def call(self, method: str, **params):
        self.last_id += 1
        self.ws.send(json.dumps({"id": self.last_id, "method": method, "params": params}))
        while True:  # events of enabled domains come in between; only the answer counts
            message = json.loads(self.ws.recv(timeout=30))
            if message.get("id") == self.last_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message["result"]

    def js(self, expression: str):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result["result"].get("value")

    def screen(self) -> str:
        return self.js(READ_SCREEN) or ""

    def wait_for(self, text: str, timeout: float = 60) -> str:
        return wait_for_text(self.screen, text, timeout, "the terminal")

    def type(self, text: str) -> None:
        for char in text:
            self.call("Input.dispatchKeyEvent", type="keyDown", key=char, text=char)
            self.call("Input.dispatchKeyEvent", type="keyUp", key=char)
        time.sleep(0.3)

    def key(self, name: str) -> None:
        key, code, vk, text = KEYS[name]
        down = {"key": key, "code": code, "windowsVirtualKeyCode": vk}
        self.call("Input.dispatchKeyEvent", type="keyDown", text=text, **down)
        self.call("Input.dispatchKeyEvent", type="keyUp", **down)
        time.sleep(0.3)

    def screenshot(self, path: Path) -> Path:
        data = self.call("Page.captureScreenshot", format="png")["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
        return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until(check, what: str, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if result := check():
                return result
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{what} did not happen within {timeout} s")


def _serialdesk() -> list[str]:
    script = Path(sys.executable).with_name("serialdesk")
    return [str(script)] if script.exists() else [sys.executable, "-m", "app.cli"]


@pytest.fixture
def demo_home(tmp_path):
    """A demo shop and a seat file for the tablet in a home of its own; the environment."""
    home = tmp_path / "home"
    env = dict(os.environ)
    env.update(
        HOME=str(home),
        XDG_DATA_HOME=str(home / "data"),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_STATE_HOME=str(home / "state"),
        SERIALDESK_DB=str(tmp_path / "shop.db"),
        TZ="UTC",
    )
    subprocess.run([*_serialdesk(), "init", "--demo"], env=env, check=True, capture_output=True)
    stock = subprocess.run(
        [*_serialdesk(), "stock", "--serials", "--product", "PH-AUR15", "--branch", "CITY"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    serial = next(w for w in stock.split() if w.isdigit() and len(w) == 15)
    seat_file = tmp_path / "tablet.toml"
    seat_file.write_text('seat = "Repair tablet"\nbranch = "CITY"\n', encoding="utf-8")
    return env, seat_file, serial


@pytest.fixture
def served(demo_home, tmp_path):
    """``serialdesk serve`` on a free port; its URL, the demo serial, its log."""
    env, seat_file, serial = demo_home
    port = _free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [*_serialdesk(), "serve", "--port", str(port), "--seat-file", str(seat_file)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"

    def up() -> bool:
        if server.poll() is not None:
            raise AssertionError(f"serve stopped:\n{log.read_text(errors='replace')}")
        return urllib.request.urlopen(url, timeout=2).status == 200

    try:
        _wait_until(up, "serve listening")
        yield url, serial, log
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture
def browser(tmp_path):
    """A headless Chromium with DevTools on a port of its own choosing; its first tab."""
    profile = tmp_path / "chromium"
    chromium = subprocess.Popen(
        [
            CHROMIUM,
            "--headless=new",
            "--no-sandbox",  # the CI runs as root, where Chromium's sandbox refuses to start
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-gpu",
            f"--user-data-dir={profile}",
            "--remote-debugging-port=0",
            "--window-size=1100,720",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        active = profile / "DevToolsActivePort"
        port = _wait_until(lambda: active.exists() and active.read_text().split()[0], "DevTools")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=5) as r:
            tab = next(t for t in json.load(r) if t["type"] == "page")
        with connect(tab["webSocketDebuggerUrl"], max_size=None, open_timeout=30) as ws:
            yield Page(ws)
    finally:
        chromium.terminate()
        try:
            chromium.wait(timeout=10)
        except subprocess.TimeoutExpired:
            chromium.kill()
            chromium.wait()


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs it)")
def test_tablet_logs_in_and_reads_a_passport_in_the_browser(served, browser):
    url, serial, log = served
    page = browser
    shot = ARTIFACTS / "browser_seat.png"
    try:
        page.call("Page.enable")
        page.call("Page.addScriptToEvaluateOnNewDocument", source=CATCH_TERMINAL)
        page.call("Emulation.setFocusEmulationEnabled", enabled=True)
        page.call("Page.navigate", url=url)
        _wait_until(lambda: page.js("document.readyState") == "complete", "the page loading")
        page.wait_for("log in")  # the terminal appeared and the seat's own login drew in it
        page.js("window.__terminals[0].focus()")

        page.type("cody")
        page.key("Enter")
        page.type("2222")
        page.key("Enter")
        screen = page.wait_for("Cody Brennan")
        assert "Repair tablet" in screen  # the seat file given to serve applies

        page.key("F6")
        page.wait_for("Passport: scan")
        page.type(serial)
        page.key("Enter")
        screen = page.wait_for("State:")
        assert serial in screen and "Aurora 15" in screen
        assert "Traceback" not in screen
    finally:
        page.screenshot(shot)
        print(f"browser seat screenshot: {shot}")
        print(log.read_text(errors="replace")[-2000:])
