"""Kits on the move: a sold kit comes back whole, a part alone is refused, a transferred
kit takes its parts along, and a kit is not written off or sent back whole.

On SQLite and PostgreSQL; the drill kit of tests/test_kits.py.
"""

from __future__ import annotations

from decimal import Decimal

from app.domain.errors import Refused
from app.domain.states import Event, UnitState
from app.services.counter import repairs, replacements
from app.services.counter.returns import ReturnItem, customer_return, sale_for_serial
from app.services.counter.selling import SaleItem, sell
from app.services.kits import assembly
from app.services.ledger.documents import get_document
from app.services.ledger.moves import append_event
from app.services.safety import integrity
from app.services.stock import stocktake
from app.services.stock.adjustments import adjust
from app.services.stock.items import StockItem
from app.services.stock.supplier_returns import supplier_return
from app.services.stock.transfers import TransferItem, transfer_in, transfer_out
from db.database import write_transaction
from tests.support import customer, events, fast_shop, refused, seeded_shop, unit
from tests.test_kits import assemble, assert_history_replays, charger_stock, kit

__all__ = ["fast_shop", "kit", "seeded_shop"]


# --- customer returns of a kit ------------------------------------------------------------


def sold_kit(shop, **kwargs):
    view = assemble(shop, **kwargs)
    sale = sell(shop.cashier, [SaleItem(serial=view.serial)], customer_id=customer().id)
    return view.serial, sale


def test_a_sold_kit_comes_back_whole_into_stock_and_sells_again(kit):
    serial, sale = sold_kit(kit)
    result = customer_return(kit.cashier, [ReturnItem(serial=serial, condition="boxed")])
    assert result.sale == sale.number and result.refund == Decimal("229.00")
    assert [(line.serial, line.disposition) for line in result.lines] == [(serial, "in_stock")]
    assert unit(serial).state == UnitState.IN_STOCK
    for part in ("DRL-1001", "BAT-2001", "BAT-2002"):
        u = unit(part)
        assert (u.state, u.branch_id, u.customer_id) == ("in_kit", kit.cashier.branch_id, None)
        assert events(part) == ["receive", "into_kit", "sold_in_kit", "customer_return", "into_kit"]
    view = assembly.kit_view(serial)
    assert view.status == assembly.KitStatus.ASSEMBLED
    assert [row.serial for row in assembly.kits_here(kit.cashier.branch_id)] == [serial]
    assert charger_stock(kit.cashier.branch_id) == 2  # the charger came back inside the kit
    # It sells again as a kit, and comes apart like any assembled kit.
    sell(kit.cashier, [SaleItem(serial=serial)])
    assert unit("BAT-2001").state == UnitState.SOLD
    customer_return(kit.cashier, [ReturnItem(serial=serial)])
    assembly.disassemble_kit(kit.inventory, serial)
    assert unit("BAT-2001").state == UnitState.IN_STOCK
    assert charger_stock(kit.cashier.branch_id) == 3
    assert_history_replays()


def test_a_returned_kit_to_quarantine_keeps_its_parts_inside(kit):
    serial, _sale = sold_kit(kit)
    customer_return(kit.cashier, [ReturnItem(serial=serial, disposition="quarantine")])
    assert unit(serial).state == UnitState.QUARANTINE
    assert {unit(p).state for p in ("DRL-1001", "BAT-2001", "BAT-2002")} == {"in_kit"}
    assert [(r.serial, r.state) for r in assembly.kits_here(kit.cashier.branch_id)] == [
        (serial, "quarantine")
    ]
    # Not sold, not written off whole; released, it comes apart.
    with refused("after releasing it from quarantine", Refused):
        adjust(kit.manager, "write_off", serials=[serial], reason="wet")
    with refused("in quarantine", Refused):
        assembly.disassemble_kit(kit.inventory, serial)
    adjust(kit.manager, "release", serials=[serial], reason="checked")
    assembly.disassemble_kit(kit.inventory, serial)
    adjust(kit.manager, "write_off", serials=["BAT-2001"], reason="wet")
    assert unit("BAT-2001").state == UnitState.WRITTEN_OFF
    assert_history_replays()


def test_a_kit_comes_back_only_to_stock_or_quarantine(kit):
    serial, _sale = sold_kit(kit)
    for disposition in ("written_off", "returned_to_supplier", "in_service"):
        with refused("comes back to stock or to quarantine", Refused):
            customer_return(kit.cashier, [ReturnItem(serial=serial, disposition=disposition)])


def test_a_part_of_a_sold_kit_is_not_returned_alone(kit):
    serial, sale = sold_kit(kit)
    with refused(f"return the whole kit {serial}", Refused):
        customer_return(kit.cashier, [ReturnItem(serial="BAT-2001")])
    with refused(f"return the whole kit {serial}", Refused):
        customer_return(kit.cashier, [ReturnItem(serial="BAT-2001")], sale=sale.number)
    with refused(f"return the whole kit {serial}", Refused):
        sale_for_serial("DRL-1001")
    # The kit itself is found by its serial.
    view, _line = sale_for_serial(serial)
    assert view.number == sale.number


def test_a_kit_with_a_part_in_repair_does_not_come_back(kit):
    serial, _sale = sold_kit(kit)
    repairs.intake(kit.cashier, "DRL-1001", complaint="chuck slips")
    with refused("its part DRL-1001 is in service", Refused):
        customer_return(kit.cashier, [ReturnItem(serial=serial)])


def test_a_warranty_replacement_comes_back_in_the_kit(kit):
    serial, _sale = sold_kit(kit)
    replacements.replace(kit.manager, "BAT-2001", "BAT-2003")
    with refused(f"return the whole kit {serial}", Refused):
        customer_return(kit.cashier, [ReturnItem(serial="BAT-2003")])
    customer_return(kit.cashier, [ReturnItem(serial=serial)])
    assert unit("BAT-2003").state == UnitState.IN_KIT
    assert unit("BAT-2001").state == UnitState.REPLACED
    parts = {p.serial for p in assembly.kit_view(serial).parts if p.serial}
    assert parts == {"DRL-1001", "BAT-2002", "BAT-2003"}
    assert_history_replays()


# --- transfers, write-offs and supplier returns of a kit ----------------------------------


def test_a_transferred_kit_takes_its_parts_along(kit):
    serial = assemble(kit).serial
    a, b = kit.inventory.branch_id, kit.inventory_b.branch_id
    sent = transfer_out(kit.inventory, "B", [TransferItem(serial=serial)])
    assert sent.units == 1  # the parts travel inside the kit, not as lines of their own
    for s in (serial, "DRL-1001", "BAT-2001", "BAT-2002"):
        assert (unit(s).state, unit(s).branch_id) == ("in_transit", b), s
    assert events("BAT-2001") == ["receive", "into_kit", "transfer_out"]
    assert assembly.kits_here(a) == [] and assembly.kits_here(b) == []
    # A part is not received on its own.
    with refused("is not on", Refused):
        transfer_in(kit.inventory_b, sent.number, ["BAT-2001"])
    arrived = transfer_in(kit.inventory_b, sent.number, [serial])
    assert arrived.status == "closed"
    assert (unit(serial).state, unit(serial).branch_id) == ("in_stock", b)
    for s in ("DRL-1001", "BAT-2001", "BAT-2002"):
        assert (unit(s).state, unit(s).branch_id) == ("in_kit", b), s
    assert events("BAT-2001")[-1] == "transfer_in"
    assert [r.serial for r in assembly.kits_here(b)] == [serial]
    # Sold or taken apart at B, the parts are at B; the charger is counted at B.
    assembly.disassemble_kit(kit.inventory_b, serial)
    assert (unit("DRL-1001").state, unit("DRL-1001").branch_id) == ("in_stock", b)
    assert (charger_stock(a), charger_stock(b)) == (2, 1)
    assert_history_replays()


def test_a_kit_is_not_written_off_or_sent_to_the_supplier_whole(kit):
    serial = assemble(kit).serial
    with refused("Take it apart first", Refused):
        adjust(kit.manager, "write_off", serials=[serial], reason="lost")
    with refused("Take it apart first", Refused):
        supplier_return(kit.inventory, "ToolCo", [StockItem(serial=serial)], reason="faulty")
    # Quarantine of the whole kit is fine: its parts stay inside.
    adjust(kit.manager, "quarantine", serials=[serial], reason="box damaged")
    assert {unit(p).state for p in ("DRL-1001", "BAT-2001")} == {"in_kit"}
    with refused("after releasing it from quarantine", Refused):
        supplier_return(kit.inventory, "ToolCo", [StockItem(serial=serial)], reason="faulty")
    # A part inside a kit cannot leave on its own either.
    with refused("assembled into a kit", Refused):
        supplier_return(kit.inventory, "ToolCo", [StockItem(serial="BAT-2001")], reason="faulty")


# --- warranty replacements --------------------------------------------------------------


def test_a_kit_is_not_replaced_whole_under_warranty(kit):
    serial, _sale = sold_kit(kit)
    other = assemble(kit, serials=("DRL-1002", "BAT-2003", "BAT-2004")).serial
    with refused(f"{serial} is a kit: replace the faulty part inside it", Refused):
        replacements.replace(kit.manager, serial, other)
    with refused(f"{serial} is a kit: replace the faulty part inside it", Refused):
        replacements.replace(kit.manager, serial, "DRL-1003")
    # Nor does a kit in stock stand in for a customer's unit, even for one of a kit's parts.
    with refused(f"{other} is a kit with its parts inside", Refused):
        replacements.replace(kit.manager, "DRL-1001", other)
    # Taken in for repair whole, the kit is still not swapped for another.
    ticket = repairs.intake(kit.cashier, serial, complaint="drill stalls")
    with refused(f"{serial} is a kit", Refused):
        replacements.replace(kit.manager, serial, other, ticket=ticket.number)
    repairs.collect(kit.cashier, ticket.number, outcome="no fault found")
    # A part of the sold kit is replaced like any unit, and stands in for it in the kit.
    replacements.replace(kit.manager, "DRL-1001", "DRL-1003")
    assert (unit("DRL-1001").state, unit("DRL-1003").state) == ("replaced", "sold")
    assert assembly.kit_view(other).status == assembly.KitStatus.ASSEMBLED
    assert {unit(p).state for p in ("DRL-1002", "BAT-2003", "BAT-2004")} == {"in_kit"}
    assert_history_replays()


# --- the integrity check after kit moves --------------------------------------------------


def test_verify_finds_nothing_wrong_after_every_kit_move(kit):
    def clean() -> None:
        report = integrity.check()
        assert report.ok, report.messages()

    serial = assemble(kit).serial
    clean()
    sale = sell(kit.cashier, [SaleItem(serial=serial)], customer_id=customer().id)
    clean()
    replacements.replace(kit.manager, "BAT-2001", "BAT-2003")  # a part, under warranty
    clean()
    customer_return(kit.cashier, [ReturnItem(serial=serial)])
    clean()
    sent = transfer_out(kit.inventory, "B", [TransferItem(serial=serial)])
    clean()
    transfer_in(kit.inventory_b, sent.number, [serial])
    clean()
    assembly.disassemble_kit(kit.inventory_b, serial)
    clean()
    # Put together again at B's counter from those very parts, and sold in one sale.
    parts = ["DRL-1001", "BAT-2002", "BAT-2003"]
    sell(kit.cashier_b, [SaleItem(product="KT-DR", components=parts)])
    clean()
    assert_history_replays()
    # A row naming a sale with no line for its unit, nor for a kit it is in, still shows.
    doc = get_document(sale.number)
    with write_transaction():
        append_event(
            unit("BAT-2004").id, Event.CORRECTION, "in_stock", UnitState.IN_STOCK, kit.cashier, doc
        )
    problems = integrity.check().problems
    assert len(problems) == 1 and f"names document {doc.id} without its line" in problems[0]


# --- stocktake ------------------------------------------------------------------------------


def test_a_part_scanned_at_a_count_is_in_its_kit_and_a_missing_kit_goes_with_its_parts(kit):
    serial = assemble(kit).serial
    number = stocktake.open_stocktake(kit.inventory)
    # Scanning the drill inside the kit box does not count it; with the kit's label
    # scanned too, nothing blocks the count.
    assert stocktake.scan(kit.inventory, number, "DRL-1001")[1] == "in_kit"
    stocktake.scan(kit.inventory, number, serial)
    tally = stocktake.status(number)
    assert tally.problems == [] and serial not in tally.missing
    # Without the label, the part seen on the shelf stops the kit being written off.
    stocktake.unscan(kit.inventory, number, serial)
    assert stocktake.status(number).problems == [("DRL-1001", "kit_label_not_scanned")]
    with refused("DRL-1001 was scanned inside a kit whose own label was not", Refused):
        stocktake.close(kit.inventory, number, write_off_missing=True, approver=kit.approver())
    # The part's scan taken off: the kit is missing, and goes with its parts.
    stocktake.unscan(kit.inventory, number, "DRL-1001")
    closed = stocktake.close(kit.inventory, number, write_off_missing=True, approver=kit.approver())
    assert closed.status == "closed"
    assert unit(serial).state == "written_off"
    assert {unit(p).state for p in ("DRL-1001", "BAT-2001", "BAT-2002")} == {"written_off"}
    assert events("BAT-2001")[-1] == "stocktake_missing"
    assert integrity.check().ok
    assert_history_replays()


def test_a_kit_written_off_as_missing_is_found_with_its_parts(kit):
    serial = assemble(kit).serial
    number = stocktake.open_stocktake(kit.inventory)
    stocktake.close(kit.inventory, number, write_off_missing=True, approver=kit.approver())
    # A part alone is found with its kit, not on its own.
    with refused("record the kit as found", Refused):
        adjust(kit.manager, "found", serials=["BAT-2001"], reason="on the shelf")
    adjust(kit.manager, "found", serials=[serial], reason="behind the counter")
    assert unit(serial).state == "in_stock"
    assert {unit(p).state for p in ("DRL-1001", "BAT-2001", "BAT-2002")} == {"in_kit"}
    sale = sell(kit.cashier, [SaleItem(serial=serial)], customer_id=customer().id)
    assert {unit(p).state for p in ("DRL-1001", "BAT-2001", "BAT-2002")} == {"sold"}
    assert sale.number
    assert integrity.check().ok
    assert_history_replays()
