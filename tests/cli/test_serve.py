"""``serialdesk serve``: what it refuses before listening, and what every browser seat
starts with. The seat itself, in a real browser, is tests/tui/test_browser_seat.py."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest
from textual_serve import server as textual_serve

from app.cli.start import in_a_browser
from tests.cli.conftest import Cli, assert_one_line


@pytest.fixture
def served(monkeypatch):
    """Catch the textual-serve server instead of listening; keep the env serve changes."""
    started = []
    monkeypatch.setattr(textual_serve.Server, "serve", lambda self: started.append(self))
    for name in ("SERIALDESK_DB", "SERIALDESK_CONFIG"):
        monkeypatch.setenv(name, "")  # restored after the test: serve sets them for its seats
    monkeypatch.setenv("SERIALDESK_PIN", "1111")  # a script's secret on the box
    return started


def test_serve_listens_on_loopback_with_the_seat_and_no_secrets(srun, served, tmp_path):
    seat_file = tmp_path / "tablet.toml"
    seat_file.write_text('seat = "Repair tablet"\n', encoding="utf-8")
    out = srun.ok("serve", "--seat-file", seat_file, "--branch", "A")
    (server,) = served
    assert (server.host, server.port) == ("127.0.0.1", 8000)
    assert server.public_url == "http://127.0.0.1:8000"
    assert server.command.endswith("-m app.cli --branch A")
    assert server.title == "SerialDesk · Repair tablet"
    assert "Repair tablet" in out and "http://127.0.0.1:8000" in out
    # What the seats started by textual-serve inherit:
    assert os.environ["SERIALDESK_DB"] == srun.url
    assert os.environ["SERIALDESK_CONFIG"] == str(seat_file.resolve())
    assert "SERIALDESK_PIN" not in os.environ


def test_serve_behind_a_proxy(srun, served):
    code, _out, err = srun(
        "serve", "--host", "0.0.0.0", "--port", "8443", "--public-url", "https://desk.test/"
    )
    assert code == 0
    assert "reachable from the network" in err and "no TLS" in err  # said, not refused
    (server,) = served
    assert (server.host, server.port) == ("0.0.0.0", 8443)
    assert server.public_url == "https://desk.test"  # the page's websocket is wss://desk.test/ws


def test_serve_refuses_before_listening(srun, served, tmp_path, capsys):
    assert "--public-url" in srun.refused("serve", "--host", "0.0.0.0", code=2)
    srun.refused("serve", "--port", "0", code=2)
    srun.refused("serve", "--port", "http", code=2)
    srun.refused("serve", "--public-url", "desk.test", code=2)
    assert "no seat settings" in srun.refused("serve", "--seat-file", tmp_path / "nope.toml")
    missing = tmp_path / "none.db"
    assert "no SerialDesk database" in Cli(str(missing), capsys).refused("serve")
    assert not missing.exists() and served == []


def test_a_taken_port_is_refused_in_one_line(srun):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "app.cli", "--db", srun.url, "serve", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 1
    assert_one_line(done.stderr)
    assert f"Cannot listen on 127.0.0.1:{port}" in done.stderr


def test_the_screens_start_under_textual_serve(monkeypatch):
    monkeypatch.delenv("TEXTUAL_DRIVER", raising=False)
    assert not in_a_browser()  # a pipe: the welcome text, as before
    monkeypatch.setenv("TEXTUAL_DRIVER", "textual.drivers.web_driver:WebDriver")
    assert in_a_browser()
