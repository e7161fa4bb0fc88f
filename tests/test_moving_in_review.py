"""Moving in, as a hostile review found it: a unit imported before is compared detail by
detail (a blank detail meaning "as before"), money with a thousands separator, files that
are not files, broken CSV told plainly, and customers that share a name and phone going
round trip through export and import."""

from __future__ import annotations

import json
import os
import signal
import stat
from pathlib import Path

import pytest

from app.domain.errors import Refused
from app.services.moving_in import files
from app.services.moving_in.export import export_shop
from app.services.moving_in.files import money
from app.services.moving_in.runner import import_file
from app.services.stock.receiving import ReceiptLine, receive
from db.models import Customer, Document, Product, Unit
from tests.cli.conftest import Cli
from tests.conftest import IMEIS
from tests.test_moving_in import cli_on, write


@pytest.fixture
def run(shop, capsys, monkeypatch, tmp_path) -> Cli:
    return cli_on(shop, capsys, monkeypatch, tmp_path)


SOLD_HEAD = "serial,sku,sold,customer_name,customer_phone,price,branch,warranty_end,supplier,cost\n"


def customers(shop, tmp_path, text="name,phone\nAnna Berg,+1 555 0100\nBen Carter,+1 555 0101\n"):
    import_file(shop.manager, "customers", write(tmp_path, "people.csv", text), apply=True)


def refusals(shop, kind, path) -> list[str]:
    return [why for _line, why in import_file(shop.manager, kind, path).refused]


# --- 1, 2, 4: a unit imported before --------------------------------------------------------


def test_a_serial_imported_as_stock_is_refused_as_sold_and_the_other_way(shop, tmp_path):
    customers(shop, tmp_path)
    stock = write(tmp_path, "stock.csv", "serial,sku,cost,received\nTPD-Z3,DR-18,61,2026-01-02\n")
    import_file(shop.manager, "stock", stock, apply=True)
    number = f"OB-{Document.get().id}"
    sold = write(tmp_path, "sold.csv", SOLD_HEAD + "TPD-Z3,DR-18,2026-01-02,Anna Berg,,61,A,,,61\n")
    assert refusals(shop, "sold", sold) == [
        f"TPD-Z3 was imported before as in stock ({number}); this file says sold. A unit is "
        "imported once: take it out of this file."
    ]
    other = write(tmp_path, "sold2.csv", SOLD_HEAD + "TPD-Z4,DR-18,2026-01-02,Anna Berg,,,,,,\n")
    import_file(shop.manager, "sold", other, apply=True)
    again = write(tmp_path, "stock2.csv", "serial,sku,received\nTPD-Z4,DR-18,2026-01-02\n")
    assert "TPD-Z4 was imported before as sold" in refusals(shop, "stock", again)[0]


def test_a_correction_of_an_imported_unit_is_refused_naming_the_detail(shop, tmp_path):
    customers(shop, tmp_path)
    row = "TPD-1,DR-18,2026-01-02,Anna Berg,,149,A,2030-01-02,ToolCo,80\n"
    import_file(shop.manager, "sold", write(tmp_path, "s.csv", SOLD_HEAD + row), apply=True)
    stock = "serial,sku,branch,supplier,cost,received\nTPD-2,DR-18,A,ToolCo,80,2026-01-02\n"
    import_file(shop.manager, "stock", write(tmp_path, "t.csv", stock), apply=True)
    changed = {
        "customer Anna Berg +15550100 (#": row.replace("Anna Berg", "Ben Carter"),
        "warranty end 2030-01-02, this file says 2031-01-02": row.replace("2030", "2031"),
        "supplier ToolCo, this file says PhoneCo": row.replace("ToolCo", "PhoneCo"),
        "cost 80.00, this file says 81.00": row.replace(",80", ",81"),
        "price 149.00, this file says 150.00": row.replace(",149,", ",150,"),
        "sale date 2026-01-02, this file says 2026-01-03": row.replace("01-02,A", "01-03,A"),
        "branch A, this file says B": row.replace(",A,", ",B,"),
    }
    for says, text in changed.items():
        reasons = refusals(shop, "sold", write(tmp_path, "c.csv", SOLD_HEAD + text))
        assert len(reasons) == 1 and reasons[0].startswith("TPD-1 was imported before (OB-")
        assert says in reasons[0], reasons[0]
    assert (
        "this file says Ben Carter +15550101"
        in refusals(
            shop,
            "sold",
            write(tmp_path, "c.csv", SOLD_HEAD + changed["customer Anna Berg +15550100 (#"]),
        )[0]
    )
    for old, new in (("ToolCo", "PhoneCo"), (",80,", ",79,"), (",A,", ",B,")):
        text = stock.replace(old, new)
        reasons = refusals(shop, "stock", write(tmp_path, "c.csv", text))
        assert len(reasons) == 1 and "TPD-2 was imported before (OB-" in reasons[0]
        assert "this file says" in reasons[0]
    # The same rows again: already here as they are.
    assert import_file(shop.manager, "sold", write(tmp_path, "c.csv", SOLD_HEAD + row)).skipped == 1


def test_blank_date_branch_and_price_mean_as_before_for_a_unit_imported(shop, tmp_path):
    customers(shop, tmp_path)
    stock = write(tmp_path, "stock.csv", "serial,sku,branch,received\nTPD-1,DR-18,,\n")
    sold = write(tmp_path, "sold.csv", SOLD_HEAD + "TPD-2,DR-18,2026-01-02,Anna Berg,,,,,,\n")
    import_file(shop.manager, "stock", stock, apply=True)
    import_file(shop.manager, "sold", sold, apply=True)
    shop.clock.advance(days=1)  # the next day, a manager of the other branch, a new list price
    Product.update(price="159.00").where(Product.sku == "DR-18").execute()
    for kind, path in (("stock", stock), ("sold", sold)):
        report = import_file(shop.manager_b, kind, path, apply=True)
        assert report.skipped == 1 and not report.refused, report.refused
    assert Unit.select().count() == 2


def test_a_unit_received_otherwise_says_which_detail_differs(shop, tmp_path):
    receive(shop.inventory, "ToolCo", [ReceiptLine("DR-18", ["TPD-1", "TPD-9"], cost="80")])
    Unit.update(state="sold").where(Unit.serial == "TPD-1").execute()  # as if sold since
    reasons = refusals(shop, "stock", write(tmp_path, "c.csv", "serial,sku\nTPD-1,DR-18\n"))
    assert reasons == ["TPD-1 is already here, sold; this file says in stock."]
    text = "serial,sku,supplier,cost\nTPD-9,DR-18,PhoneCo,80\n"
    assert refusals(shop, "stock", write(tmp_path, "d.csv", text)) == [
        "TPD-9 is already here, in stock, with supplier ToolCo, this file says PhoneCo."
    ]
    text = "serial,sku,supplier,received\nTPD-9,DR-18,ToolCo,2025-01-01\n"
    assert import_file(shop.manager, "stock", write(tmp_path, "e.csv", text)).skipped == 1


# --- 3, 13: cells ---------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["1,299", "1,250.00", "1.299,00", "1,2,3", "12,345"])
def test_money_with_a_thousands_separator_is_refused(text):
    with pytest.raises(Refused) as refused:
        money(text, "cost")
    assert f"The cost '{text}' has a comma" in refused.value.message
    assert "like 1299.00" in refused.value.message


def test_money_with_a_decimal_comma_or_point_is_read():
    assert [str(money(t, "cost")) for t in ("1234.50", "1234,50", "1234,5", "7")] == [
        "1234.50", "1234.50", "1234.50", "7.00",
    ]  # fmt: skip


def test_a_catalogue_price_with_a_thousands_separator_is_refused(sqlite_shop, tmp_path):
    path = write(tmp_path, "c.csv", 'sku,name,type,price\nTV-1,TV,Phones,"1,299"\n')
    [(line, why)] = import_file(sqlite_shop.manager, "catalogue", path).refused
    assert line == 2 and "has a comma that may separate thousands" in why


def test_dates_before_1990_and_a_warranty_of_decades_are_refused(sqlite_shop, tmp_path):
    customers(sqlite_shop, tmp_path)
    text = "serial,sku,received\nTPD-1,DR-18,1989-12-31\nTPD-2,DR-18,1990-01-01\n"
    report = import_file(sqlite_shop.manager, "stock", write(tmp_path, "s.csv", text))
    assert report.refused == [
        (2, "The date received 1989-12-31 is before 1990-01-01: check the year.")
    ]
    text = SOLD_HEAD + (
        "TPD-3,DR-18,1985-05-01,Anna Berg,,,,,,\n"
        "TPD-4,DR-18,2025-01-02,Anna Berg,,,,2035-01-03,,\n"
        "TPD-5,DR-18,2025-01-02,Anna Berg,,,,2035-01-02,,\n"
    )
    report = import_file(sqlite_shop.manager, "sold", write(tmp_path, "t.csv", text))
    assert report.refused == [
        (2, "The sale date 1985-05-01 is before 1990-01-01: check the year."),
        (3, "The warranty end 2035-01-03 is more than 10 years after the sale (2025-01-02): "
            "check the year."),
    ]  # fmt: skip


# --- 5: what is not a file ------------------------------------------------------------------


def test_a_device_a_pipe_a_folder_and_a_huge_file_are_refused(sqlite_shop, tmp_path, monkeypatch):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    link = tmp_path / "link.csv"
    link.symlink_to("/dev/zero")

    def hung(*_args):
        raise TimeoutError("the import waited on a pipe")

    before = signal.signal(signal.SIGALRM, hung)
    signal.alarm(10)  # the pipe first: reading it used to wait for ever (and /dev/zero OOM)
    try:
        for path in (fifo, "/dev/zero", link, tmp_path):
            with pytest.raises(Refused) as refused:
                import_file(sqlite_shop.manager, "stock", path)
            assert "is not a regular file" in refused.value.message
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, before)
    monkeypatch.setattr(files, "MAX_FILE_BYTES", 40)
    big = write(tmp_path, "big.csv", "serial,sku\n" + "TPD-1,DR-18\n" * 5)
    with pytest.raises(Refused) as refused:
        import_file(sqlite_shop.manager, "stock", big)
    assert "is larger than" in refused.value.message and "split it" in refused.value.message


# --- 12: messages ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('serial,sku\nTPD-1,DR-18\n"TPD-2,DR-18\nTPD-3,DR-18\n',
         "unterminated quote starting on line 3"),
        ('serial,sku\nTPD-1,DR-18\n"A1"x,DR-18\n',
         "line 3 is not CSV: text follows a closing quote"),
        ("serial;sku\nTPD-1;DR-18\n", "the file seems to use ';' between columns; use commas"),
    ],
)  # fmt: skip
def test_broken_csv_is_told_plainly(sqlite_shop, tmp_path, text, says):
    with pytest.raises(Refused) as refused:
        import_file(sqlite_shop.manager, "stock", write(tmp_path, "f.csv", text))
    assert says in refused.value.message


def test_a_quoted_newline_is_reported_on_the_first_line_of_its_record(sqlite_shop, tmp_path):
    text = 'serial,sku\nTPD-1,DR-18\n"TPD\n2",DR-18\nTPD-3,DR-18\n'
    report = import_file(sqlite_shop.manager, "stock", write(tmp_path, "f.csv", text))
    assert [line for line, _why in report.refused] == [3]


def test_json_of_a_refused_apply_does_not_say_created(run, tmp_path):
    path = write(tmp_path, "s.csv", f"serial,sku\n{IMEIS[0]},PH-X1\n12345,PH-X1\n")
    code, out, _err = run("import", "stock", str(path), "--apply", "--json", employee="mia")
    result = json.loads(out)
    assert code == 1 and result["written"] is False and "created" not in result
    assert result["would_create"] == {"units in stock": 1}


# --- 8, 13: export ----------------------------------------------------------------------------


def test_an_export_into_an_empty_open_folder_makes_it_private(sqlite_shop, tmp_path):
    folder = tmp_path / "out"
    folder.mkdir(mode=0o755)
    os.chmod(folder, 0o755)
    export_shop(folder)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_customers_sharing_a_name_and_phone_go_round_trip(run, tmp_path, capsys):
    receive(run.shop.inventory, "PhoneCo", [ReceiptLine("PH-X1", IMEIS[:4], cost="300")])
    for serial, phone in zip(IMEIS[:4], ("+1 555 0100", "+1 555 0100", "", ""), strict=True):
        extra = ("--phone", phone) if phone else ()
        run.ok("sell", serial, "--new-customer", "John Smith", *extra, employee="cal")
    assert Customer.select().count() == 4
    folder = tmp_path / "export"
    run.json("export", str(folder), employee="mia")

    fresh = Cli(str(tmp_path / "fresh.db"), capsys)
    fresh.ok("init")
    fresh.ok("add", "branch", "A", "Main Street")
    fresh.ok("add", "min-pin", "manager", "4")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SERIALDESK_NEW_PIN", "1234")
        fresh.ok("add", "employee", "mia", "Mia Manager", "manager", "--home-branch", "A")
    for kind in ("catalogue", "suppliers", "customers", "stock", "sold"):
        done = fresh.json("import", kind, str(folder / f"{kind}.csv"), "--apply", employee="mia")
        assert done["refused"] == [] and done["written"], (kind, done["refused"])
        again = fresh.json("import", kind, str(folder / f"{kind}.csv"), "--apply", employee="mia")
        assert sum(again["created"].values()) == 0, kind
    back = tmp_path / "back"
    fresh.json("export", str(back), employee="mia")
    lines = sorted((folder / "customers.csv").read_text().splitlines())
    assert sorted((back / "customers.csv").read_text().splitlines()) == lines
    # The last column, the sale's number, is the opening balance's in the new ledger,
    # numbered above every sale the old shop issued: an old receipt never opens it.
    sold_before = [line.rsplit(",", 1) for line in (folder / "sold.csv").read_text().splitlines()]
    sold = [line.rsplit(",", 1) for line in (back / "sold.csv").read_text().splitlines()]
    assert sorted(row for row, _n in sold) == sorted(row for row, _n in sold_before)
    old = max(int(n.removeprefix("S-")) for _row, n in sold_before[1:])
    assert all(n.startswith("OB-") and int(n.removeprefix("OB-")) > old for _r, n in sold[1:])
    assert len({row.rsplit(",", 1)[1] for row, _n in sold[1:]}) == 4  # four customers


def test_a_sold_row_by_customer_number_must_be_that_customer(shop, tmp_path):
    text = "name,phone,number\nJohn Smith,,7\nJohn Smith,,8\n"
    customers(shop, tmp_path, text)
    assert [c.id for c in Customer.select().order_by(Customer.id)] == [7, 8]
    assert Customer.create(name="Next").id == 9  # the id sequence is past the numbers given
    head = "serial,sku,sold,customer_name,customer_number\n"
    rows = "TPD-1,DR-18,2026-01-02,John Smith,8\nTPD-2,DR-18,2026-01-02,Ann Lee,7\n"
    report = import_file(shop.manager, "sold", write(tmp_path, "s.csv", head + rows))
    assert report.refused == [(3, "Customer number 7 is John Smith; this file says Ann Lee.")]
    assert import_file(shop.manager, "customers", write(tmp_path, "p.csv", text)).skipped == 2
    other = write(tmp_path, "q.csv", "name,phone,number\nJane Doe,,7\n")
    assert import_file(shop.manager, "customers", other).refused == [
        (2, "Customer number 7 is already here as John Smith; this file says Jane Doe.")
    ]


def test_readme_names_the_new_columns():
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    section = readme[readme.index("### Moving in") : readme.index("### Reports and kits")]
    assert "customer_number" in section and "1,299" in section
