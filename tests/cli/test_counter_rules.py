"""The counter's rules hold from the command line as at the counter: a return takes only a
unit of its sale, a replacement only a unit of the same product (or type, approved), a
repair ticket moves only along its table, and the passport shows a replacement's chain."""

from __future__ import annotations

from app.services.counter import repairs, replacements
from app.services.shop.catalog import add_product
from app.services.stock.receiving import ReceiptLine, receive
from tests.conftest import IMEIS
from tests.support import customer, receive_drills, receive_phones, sell_serials


def test_return_refuses_a_unit_of_another_sale_naming_it(run):
    shop = run.shop
    receive_phones(shop.inventory, IMEIS[:2])
    anns = sell_serials(shop.cashier, [IMEIS[0]], customer_id=customer("Ann").id)
    bobs = sell_serials(shop.cashier, [IMEIS[1]], customer_id=customer("Bob", "+4412345").id)
    err = run.refused(
        "return", "--sale", anns.number, "--serial", IMEIS[1], "--condition", "as new",
        "--disposition", "in_stock",
        employee="cal",
    )  # fmt: skip
    assert f"{IMEIS[1]} was sold on {bobs.number} to Bob" in err
    assert f"not on {anns.number}" in err
    assert run.json("passport", IMEIS[1], employee="mia")["state"] == "sold"


def test_replace_keeps_to_the_product_or_its_type(run):
    shop = run.shop
    add_product("PH-X2", "Phone X2 256GB", "Phones", "599.00")
    receive_phones(shop.inventory, IMEIS[:1])
    receive(shop.inventory, "PhoneCo", [ReceiptLine("PH-X2", [IMEIS[1]], cost="350")])
    receive_drills(shop.inventory, ["D-1"])
    sell_serials(shop.cashier, IMEIS[:1])
    err = run.refused("replace", IMEIS[0], "D-1", employee="ted")
    assert "is of type Power tools" in err and "of type Phones" in err
    err = run.refused("replace", IMEIS[0], IMEIS[1], employee="ted")
    assert "a manager approves that replacement" in err
    err = run.refused(
        "replace", IMEIS[0], IMEIS[1], "--approved-by", "mia", approver_pin="1234",
        employee="ted",
    )  # fmt: skip
    assert "Write down why" in err
    out = run.ok(
        "replace", IMEIS[0], IMEIS[1], "--note", "X1 no longer made",
        "--approved-by", "mia", approver_pin="1234", employee="ted",
    )  # fmt: skip
    assert "another product of the same type, approved" in out


def test_repair_status_follows_the_table(run):
    shop = run.shop
    receive_phones(shop.inventory, IMEIS[:1])
    sell_serials(shop.cashier, IMEIS[:1])
    number = repairs.intake(shop.cashier, IMEIS[0], complaint="no sound").number
    err = run.refused("repair", "status", number, "ready", employee="ted")
    assert "cannot go from received to ready. From received it goes to: diagnosing." in err
    out = run.ok("repair", "status", number, "diagnosing", employee="ted")
    assert "waiting for parts, repairing, ready" in out
    run.ok("repair", "collect", number, "--outcome", "no fault found", employee="cal")
    assert "closed: collected" in run.ok("repair", "show", number, employee="mia").splitlines()[0]
    assert run.json("repair", "show", number, employee="mia")["next_statuses"] == []


def test_passport_shows_the_replacement_chain(run):
    shop = run.shop
    receive_phones(shop.inventory, IMEIS[:3])
    sell_serials(shop.cashier, IMEIS[:1], customer_id=customer().id)
    first = repairs.intake(shop.cashier, IMEIS[0], complaint="speaker crackles").number
    replacements.replace(shop.technician, IMEIS[0], IMEIS[1], ticket=first)
    replacements.replace(shop.technician, IMEIS[1], IMEIS[2])
    out = run.ok("passport", IMEIS[2], employee="mia")
    assert "Replacement chain" in out
    rows = {line.split()[0]: line for line in out.splitlines() if line[:1].isdigit()}
    assert "replaced without a ticket" in rows[IMEIS[1]]
    assert f"{first} 2026-01-15 speaker crackles (collected)" in rows[IMEIS[0]]
    chain = run.json("passport", IMEIS[2], employee="mia")["chain"]
    assert [(c["serial"], c["replaced_by"]) for c in chain] == [
        (IMEIS[1], IMEIS[2]),
        (IMEIS[0], IMEIS[1]),
    ]
    assert chain[1]["claims"][0]["number"] == first
