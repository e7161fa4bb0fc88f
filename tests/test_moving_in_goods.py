"""Moving in the goods without serials: ``import quantities`` (stock counted by quantity)
and ``import warranties`` (warranty numbers issued before going live), and ``export`` of
both read back into an empty database with the same warranty passports and stock levels."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.domain import warranty
from app.domain.errors import Refused
from app.services.counter import lookup, repairs
from app.services.counter.returns import ReturnItem, customer_return, sale_for_serial
from app.services.counter.selling import SaleItem, sell
from app.services.ledger.documents import Kind
from app.services.ledger.stock_levels import stock_quantity
from app.services.moving_in.files import ORDER
from app.services.moving_in.report import ImportRefused
from app.services.moving_in.runner import import_file
from db.models import Branch, Document, DocumentLine, Product, StockLevel, WarrantyNumber
from tests.cli.conftest import Cli
from tests.support import customer, receive_quantity
from tests.test_moving_in import cli_on, empty_shop, write

QTY_HEAD = "sku,branch,quantity,cost\n"
NUMBER_HEAD = (
    "number,sku,sold,customer_name,customer_phone,customer_number,price,branch,warranty_end,state\n"
)
N1, N2, N3 = "WACDE34797X", "WACDE34797Y", "WXYXY33333A"


@pytest.fixture
def run(shop, capsys, monkeypatch, tmp_path) -> Cli:
    return cli_on(shop, capsys, monkeypatch, tmp_path)


def level(sku: str, code: str) -> int:
    product = Product.get(Product.sku == sku)
    return stock_quantity(product.id, Branch.get(Branch.code == code).id)


def people(shop, tmp_path) -> None:
    text = "name,phone\nAnn Lee,+1 555 0100\nBen Carter,+1 555 0101\n"
    import_file(shop.manager, "customers", write(tmp_path, "people.csv", text), apply=True)


# --- quantities -----------------------------------------------------------------------------


def test_quantities_dry_run_apply_and_again_changes_nothing(shop, tmp_path):
    path = write(tmp_path, "q.csv", QTY_HEAD + "AC-CASE,A,12,2.50\nwa-cl,b,3,\nAC-CASE,B,0,\n")
    dry = import_file(shop.manager, "quantities", path)
    assert dry.created == {"stock quantities": 2} and dry.skipped == 1 and not dry.refused
    assert StockLevel.select().count() == 0 and Document.select().count() == 0

    done = import_file(shop.manager, "quantities", path, apply=True)
    assert done.created == {"stock quantities": 2}
    assert (level("AC-CASE", "A"), level("WA-CL", "B"), level("AC-CASE", "B")) == (12, 3, 0)
    line = DocumentLine.get(DocumentLine.quantity == 12)
    assert (line.document.kind, line.document.branch.code, str(line.cost)) == (
        Kind.OPENING, "A", "2.50",
    )  # fmt: skip
    assert line.document.business_date == shop.manager.today()

    sell(shop.cashier, [SaleItem(product="AC-CASE", quantity=2)])  # moves after the import
    again = import_file(shop.manager, "quantities", path, apply=True)
    assert again.created == {"stock quantities": 0} and again.skipped == 3
    assert level("AC-CASE", "A") == 10 and DocumentLine.select().count() == 3

    changed = write(tmp_path, "q2.csv", QTY_HEAD + "AC-CASE,A,15,\nWA-CL,B,3,4\n")
    number = f"OB-{line.document_id}"
    assert import_file(shop.manager, "quantities", changed).refused == [
        (2, f"AC-CASE at A was imported before ({number}) with quantity 12, this file says "
            "15. An import does not change stock already here: count it with a stocktake or "
            "an adjustment."),
        (3, f"WA-CL at B was imported before (OB-{line.document_id + 1}) with cost none, "
            "this file says 4.00. An import does not change stock already here: count it "
            "with a stocktake or an adjustment."),
    ]  # fmt: skip


def test_quantities_refused_rows_with_their_lines_and_nothing_written(shop, tmp_path):
    receive_quantity(shop.inventory, "AC-CASE", 4)  # at A, by a receipt: not an import
    text = QTY_HEAD + (
        "PH-X1,A,3,\n"  # 2
        "AC-CASE,A,-2,\n"  # 3
        "WA-CL,A,2.5,\n"  # 4
        "NOPE,A,1,\n"  # 5
        "WA-CL,ZZ,1,\n"  # 6
        "WA-CL,B,1,\n"  # 7
        "wa-cl,b,2,\n"  # 8: twice
        "WA-CL,,1,\n"  # 9
        "AC-CASE,B,,\n"  # 10
        "AC-CASE,A,5,\n"  # 11: 4 here already
        "WA-CL,A,1,-3\n"  # 12
    )
    path = write(tmp_path, "q.csv", text)
    report = import_file(shop.manager, "quantities", path)
    reasons = dict(report.refused)
    assert sorted(reasons) == [2, 3, 4, 5, 6, 8, 9, 10, 11, 12]
    assert reasons[2] == (
        "Phone X1 128GB (PH-X1) is tracked by serial (strict (serial verified)): import them "
        "by serial in stock.csv."
    )
    assert reasons[3] == "The quantity -2 cannot be negative."
    assert reasons[4] == "The quantity '2.5' is not a whole number."
    assert "No product with SKU 'NOPE'" in reasons[5]
    assert "No branch with code 'ZZ'" in reasons[6]
    assert reasons[8] == "WA-CL at branch B is already on line 7 of this file."
    assert "branch is blank" in reasons[9]
    assert "quantity is blank" in reasons[10]
    assert reasons[11] == (
        "AC-CASE at A: 4 already in stock here (received, not imported), this file says 5. "
        "Count it with a stocktake or an adjustment."
    )
    assert "cannot be negative" in reasons[12]
    assert report.created == {"stock quantities": 1}
    with pytest.raises(ImportRefused) as refused:
        import_file(shop.manager, "quantities", path, apply=True)
    assert "10 row(s) of q.csv refused, nothing written" in refused.value.message
    assert level("WA-CL", "B") == 0 and level("AC-CASE", "A") == 4
    same = write(tmp_path, "same.csv", QTY_HEAD + "AC-CASE,A,4,\n")
    assert import_file(shop.manager, "quantities", same, apply=True).skipped == 1


# --- warranty numbers -----------------------------------------------------------------------


def test_warranty_numbers_imported_answer_the_passport_and_claims(shop, tmp_path):
    people(shop, tmp_path)
    sold = shop.manager.today() - timedelta(days=200)  # the watch has 12 months
    end = sold + timedelta(days=1000)
    text = NUMBER_HEAD + (
        f"{N1},WA-CL,{sold},Ann Lee,,,75,B,,\n"
        f"{N2.lower()},WA-CL,{sold},,+1 555 0101,,,,{end},\n"
        f"{N3},WA-CL,{sold - timedelta(days=30)},,,,,,,returned\n"
    )
    path = write(tmp_path, "w.csv", text)
    dry = import_file(shop.manager, "warranties", path)
    assert dry.created == {"warranty numbers": 3} and not dry.refused
    assert WarrantyNumber.select().count() == 0 and Document.select().count() == 0

    done = import_file(shop.manager, "warranties", path, apply=True)
    assert done.created == {"warranty numbers": 3}
    view = lookup.resolve(N1, today=shop.manager.today()).warranty
    assert (view.sku, view.customer, view.state, view.sold_on) == (
        "WA-CL",
        "Ann Lee",
        "active",
        sold,
    )
    assert (view.warranty_start, view.warranty_end) == (sold, warranty.warranty_end(sold, 12))
    assert view.warranty_active
    second = lookup.resolve(N2, today=shop.manager.today()).warranty
    assert (second.customer, second.warranty_end) == ("Ben Carter", end)
    assert lookup.resolve(N3, today=shop.manager.today()).warranty.state == "returned"
    number = WarrantyNumber.get(WarrantyNumber.number == N1)
    line = number.sale_line
    assert (line.document.kind, line.document.branch.code, str(line.price)) == (
        Kind.OPENING, "B", "75.00",
    )  # fmt: skip
    assert str(WarrantyNumber.get(WarrantyNumber.number == N2).sale_line.price) == "89.90"
    ticket = repairs.intake(shop.cashier, N1, complaint="stopped")
    assert ticket.covered and ticket.customer == "Ann Lee"
    # Sold on the opening balance, not on a sale of this shop: no refund of money never taken.
    assert view.sale == f"OB-{line.document_id}"
    with pytest.raises(Refused, match="sold before the shop moved in"):
        sale_for_serial(N1)

    again = import_file(shop.manager, "warranties", path, apply=True)
    assert again.created == {"warranty numbers": 0} and again.skipped == 3
    changed = write(
        tmp_path, "w2.csv",
        NUMBER_HEAD + f"{N1},WA-CL,{sold},Ben Carter,,,,,,\n{N2},WA-CL,{sold},,,,80,,,\n",
    )  # fmt: skip
    assert import_file(shop.manager, "warranties", changed).refused == [
        (2, f"{N1} was imported before (OB-{line.document_id}) with customer Ann Lee "
            "+15550100 (#1), this file says Ben Carter +15550101 (#2). An import does not "
            "change a warranty number already here."),
        (3, f"{N2} was imported before (OB-{line.document_id + 1}) with price 89.90, this "
            "file says 80.00. An import does not change a warranty number already here."),
    ]  # fmt: skip


def test_a_number_the_counter_issued_is_skipped_or_refused(shop, tmp_path):
    receive_quantity(shop.inventory, "WA-CL", 2)
    ann = customer("Ann Lee", "+1 555 0100")
    sale = sell(shop.cashier, [SaleItem(product="WA-CL", quantity=2)], customer_id=ann.id)
    first, second = sale.lines[0].warranty_numbers
    customer_return(shop.cashier, [ReturnItem(warranty_number=second)])
    today = shop.manager.today()
    text = NUMBER_HEAD + (
        f"{first},WA-CL,{today},Ann Lee,,,,,,active\n"
        f"{second},WA-CL,{today},,,,,,,returned\n"
        f"{first.lower()},WA-CL,{today},,,,,,,\n"
    )
    report = import_file(shop.manager, "warranties", write(tmp_path, "w.csv", text))
    assert report.skipped == 2
    assert report.refused == [(4, f"Warranty number {first} is already on line 2 of this file.")]
    other = write(tmp_path, "w2.csv", NUMBER_HEAD + f"{first},WA-CL,2025-12-01,,,,,,,\n")
    assert import_file(shop.manager, "warranties", other).refused == [
        (2, f"{first} is already here ({sale.number}) with sale date {today}, this file says "
            "2025-12-01.")
    ]  # fmt: skip


def test_warranty_rows_refused_with_their_lines(shop, tmp_path):
    people(shop, tmp_path)
    stock = "serial,sku\nWACDE34797M,DR-18\n"  # a unit whose serial looks like a number
    import_file(shop.manager, "stock", write(tmp_path, "s.csv", stock), apply=True)
    today = shop.manager.today()
    sold = date(2025, 6, 1)
    text = NUMBER_HEAD + (
        f"W12345,WA-CL,{sold},,,,,,,\n"  # 2
        f"{N1},WA-CL,{sold},,,,,,,\n"  # 3
        f"{N1},WA-CL,{sold},,,,,,,\n"  # 4: twice
        f"WACDE34797M,WA-CL,{sold},,,,,,,\n"  # 5: a unit's serial
        f"{N2},PH-X1,{sold},,,,,,,\n"  # 6
        f"WACDE34797A,AC-CASE,{sold},,,,,,,\n"  # 7
        f"WACDE34797C,NOPE,{sold},,,,,,,\n"  # 8
        f"WACDE34797D,WA-CL,{today + timedelta(days=1)},,,,,,,\n"  # 9
        "WACDE34797E,WA-CL,01/06/2025,,,,,,,\n"  # 10
        f"WACDE34797F,WA-CL,{sold},,,,,,2025-05-01,\n"  # 11
        f"WACDE34797G,WA-CL,{sold},,,,,,2040-06-01,\n"  # 12
        f"WACDE34797H,WA-CL,{sold},Nobody,,,,,,\n"  # 13
        f"WACDE34797J,WA-CL,{sold},,,,,,,lost\n"  # 14
        f"WACDE34797K,WA-CL,{sold},,,,,ZZ,,\n"  # 15
        f",WA-CL,{sold},,,,,,,\n"  # 16
    )
    report = import_file(shop.manager, "warranties", write(tmp_path, "w.csv", text))
    reasons = dict(report.refused)
    assert sorted(reasons) == [2, *range(4, 17)]
    assert reasons[2].startswith("'W12345' is not a warranty number: W and ten of ")
    assert reasons[4] == f"Warranty number {N1} is already on line 3 of this file."
    assert reasons[5] == "WACDE34797M is the serial of a unit here: a warranty number cannot be."
    assert "tracked by serial" in reasons[6] and "sold.csv" in reasons[6]
    assert reasons[7] == (
        "Phone case (AC-CASE) issues no warranty numbers now (no tracking): give the number's "
        "warranty_end."
    )
    assert "No product with SKU 'NOPE'" in reasons[8]
    assert "in the future" in reasons[9]
    assert "not a date like 2025-03-31" in reasons[10]
    assert reasons[11] == "The warranty ends (2025-05-01) before the sale (2025-06-01)."
    assert "more than 10 years after the sale" in reasons[12]
    assert "No customer Nobody" in reasons[13]
    assert reasons[14] == "The state 'lost' is not active or returned."
    assert "No branch with code 'ZZ'" in reasons[15]
    assert reasons[16] == "The warranty number is blank."
    assert report.created == {"warranty numbers": 1}


# --- export, then import into an empty database ---------------------------------------------


WARRANTY_COMPARED = (
    "number", "sku", "product", "state", "sold_on", "customer", "warranty_start",
    "warranty_end", "warranty_days_left", "warranty_active",
)  # fmt: skip


def test_an_export_keeps_warranty_numbers_and_quantities(run, tmp_path, capsys):
    shop = run.shop
    receive_quantity(shop.inventory, "WA-CL", 5, cost="40.00")
    receive_quantity(shop.inventory, "AC-CASE", 10, cost="2.00")
    receive_quantity(shop.inventory_b, "AC-CASE", 7, cost="2.50")
    sale = run.json("sell", "WA-CL:3", "AC-CASE:2", "--new-customer", "=Wendy Watch",
                    "--phone", "+1 555 0199", employee="cal")  # fmt: skip
    numbers = sale["lines"][0]["warranty_numbers"]
    assert len(numbers) == 3
    run.ok("return", "--sale", sale["number"], "--warranty-number", numbers[2],
           "--condition", "as new", "--disposition", "in_stock", employee="cal")  # fmt: skip
    before = {n: run.json("passport", n, employee="mia")["warranty"] for n in numbers}
    assert before[numbers[2]]["state"] == "returned"
    stock = {(r["branch"], r["sku"]): r["quantity"] for r in run.json("stock", employee="mia")}
    assert stock[("A", "WA-CL")] == 3 and stock[("B", "AC-CASE")] == 7

    folder = tmp_path / "export"
    written = run.json("export", str(folder), employee="mia")
    assert written["files"]["warranties.csv"] == 3 and written["files"]["quantities.csv"] == 3
    assert (folder / "quantities.csv").read_text().splitlines() == [
        "sku,branch,quantity,cost", "AC-CASE,A,8,2.50", "AC-CASE,B,7,2.50", "WA-CL,A,3,40.00",
    ]  # fmt: skip

    fresh = empty_shop(tmp_path, capsys)
    assert ORDER[-2:] == ("quantities", "warranties")
    for kind in ORDER:
        dry = fresh.json("import", kind, str(folder / f"{kind}.csv"), employee="mia")
        assert dry["refused"] == [] and dry["dry_run"], kind
        fresh.json("import", kind, str(folder / f"{kind}.csv"), "--apply", employee="mia")
        again = fresh.json("import", kind, str(folder / f"{kind}.csv"), "--apply", employee="mia")
        assert sum(again["created"].values()) == 0 and again["refused"] == [], kind
    assert fresh.json("verify")["ok"]
    # the warranty numbers' opening lines are not opening quantities of the same watches
    again = fresh.json("import", "quantities", str(folder / "quantities.csv"), employee="mia")
    assert (again["would_create"], again["skipped"]) == ({"stock quantities": 0}, 3)

    for number in numbers:
        after = fresh.json("passport", number, employee="mia")["warranty"]
        # Expected to differ: the document it was sold on (a new opening balance).
        assert {k: after[k] for k in WARRANTY_COMPARED} == {
            k: before[number][k] for k in WARRANTY_COMPARED
        }
    assert after["customer"] == "=Wendy Watch"
    moved = {(r["branch"], r["sku"]): r["quantity"] for r in fresh.json("stock", employee="mia")}
    assert moved == stock
