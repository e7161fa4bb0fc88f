"""A code that names two things never shows the wrong one silently: serials that take the
form of a sale number or a warranty number are refused, new warranty numbers avoid serials,
and older data holding such a serial says so when looked up; a GS1 code that carries its
serial twice, or names a GTIN no product has, is refused with the right reason."""

from __future__ import annotations

import pytest

from app.domain.errors import InvalidSerial
from app.domain.serials import CheckKind, SerialRule
from app.services.counter import selling
from app.services.counter.selling import SaleItem, sell
from app.services.stock.receiving import ReceiptLine, receive
from db.models import Unit, WarrantyNumber
from tests.cli.test_lookup_codes import DRILL_GTIN, PHONE_GTIN, UNKNOWN_GTIN


@pytest.mark.parametrize("serial", ["S-12", "S-1"])
def test_a_serial_in_the_form_of_a_sale_number_is_refused_at_every_door(run, serial):
    with pytest.raises(InvalidSerial, match="form of this shop's sale numbers"):
        SerialRule("", CheckKind.NONE).validate(serial)
    err = run.refused(
        "receive", "--supplier", "ToolCo", "--product", "DR-18", serial, employee="ivy"
    )
    assert "form of this shop's sale numbers" in err
    assert not Unit.select().where(Unit.serial == serial).exists()
    SerialRule("", CheckKind.NONE).validate("S-12A")  # only the exact form is taken


def _a_watch_sold(run) -> str:
    receive(run.shop.inventory, "PhoneCo", [ReceiptLine("WA-CL", quantity=1, cost="30")])
    sell(run.shop.cashier, [SaleItem(product="WA-CL")])
    return WarrantyNumber.select(WarrantyNumber.number).scalar()


def test_a_warranty_number_is_refused_as_a_serial(run):
    number = _a_watch_sold(run)
    err = run.refused(
        "receive", "--supplier", "ToolCo", "--product", "DR-18", number, employee="ivy"
    )
    assert f"{number}" in err and "is a warranty number of this shop, not a serial" in err
    assert not Unit.select().where(Unit.serial == number).exists()


def test_a_new_warranty_number_is_never_a_units_serial(run, monkeypatch):
    receive(run.shop.inventory, "ToolCo", [ReceiptLine("DR-18", ["WAAAAAAAAAA"], cost="9")])
    drawn = iter("A" * 10 + "C" * 10)
    monkeypatch.setattr(selling.secrets, "choice", lambda alphabet: next(drawn))
    assert selling._new_warranty_number() == "WCCCCCCCCCC"


def test_older_data_holding_a_serial_that_is_also_a_warranty_number_says_so(run):
    number = _a_watch_sold(run)
    receive(run.shop.inventory, "ToolCo", [ReceiptLine("DR-18", ["TPD-OLD"], cost="9")])
    Unit.update(serial=number).where(Unit.serial == "TPD-OLD").execute()  # as before the rule
    found = run.json("passport", number, employee="cal")
    assert found["serial"] == number and found["found_by"] == "serial"
    assert "is also a warranty number in this shop" in found["also"]
    assert "Note: " in run.ok("passport", number, employee="cal")


def test_a_unit_whose_serial_is_a_product_barcode_is_found(run):
    receive(run.shop.inventory, "ToolCo", [ReceiptLine("DR-18", ["TPD-X"], cost="9")])
    Unit.update(serial=PHONE_GTIN[1:]).where(Unit.serial == "TPD-X").execute()  # an old import
    found = run.json("passport", PHONE_GTIN[1:], employee="cal")
    assert (found["serial"], found["sku"]) == (PHONE_GTIN[1:], "DR-18")
    err = run.refused("passport", DRILL_GTIN[1:], employee="cal")
    assert "product barcode of" in err  # a product's barcode that is no unit's serial


def test_a_gs1_code_with_its_serial_twice_is_refused(run):
    code = f"(01){DRILL_GTIN}(21)DUP-A(21)DUP-B"
    err = run.refused("receive", "--supplier", "ToolCo", code, employee="ivy")
    assert "carries (21) twice" in err
    assert not Unit.select().where(Unit.serial.in_(["DUP-A", "DUP-B"])).exists()


def test_a_gs1_code_for_no_product_says_so_not_another_product(run):
    code = f"(01){UNKNOWN_GTIN}(21)X1"
    err = run.refused("receive", "--supplier", "ToolCo", "--product", "DR-18", code, employee="ivy")
    assert f"GTIN {UNKNOWN_GTIN}, which is no product of this shop" in err
    err = run.refused(
        "receive",
        "--supplier",
        "ToolCo",
        "--product",
        "DR-18",
        f"(01){PHONE_GTIN}(21)X1",
        employee="ivy",
    )
    assert "for Phone X1 128GB, not" in err


def test_import_refuses_a_warranty_number_and_a_sale_number_as_serials(run, tmp_path):
    from app.services.moving_in.runner import import_file
    from tests.test_moving_in import write

    number = _a_watch_sold(run)
    path = write(tmp_path, "stock.csv", f"serial,sku\n{number},DR-18\nS-7,DR-18\nTPD-OK,DR-18\n")
    refused = dict(import_file(run.shop.manager, "stock", path).refused)
    assert "is a warranty number of this shop, not a serial" in refused[2]
    assert "form of this shop's sale numbers" in refused[3]
    assert 4 not in refused
