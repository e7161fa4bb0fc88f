"""Where reports read, without a replica: the setting and its override, a SQLite copy opened
read-only, an unreachable reports database named (and the report not run on the main one),
and the sentence saying how current a replica's figures are."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import peewee
import pytest

from app.cli import entry as cli
from app.config import load_config
from app.domain.errors import DomainError, Refused
from app.services.reports import runner
from app.services.reports.source import freshness, reading_reports
from db.database import open_database
from db.models import Branch
from db.reports_connection import RECHECKS, Replay, replay_of, reports_url
from tests.conftest import IMEIS, make_shop
from tests.pg_cluster import free_port
from tests.support import receive_phones, sell_serials


def test_the_seat_file_names_the_reports_database(tmp_path, monkeypatch):
    path = tmp_path / "seat.toml"
    path.write_text('database = "/srv/shop.db"\nreports_database = "postgresql://r/shop"\n')
    assert load_config(path).reports_database == "postgresql://r/shop"
    assert load_config(tmp_path / "none.toml").reports_database is None
    path.write_text("reports_database = 5\n")
    with pytest.raises(DomainError, match="reports_database is text in quotes"):
        load_config(path)


def test_the_environment_overrides_the_setting(monkeypatch):
    monkeypatch.delenv("SERIALDESK_REPORTS_DB", raising=False)
    assert reports_url("postgresql://r/shop") == "postgresql://r/shop"
    assert reports_url(None) is None
    monkeypatch.setenv("SERIALDESK_REPORTS_DB", "postgresql://other/shop")
    assert reports_url("postgresql://r/shop") == "postgresql://other/shop"
    monkeypatch.setenv("SERIALDESK_REPORTS_DB", "")  # set but empty: the main database
    assert reports_url("postgresql://r/shop") is None


def test_a_sqlite_copy_gives_the_same_figures_and_takes_no_write(sqlite_shop):
    receive_phones(sqlite_shop.inventory, IMEIS[:4])
    sell_serials(sqlite_shop.cashier, IMEIS[:2])
    for name in runner.REPORTS:
        filters = runner.Filters(serial=IMEIS[0]) if name == "where" else runner.Filters()
        there = runner.run(name, filters, reports_database=sqlite_shop.url)
        assert there.rows == runner.run(name, filters).rows, name
        assert there.note.startswith("Figures from the copy shop.db, last written "), name
    with pytest.raises(Refused, match="read-only: this report tried to write"):
        with reading_reports(sqlite_shop.url):
            Branch.create(code="Z", name="Nowhere")
    assert not Branch.select().where(Branch.code == "Z").exists()
    Branch.create(code="Z", name="Nowhere")  # the main connection is back, and writes


def test_an_unreachable_reports_database_is_named_not_replaced(pg_schema_url):
    open_database(pg_schema_url)
    make_shop(pg_schema_url)
    url = f"postgresql://reports:secret@127.0.0.1:{free_port()}/shop"
    with pytest.raises(Refused) as refused:
        runner.run("stock-count", reports_database=url)
    text = refused.value.message
    assert text.startswith("The reports database postgresql://reports:***@127.0.0.1:")
    assert "cannot be reached" in text and "secret" not in text
    assert "was not run on the counter's database instead" in text
    assert "clear reports_database in the seat settings" in text
    assert runner.run("stock-count").note == ""  # the main connection is untouched


def test_a_missing_sqlite_copy_is_named_and_not_made(sqlite_shop, tmp_path):
    missing = tmp_path / "copy" / "shop.db"
    with pytest.raises(Refused, match="cannot be reached"):
        runner.run("stock-count", reports_database=str(missing))
    assert not missing.exists()


def test_a_reports_database_of_another_kind_is_refused(sqlite_shop):
    with pytest.raises(Refused, match="not the same kind as the main database"):
        runner.run("stock-count", reports_database="postgresql://postgres@127.0.0.1/x")


def test_the_command_line_reads_the_reports_database(sqlite_shop, capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("SERIALDESK_PIN", "1234")
    receive_phones(sqlite_shop.inventory, IMEIS[:2])
    base = ["--employee", "mia", "report", "stock-count"]
    missing = str(tmp_path / "gone.db")
    seat = tmp_path / "home" / "config" / "serialdesk" / "seat.toml"
    seat.parent.mkdir(parents=True)
    seat.write_text(f'database = "{sqlite_shop.url}"\nreports_database = "{missing}"\n')
    assert cli.main(base) == 1  # the seat's own database: its reports database applies
    assert "cannot be reached" in capsys.readouterr().err
    # --db names a database of its own: the seat's reports database is not its copy.
    assert cli.main(["--db", sqlite_shop.url, *base, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["rows"] == [
        {"branch": "A", "sku": "PH-X1", "product": "Phone X1 128GB", "units": 2}
    ]
    monkeypatch.setenv("SERIALDESK_REPORTS_DB", sqlite_shop.url)  # the override: always
    assert cli.main(["--db", sqlite_shop.url, *base]) == 0
    assert "A" in capsys.readouterr().out
    monkeypatch.setenv("SERIALDESK_REPORTS_DB", missing)
    assert cli.main(["--db", sqlite_shop.url, *base]) == 1
    assert "cannot be reached" in capsys.readouterr().err


NOW = datetime(2026, 3, 1, 12, 0, 30, tzinfo=UTC)


def replay(**given) -> Replay:
    values = dict(standby=True, caught_up=False, receiving=True, last_replayed=NOW, now=NOW)
    return Replay(**(values | given))


def local(moment: datetime) -> str:
    return moment.astimezone().strftime("%H:%M:%S")


def test_the_note_says_how_current_the_figures_are():
    assert freshness(None) == ""  # SQLite
    assert freshness(replay(standby=False)) == ""  # not a replica
    up = f"Figures from the replica, up to date at {local(NOW)}."
    assert freshness(replay(caught_up=True, last_replayed=NOW - timedelta(hours=2))) == up
    assert freshness(replay(last_replayed=NOW - timedelta(seconds=0.5))) == up
    earlier = NOW - timedelta(seconds=42)
    assert freshness(replay(last_replayed=earlier)) == (
        f"Figures as of {local(earlier)}: the replica is 42 s behind the counter."
    )
    assert freshness(replay(receiving=False, caught_up=True, last_replayed=earlier)) == (
        f"Figures as of {local(earlier)}: the replica is not receiving the counter's "
        "changes, so anything after that is missing."
    )


class Standby(peewee.PostgresqlDatabase):
    """A standby's answers, one per question, without a server."""

    def __init__(self, answers: list[tuple]) -> None:
        super().__init__(None)
        self.answers = answers

    def execute_sql(self, sql, params=None):
        answer = self.answers.pop(0)
        return type("Cursor", (), {"fetchone": lambda self: answer})()


def test_a_standby_caught_in_a_moment_of_replay_is_asked_again():
    old = NOW - timedelta(hours=1)  # an idle primary: its last commit an hour ago
    moment = (True, False, True, old, NOW)  # a checkpoint received, not yet replayed
    assert replay_of(Standby([moment, (True, True, True, old, NOW)])).caught_up
    behind = replay_of(Standby([moment] * RECHECKS))
    assert not behind.caught_up and behind.behind_s == 3600
