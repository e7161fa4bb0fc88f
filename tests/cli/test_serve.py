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


def test_a_wildcard_in_short_form_needs_a_public_url_too(srun, served):
    for host in ("0", "0.0", "::"):
        assert "--public-url" in srun.refused("serve", "--host", host, code=2)
    assert "1 to 64" in srun.refused("serve", "--max-seats", "0", code=2)
    assert served == []


def _ws_request(origin: str | None):
    from aiohttp.test_utils import make_mocked_request

    return make_mocked_request("GET", "/ws", headers={"Origin": origin} if origin else {})


@pytest.mark.parametrize(
    ("public_url", "origin", "status"),
    [
        ("http://127.0.0.1:8000", "http://evil.example", 403),
        ("http://127.0.0.1:8000", "http://127.0.0.1:8001", 403),
        ("https://desk.test", "http://desk.test", 403),
        ("https://desk.test", "https://desk.test.evil.example", 403),
        ("https://desk.test", "https://desk.test", "seat"),
        ("https://desk.test:443", "https://DESK.test", "seat"),
        ("http://127.0.0.1:8000", "http://localhost:8000", "seat"),
        ("http://127.0.0.1:8000", None, "seat"),  # no browser page: a program on the box
    ],
)
async def test_a_seat_is_served_to_its_own_page_only(monkeypatch, public_url, origin, status):
    from app.cli.serve import guarded_server

    opened = []

    async def seat(self, request):
        opened.append(self.open_seats)
        return "seat"

    monkeypatch.setattr(textual_serve.Server, "handle_websocket", seat)
    server = guarded_server("true", public_url=public_url, max_seats=2)
    answer = await server.handle_websocket(_ws_request(origin))
    assert (answer if answer == "seat" else answer.status) == status
    assert server.open_seats == 0 and opened == ([1] if status == "seat" else [])


async def test_no_more_seats_than_max_seats_at_once(monkeypatch):
    from app.cli.serve import guarded_server

    monkeypatch.setattr(textual_serve.Server, "handle_websocket", lambda self, r: None)
    server = guarded_server("true", public_url="https://desk.test", max_seats=2)
    server.open_seats = 2  # two tabs are open
    answer = await server.handle_websocket(_ws_request("https://desk.test"))
    assert answer.status == 503 and "All 2 browser seats are in use" in answer.text
