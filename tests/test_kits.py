"""Kits (product sets): define, assemble from exact serials, sell, disassemble, passports.

On SQLite and PostgreSQL, with the fast seeded shop of tests/support.py.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.domain.errors import NotFound, PermissionDenied, Refused
from app.domain.states import Event, UnitState, replay
from app.services.counter.passport import passport
from app.services.counter.selling import SaleItem, preview_item, sell
from app.services.kits import assembly
from app.services.ledger.lookups import find_product
from app.services.shop import catalog
from app.services.stock.on_hand import units as stock_units
from app.services.stock.receiving import ReceiptLine, receive
from db.history_verify import verify_history
from db.models import AssembledKit, KitComponent, Product, StockLevel, Unit, UnitEvent
from tests.support import (
    customer,
    events,
    fast_shop,
    imeis,
    receive_drills,
    receive_phones,
    receive_quantity,
    refused,
    seeded_shop,
    sell_serials,
    snapshot,
    unit,
)

__all__ = ["fast_shop", "seeded_shop"]

DRILLS = ["DRL-1001", "DRL-1002", "DRL-1003"]
BATTERIES = ["BAT-2001", "BAT-2002", "BAT-2003", "BAT-2004"]


@pytest.fixture
def kit(shop):
    """A drill kit (36 months): one drill and two batteries by serial, one charger by quantity."""
    catalog.add_product_type("Kits", "strict", warranty_months=36)
    catalog.add_product("KT-DR", "Drill kit 18V", "Kits", "229.00")
    catalog.add_product("BT-18", "Battery 18V", "Power tools", "49.00")
    catalog.add_product("CH-18", "Charger 18V", "Accessories", "19.00")
    assembly.define_kit(shop.manager, "KT-DR", [("DR-18", 1), ("BT-18", 2), ("CH-18", 1)])
    receive_drills(shop.inventory, DRILLS)
    from app.services.stock.receiving import ReceiptLine, receive

    receive(shop.inventory, "ToolCo", [ReceiptLine("BT-18", BATTERIES, cost="20.00")])
    receive_quantity(shop.inventory, "CH-18", 3)
    return shop


def charger_stock(branch_id: int) -> int:
    level = StockLevel.get_or_none(
        (StockLevel.product == catalog_product("CH-18")) & (StockLevel.branch == branch_id)
    )
    return level.quantity if level else 0


def catalog_product(sku: str):
    return find_product(sku).id


def assemble(shop, serials=("DRL-1001", "BAT-2001", "BAT-2002"), **kwargs):
    return assembly.assemble_kit(shop.inventory, "KT-DR", list(serials), **kwargs)


def assert_history_replays() -> None:
    for u in Unit.select():
        rows = UnitEvent.select().where(UnitEvent.unit == u).order_by(UnitEvent.id)
        life = [
            (
                Event(e.event),
                UnitState(e.from_state) if e.from_state else None,
                UnitState(e.to_state),
            )
            for e in rows
        ]
        assert replay(life) == UnitState(u.state), u.serial
    assert verify_history().ok


# --- definition ---------------------------------------------------------------------------


def test_define_lists_components_and_is_a_managers_setting(kit):
    d = assembly.kit_definition("KT-DR")
    assert [(c.sku, c.quantity, c.serialized) for c in d.components] == [
        ("DR-18", 1, True),
        ("BT-18", 2, True),
        ("CH-18", 1, False),
    ]
    with refused("may not change the settings", PermissionDenied):
        assembly.define_kit(kit.inventory, "KT-DR", [("DR-18", 1)])
    with refused("not tracked by serial", Refused):
        assembly.define_kit(kit.manager, "AC-CASE", [("DR-18", 1)])
    with refused("component of itself", Refused):
        assembly.define_kit(kit.manager, "KT-DR", [("KT-DR", 1)])
    with refused("itself a kit", Refused):
        assembly.define_kit(kit.manager, "PH-X1", [("KT-DR", 1)])
    with refused("No product", NotFound):
        assembly.define_kit(kit.manager, "KT-DR", [("NOPE", 1)])
    with pytest.raises(NotFound, match="not a kit"):
        assembly.kit_definition("DR-18")
    # Redefining replaces the list.
    assembly.define_kit(kit.manager, "KT-DR", [("DR-18", 1), ("BT-18", 1)])
    assert KitComponent.select().where(KitComponent.kit == catalog_product("KT-DR")).count() == 2


# --- assembly -----------------------------------------------------------------------------


def test_assemble_takes_the_exact_serials_out_of_stock(kit):
    view = assemble(kit)
    assert view.serial.startswith("KA-")
    assert view.state == UnitState.IN_STOCK and view.status == assembly.KitStatus.ASSEMBLED
    assert {(p.sku, p.serial, p.state) for p in view.parts if p.serial} == {
        ("DR-18", "DRL-1001", "in_kit"),
        ("BT-18", "BAT-2001", "in_kit"),
        ("BT-18", "BAT-2002", "in_kit"),
    }
    assert [(p.sku, p.quantity) for p in view.parts if p.serial is None] == [("CH-18", 1)]
    assert charger_stock(kit.inventory.branch_id) == 2
    assert events("DRL-1001") == ["receive", "into_kit"]
    assert events(view.serial) == ["kit_assemble"]
    # Components in a kit are not sellable stock; the kit is.
    in_stock = {u.serial for u in stock_units(branch_id=kit.inventory.branch_id)}
    assert "DRL-1001" not in in_stock and view.serial in in_stock
    assert_history_replays()


def test_assemble_with_the_kits_own_serial(kit):
    view = assemble(kit, kit_serial="kit-777")
    assert view.serial == "KIT-777"
    with refused("used once", Refused):
        assemble(kit, ("DRL-1002", "BAT-2003", "BAT-2004"), kit_serial="KIT-777")


@pytest.mark.parametrize(
    ("serials", "match"),
    [
        (("DRL-1001", "BAT-2001"), r"still missing: 1 × Battery 18V"),
        (("BAT-2001", "BAT-2002"), r"still missing: 1 × Cordless drill"),
        (("DRL-1001", "DRL-1002", "BAT-2001", "BAT-2002"), "one too many"),
        (("DRL-1001", "BAT-2001", "BAT-2001"), "scanned twice"),
        (("DRL-1001", "BAT-2001", "NOSUCH-1"), "not a serial of a component"),
        ((), "still missing"),
    ],
)
def test_assemble_refuses_wrong_or_missing_components(kit, serials, match):
    with refused(match, Refused):
        assemble(kit, serials)


def test_assemble_refuses_a_serial_of_another_product(kit):
    phone = imeis(700, 1)[0]
    receive_phones(kit.inventory, [phone])
    with refused("not a serial of a component", Refused):
        assemble(kit, ("DRL-1001", "BAT-2001", phone))


def test_an_inactive_kit_is_not_assembled(kit):
    Product.update(active=False).where(Product.sku == "KT-DR").execute()
    with refused("is inactive and can no longer be assembled", Refused):
        assemble(kit)


def test_assemble_refuses_components_not_in_stock_here(kit):
    sell_serials(kit.cashier, ["DRL-1001"])
    with refused("was sold on", Refused):
        assemble(kit)
    # A drill at the other branch, and a charger that is not in stock.
    receive_drills(kit.inventory_b, ["DRL-9001"])
    with refused("not here", Refused):
        assembly.assemble_kit(kit.inventory, "KT-DR", ["DRL-9001", "BAT-2001", "BAT-2002"])
    receive(kit.inventory_b, "ToolCo", [ReceiptLine("BT-18", ["BAT-9001", "BAT-9002"])])
    with refused("Only 0 of Charger", Refused):
        assembly.assemble_kit(kit.inventory_b, "KT-DR", ["DRL-9001", "BAT-9001", "BAT-9002"])
    # A unit already in a kit cannot go into another.
    assemble(kit, ("DRL-1002", "BAT-2001", "BAT-2002"))
    with refused("assembled into a kit", Refused):
        assemble(kit, ("DRL-1003", "BAT-2001", "BAT-2003"))
    with refused("may not receive", PermissionDenied):
        assembly.assemble_kit(kit.cashier, "KT-DR", ["DRL-1003", "BAT-2003", "BAT-2004"])


def test_a_component_in_a_kit_cannot_be_sold_alone(kit):
    assemble(kit)
    with refused("assembled into a kit", Refused):
        sell_serials(kit.cashier, ["BAT-2001"])


# --- selling ------------------------------------------------------------------------------


def test_selling_the_kit_sells_its_components_with_warranty(kit):
    view = assemble(kit)
    buyer = customer()
    result = sell(kit.cashier, [SaleItem(serial=view.serial)], customer_id=buyer.id)
    line = result.lines[0]
    assert line.sku == "KT-DR" and line.warranty_end == date(2029, 1, 15)
    for serial in ("DRL-1001", "BAT-2001", "BAT-2002"):
        u = unit(serial)
        assert u.state == UnitState.SOLD and u.customer_id == buyer.id
        assert (u.warranty_start, u.warranty_end) == (date(2026, 1, 15), date(2029, 1, 15))
        assert events(serial) == ["receive", "into_kit", "sold_in_kit"]
    assert AssembledKit.get().status == assembly.KitStatus.SOLD
    p = passport("BAT-2001", today=date(2026, 2, 1))
    assert p.sale is not None and p.sale.number == result.number
    assert p.warranty_active and p.customer == buyer.name
    with refused("sold", Refused):
        assembly.disassemble_kit(kit.inventory, view.serial)
    assert_history_replays()


def test_checkout_assembles_a_kit_from_component_serials(kit):
    result = sell(
        kit.cashier,
        [SaleItem(product="KT-DR", components=["DRL-1002", "BAT-2003", "BAT-2004"])],
    )
    serial = result.lines[0].serial
    assert serial.startswith("KA-") and unit(serial).state == UnitState.SOLD
    assert unit("DRL-1002").state == UnitState.SOLD
    assert events("BAT-2003") == ["receive", "into_kit", "sold_in_kit"]
    with refused("still missing", Refused):
        sell(kit.cashier, [SaleItem(product="KT-DR", components=["DRL-1001"])])
    assert_history_replays()


def test_checkout_puts_together_a_kit_with_no_serialized_parts(kit):
    catalog.add_product("KT-CH", "Charger pair", "Kits", "35.00")
    assembly.define_kit(kit.manager, "KT-CH", [("CH-18", 2)])
    assert assembly.kit_progress(kit.cashier, "KT-CH", []).complete
    line = preview_item(kit.cashier, SaleItem(product="KT-CH", kit=True))
    assert (line.sku, line.quantity, line.item.kit, line.item.components) == ("KT-CH", 1, True, [])
    with refused("scan one kit at a time", Refused):
        sell(kit.cashier, [SaleItem(product="KT-CH", quantity=2, kit=True)])
    with refused("scan one kit at a time", Refused):
        preview_item(kit.cashier, SaleItem(product="KT-CH", quantity=2, kit=True))
    result = sell(kit.cashier, [line.item])
    assert unit(result.lines[0].serial).state == UnitState.SOLD
    assert AssembledKit.get().status == assembly.KitStatus.SOLD
    assert charger_stock(kit.cashier.branch_id) == 1
    with refused("Only 1 of Charger 18V in stock here", Refused):
        sell(kit.cashier, [SaleItem(product="KT-CH", kit=True)])


def test_a_kit_product_is_not_sold_without_its_components(kit):
    with refused("sold by serial", Refused):
        sell(kit.cashier, [SaleItem(product="KT-DR")])


# --- disassembly --------------------------------------------------------------------------


def test_disassemble_puts_components_back_and_closes_the_kit(kit):
    view = assemble(kit, kit_serial="KIT-1")
    after = assembly.disassemble_kit(kit.inventory, "KIT-1")
    assert after.state == UnitState.DISASSEMBLED and after.status == assembly.KitStatus.DISASSEMBLED
    assert after.disassembly and after.disassembly.startswith("KD-")
    for serial in ("DRL-1001", "BAT-2001", "BAT-2002"):
        assert unit(serial).state == UnitState.IN_STOCK
        assert events(serial) == ["receive", "into_kit", "out_of_kit"]
    assert charger_stock(kit.inventory.branch_id) == 3
    assert events(view.serial) == ["kit_assemble", "kit_disassemble"]
    with refused("only an assembled kit", Refused):
        assembly.disassemble_kit(kit.inventory, "KIT-1")
    with refused("not an assembled kit", NotFound):
        assembly.disassemble_kit(kit.inventory, "DRL-1001")
    # The parts sell on their own again, and the kit serial can be assembled anew.
    sell_serials(kit.cashier, ["BAT-2001"])
    again = assemble(kit, ("DRL-1001", "BAT-2002", "BAT-2003"), kit_serial="KIT-1")
    assert again.state == UnitState.IN_STOCK and len(again.parts) == 4
    assert_history_replays()


def test_disassemble_only_here_and_by_stock_staff(kit):
    view = assemble(kit)
    with refused("not here", Refused):
        assembly.disassemble_kit(kit.inventory_b, view.serial)
    with refused("may not receive", PermissionDenied):
        assembly.disassemble_kit(kit.cashier, view.serial)


# --- passports ----------------------------------------------------------------------------


def test_passports_show_the_kit_both_ways(kit):
    view = assemble(kit)
    kit_passport = passport(view.serial)
    assert {p.serial for p in kit_passport.kit_parts if p.serial} == {
        "DRL-1001",
        "BAT-2001",
        "BAT-2002",
    }
    assert kit_passport.kit is None
    part = passport("BAT-2002")
    assert part.kit is not None and part.kit.serial == view.serial
    assert (
        part.kit.status == assembly.KitStatus.ASSEMBLED
        and part.state_label == "assembled into a kit"
    )
    assert part.kit_parts == []
    # An ordinary unit's passport reads no kit tables and shows none.
    plain = passport("DRL-1003")
    assert plain.kit is None and plain.kit_parts == []


def test_an_ordinary_passport_does_not_read_kit_tables(kit, monkeypatch):
    from app.services.counter import passport as passport_module

    def boom(_unit_id):
        raise AssertionError("kit tables read for a unit that never was in a kit")

    monkeypatch.setattr(passport_module, "kit_of_component", boom)
    monkeypatch.setattr(passport_module, "parts_of_kit", boom)
    assert passport("DRL-1003").kit is None


def test_a_kit_serial_never_assembled_is_not_sold_even_in_warranty_mode(kit):
    catalog.add_product_type("Loose kits", "warranty", warranty_months=12)
    catalog.add_product("KT-LS", "Loose kit", "Loose kits", "99.00")
    assembly.define_kit(kit.manager, "KT-LS", [("BT-18", 1)])
    with refused("not an assembled Loose kit", Refused):
        sell(kit.cashier, [SaleItem(serial="LOOSE-1", product="KT-LS")])
    view = assembly.assemble_kit(kit.inventory, "KT-LS", ["BAT-2001"])
    assembly.disassemble_kit(kit.inventory, view.serial)
    with refused("taken apart", Refused):
        sell(kit.cashier, [SaleItem(serial=view.serial, product="KT-LS")])


# --- counter checks -----------------------------------------------------------------------


def test_kit_progress_tells_what_is_still_missing_and_writes_nothing(kit):
    before = snapshot()
    progress = assembly.kit_progress(kit.inventory, "KT-DR", ["drl-1001", "BAT-2001"])
    assert progress.serials == ["DRL-1001", "BAT-2001"]
    assert progress.missing == ["1 × Battery 18V"] and not progress.complete
    assert progress.short == []
    assert assembly.kit_progress(kit.inventory, "KT-DR", [*DRILLS[:1], *BATTERIES[:2]]).complete
    assert snapshot() == before
    # At the other branch nothing is in stock, chargers included.
    assert assembly.kit_progress(kit.inventory_b, "KT-DR", []).short == [
        "only 0 of Charger 18V here, 1 needed"
    ]
    with refused("not a kit", Refused):
        assembly.kit_progress(kit.inventory, "DR-18", [])


def test_kit_for_scan_names_a_kit_product_only(kit):
    assert assembly.kit_for_scan("kt-dr").sku == "KT-DR"
    assert assembly.kit_for_scan("DRL-1001") is None  # a unit's serial
    assert assembly.kit_for_scan("PH-X1") is None  # a product, but not a kit
    assert assembly.kit_for_scan("NOPE-1") is None
    assert assembly.kit_for_scan("5901234123457") is None  # the drill's barcode


def test_checkout_previews_a_kit_from_its_component_serials(kit):
    line = preview_item(
        kit.cashier, SaleItem(product="KT-DR", components=["drl-1002", "BAT-2003", "BAT-2004"])
    )
    assert (line.sku, line.quantity, line.price, line.serial) == (
        "KT-DR",
        1,
        Decimal("229.00"),
        None,
    )
    assert line.item.components == ["DRL-1002", "BAT-2003", "BAT-2004"]
    with refused("still missing: 2 × Battery 18V", Refused):
        preview_item(kit.cashier, SaleItem(product="KT-DR", components=["DRL-1002"]))
    receive(kit.inventory_b, "ToolCo", [ReceiptLine("BT-18", ["BAT-9001", "BAT-9002"])])
    receive_drills(kit.inventory_b, ["DRL-9001"])
    with refused("only 0 of Charger 18V here", Refused):
        preview_item(
            kit.cashier_b,
            SaleItem(product="KT-DR", components=["DRL-9001", "BAT-9001", "BAT-9002"]),
        )
