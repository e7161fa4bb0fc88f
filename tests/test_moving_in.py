"""Moving in: ``import KIND FILE`` (dry run, all-or-nothing apply, idempotent, hostile files)
and ``export FOLDER`` read back into an empty database with the same passports."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from app.domain import pins, warranty
from app.domain.errors import Refused
from app.services.counter import repairs
from app.services.ledger.documents import Kind
from app.services.moving_in.files import quote, unquote
from app.services.moving_in.report import ImportRefused
from app.services.moving_in.runner import import_file
from app.services.stock.receiving import ReceiptLine, receive
from db.history_verify import verify_history
from db.models import Customer, Document, Product, ProductType, Supplier, Unit, UnitEvent
from tests.cli.conftest import Cli
from tests.conftest import IMEIS, make_imei

STOCK_HEAD = "serial,sku,branch,supplier,cost,received\n"


def empty_shop(tmp_path, capsys) -> Cli:
    """A new database with branches A and B and the manager mia (PIN 1234): where an
    export is imported."""
    fresh = Cli(str(tmp_path / "fresh.db"), capsys)
    fresh.ok("init")
    fresh.ok("add", "branch", "A", "Main Street")
    fresh.ok("add", "branch", "B", "Harbour")
    fresh.ok("add", "min-pin", "manager", "4")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SERIALDESK_NEW_PIN", "1234")
        fresh.ok("add", "employee", "mia", "Mia Manager", "manager", "--home-branch", "A")
    return fresh


def cli_on(shop, capsys, monkeypatch, tmp_path) -> Cli:
    """The command line on the seeded shop (both backends), as in tests/cli."""
    monkeypatch.setattr(pins, "_N", 2**4)  # PINs hashed cheaply: each command checks one
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "home" / "state"))
    cli = Cli(shop.url, capsys)
    cli.shop = shop
    return cli


@pytest.fixture
def run(shop, capsys, monkeypatch, tmp_path) -> Cli:
    return cli_on(shop, capsys, monkeypatch, tmp_path)


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def stock_file(tmp_path, serials, name="stock.csv", branch="A") -> Path:
    rows = "".join(f"{s},PH-X1,{branch},PhoneCo,300,2026-01-02\n" for s in serials)
    return write(tmp_path, name, STOCK_HEAD + rows)


# --- the data layer, on both backends -------------------------------------------------------


def test_stock_dry_run_writes_nothing_apply_writes_again_changes_nothing(shop, tmp_path):
    path = stock_file(tmp_path, IMEIS[:5])
    dry = import_file(shop.manager, "stock", path)
    assert dry.created == {"units in stock": 5} and not dry.refused
    assert Unit.select().count() == 0 and Document.select().count() == 0

    done = import_file(shop.manager, "stock", path, apply=True)
    assert done.created == {"units in stock": 5}
    unit = Unit.get(Unit.serial == IMEIS[0])
    assert (unit.state, unit.branch.code, unit.supplier.name, str(unit.cost)) == (
        "in_stock", "A", "PhoneCo", "300.00",
    )  # fmt: skip
    event = UnitEvent.get(UnitEvent.unit == unit)
    assert event.document.kind == Kind.OPENING
    assert event.document.business_date == date(2026, 1, 2)
    assert event.seq is not None and verify_history().ok

    again = import_file(shop.manager, "stock", path, apply=True)
    assert again.created == {"units in stock": 0} and again.skipped == 5
    assert Unit.select().count() == 5 and UnitEvent.select().count() == 5


def test_one_refused_row_and_nothing_is_written(shop, tmp_path):
    bad = IMEIS[3][:-1] + str((int(IMEIS[3][-1]) + 1) % 10)  # a wrong IMEI check digit
    path = stock_file(tmp_path, [*IMEIS[:3], bad])
    with pytest.raises(ImportRefused) as refused:
        import_file(shop.manager, "stock", path, apply=True)
    why = f"{bad} has a wrong IMEI check digit. Scan it again or type it carefully."
    assert refused.value.report.refused == [(5, why)]
    assert "nothing written" in refused.value.message
    assert Unit.select().count() == 0 and UnitEvent.select().count() == 0


def test_a_conflicting_existing_unit_is_refused(shop, tmp_path):
    receive(shop.inventory, "PhoneCo", [ReceiptLine("PH-X1", IMEIS[:1], cost="250")])
    report = import_file(shop.manager, "stock", stock_file(tmp_path, IMEIS[:2]))
    assert report.refused == [
        (2, f"{IMEIS[0]} is already here, in stock, with cost 250.00, this file says 300.00.")
    ]
    assert report.created == {"units in stock": 1}


def test_units_sold_before_going_live_are_covered_by_their_warranty(shop, tmp_path):
    people = write(tmp_path, "c.csv", "name,phone\nAnn Lee,+1 555 0100\n")
    import_file(shop.manager, "customers", people, apply=True)
    sold_on = shop.manager.today() - timedelta(days=400)  # the phone has 24 months
    old = shop.manager.today() - timedelta(days=800)
    text = (
        "serial,sku,sold,customer_name,customer_phone,price\n"
        f"{IMEIS[0]},PH-X1,{sold_on},Ann Lee,,450\n"
        f"{IMEIS[1]},PH-X1,{old},,+1 555 0100,\n"
    )
    path = write(tmp_path, "sold.csv", text)
    report = import_file(shop.manager, "sold", path, apply=True)
    assert report.created == {"units sold before": 2}
    unit = Unit.get(Unit.serial == IMEIS[0])
    assert unit.state == "sold" and unit.customer.name == "Ann Lee"
    assert (unit.warranty_start, unit.warranty_end) == (sold_on, warranty.warranty_end(sold_on, 24))
    assert repairs.propose_decision(IMEIS[0], today=shop.manager.today()).covered
    assert not repairs.propose_decision(IMEIS[1], today=shop.manager.today()).covered
    ticket = repairs.intake(shop.cashier, IMEIS[0], complaint="no sound")
    assert ticket.covered
    assert import_file(shop.manager, "sold", path, apply=True).skipped == 2
    assert verify_history().ok


def test_catalogue_suppliers_and_customers_by_the_catalogues_rules(shop, tmp_path):
    text = (
        "sku,name,type,price,gtin,tracking_mode,warranty_months,check\n"
        "TB-1,Tablet 1,Tablets,299.00,4006381333924,strict,24,imei\n"
        "TB-2,Tablet 2,Tablets,399,,,,\n"
        "PH-X1,Phone X1 128GB,Phones,499.00,4006381333931,,,\n"  # already here, identical
    )
    path = write(tmp_path, "catalogue.csv", text)
    report = import_file(shop.manager, "catalogue", path, apply=True)
    assert report.created == {"product types": 1, "products": 2} and report.skipped == 1
    tablets = ProductType.get(ProductType.name == "Tablets")
    assert (tablets.tracking_mode, tablets.warranty_months, tablets.check_kind) == (
        "strict", 24, "imei",
    )  # fmt: skip
    assert Product.get(Product.sku == "TB-2").type == tablets
    assert import_file(shop.manager, "catalogue", path).created == {
        "product types": 0, "products": 0,
    }  # fmt: skip
    changed = write(tmp_path, "c2.csv", "sku,name,type,price\nTB-1,Tablet 1,Tablets,279\n")
    assert import_file(shop.manager, "catalogue", changed).refused == [
        (2, "Product TB-1 differs: price 299.00 here, 279.00 in the file.")
    ]
    suppliers = write(tmp_path, "s.csv", "name,contact\nTabCo,sales@tabco\nphoneco,\n")
    assert import_file(shop.manager, "suppliers", suppliers, apply=True).created == {"suppliers": 1}
    assert Supplier.get(Supplier.name == "TabCo").contact == "sales@tabco"
    people = write(tmp_path, "p.csv", "name,phone,email\n'=Eve,'+44 7700 900123,eve@x.org\n")
    import_file(shop.manager, "customers", people, apply=True)
    eve = Customer.get(Customer.email == "eve@x.org")
    assert (eve.name, eve.phone) == ("=Eve", "+447700900123")
    assert import_file(shop.manager, "customers", people, apply=True).skipped == 1


def test_only_a_manager_imports(shop, tmp_path):
    from app.domain.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        import_file(shop.cashier, "stock", stock_file(tmp_path, IMEIS[:1]))


# --- hostile files (the rules do not depend on the backend) -------------------------------


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (b"serial,sku\n\xff\xfe,PH-X1\n", "not UTF-8 text: byte 0xff on line 2"),
        (b"serial,branch\nX,A\n", "has no column sku"),
        (b"serial,sku,colour\nX,PH-X1,red\n", "unknown column(s) colour"),
        (b"serial,sku,sku\nX,PH-X1,PH-X1\n", "names the column sku twice"),
        (b"", "is empty"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_whole(sqlite_shop, tmp_path, text, says):
    with pytest.raises(Refused) as refused:
        import_file(sqlite_shop.manager, "stock", write(tmp_path, "f.csv", text))
    assert says in refused.value.message


def test_every_refused_row_is_listed_with_its_line_and_reason(sqlite_shop, tmp_path):
    future = sqlite_shop.manager.today() + timedelta(days=3)
    bad_imei = make_imei(77)[:-1] + str((int(make_imei(77)[-1]) + 1) % 10)
    text = STOCK_HEAD + (
        f"{IMEIS[0]},PH-X1,A,PhoneCo,300,2026-01-02\n"
        f"{IMEIS[0]},PH-X1,A,PhoneCo,300,2026-01-02\n"  # 3: twice in the file
        f"{bad_imei},PH-X1,A,,,\n"  # 4
        f"{IMEIS[1]},NOPE,A,,,\n"  # 5
        f"{IMEIS[2]},PH-X1,A,,-5,\n"  # 6
        f"{IMEIS[3]},PH-X1,A,,,{future}\n"  # 7
        f"{IMEIS[4]},PH-X1,ZZ,,,\n"  # 8
        f"{IMEIS[5]},PH-X1,A,Nobody,,\n"  # 9
        f"{IMEIS[6]},PH-X1,A,,,31/01/2026\n"  # 10
        f"{IMEIS[7]},AC-CASE,A,,,\n"  # 11
        f"{IMEIS[8]},PH-X1,A,,,,extra\n"  # 12
    )
    report = import_file(sqlite_shop.manager, "stock", write(tmp_path, "s.csv", text))
    reasons = dict(report.refused)
    assert sorted(reasons) == list(range(3, 13))
    assert "already on line 2" in reasons[3]
    assert "wrong IMEI check digit" in reasons[4]
    assert "No product with SKU 'NOPE'" in reasons[5]
    assert "cannot be negative" in reasons[6]
    assert "in the future" in reasons[7]
    assert "No branch with code 'ZZ'" in reasons[8]
    assert "No supplier 'Nobody'" in reasons[9]
    assert "not a date like 2025-03-31" in reasons[10]
    assert "not tracked by serial" in reasons[11]
    assert "the header names 6" in reasons[12]
    assert report.created == {"units in stock": 1}


def test_control_characters_and_negative_prices_in_the_catalogue(sqlite_shop, tmp_path):
    text = (
        "sku,name,type,price\n"
        "N-1,Evil\x1b[2Jname,Phones,10\n"
        "N-2,Fine,Phones,-10\n"
        "N-3,Fine,Nope,10\n"
        "N-4,Fine,Phones,0\n"
    )
    report = import_file(sqlite_shop.manager, "catalogue", write(tmp_path, "c.csv", text))
    reasons = dict(report.refused)
    assert "control characters" in reasons[2]
    assert "cannot be negative" in reasons[3]
    assert "No product type 'Nope'" in reasons[4]
    assert "more than 0.00" in reasons[5]


def test_export_cells_never_run_as_formulas_and_read_back_the_same():
    for value in ("=1+1", "+44 7700", "-x", "@a", "'quoted", "''", "plain", "'=x"):
        cell = quote(value)
        assert cell[:1] not in ("=", "+", "-", "@")
        assert unquote(cell) == value


def test_the_command_lists_refused_rows_and_writes_nothing(run, tmp_path):
    path = stock_file(tmp_path, [IMEIS[0], IMEIS[0], "12345"])
    code, out, err = run("import", "stock", str(path), employee="mia")
    assert code == 1 and "2 row(s) would be refused" in err and "nothing was written" in err
    assert "Would create: 1 units in stock." in out and "already on line 2" in out
    code, out, err = run("import", "stock", str(path), "--apply", "--json", employee="mia")
    result = json.loads(out)
    assert code == 1 and result["written"] is False
    assert [r["line"] for r in result["refused"]] == [3, 4]
    assert "already on line 2" in result["refused"][0]["reason"]
    err = run.refused("import", "stock", str(path), employee="cal")
    assert "manager" in err
    assert Unit.select().count() == 0


# --- export, then import into an empty database: the same passports ----------------------


COMPARED = (
    "serial", "sku", "product", "product_type", "tracking_mode", "state", "branch",
    "customer", "customer_phone", "supplier", "cost", "warranty_start", "warranty_end",
    "warranty_days_left", "warranty_active",
)  # fmt: skip


def test_an_export_imported_into_an_empty_database_gives_the_same_passports(run, tmp_path, capsys):
    shop = run.shop
    receive(shop.inventory, "PhoneCo", [ReceiptLine("PH-X1", IMEIS[:5], cost="300")])
    receive(shop.inventory, "ToolCo", [ReceiptLine("DR-18", ["TPD-1", "TPD-2"], cost="80")])
    run.ok("sell", IMEIS[0], "--new-customer", "=Ann Buyer", "--phone", "+1 555 0100",
           employee="cal")  # fmt: skip
    sale = run.json("sell", IMEIS[1], "TPD-1", "--new-customer", "Bob Roe", employee="cal")
    run.ok("return", "--sale", sale["number"], "--serial", IMEIS[1], "--condition", "as new",
           "--disposition", "in_stock", employee="cal")  # fmt: skip
    ticket = run.json("repair", "intake", IMEIS[0], "--complaint", "no sound", employee="cal")
    run.ok("repair", "status", ticket["number"], "diagnosing", employee="ted")
    run.ok("repair", "collect", ticket["number"], "--outcome", "fixed", employee="cal")
    serials = [*IMEIS[:5], "TPD-1", "TPD-2"]
    before = {s: run.json("passport", s, employee="mia") for s in serials}

    folder = tmp_path / "export"
    written = run.json("export", str(folder), employee="mia")
    assert written["files"]["stock.csv"] == 5 and written["files"]["sold.csv"] == 2
    assert (folder / "customers.csv").read_text().splitlines()[1].startswith("'=Ann Buyer,")
    assert json.loads((folder / "shop.json").read_text())["branches"][0]["code"] == "A"
    assert oct((folder / "customers.csv").stat().st_mode & 0o777) == "0o600"

    fresh = empty_shop(tmp_path, capsys)
    for kind in ("catalogue", "suppliers", "customers", "stock", "sold"):
        dry = fresh.json("import", kind, str(folder / f"{kind}.csv"), employee="mia")
        assert dry["refused"] == [] and dry["dry_run"]
        fresh.json("import", kind, str(folder / f"{kind}.csv"), "--apply", employee="mia")
        again = fresh.json("import", kind, str(folder / f"{kind}.csv"), "--apply", employee="mia")
        assert sum(again["created"].values()) == 0, kind
    assert fresh.json("verify")["ok"]

    for serial in serials:
        after = fresh.json("passport", serial, employee="mia")
        # A unit back on the shelf keeps the dates of the warranty it no longer carries;
        # imported as opening stock it has none (expected: neither is a running warranty).
        keys = COMPARED if before[serial]["warranty_held"] else COMPARED[:-4] + COMPARED[-2:]
        assert {k: after[k] for k in keys} == {k: before[serial][k] for k in keys}
        # Expected to differ: the history starts with the opening balance (one row).
        assert [h["document"][:3] for h in after["history"]] == ["OB-"]
