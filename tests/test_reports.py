"""Reports on a known dataset: every figure checked, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal

import pytest

from app.cli import entry as cli
from app.domain.errors import NotFound, Refused
from app.services.counter.repairs import add_part, collect, intake
from app.services.counter.replacements import replace
from app.services.counter.returns import ReturnItem, customer_return
from app.services.counter.selling import SaleItem, sell
from app.services.reports import runner
from app.services.reports.runner import Filters
from app.services.stock.receiving import ReceiptLine, receive
from tests.conftest import IMEIS
from tests.support import (
    customer,
    fast_shop,  # noqa: F401
    receive_phones,
    seeded_shop,  # noqa: F401
    sell_serials,
    unit,
)

D = Decimal


@pytest.fixture
def data(shop):
    """6 phones (PhoneCo, cost 300) and 4 drills (ToolCo, cost 90) received at A.

    Ann buys 3 phones at 499; 2 drills are sold without a customer at 149. Ten days
    later a phone comes back (quarantine), one phone is repaired twice by Ted (parts
    50 then 30), one drill is repaired (parts 200) and then replaced by another drill.
    """
    receive_phones(shop.inventory, IMEIS[:6])
    receive(
        shop.inventory, "ToolCo", [ReceiptLine("DR-18", ["D-1", "D-2", "D-3", "D-4"], cost="90")]
    )
    ann = customer("Ann Buyer")
    shop.ann = ann
    sell_serials(shop.cashier, IMEIS[:3], customer_id=ann.id)
    sell(shop.cashier, [SaleItem(serial="D-1"), SaleItem(serial="D-2")])
    shop.clock.advance(days=10)
    customer_return(
        shop.cashier, [ReturnItem(serial=IMEIS[1], condition="dead", disposition="quarantine")]
    )
    first = intake(shop.cashier, IMEIS[0], complaint="no sound", technician="ted")
    add_part(shop.technician, first.number, "speaker", cost="50")
    collect(shop.technician, first.number, outcome="repaired")
    second = intake(shop.cashier, IMEIS[0], complaint="no sound again", technician="ted")
    add_part(shop.technician, second.number, "speaker flex", cost="30")
    drill = intake(shop.cashier, "D-1", complaint="smoke", technician="ted")
    add_part(shop.technician, drill.number, "motor", cost="200")
    collect(shop.technician, drill.number, outcome="motor replaced")
    replace(shop.technician, "D-1", "D-3")
    return shop


def test_supplier_failure_rate(data):
    r = runner.run("supplier-failure")
    assert r.columns == ["supplier", "sku", "product", "received", "failed", "failure_pct"]
    assert r.rows == [
        ("PhoneCo", "PH-X1", "Phone X1 128GB", 6, 2, D("33.3")),
        ("ToolCo", "DR-18", "Cordless drill 18V", 4, 1, D("25.0")),
    ]
    only = runner.run("supplier-failure", Filters(supplier="toolco"))
    assert [row[0] for row in only.rows] == ["ToolCo"]


def test_repeat_defects_and_technicians(data):
    assert runner.run("repeat-defects").rows == [("PH-X1", "Phone X1 128GB", 1, 1, 2, D("100.0"))]
    assert runner.run("technician-repeats").rows == [("ted", "Ted Technician", 3, 1, D("33.3"))]
    assert runner.run("technician-repeats", Filters(product="DR-18")).rows == [
        ("ted", "Ted Technician", 1, 0, D("0.0"))
    ]


def test_warranty_cost_over_margin(data):
    r = runner.run("warranty-cost")
    # drills: margin 2 x (149 - 90) = 118; parts 200 + replacement unit 90 = 290
    assert r.rows == [
        (
            "DR-18",
            "Cordless drill 18V",
            2,
            D("118.00"),
            D("200.00"),
            D("90.00"),
            D("290.00"),
            D("172.00"),
        )
    ]
    everything = runner.warranty_cost_over_margin(Filters(), include_all=True)
    phones = next(row for row in everything.rows if row[0] == "PH-X1")
    assert phones[2:7] == (3, D("597.00"), D("80.00"), D("0.00"), D("80.00"))


def test_returns_by_branch_and_returns(data):
    assert runner.run("returns-by-branch").rows == [("A", "Main Street", 1, 1, D("499.00"))]
    assert runner.run("returns-by-branch", Filters(branch="B")).rows == []
    rows = runner.run("returns").as_dicts()
    assert len(rows) == 1
    assert rows[0]["serial"] == IMEIS[1]
    assert rows[0]["customer"] == "Ann Buyer"
    assert (rows[0]["disposition"], rows[0]["refund"]) == ("quarantine", D("499.00"))


def test_sales_with_every_filter(data):
    def count(**kw):
        return len(runner.run("sales", Filters(**kw)).rows)

    assert count() == 5
    assert count(product="DR-18") == 2
    assert count(serial=IMEIS[2]) == 1
    assert count(customer="Ann Buyer") == 3
    assert count(supplier="ToolCo") == 2
    assert count(branch="A") == 5 and count(branch="B") == 0
    assert count(employee="cal") == 5 and count(employee="mia") == 0
    assert count(date_from=date(2026, 1, 15), date_to=date(2026, 1, 15)) == 5
    assert count(date_from=date(2026, 1, 16)) == 0
    assert count(limit=2) == 2
    row = runner.run("sales", Filters(serial="D-2")).as_dicts()[0]
    assert (row["price"], row["cost"], row["margin"]) == (D("149.00"), D("90.00"), D("59.00"))
    assert row["sale"].startswith("S-") and row["customer"] == ""


def test_repairs_listing(data):
    r = runner.run("repairs")
    assert len(r.rows) == 3
    newest = r.as_dicts()[0]
    assert (newest["serial"], newest["technician"], newest["covered"]) == ("D-1", "ted", "yes")
    assert newest["parts_cost"] == D("200.00")
    assert len(runner.run("repairs", Filters(serial=IMEIS[0])).rows) == 2
    assert len(runner.run("repairs", Filters(supplier="PhoneCo")).rows) == 2
    assert len(runner.run("repairs", Filters(employee="ted")).rows) == 3


def test_stock_where_and_expiring(data):
    assert runner.run("stock-count").rows == [
        ("A", "DR-18", "Cordless drill 18V", 1),
        ("A", "PH-X1", "Phone X1 128GB", 3),
    ]
    serials = [row[3] for row in runner.run("stock").rows]
    assert serials == ["D-4", *sorted(IMEIS[3:6])]
    where = runner.run("where", Filters(serial=IMEIS[1])).as_dicts()
    assert (where[0]["state"], where[0]["branch"]) == ("in quarantine", "Main Street")
    end = unit(IMEIS[2]).warranty_end
    soon = runner.run("expiring", Filters(days=30), today=date(end.year, end.month, 1))
    # IMEIS[0] is in repair (in service), IMEIS[2] with Ann; the returned phone is not hers now
    assert sorted(row[2] for row in soon.rows) == sorted([IMEIS[0], IMEIS[2]])
    assert {row[1] for row in soon.rows} == {end.day - 1}
    assert runner.run("expiring", Filters(days=30), today=date(2026, 3, 1)).rows == []


def test_refusals(data):
    with pytest.raises(NotFound, match="not known"):
        runner.run("where", Filters(serial="NOPE-1"))
    with pytest.raises(Refused, match="Give the serial"):
        runner.run("where", Filters())
    with pytest.raises(Refused, match="No report"):
        runner.run("nonsense")
    with pytest.raises(NotFound, match="No employee"):
        runner.run("sales", Filters(employee="ghost"))
    with pytest.raises(NotFound, match="No supplier"):
        runner.run("sales", Filters(supplier="Nobody"))


def test_csv_round_trip(data):
    r = runner.run("supplier-failure")
    rows = list(csv.reader(io.StringIO(r.to_csv())))
    assert rows[0] == r.columns
    assert rows[1] == ["PhoneCo", "PH-X1", "Phone X1 128GB", "6", "2", "33.3"]


def test_cli_report_csv_json_and_refusal(sqlite_shop, capsys, monkeypatch):
    shop = sqlite_shop
    monkeypatch.setenv("SERIALDESK_PIN", "1234")  # mia's: reports show costs and customers
    receive_phones(shop.inventory, IMEIS[:2])
    sell_serials(shop.cashier, [IMEIS[0]])
    url = shop.url
    assert cli.main(["--db", url, "--employee", "mia", "report", "stock-count", "--csv"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines() == ["branch,sku,product,units", "A,PH-X1,Phone X1 128GB,1"]
    assert (
        cli.main(["--db", url, "--employee", "mia", "report", "sales", "--json", "--by", "cal"])
        == 0
    )
    body = json.loads(capsys.readouterr().out)
    assert body["report"] == "sales" and body["rows"][0]["serial"] == IMEIS[0]
    assert body["rows"][0]["price"] == "499.00"
    assert cli.main(["--db", url, "--employee", "mia", "report", "sales", "--branch", "B"]) == 0
    assert "(none)" in capsys.readouterr().out
    assert cli.main(["--db", url, "--employee", "mia", "report", "where", "--serial", "ZZZ"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not known" in err
    assert (
        cli.main(["--db", url, "--employee", "mia", "report", "sales", "--from", "15/01/2026"]) == 2
    )


def test_csv_cells_a_spreadsheet_would_run_as_formulas_are_defused():
    from decimal import Decimal

    from app.services.reports.base import Report

    report = Report(
        "sales",
        "t",
        ["a", "b", "c", "d"],
        [('=HYPERLINK("http://evil","x")', -5, Decimal("-1.00"), "@x")],
    )
    row = report.to_csv().splitlines()[1]
    assert row == '"\'=HYPERLINK(""http://evil"",""x"")",-5,-1.00,\'@x'
