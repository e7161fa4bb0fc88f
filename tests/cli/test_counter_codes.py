"""The command line keeps the counter's rules: a plain SKU sells one piece, a serial
product's SKU asks for the serial, and ``customers`` ranks as the checkout does."""

from __future__ import annotations

from app.services.shop import catalog
from app.services.stock.receiving import ReceiptLine, receive


def test_sell_takes_a_plain_sku_as_one_piece(run):
    receive(run.shop.inventory, "PhoneCo", [ReceiptLine("AC-CASE", quantity=4, cost="4")])
    sale = run.json("sell", "AC-CASE", "ac-case:2", "--pay", "card", employee="cal")
    assert [(x["sku"], x["serial"], x["quantity"]) for x in sale["lines"]] == [
        ("AC-CASE", None, 1),
        ("AC-CASE", None, 2),
    ]
    assert sale["total"] == "59.70"
    assert run.json("stock", "--product", "AC-CASE")[0]["quantity"] == 1
    err = run.refused("sell", "PH-X1", employee="cal")
    assert "Phone X1 128GB is sold by serial" in err


def test_customers_lists_the_start_of_a_name_first(srun):
    for name in ("Tibor Abbott", "Jim Bob", "Bob Builder"):
        catalog.add_customer(name, "")
    rows = srun.json("customers", "bo", employee="mia")
    assert [r["name"] for r in rows] == ["Bob Builder", "Jim Bob", "Tibor Abbott"]
