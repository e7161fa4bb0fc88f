"""A seat starts lean: plain ``serialdesk`` loads the counter screens' code, not every
command's, nor the printer stack, Jinja2 or biip, which load when first needed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli.entry import _plain_start
from app.cli.parser import build_parser

ROOT = Path(__file__).resolve().parent.parent

# What the first screen does not need: each loads later, where it is used.
LATER = (
    "escpos",  # the printer stack: at the first print job or test card
    "barcode",
    "jinja2",  # the card templates: at the first card
    "biip",  # GS1 scans: at the first GS1 scan
    "app.cli.parser",  # every command's parser and imports: any command but plain start
    "app.demo.build",  # the demo shop: a first run only
    "screens.passport",  # a passport: at F6 (or loaded in a thread after the login screen)
    "psycopg2",  # PostgreSQL's driver: a PostgreSQL seat only (db.drivers)
    "playhouse.migrate",  # schema steps: only when a database is behind
    "app.services.reports.runner",  # the reports: at the first report
    "playhouse.db_url",  # database URLs: a PostgreSQL seat or a reports database only
    "db.history",  # the unit history: at the first write (or in the thread after login)
    "db.history_upgrade",  # schema steps and what they refuse with: only when one runs
    "app.services.ledger.totals",  # the figures a schema step fills: ditto
    "stdnum",  # check digits: at the first scan (or in the thread after the login screen)
)


def test_a_seat_starting_does_not_load_what_its_first_screen_does_not_need():
    code = (
        "import json, sys\n"
        "import app.cli, app.cli.start, app.tui, app.seat_devices\n"
        f"print(json.dumps([m for m in {list(LATER)!r} if m in sys.modules]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert json.loads(out.stdout) == []


@pytest.mark.parametrize(
    "argv",
    [[], ["--db", "shop.db"], ["--db=shop.db"], ["--branch", "B"], ["--db", "x", "--branch=A"]],
)
def test_plain_start_reads_its_options_as_the_parser_does(argv):
    assert vars(_plain_start(argv)) == vars(build_parser().parse_args(argv))


@pytest.mark.parametrize(
    "argv",
    [
        ["passport", "X"],
        ["--help"],
        ["--version"],
        ["--json"],
        ["--db"],
        ["--db", "--json"],
        ["--db", "a", "--db", "b"],
        ["--employee", "cal"],
        ["--db", "x", "stock"],
    ],
)
def test_any_other_command_line_goes_to_the_parser(argv):
    assert _plain_start(argv) is None


def test_a_card_still_renders_and_refuses_a_broken_template_after_loading_late():
    from datetime import date

    from app.domain.cards import MAX_SECONDS, CardData, render_card
    from app.domain.errors import Refused

    card = CardData(
        shop_name="Shop", shop_address="Street", product="Phone", sku="PH", serial="S-1",
        warranty_number="", imei=False, sale_number="S-9", sale_date=date(2026, 1, 2),
        warranty_months=12, warranty_end=date(2027, 1, 2), customer="Bob",
    )  # fmt: skip
    assert "S-1" in render_card(card)
    assert MAX_SECONDS > 0
    with pytest.raises(Refused, match="cannot be used"):
        render_card(card, "{% if %}")


@pytest.mark.parametrize("printer", ["none", "file"])
def test_plain_serialdesk_reaches_its_first_screen_without_them(tmp_path, printer):
    """The whole plain start (``cmd_welcome``) up to the app's run, on a made shop; a
    seat with a printer too (its profile checked without python-escpos)."""
    seat_file = tmp_path / "seat.toml"
    seat_file.write_text(
        f'[printer]\nkind = "{printer}"\npath = "{tmp_path / "paper"}"\nprofile = "TM-T88V"\n'
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "SERIALDESK_DB": str(tmp_path / "shop.db"),
        "SERIALDESK_CONFIG": str(seat_file),
    }
    made = subprocess.run(
        [sys.executable, "-m", "app.cli", "init"], cwd=ROOT, env=env, capture_output=True
    )
    assert made.returncode == 0, made.stderr
    code = (
        "import json, sys\n"
        "import app.tui\n"
        "def run(app):\n"  # where the screens would start: what is loaded by then
        f"    loaded = [m for m in {list(LATER)!r} if m in sys.modules]\n"
        "    print('LOADED', json.dumps(loaded))\n"
        "    app.crash_message = None\n"
        "app.tui.SerialDeskApp.run = run\n"
        "from app.cli import main\n"
        "sys.exit(main([]))\n"
    )
    env["TEXTUAL_DRIVER"] = "textual.drivers.web_driver:WebDriver"  # as a browser seat
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "LOADED []" in done.stdout


def test_printer_profiles_are_python_escposs_own(tmp_path, monkeypatch):
    from app.domain.errors import DomainError
    from devices._escpos import known_profiles
    from devices.printer_profiles import profile_names

    assert profile_names() == known_profiles() and "TM-T88V" in profile_names()
    own = tmp_path / "capabilities.json"  # python-escpos's own setting names another file
    profiles = {"Till-B": {}, "Till-A": {}, "default": {}}
    own.write_text(json.dumps({"profiles": profiles, "encodings": {}}))
    monkeypatch.setenv("ESCPOS_CAPABILITIES_FILE", str(own))
    assert profile_names() == ["Till-A", "Till-B", "default"]
    own.write_text("profiles:\n  Till-Y: {}\n  default: {}\n")  # YAML, as python-escpos reads
    assert profile_names() == ["Till-Y", "default"]
    own.unlink()
    with pytest.raises(DomainError, match="printer profiles .* cannot be read"):
        profile_names()


def test_a_seat_file_naming_no_such_profile_is_refused_as_before(tmp_path):
    from app.config import parse_config
    from app.domain.errors import DomainError

    text = '[printer]\nkind = "file"\npath = "/dev/null"\nprofile = "TM-T88X"\n'
    with pytest.raises(DomainError, match="there is no printer profile 'TM-T88X'"):
        parse_config(text, tmp_path / "seat.toml")
