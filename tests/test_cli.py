"""The command line: exit codes, one-line refusals, JSON output, files, and the demo shop.

Most tests call ``app.cli.main.main`` in-process on both backends; a few run the
real ``serialdesk`` (or ``python -m app.cli.main``) as a subprocess, as a shell would.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from stdnum import imei

from app import demo
from app.cli import commands as cli_commands
from app.cli import main as cli
from app.demo import EMPLOYEES, load_demo
from app.domain.states import Event, UnitState, replay
from app.services.stock.receiving import ReceiptLine, receive
from db.database import close_database, open_database
from db.models import (
    Customer,
    Document,
    Employee,
    Product,
    RepairTicket,
    StockLevel,
    Unit,
    UnitEvent,
    WarrantyNumber,
)
from tests.conftest import IMEIS

ROOT = Path(__file__).resolve().parents[1]


class Cli:
    """Runs ``serialdesk --db URL ...`` in-process and keeps what it printed."""

    def __init__(self, url: str, capsys) -> None:
        self.url = url
        self.capsys = capsys

    def __call__(self, *argv, employee: str | None = None):
        args = ["--db", self.url]
        if employee:
            args += ["--employee", employee]
        code = cli.main(args + [str(a) for a in argv])
        captured = self.capsys.readouterr()
        return code, captured.out, captured.err

    def ok(self, *argv, employee: str | None = None) -> str:
        code, out, err = self(*argv, employee=employee)
        assert code == 0, err
        assert err == ""
        return out

    def json(self, *argv, employee: str | None = None):
        return json.loads(self.ok(*argv, "--json", employee=employee))

    def refused(self, *argv, employee: str | None = None, code: int = 1) -> str:
        got, _out, err = self(*argv, employee=employee)
        assert got == code, err
        assert_one_line(err)
        return err


def assert_one_line(err: str) -> None:
    assert err.startswith("serialdesk: ")
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert "Traceback" not in err


@pytest.fixture
def run(shop, capsys) -> Cli:
    """The CLI on a seeded shop, once per backend."""
    cli_ = Cli(shop.url, capsys)
    cli_.shop = shop
    return cli_


@pytest.fixture
def srun(sqlite_shop, capsys) -> Cli:
    """The CLI on a seeded shop on SQLite only: for what does not depend on the backend."""
    cli_ = Cli(sqlite_shop.url, capsys)
    cli_.shop = sqlite_shop
    return cli_


@pytest.fixture(autouse=True)
def _own_log_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "home" / "state"))
    monkeypatch.delenv("SERIALDESK_EMPLOYEE", raising=False)
    monkeypatch.delenv("SERIALDESK_APPROVER_PIN", raising=False)


# --- refusals and usage -------------------------------------------------------------------


def test_refusal_is_one_line_and_exit_1(run):
    assert IMEIS[0] in run.refused("sell", IMEIS[0], employee="cal")
    code, out, err = run("sell", IMEIS[0], "--json", employee="cal")
    assert code == 1
    assert_one_line(err)
    assert json.loads(out)["error"]["type"] == "NotFound"
    # a cashier may not receive: the role is refused the same way
    run.refused("receive", "--supplier", "PhoneCo", "--product", "PH-X1", IMEIS[0], employee="cal")


def test_usage_errors_exit_2(srun):
    run = srun
    run.refused("no-such-command", code=2)
    run.refused("return", "--sale", "S-1", "--serial", "X", "--condition", "ok", code=2)
    run.refused("sell", IMEIS[0], code=2)  # nobody said who is selling
    run.refused("sell", "A", "B", "--price", "1", employee="cal", code=2)
    run.refused("sell", "--phone", "123456", "X", employee="cal", code=2)
    run.refused("receive", "--supplier", "PhoneCo", "--product", "PH-X1", "--file", "/nope", code=2)
    assert cli.main(["--help"]) == 0


def test_missing_database_is_refused_not_created(tmp_path, capsys):
    path = tmp_path / "none.db"
    assert cli.main(["--db", str(path), "passport", "X"]) == 1
    assert_one_line(capsys.readouterr().err)
    assert not path.exists()


def test_unexpected_error_is_logged_not_shown(srun, monkeypatch, tmp_path):
    run = srun

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(cli_commands.adjustments, "adjust", broken)
    code, _out, err = run(
        "adjust", "write_off", "--product", "AC-CASE", "--qty", "1", "--reason", "x",
        "--approved-by", "mia", "--approver-pin", "1234", employee="ivy",
    )  # fmt: skip
    assert code == 3
    assert_one_line(err)
    log = tmp_path / "home" / "state" / "serialdesk" / "log" / "serialdesk.log"
    assert str(log) in err
    text = log.read_text()
    assert "Traceback" in text and "RuntimeError: boom" in text
    assert "--approver-pin ***" in text and "--approver-pin 1234" not in text


# --- the workflows ------------------------------------------------------------------------


def test_receive_from_file_and_stdin(srun, tmp_path, monkeypatch):
    run = srun
    listing = tmp_path / "delivery.txt"
    listing.write_text(f"# delivery 7\n\n{IMEIS[0]}\n  {IMEIS[1]}  # on top\n\n", "utf-8")
    result = run.json(
        "receive", "--supplier", "phoneco", "--product", "PH-X1", "--po", "PO-7",
        "--cost", "300", "--file", listing, IMEIS[2], employee="ivy",
    )  # fmt: skip
    assert result["number"].startswith("GR-")
    assert result["units"] == 3
    monkeypatch.setattr(sys, "stdin", io.StringIO(f"{IMEIS[3]}\r\n{IMEIS[4]}\r\n"))
    out = run.ok(
        "receive", "--supplier", "PhoneCo", "--product", "PH-X1", "--file", "-", employee="ivy"
    )
    assert "2 unit(s)" in out
    assert Unit.select().where(Unit.state == "in_stock").count() == 5
    # a bad check digit refuses the whole file, with the serials listed in JSON
    bad = IMEIS[6][:-1] + str((int(IMEIS[6][-1]) + 1) % 10)
    listing.write_text(f"{IMEIS[5]}\n{bad}\n", "utf-8")
    code, out, err = run(
        "receive", "--supplier", "PhoneCo", "--product", "PH-X1", "--file", listing, "--json",
        employee="ivy",
    )  # fmt: skip
    assert code == 1
    assert_one_line(err)
    assert [p["serial"] for p in json.loads(out)["error"]["problems"]] == [bad]
    assert Unit.select().count() == 5


def test_sell_return_and_passport_json(run, shop):
    receive(shop.inventory, "PhoneCo", [ReceiptLine("PH-X1", IMEIS[:2], cost="300")])
    for sku, qty in (("AC-CASE", 5), ("WA-CL", 1)):
        run.ok("receive", "--supplier", "PhoneCo", "--product", sku, "--qty", qty, employee="ivy")
    sale = run.json(
        "sell",
        IMEIS[0],
        "AC-CASE:2",
        "WA-CL:1@80",
        "--new-customer",
        "Eve Adams",
        "--phone",
        "+1 555 0100",
        "--pay",
        "cash",
        "--tendered",
        "700",
        "--approved-by",
        "mia",
        "--approver-pin",
        "1234",
        employee="cal",
    )  # fmt: skip  (the watch goes below list price: a manager approves)
    assert sale["total"] == "618.80" and sale["change"] == "81.20"
    assert sale["customer"] == "Eve Adams"
    phone = sale["lines"][0]
    assert phone["serial"] == IMEIS[0]
    assert date.fromisoformat(phone["warranty_end"]) > date.fromisoformat(phone["warranty_start"])
    assert len(sale["lines"][2]["warranty_numbers"]) == 1

    view = run.json("sale", sale["number"])
    case_line = next(line for line in view["lines"] if line["sku"] == "AC-CASE")
    back = run.json(
        "return", "--sale", sale["number"], "--serial", IMEIS[0], "--line",
        f"{case_line['line_id']}:1", "--condition", "as new", "--disposition", "in_stock",
        "--reason", "changed mind", employee="cal",
    )  # fmt: skip
    assert Decimal(back["refund"]) == Decimal("518.90")
    # the same unit cannot come back twice
    run.refused(
        "return", "--sale", sale["number"], "--serial", IMEIS[0], "--condition", "ok",
        "--disposition", "in_stock", employee="cal",
    )  # fmt: skip

    p = run.json("passport", IMEIS[0])
    assert p["state"] == "in_stock"
    assert [h["event"] for h in p["history"]] == ["receive", "sell", "customer_return"]
    assert p["sale"]["number"] == sale["number"]
    datetime.fromisoformat(p["history"][0]["at"])
    text = run.ok("passport", IMEIS[0])
    assert text.startswith(f"{IMEIS[0]} · Phone X1 128GB (PH-X1)")
    assert "History" in text and "customer return" in text


def test_new_customer_is_not_kept_when_the_sale_is_refused(srun):
    run = srun
    before = Customer.select().count()
    run.refused("sell", IMEIS[9], "--new-customer", "Ghost", employee="cal")
    assert Customer.select().count() == before


def test_warranty_watch_before_stock_is_refused(srun):
    run = srun
    run.refused("sell", "WA-CL:1", employee="cal")


def test_transfer_repair_replace_and_adjust(run, shop):
    receive(shop.inventory, "PhoneCo", [ReceiptLine("PH-X1", IMEIS[:4], cost="300")])
    moved = run.json("transfer-out", "--to", "B", IMEIS[0], IMEIS[1], employee="ivy")
    assert moved["status"] == "open" and moved["outstanding"] == 2
    assert [t["number"] for t in run.json("transfers")] == [moved["number"]]
    run.refused("transfer-in", moved["number"], IMEIS[0], employee="ivy")
    done = run.json("transfer-in", moved["number"], IMEIS[0], IMEIS[1], employee="ian")
    assert done["status"] == "closed"
    assert run.json("transfers") == []
    sold = run.json("sell", IMEIS[2], "--new-customer", "Rob Roy", employee="cal")

    ticket = run.json("repair", "intake", IMEIS[2], "--complaint", "no sound", employee="cal")
    number = ticket["number"]
    assert ticket["covered"] is True
    run.ok("repair", "status", number, "diagnosing", "--diagnosis", "speaker", employee="ted")
    parts = run.json("repair", "part", number, "Speaker", "--cost", "12.5", employee="ted")
    assert parts["parts"] == [{"description": "Speaker", "quantity": 1, "cost": "12.50"}]
    assert [t["number"] for t in run.json("repair", "list")] == [number]
    swap = run.json("replace", IMEIS[2], IMEIS[3], "--ticket", number, employee="ted")
    assert swap["customer"] == "Rob Roy"
    assert swap["warranty_end"] == sold["lines"][0]["warranty_end"]
    assert run.json("passport", IMEIS[3])["replaces"] == IMEIS[2]
    assert run.json("repair", "show", number)["status"] == "collected"

    # a write-off needs a manager's PIN; a wrong one approves nothing
    run.ok("adjust", "quarantine", IMEIS[1], "--reason", "dented", employee="ian")
    run.refused(
        "adjust", "write_off", IMEIS[1], "--reason", "dented", "--approved-by", "max",
        "--approver-pin", "9999", employee="ian",
    )  # fmt: skip
    result = run.json(
        "adjust", "write_off", IMEIS[1], "--reason", "dented", "--approved-by", "max",
        "--approver-pin", "1234", employee="ian",
    )  # fmt: skip
    assert result["units"] == [IMEIS[1]]
    assert run.json("passport", IMEIS[1])["history"][-1]["approved_by"] == "Max Manager"


def test_stocktake_scan_status_close(srun):
    run = srun
    shop = srun.shop
    receive(shop.inventory, "PhoneCo", [ReceiptLine("PH-X1", IMEIS[:3], cost="300")])
    opened = run.json("stocktake", "open", "--type", "Phones", employee="ivy")
    number = opened["number"]
    assert opened["expected"] == 3
    code, out, err = run(
        "stocktake", "scan", number, IMEIS[0], IMEIS[1], IMEIS[1], "--json", employee="ivy"
    )
    assert code == 1 and "1 of 3 scan(s) refused" in err
    assert_one_line(err)
    assert [s["result"] for s in json.loads(out)["scans"]] == ["expected", "expected", "refused"]
    run.ok("stocktake", "scan", number, "NOSUCH1", employee="ivy")
    run.refused("stocktake", "close", number, employee="ivy")
    run.ok("stocktake", "unscan", number, "NOSUCH1", employee="ivy")
    closed = run.json("stocktake", "close", number, employee="ivy")
    assert closed["status"] == "closed" and closed["missing"] == [IMEIS[2]]


def test_products_stock_customers_and_modes(srun):
    run = srun
    shop = srun.shop
    receive(shop.inventory, "PhoneCo", [ReceiptLine("PH-X1", IMEIS[:3], cost="300")])
    receive(shop.inventory_b, "PhoneCo", [ReceiptLine("PH-X1", IMEIS[3:5], cost="300")])
    products = {p["sku"]: p for p in run.json("products")}
    assert products["PH-X1"]["in_stock"] == 5 and products["PH-X1"]["price"] == "499.00"
    rows = run.json("stock", "--serials")
    assert [(r["branch"], r["quantity"]) for r in rows] == [("A", 3), ("B", 2)]
    assert rows[1]["serials"] == sorted(IMEIS[3:5])
    assert run.json("stock", "--branch", "B", "--product", "AC-CASE")[0]["quantity"] == 0
    assert "PH-X1" in run.ok("stock", "--serials")
    run.ok("sell", IMEIS[0], "--new-customer", "Zed Zebra", "--phone", "555-0199", employee="cal")
    assert run.json("customers", "zebra")[0]["phone"] == "5550199"
    run.refused("set-mode", "--product", "WA-CL", "strict", employee="cal")
    assert run.json("set-mode", "--product", "WA-CL", "strict", employee="mia") == {
        "product": "WA-CL",
        "tracking_mode": "strict",
    }
    run.refused("set-mode", "--type", "Phones", "none", employee="mia")


# --- the demo shop and the first run -------------------------------------------------------


def test_init_demo_numbers_make_sense(db_url, capsys, monkeypatch):
    monkeypatch.setattr(demo, "DEMO_DAYS", 90)  # the full 180 days run in the subprocess test
    run = Cli(db_url, capsys)
    result = run.json("init", "--demo")
    summary = result["demo"]
    assert summary["skipped"] == []
    assert summary["branches"] == 2 and summary["employees"] == len(EMPLOYEES)
    assert summary["sales"] > 100 and summary["units_sold"] > 50
    assert summary["replacements"] == 1 and summary["transfers"] == 2
    assert summary["repairs"] == 5 and summary["returns"] >= 3
    assert summary["supplier_returns"] == 2
    assert "already has data" in run.refused("init", "--demo")

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
    env = _subprocess_env(tmp_path)
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
    text = sd("passport", serial).stdout
    assert text.startswith(serial) and "History" in text
    assert json.loads(sd("passport", serial, "--json").stdout)["state"] == "in_stock"
    refused = sd("--employee", "cody", "sell", "000000000000000", check=False)
    assert refused.returncode == 1
    assert_one_line(refused.stderr)
    assert refused.stdout == ""
    usage = sd("sell", check=False)
    assert usage.returncode == 2
    assert_one_line(usage.stderr)


def test_first_run_without_command_creates_the_demo(capsys, tmp_path, monkeypatch):
    monkeypatch.setattr(demo, "DEMO_DAYS", 60)  # a shorter history: the test stays fast
    assert cli.main([]) == 0
    out = capsys.readouterr().out
    assert "TUI" in out and "First run" in out and "serialdesk passport" in out
    path = tmp_path / "home" / "data" / "serialdesk" / "serialdesk.db"
    assert path.exists()
    assert cli.main([]) == 0  # the second run finds it and loads nothing more
    again = capsys.readouterr().out
    assert "First run" not in again and "TUI" in again


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
