"""``serialdesk passport CODE`` finds a unit by any code it carries (serial, IMEI as printed,
GS1, MEID, warranty number, a masked card's claim code) and a sale by its number; and
``receive`` takes each unit's product from its GS1 code when no product is given."""

from __future__ import annotations

import json

from app.services.counter.printing import sell_and_queue_cards
from app.services.counter.selling import SaleItem, sell
from app.services.shop import catalog
from app.services.stock.receiving import ReceiptLine, receive
from db.models import Unit, WarrantyNumber
from tests.cli.conftest import assert_one_line
from tests.conftest import IMEIS

PHONE_GTIN = "04006381333931"  # PH-X1
DRILL_GTIN = "05901234123457"  # DR-18
UNKNOWN_GTIN = "09506000134352"  # a valid GTIN no product of the test shop has
MEID_HEX = "AF0123450ABCDE"
MEID_DEC = "29360 87365 0070 3710"  # the same MEID, in decimal as printed on the box


def gs1(gtin: str, serial: str, style: str = "raw") -> str:
    if style == "brackets":
        return f"(01){gtin}(21){serial}"
    if style == "fnc1":
        return f"]C101{gtin}21{serial}\x1d"
    return f"01{gtin}21{serial}"


def dashed(imei: str) -> str:
    return f"{imei[:2]}-{imei[2:8]}-{imei[8:14]}-{imei[14]}"


def test_passport_by_serial_imei_as_printed_and_gs1(run):
    shop = run.shop
    receive(shop.inventory, "PhoneCo", [ReceiptLine("PH-X1", IMEIS[:2], cost="300")])
    receive(shop.inventory, "ToolCo", [ReceiptLine("DR-18", ["TPD2406013"], cost="90")])
    assert run.json("passport", IMEIS[0], employee="cal")["found_by"] == "imei"
    spaced = run.json("passport", f" {IMEIS[0][:8]} {IMEIS[0][8:]} ", employee="cal")
    assert (spaced["serial"], spaced["found_by"]) == (IMEIS[0], "imei")
    text = run.ok("passport", dashed(IMEIS[1]), employee="cal")
    assert text.startswith(f"{dashed(IMEIS[1])}: IMEI\n{IMEIS[1]} · Phone X1 128GB (PH-X1)")
    for style in ("raw", "brackets", "fnc1"):
        p = run.json("passport", gs1(DRILL_GTIN, "TPD2406013", style), employee="cal")
        assert (p["serial"], p["sku"], p["found_by"]) == ("TPD2406013", "DR-18", "gs1")
    assert run.json("passport", "tpd2406013", employee="cal")["found_by"] == "serial"
    err = run.refused("passport", gs1(UNKNOWN_GTIN, "TPD2406013"), employee="cal")
    assert f"GTIN {UNKNOWN_GTIN}, which is no product of this shop" in err
    err = run.refused("passport", "NOPE-123", employee="cal")
    assert "No unit, warranty number or sale carries NOPE-123" in err


def test_a_serial_on_two_products_lists_the_choices(run):
    shop = run.shop
    receive(shop.inventory, "PhoneCo", [ReceiptLine("PH-X1", IMEIS[:1], cost="300")])
    receive(shop.inventory, "ToolCo", [ReceiptLine("DR-18", IMEIS[:1], cost="90")])
    err = run.refused("passport", IMEIS[0], employee="cal")
    assert f"{IMEIS[0]} is on 2 units: PH-X1 Phone X1 128GB (in stock)" in err
    assert "DR-18 Cordless drill 18V (in stock). Say which with --product SKU." in err
    assert run.json("passport", IMEIS[0], "--product", "DR-18", employee="cal")["sku"] == "DR-18"
    # a GS1 code names the product itself
    assert run.json("passport", gs1(PHONE_GTIN, IMEIS[0]), employee="cal")["sku"] == "PH-X1"


def test_warranty_number_and_sale_number(run):
    shop = run.shop
    receive(shop.inventory, "PhoneCo", [ReceiptLine("PH-X1", IMEIS[:1], cost="300")])
    receive(shop.inventory, "PhoneCo", [ReceiptLine("WA-CL", quantity=2, cost="30")])
    buyer = catalog.add_customer("Ann <b>[red]Buyer", "").id
    sale = sell(
        shop.cashier,
        [SaleItem(serial=IMEIS[0]), SaleItem(product="WA-CL", quantity=2)],
        customer_id=buyer,
    )
    numbers = [w.number for w in WarrantyNumber.select().order_by(WarrantyNumber.id)]
    assert len(numbers) == 2
    w = run.json("passport", numbers[1].lower(), employee="cal")
    assert w["found_by"] == "warranty_number"
    assert w["warranty"]["sale"] == sale.number and w["warranty"]["sku"] == "WA-CL"
    text = run.ok("passport", numbers[0], employee="cal")
    assert f"Warranty {numbers[0]} · Classic watch (WA-CL)" in text
    assert "Ann <b>[red]Buyer" in text and "days left" in text

    s = run.json("passport", sale.number, employee="cal")
    assert s["found_by"] == "sale"
    lines = s["sale"]["lines"]
    assert [(x["sku"], x["serial"], x["quantity"]) for x in lines] == [
        ("PH-X1", IMEIS[0], 1),
        ("WA-CL", "", 2),
    ]
    assert lines[0]["unit_id"] == Unit.get(Unit.serial == IMEIS[0]).id
    assert lines[1]["warranty_numbers"] == numbers
    text = run.ok("passport", sale.number.lower(), employee="cal")
    assert text.startswith(f"{sale.number.lower()}: sale number\n{sale.number} on ")
    assert IMEIS[0] in text and numbers[0] in text


def test_a_masked_cards_claim_code_finds_its_unit(run):
    shop = run.shop
    catalog.add_product_type(
        "Masked phones", "strict", warranty_months=24, check_kind="imei",
        print_mode="auto", mask_policy="last4",
    )  # fmt: skip
    catalog.add_product("PH-M", "Masked phone", "Masked phones", "399.00")
    receive(shop.inventory, "PhoneCo", [ReceiptLine("PH-M", IMEIS[5:7], cost="200")])
    one = sell_and_queue_cards(shop.cashier, [SaleItem(serial=IMEIS[5])], seat="front")
    claim = one.queued[0].data.claim_code
    assert claim == one.sale.number  # the card hides the IMEI, so it carries the sale's number
    p = run.json("passport", claim, employee="cal")
    assert (p["found_by"], p["serial"]) == ("claim_code", IMEIS[5])
    assert p["sale_lines"]["number"] == claim
    text = run.ok("passport", claim, employee="cal")
    assert text.startswith(f"{claim}: warranty card's claim code\n{claim} on ")
    assert f"\n\n{IMEIS[5]} · Masked phone (PH-M)" in text


def test_receive_without_product_takes_it_from_each_gs1_code(run):
    out = run.json(
        "receive", "--supplier", "PhoneCo", "--cost", "100",
        gs1(PHONE_GTIN, IMEIS[0], "brackets"), gs1(DRILL_GTIN, "TPD1"),
        gs1(PHONE_GTIN, IMEIS[1], "fnc1"), employee="ivy",
    )  # fmt: skip
    assert out["units"] == 3
    got = {u.serial: u.product.sku for u in Unit.select()}
    assert got == {IMEIS[0]: "PH-X1", "TPD1": "DR-18", IMEIS[1]: "PH-X1"}


def test_receive_without_product_refuses_an_unknown_gtin_with_its_line(run):
    code, out, err = run(
        "receive", "--supplier", "PhoneCo", gs1(PHONE_GTIN, IMEIS[0]),
        gs1(UNKNOWN_GTIN, "X1"), IMEIS[2], "--json", employee="ivy",
    )  # fmt: skip
    assert code == 1
    assert_one_line(err)
    problems = json.loads(out)["error"]["problems"]
    assert problems[0]["reason"].startswith(f"line 2: GTIN {UNKNOWN_GTIN} is no product")
    assert problems[1] == {
        "serial": IMEIS[2],
        "reason": "line 3: it carries no GTIN and serial (GS1 01 + 21): choose its product first",
    }
    assert Unit.select().count() == 0  # nothing saved
    err = run.refused("receive", "--supplier", "PhoneCo", "--qty", "3", code=2, employee="ivy")
    assert "say --product, or scan GS1 codes" in err


def test_meid_check_validates_normalises_and_looks_up(run):
    run.ok("add", "product-type", "CDMA phones", "strict", "--warranty-months", "12",
           "--check", "meid", employee="mia")  # fmt: skip
    catalog.add_product("PH-CD", "CDMA phone", "CDMA phones", "199.00")
    out = run.json(
        "receive", "--supplier", "PhoneCo", "--product", "PH-CD", MEID_DEC, "a0000000002329",
        "001-12345678", employee="ivy",
    )  # fmt: skip
    assert out["units"] == 3
    # stored as hex without the check digit, whatever form was scanned (an ESN too)
    assert {u.serial for u in Unit.select()} == {MEID_HEX, "A0000000002329", "01BC614E"}
    p = run.json("passport", MEID_DEC, employee="cal")
    assert (p["serial"], p["found_by"]) == (MEID_HEX, "meid")
    assert run.json("passport", MEID_HEX + "C", employee="cal")["serial"] == MEID_HEX
    assert run.json("passport", "268435456000009001", employee="cal")["serial"] == "A0000000002329"
    # a wrong check digit, a wrong length: refused with the line
    code, out, _err = run(
        "receive", "--supplier", "PhoneCo", "--product", "PH-CD", MEID_HEX + "0", "12345",
        "--json", employee="ivy",
    )  # fmt: skip
    assert code == 1
    reasons = [p["reason"] for p in json.loads(out)["error"]["problems"]]
    assert "wrong MEID check digit" in reasons[0]
    assert "is not a MEID or ESN" in reasons[1]


def test_the_counter_takes_an_imei_and_a_meid_as_printed_on_the_box(run):
    shop = run.shop
    catalog.add_product_type("CDMA phones", "strict", warranty_months=12, check_kind="meid")
    catalog.add_product("PH-CD", "CDMA phone", "CDMA phones", "199.00")
    receive(shop.inventory, "PhoneCo", [ReceiptLine("PH-X1", IMEIS[3:4], cost="300")])
    receive(shop.inventory, "PhoneCo", [ReceiptLine("PH-CD", [MEID_DEC], cost="90")])
    sale = run.json("sell", dashed(IMEIS[3]), MEID_HEX + "C", "--pay", "card", employee="cal")
    assert [x["serial"] for x in sale["lines"]] == [IMEIS[3], MEID_HEX]
    # a code that only looks like a MEID finds no other product's unit
    receive(shop.inventory, "ToolCo", [ReceiptLine("DR-18", ["A0000000002329"], cost="90")])
    err = run.refused("passport", "268435456000009001", employee="cal")
    assert "No unit, warranty number or sale carries 268435456000009001" in err
