"""Moving in, as the second hostile review found it: a product's own settings and its
type's card go round trip, old receipt and sale numbers are never issued again, names
with invisible characters are one customer, a serial that reads as a GS1 code is
refused, and the export says what its CSV files leave out."""

from __future__ import annotations

import pytest

from app.domain import pins
from app.services.counter.selling import SaleItem, sell
from app.services.moving_in.export import export_shop
from app.services.moving_in.runner import import_file
from app.services.stock.receiving import ReceiptLine, receive
from db.models import Customer, Document, Product, ProductType
from tests.cli.conftest import Cli
from tests.conftest import IMEIS
from tests.test_moving_in import write

CATALOGUE_HEAD = (
    "sku,name,type,price,tracking_mode,warranty_months,mask,card_template,product_mode,"
    "product_warranty_months,product_serial_pattern,product_check,active\n"
)


def refusals(ctx, kind, path) -> list[tuple[int, str]]:
    return import_file(ctx, kind, path).refused


def test_a_products_own_settings_and_its_types_card_are_imported(shop, tmp_path):
    rows = (
        'SP-1,Speaker,Gadgets,59,none,0,last4,"Card for {{ product }}\nThanks",warranty,12,'
        "SPK####,,yes\n"
        "SP-2,Old speaker,Gadgets,39,none,0,last4,,,,,,no\n"
    )
    path = write(tmp_path, "catalogue.csv", CATALOGUE_HEAD + rows)
    dry = import_file(shop.manager, "catalogue", path)
    assert dry.refused == [] and dry.created == {"product types": 1, "products": 2}
    import_file(shop.manager, "catalogue", path, apply=True)
    gadgets = ProductType.get(ProductType.name == "Gadgets")
    assert (gadgets.mask_policy, gadgets.card_template) == (
        "last4",
        "Card for {{ product }}\nThanks",
    )
    speaker = Product.get(Product.sku == "SP-1")
    assert (speaker.tracking_mode, speaker.warranty_months, speaker.serial_pattern) == (
        "warranty", 12, "SPK####",
    )  # fmt: skip
    assert speaker.active and not Product.get(Product.sku == "SP-2").active
    again = import_file(shop.manager, "catalogue", path, apply=True)
    assert again.refused == [] and sum(again.created.values()) == 0
    changed = write(tmp_path, "c2.csv", CATALOGUE_HEAD + rows.replace("warranty,12", "warranty,24"))
    [(line, why)] = refusals(shop.manager, "catalogue", changed)
    assert line == 2 and "warranty months 12 here, 24 in the file" in why


@pytest.mark.parametrize(
    ("cells", "reason"),
    [
        ("none,0,,,sometimes,,,,", "product mode"),
        ("none,0,,,,,,,maybe", "not yes or no"),
        ("none,0,,{{ 1/0 }},,,,,", "template"),
        ("none,0,stars,,,,,,", "mask"),
    ],
)
def test_a_bad_own_setting_is_refused_and_creates_no_type(shop, tmp_path, cells, reason):
    path = write(tmp_path, "c.csv", CATALOGUE_HEAD + f"SP-9,Speaker,Gizmos,59,{cells}\n")
    report = import_file(shop.manager, "catalogue", path)
    [(_line, why)] = report.refused
    assert reason in why.lower() or reason in why
    assert report.created == {"product types": 0, "products": 0}  # the refused row's type too


def test_old_sale_and_receipt_numbers_are_never_issued_again(shop, tmp_path):
    people = write(tmp_path, "people.csv", "name\nAnna Berg\n")
    import_file(shop.manager, "customers", people, apply=True)
    head = "serial,sku,sold,customer_name,price,sale\n"
    path = write(tmp_path, "sold.csv", head + "TPD-1,DR-18,2026-01-02,Anna Berg,149,S-4711\n")
    import_file(shop.manager, "sold", path, apply=True)
    stock = write(tmp_path, "stock.csv", "serial,sku,receipt\nTPD-2,DR-18,GR-5000\n")
    import_file(shop.manager, "stock", stock, apply=True)
    opening = max(d.id for d in Document.select())
    assert opening > 5000
    receive(shop.inventory, "PhoneCo", [ReceiptLine("PH-X1", IMEIS[:1], cost="300")])
    sale = sell(shop.cashier, [SaleItem(serial=IMEIS[0])])
    assert int(sale.number.removeprefix("S-")) > opening
    bad = write(tmp_path, "bad.csv", "serial,sku,receipt\nTPD-3,DR-18,INV-22\n")
    [(line, why)] = refusals(shop.manager, "stock", bad)
    assert line == 2 and "not a document number like S-42" in why


def test_names_differing_only_by_invisible_characters_are_one_customer(shop, tmp_path):
    first = write(tmp_path, "people.csv", "name,phone\nAnna Berg,+1 555 0100\nBen\u2060 Carter,\n")
    import_file(shop.manager, "customers", first, apply=True)
    pasted = write(tmp_path, "again.csv", "name,phone\nAnna\u200b Berg,+1 555 0100\n")
    assert import_file(shop.manager, "customers", pasted, apply=True).skipped == 1
    twice = write(tmp_path, "twice.csv", "name\nEve Lund\nEve\ufeff Lund\n")
    [(line, why)] = refusals(shop.manager, "customers", twice)
    assert line == 3 and "already on line 2" in why
    assert sorted(c.name for c in Customer.select()) == ["Anna Berg", "Ben Carter"]


def test_a_serial_that_reads_as_a_gs1_code_is_refused(shop, tmp_path):
    path = write(tmp_path, "s.csv", "serial,sku\n01095060001343522112345,DR-18\n")
    [(line, why)] = refusals(shop.manager, "stock", path)
    assert line == 2 and "reads as a GS1 barcode" in why


def test_the_export_says_which_units_its_files_leave_out(shop, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(pins, "_N", 2**4)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    receive(shop.inventory, "PhoneCo", [ReceiptLine("PH-X1", IMEIS[:2], cost="300")])
    from app.services.stock.transfers import TransferItem, transfer_out

    transfer_out(shop.manager, "B", [TransferItem(serial=IMEIS[0])])
    assert export_shop(tmp_path / "e1")["not_carried"] == {"in transit": 1}
    text = Cli(shop.url, capsys).ok("export", str(tmp_path / "e2"), employee="mia")
    assert "Not in the CSV files (import cannot bring them in): 1 in transit" in text


def test_numbers_keeps_every_old_document_number_from_being_issued_again(shop, tmp_path):
    path = write(tmp_path, "numbers.csv", "last_document\nCR-350\nS-351\n")
    dry = import_file(shop.manager, "numbers", path)
    assert dry.created == {"document numbers kept: new ones start above 351": 1}
    import_file(shop.manager, "numbers", path, apply=True)
    assert import_file(shop.manager, "numbers", path, apply=True).skipped == 1
    receive(shop.inventory, "PhoneCo", [ReceiptLine("PH-X1", IMEIS[:1], cost="300")])
    sale = sell(shop.cashier, [SaleItem(serial=IMEIS[0])])
    assert int(sale.number.removeprefix("S-")) > 351


@pytest.mark.parametrize("cell", ["S-100000000", "S-²", "S-٣١", "X-5", "S-0"])
def test_an_implausible_old_number_is_refused(shop, tmp_path, cell):
    path = write(tmp_path, "numbers.csv", f"last_document\n{cell}\n")
    [(line, why)] = refusals(shop.manager, "numbers", path)
    assert line == 2 and "not a document number like S-42" in why


def test_a_retired_products_old_sales_and_warranties_are_imported(shop, tmp_path):
    Product.update(active=False).where(Product.sku.in_(["DR-18", "WA-CL"])).execute()
    people = write(tmp_path, "people.csv", "name\nAnna Berg\n")
    import_file(shop.manager, "customers", people, apply=True)
    sold = write(
        tmp_path, "sold.csv", "serial,sku,sold,customer_name\nTPD-1,DR-18,2026-01-02,Anna Berg\n"
    )
    assert import_file(shop.manager, "sold", sold, apply=True).refused == []
    head = "number,sku,sold,customer_name,warranty_end\n"
    numbers = write(tmp_path, "w.csv", head + "WACDE34797M,WA-CL,2026-01-02,Anna Berg,2027-01-02\n")
    assert import_file(shop.manager, "warranties", numbers, apply=True).refused == []
    stock = write(tmp_path, "stock.csv", "serial,sku\nTPD-2,DR-18\n")
    [(_line, why)] = refusals(shop.manager, "stock", stock)
    assert "inactive" in why  # a retired product takes no new stock


def test_a_number_of_a_product_that_no_longer_issues_them_keeps_its_end(shop, tmp_path):
    Product.update(tracking_mode="none").where(Product.sku == "WA-CL").execute()
    head = "number,sku,sold,warranty_end\n"
    given = write(tmp_path, "w.csv", head + "WACDE34797M,WA-CL,2026-01-02,2027-01-02\n")
    assert import_file(shop.manager, "warranties", given, apply=True).refused == []
    blank = write(tmp_path, "w2.csv", head + "WACDE34797N,WA-CL,2026-01-02,\n")
    [(_line, why)] = refusals(shop.manager, "warranties", blank)
    assert "give the number's warranty_end" in why


def test_a_product_mode_set_mode_allows_is_imported_as_it_is(shop, tmp_path):
    from app.services.shop import catalog

    catalog.set_product_mode(shop.manager, "AC-CASE", "warranty_no_serial")  # type: 0 months
    export = export_shop(tmp_path / "e")
    text = (tmp_path / "e" / "catalogue.csv").read_text()
    assert export["files"]["catalogue.csv"] == 4 and "warranty_no_serial" in text
    renamed = text.replace("AC-CASE", "AC-CASE2").replace("Accessories", "Accessories2")
    path = write(tmp_path, "c.csv", renamed)
    assert refusals(shop.manager, "catalogue", path) == []


@pytest.mark.parametrize("mark", ["\u200e", "\u2063", "\u034f", "\u3164", "\u00ad"])
def test_every_invisible_character_is_taken_out_of_a_name(shop, tmp_path, mark):
    first = write(tmp_path, "a.csv", "name,phone\nAnna Berg,+1 555 0100\n")
    import_file(shop.manager, "customers", first, apply=True)
    again = write(tmp_path, "b.csv", f"name,phone\nAnna{mark} Berg,+1 555 0100\n")
    assert import_file(shop.manager, "customers", again).skipped == 1
