"""The demo shop and the first run: ``init --demo``, the real ``serialdesk`` as a
subprocess, a first run without a command, and a demo that is the same whatever the day."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from stdnum import imei

from app.cli import entry as cli
from app.demo.build import load_demo
from app.demo.master_data import EMPLOYEES
from app.domain.states import Event, UnitState, replay
from db.database import close_database, open_database
from db.models import (
    Document,
    Employee,
    Product,
    RepairTicket,
    StockLevel,
    Unit,
    UnitEvent,
    WarrantyNumber,
)
from tests.cli.conftest import Cli, assert_one_line

ROOT = Path(__file__).resolve().parents[2]


def test_init_demo_numbers_make_sense(db_url, capsys, monkeypatch):
    monkeypatch.setattr("app.demo.build.DEMO_DAYS", 90)  # all 180 days run in the subprocess test
    run = Cli(db_url, capsys)
    result = run.json("init", "--demo")
    summary = result["demo"]
    assert summary["skipped"] == []
    assert summary["branches"] == 2 and summary["employees"] == len(EMPLOYEES)
    assert summary["sales"] > 100 and summary["units_sold"] > 50
    assert summary["replacements"] == 1 and summary["transfers"] == 2
    assert summary["repairs"] == 5 and summary["returns"] >= 3
    assert summary["supplier_returns"] == 2
    assert "already has data" in run.refused("init", "--demo", employee="mara")

    open_database(db_url)
    try:
        replacement = Unit.get(Unit.replaces.is_null(False))
        assert replacement.state == "sold"
        assert Unit.get_by_id(replacement.replaces_id).state == "returned_to_supplier"
        assert replacement.customer_id is not None
        statuses = {t.status for t in RepairTicket.select()}
        assert {"collected", "diagnosing", "repairing"} <= statuses
        assert {d.status for d in Document.select().where(Document.kind == "transfer")} == {
            "open",
            "closed",
        }
        assert Unit.select().where(Unit.state == "quarantine").exists()
        assert Unit.select().where(Unit.flag != "").exists()  # back from the supplier
        assert WarrantyNumber.select().count() > 10
        phones = Unit.select(Unit.serial).join(Product).where(Product.sku.startswith("PH-"))
        assert all(len(s) == 15 and imei.is_valid(s) for (s,) in phones.tuples())
        assert StockLevel.select().where(StockLevel.quantity < 0).count() == 0
        # every unit's history replays to the state it is in
        events: dict[int, list] = {}
        for row in UnitEvent.select().order_by(UnitEvent.id):
            events.setdefault(row.unit_id, []).append(
                (
                    Event(row.event),
                    row.from_state and UnitState(row.from_state),
                    UnitState(row.to_state),
                )
            )
        for unit in Unit.select():
            assert replay(events[unit.id]) == unit.state, unit.serial
        # nothing in the future, and the demo PINs work
        last = UnitEvent.select(UnitEvent.at).order_by(UnitEvent.at.desc()).scalar()
        assert last <= datetime.now(UTC)
        from app.domain.pins import verify_pin

        login, *_rest, pin = EMPLOYEES[0]
        assert verify_pin(pin, Employee.get(Employee.login == login).pin_hash)
    finally:
        close_database()


def _command() -> list[str]:
    script = Path(sys.executable).parent / "serialdesk"
    return [str(script)] if script.exists() else [sys.executable, "-m", "app.cli"]


def _subprocess_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SERIALDESK_")}
    home = tmp_path / "subhome"
    env.update(
        HOME=str(home),
        XDG_DATA_HOME=str(home / "data"),
        XDG_STATE_HOME=str(home / "state"),
        PYTHONPATH=str(ROOT),
    )
    return env


def test_subprocess_init_demo_and_passport(tmp_path):
    env = _subprocess_env(tmp_path) | {"SERIALDESK_PIN": "2222"}  # cody's demo PIN
    url = str(tmp_path / "demo.db")

    def sd(*argv, check=True):
        done = subprocess.run(
            [*_command(), "--db", url, *argv],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            stdin=subprocess.DEVNULL,
        )
        if check:
            assert done.returncode == 0, done.stderr
        return done

    summary = json.loads(sd("init", "--demo", "--json").stdout)["demo"]
    assert summary["skipped"] == [] and summary["sales"] > 200 and summary["units_sold"] > 100
    assert summary["replacements"] == 1 and summary["repairs"] == 5
    stock = json.loads(sd("stock", "--serials", "--json").stdout)
    serial = next(r["serials"][0] for r in stock if r["tracking_mode"] == "strict")
    text = sd("--employee", "cody", "passport", serial).stdout  # PIN: SERIALDESK_PIN
    assert text.startswith(serial) and "History" in text
    passport = sd("--employee", "cody", "passport", serial, "--json").stdout
    assert json.loads(passport)["state"] == "in_stock"
    refused = sd("--employee", "cody", "sell", "000000000000000", check=False)
    assert refused.returncode == 1
    assert_one_line(refused.stderr)
    assert refused.stdout == ""
    usage = sd("sell", check=False)
    assert usage.returncode == 2
    assert_one_line(usage.stderr)


def test_first_run_without_command_creates_the_demo(capsys, tmp_path, monkeypatch):
    monkeypatch.setattr("app.demo.build.DEMO_DAYS", 60)  # a shorter history: the test stays fast
    assert cli.main([]) == 0
    out = capsys.readouterr().out
    assert "counter screens need a terminal" in out and "not built" not in out
    assert "First run" in out and "serialdesk passport" in out
    path = tmp_path / "home" / "data" / "serialdesk" / "serialdesk.db"
    assert path.exists()
    assert cli.main([]) == 0  # the second run finds it and loads nothing more
    again = capsys.readouterr().out
    assert "First run" not in again and "need a terminal" in again


def test_demo_is_deterministic_whatever_the_start_date(tmp_path):
    shops = []
    for name, start in (("one.db", datetime(2025, 3, 1)), ("two.db", datetime(2026, 7, 19))):
        open_database(str(tmp_path / name))
        try:
            load_demo(start.replace(tzinfo=UTC), days=60)
            shops.append(
                (
                    list(
                        Unit.select(Unit.serial, Unit.state, Unit.branch).order_by(Unit.id).tuples()
                    ),
                    list(
                        Document.select(Document.kind, Document.total)
                        .order_by(Document.id)
                        .tuples()
                    ),
                    list(
                        UnitEvent.select(UnitEvent.unit, UnitEvent.event)
                        .order_by(UnitEvent.id)
                        .tuples()
                    ),
                )
            )
        finally:
            close_database()
    assert shops[0] == shops[1]
