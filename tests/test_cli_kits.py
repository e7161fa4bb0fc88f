"""``serialdesk kit define|assemble|disassemble|show`` and selling a kit by its number."""

from __future__ import annotations

import pytest

from app.services.shop import catalog
from app.services.stock.receiving import ReceiptLine, receive
from tests.cli.conftest import Cli


@pytest.fixture
def run(shop, capsys) -> Cli:
    catalog.add_product_type("Kits", "strict", warranty_months=36)
    catalog.add_product("KT-DR", "Drill kit 18V", "Kits", "229.00")
    catalog.add_product("BT-18", "Battery 18V", "Power tools", "49.00")
    receive(shop.inventory, "ToolCo", [ReceiptLine("DR-18", ["DRL-1", "DRL-2"])])
    receive(shop.inventory, "ToolCo", [ReceiptLine("BT-18", ["BAT-1", "BAT-2"])])
    receive(shop.inventory, "ToolCo", [ReceiptLine("AC-CASE", quantity=2)])
    return Cli(shop.url, capsys)


def test_kit_commands_from_define_to_sale_and_disassembly(run):
    out = run.ok("kit", "define", "KT-DR", "DR-18", "BT-18:1", "AC-CASE", employee="mia")
    assert "BT-18" in out and "quantity" in out
    err = run.refused("kit", "assemble", "KT-DR", "DRL-1", employee="ivy")
    assert "still missing: 1 × Battery 18V" in err
    kit = run.json("kit", "assemble", "KT-DR", "DRL-1", "BAT-1", employee="ivy")
    assert kit["status"] == "assembled" and kit["serial"].startswith("KA-")
    assert {p["serial"] for p in kit["parts"]} == {"DRL-1", "BAT-1", None}
    assert "BAT-1" in run.ok("kit", "show", kit["serial"])
    assert "Cordless drill 18V" in run.ok("kit", "show", "KT-DR")
    assert kit["serial"] in run.ok("passport", "BAT-1", employee="mia")
    sale = run.json("sell", kit["serial"], employee="cal")
    assert sale["lines"][0]["sku"] == "KT-DR"
    part = run.json("passport", "DRL-1", employee="mia")
    assert part["state"] == "sold" and part["kit"]["serial"] == kit["serial"]
    assert part["warranty_end"] == sale["lines"][0]["warranty_end"]
    second = run.json(
        "kit", "assemble", "KT-DR", "DRL-2", "BAT-2", "--kit-serial", "K-9", employee="ivy"
    )
    apart = run.json("kit", "disassemble", second["serial"], employee="ivy")
    assert apart["status"] == "disassembled"
    assert run.json("passport", "BAT-2", employee="mia")["state"] == "in_stock"
    assert "neither" in run.refused("kit", "show", "NOPE-1")
