"""A hostile review of stop 20's changes, continued: old schemas brought forward through
the command line now that the upgrade's modules load only when a step runs; refusals in
words, and schema step 7 through a plain start."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.services.safety import integrity
from db import migrations
from db.connection import db
from db.database import close_database, open_database
from tests.conftest import IMEIS
from tests.test_evidence_attacks import _launder_by_downgrade, _sold

# ------------------------------------------------------ lazy loading: old schemas by CLI


ROOT = Path(__file__).resolve().parents[1]
PLAIN = (
    "import sys\n"
    "import app.tui\n"
    "def run(app):\n"
    "    print('REACHED THE SCREENS')\n"
    "    app.crash_message = None\n"
    "app.tui.SerialDeskApp.run = run\n"
    "from app.cli import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)


def _cli(url, *argv, plain=False):
    env = dict(os.environ, SERIALDESK_DB=url, SERIALDESK_PIN="1234")
    env["TEXTUAL_DRIVER"] = "textual.drivers.web_driver:WebDriver"
    cmd = (
        [sys.executable, "-c", PLAIN, *argv] if plain else [sys.executable, "-m", "app.cli", *argv]
    )
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def _downgraded(sqlite_shop):
    shop = sqlite_shop
    phones, _a, _b = _sold(shop)
    integrity.anchor("day-end")
    with db.atomic():
        _launder_by_downgrade(db.obj, phones)
    close_database()
    return shop.url


@pytest.mark.parametrize("how", ["init", "plain", "verify", "passport"])
def test_keying_refused_in_words_through_the_cli(sqlite_shop, how):
    url = _downgraded(sqlite_shop)
    argv = {
        "init": ["init"],
        "plain": [],
        "verify": ["verify"],
        "passport": ["passport", IMEIS[0]],
    }[how]
    done = _cli(url, *argv, plain=how == "plain")
    out = done.stdout + done.stderr
    assert done.returncode != 0, out
    assert "Traceback" not in out, out
    assert "already keeps a history key" in out or "key-old-history" in out, out
    open_database(url, migrate=False)
    assert migrations.current_version(db.obj) == 4
    close_database()


def test_history_broken_refused_in_words_through_the_cli(sqlite_shop):
    url = _downgraded(sqlite_shop)
    open_database(url, migrate=False)
    db.execute_sql("UPDATE unit_event SET hash = ? WHERE seq = 2", ("0" * 64,))
    close_database()
    for argv in (["init"], ["--employee", "mia", "init", "--key-old-history"]):
        done = _cli(url, *argv)
        out = done.stdout + done.stderr
        assert done.returncode != 0 and "Traceback" not in out, out
        assert "nothing was upgraded" in out.lower(), out
    done = _cli(url, "--employee", "mia", "init", "--key-old-history")
    assert "history chain" in done.stderr.lower() or "Restore the last backup" in done.stderr, (
        done.stderr
    )


def test_key_old_history_upgrades_4_to_7_and_the_seat_starts(sqlite_shop):
    url = _downgraded(sqlite_shop)
    done = _cli(url, "--employee", "mia", "init", "--key-old-history")
    assert done.returncode == 0, done.stdout + done.stderr
    open_database(url, migrate=False)
    assert migrations.current_version(db.obj) == migrations.LATEST
    names = {i.name for t in ("unit", "unit_event", "document_line") for i in db.obj.get_indexes(t)}
    assert not names & set(migrations.NEEDLESS_INDEXES)
    close_database()
    done = _cli(url, "verify")
    # (the laundering helper leaves a day total behind: that one problem is its doing)
    assert "Traceback" not in done.stderr and "index" not in done.stdout.lower(), done.stdout
    assert "History: 5 rows checked" in done.stdout, done.stdout
    done = _cli(url, plain=True)
    assert "REACHED THE SCREENS" in done.stdout, done.stdout + done.stderr


def test_schema_6_with_old_indexes_upgrades_through_plain_start(sqlite_shop):
    url = sqlite_shop.url
    for name in migrations.NEEDLESS_INDEXES:
        table = next(t for t in ("unit_event", "document_line", "unit") if name.startswith(t + "_"))
        db.execute_sql(f'CREATE INDEX "{name}" ON "{table}" ("{name.removeprefix(table + "_")}")')
    db.execute_sql("UPDATE schema_version SET version = 6")
    close_database()
    done = _cli(url, plain=True)
    assert "REACHED THE SCREENS" in done.stdout, done.stdout + done.stderr
    open_database(url, migrate=False)
    assert migrations.current_version(db.obj) == 7
    names = {i.name for t in ("unit", "unit_event", "document_line") for i in db.obj.get_indexes(t)}
    assert not names & set(migrations.NEEDLESS_INDEXES)
    close_database()
