"""The demo history's scripted events: returns, repairs, replacements, transfers,
supplier returns, stock corrections, a stocktake and the drill kits.

Each event takes the shop. One that spans days is a generator: it yields how many
days later it goes on (``app.demo.history`` runs it then). An event refused by the
services is skipped, and the reason kept in the summary.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

from app.demo.master_data import KITS
from app.demo.shop import SERIAL_MODES, DemoShop
from app.domain.errors import Refused
from app.services.counter import repairs, replacements, returns, selling
from app.services.kits import assembly
from app.services.stock import adjustments, stocktake, transfers
from app.services.stock.receiving import ReceiptLine, receive
from app.services.stock.supplier_returns import SupplierReturnItem, supplier_return
from db.models import Branch, Document, DocumentLine, Product, Unit, WarrantyNumber


def _need(found, what: str):
    """What a scripted event needs, or a refusal that skips the event."""
    if not found:
        raise Refused(f"no {what} yet")
    return found


def opening_stock(shop: DemoShop) -> None:
    for branch in ("CITY", "PARK"):
        shop.restock(branch, all_products=True)


def transfer_to_park(shop: DemoShop) -> Iterator[int]:
    phones = shop.units_in_stock("PH-AUR15", "CITY")[:3]
    items = [transfers.TransferItem(serial=s) for s in phones]
    items.append(transfers.TransferItem(product="AC-CASE", quantity=10))
    result = transfers.transfer_out(
        shop.who("CITY", "inventory"), "PARK", items, note="Parkside sells more Aurora"
    )
    yield 1
    transfers.transfer_in(shop.who("PARK", "inventory"), result.number, phones)
    yield 2
    selling.sell(
        shop.who("PARK", "cashier"),
        [selling.SaleItem(serial=phones[0]), selling.SaleItem(product="AC-CASE")],
        customer_id=shop.customers[3],
        payment_method="card",
    )


def _latest_sale_line(sku_prefix: str) -> DocumentLine | None:
    return (
        DocumentLine.select(DocumentLine, Document)
        .join(Document)
        .switch(DocumentLine)
        .join(Product)
        .where(Document.kind == "sale", Product.sku.startswith(sku_prefix))
        .order_by(DocumentLine.id.desc())
        .first()
    )


def _sale_of(unit: Unit) -> tuple[str, str]:
    """The sale number a unit was sold on, and the code of the branch that sold it."""
    line = (
        DocumentLine.select(DocumentLine, Document)
        .join(Document)
        .where(DocumentLine.unit == unit.id, Document.kind == "sale")
        .order_by(DocumentLine.id.desc())
        .first()
    )
    return f"S-{line.document_id}", Branch.get_by_id(line.document.branch_id).code


def return_changed_mind(shop: DemoShop) -> None:
    line = _need(_latest_sale_line("PH-"), "phone sale")
    branch = Branch.get_by_id(line.document.branch_id).code
    returns.customer_return(
        shop.who(branch, "cashier"),
        [returns.ReturnItem(serial=line.serial, condition="as new, sealed box")],
        sale=f"S-{line.document_id}",
        reason="Changed mind within 14 days",
    )


def return_faulty_drill(shop: DemoShop) -> None:
    unit = _need(shop.sold_units("PT-DRL18"), "sold drill")[0]
    sale, branch = _sale_of(unit)
    returns.customer_return(
        shop.who(branch, "cashier"),
        [
            returns.ReturnItem(
                serial=unit.serial,
                condition="motor stalls under load",
                disposition="quarantine",
            )
        ],
        sale=sale,
        reason="Faulty after two weeks",
    )
    shop.faulty_drill = (unit.serial, branch)


def return_accessory_and_watch(shop: DemoShop) -> None:
    line = _latest_sale_line("AC-CHG30")
    if line is not None:
        branch = Branch.get_by_id(line.document.branch_id).code
        returns.customer_return(
            shop.who(branch, "cashier"),
            [returns.ReturnItem(sale_line=line.id, quantity=1, condition="unopened")],
            sale=f"S-{line.document_id}",
            reason="Bought the wrong plug type",
        )
    number = _need(WarrantyNumber.select().order_by(WarrantyNumber.id).first(), "watch sale")
    sale_line = number.sale_line
    branch = Branch.get_by_id(sale_line.document.branch_id).code
    returns.customer_return(
        shop.who(branch, "cashier"),
        [
            returns.ReturnItem(
                warranty_number=number.number,
                condition="strap scratched",
                disposition="quarantine",
                refund=(sale_line.price * Decimal("0.8")).quantize(Decimal("0.01")),
            )
        ],
        reason="Unwanted gift; strap scratched, so 80% refunded",
    )


def _status(
    shop: DemoShop, number: str, status: str, note: str = "", diagnosis: str | None = None
) -> None:
    repairs.change_status(shop.ctx["theo"], number, status, note=note, diagnosis=diagnosis)
    shop.clock.tick(shop.rng)


def repair_phone_covered(shop: DemoShop) -> Iterator[int]:
    unit = _need(shop.sold_units("PH-AUR15"), "sold Aurora")[0]
    ticket = repairs.intake(
        shop.who("CITY", "cashier"),
        unit.serial,
        complaint="Display flickers and goes black after a few minutes",
        intake_condition="Light scratches on the back, no cracks",
        accessories="Phone only, no SIM",
        technician="theo",
    )
    yield 1
    _status(shop, ticket.number, "diagnosing")
    _status(
        shop, ticket.number, "waiting_for_parts", "Display assembly ordered", "Display connector"
    )
    repairs.add_part(shop.ctx["theo"], ticket.number, "Display assembly", cost="89.00")
    yield 4
    _status(shop, ticket.number, "repairing", "Part arrived")
    _status(shop, ticket.number, "quality_check")
    _status(shop, ticket.number, "ready", "Customer called")
    yield 2
    repairs.collect(
        shop.who("CITY", "cashier"), ticket.number, outcome="Repaired: display replaced"
    )


def repair_drill_damaged(shop: DemoShop) -> Iterator[int]:
    unit = _need(shop.sold_units("PT-"), "sold tool")[-1]
    ticket = repairs.intake(
        shop.who("CITY", "cashier"),
        unit.serial,
        complaint="Chuck wobbles, sparks at the vents",
        intake_condition="Housing cracked, as if dropped",
        accessories="Drill, one battery, no charger",
        technician="theo",
        damage=True,
    )
    yield 1
    _status(shop, ticket.number, "diagnosing", "Quote given: 38.00", "Worn brushes, bent chuck")
    yield 1
    _status(shop, ticket.number, "repairing", "Customer accepted the quote")
    repairs.add_part(shop.ctx["theo"], ticket.number, "Carbon brushes", quantity=2, cost="6.25")
    repairs.add_part(shop.ctx["theo"], ticket.number, "Keyless chuck 13 mm", cost="14.00")
    _status(shop, ticket.number, "quality_check", "Runs true under load")
    _status(shop, ticket.number, "ready")
    yield 1
    repairs.collect(
        shop.who("CITY", "cashier"), ticket.number, outcome="Repaired, paid by customer 38.00"
    )


def repair_then_replace(shop: DemoShop) -> Iterator[int]:
    candidates = _need(shop.sold_units("PH-", "CITY"), "phone sold at City Centre")
    unit = candidates[len(candidates) // 2]
    ticket = repairs.intake(
        shop.who("CITY", "cashier"),
        unit.serial,
        complaint="Does not charge, gets hot",
        intake_condition="As new",
        accessories="Phone and original cable",
        technician="theo",
    )
    yield 1
    _status(
        shop, ticket.number, "diagnosing", "", "Charging IC on the mainboard failed; swap the unit"
    )
    yield 1
    sku = Product.get_by_id(unit.product_id).sku
    if not shop.units_in_stock(sku, "CITY"):  # a new unit must be on the shelf to swap
        shop.restock("CITY", all_products=True)
    replacements.replace(
        shop.ctx["theo"],
        unit.serial,
        shop.units_in_stock(sku, "CITY")[0],
        ticket=ticket.number,
        note="Swapped under warranty; the old unit goes back to the supplier",
    )
    shop.replaced_phone = unit.serial


def _faulty_drill(shop: DemoShop) -> tuple[str, str]:
    if shop.faulty_drill is None:
        raise Refused("no faulty drill came back")
    return shop.faulty_drill


def supplier_returns(shop: DemoShop) -> None:
    if shop.replaced_phone is None:
        raise Refused("no phone was replaced")
    supplier_return(
        shop.who("CITY", "inventory"),
        "Nordic Mobile Supply",
        [SupplierReturnItem(serial=shop.replaced_phone)],
        reason="Charging IC failed after two months; replaced for the customer",
        reference="NMS-RMA-88213",
    )
    serial, branch = _faulty_drill(shop)
    supplier_return(
        shop.who(branch, "inventory"),
        "ToolPro Wholesale",
        [SupplierReturnItem(serial=serial)],
        reason="Motor stalls under load (customer return)",
        reference="TP-CLAIM-5521",
    )


def quarantine_damaged_box(shop: DemoShop) -> None:
    adjustments.adjust(
        shop.who("PARK", "inventory"),
        "quarantine",
        serials=[_need(shop.units_in_stock("PH-NIM8", "PARK"), "Nimbus in stock")[-1]],
        reason="Box crushed in delivery; check the unit before selling",
    )


def faulty_drill_back_from_supplier(shop: DemoShop) -> None:
    serial, branch = _faulty_drill(shop)
    receive(
        shop.who(branch, "inventory"),
        "ToolPro Wholesale",
        [ReceiptLine("PT-DRL18", [serial], cost="96.00")],
        reference="TP-CLAIM-5521",
        note="Repaired by the supplier and sent back",
    )


def write_off_broken_glass(shop: DemoShop) -> None:
    adjustments.adjust(
        shop.who("CITY", "manager"),
        "write_off",
        product="AC-GLASS",
        quantity_change=3,
        reason="Cracked in the drawer",
    )


def stocktake_park_phones(shop: DemoShop) -> None:
    ctx = shop.who("PARK", "inventory")
    number = stocktake.open_stocktake(ctx, product_type="Phones")
    for sku in ("PH-AUR15", "PH-AUR15P", "PH-NIM8"):
        for serial in shop.units_in_stock(sku, "PARK"):
            shop.clock.now += timedelta(seconds=20)
            stocktake.scan(ctx, number, serial)
    stocktake.close(ctx, number)


def repair_watch_open(shop: DemoShop) -> Iterator[int]:
    number = _need(
        WarrantyNumber.select()
        .where(WarrantyNumber.state == "active")
        .order_by(WarrantyNumber.id.desc())
        .first(),
        "watch with a warranty",
    )
    ticket = repairs.intake(
        shop.who("PARK", "cashier"),
        number.number,
        complaint="Loses about two minutes a day",
        intake_condition="Good, small scuff on the bezel",
        accessories="Watch and box",
        technician="theo",
    )
    yield 1
    _status(shop, ticket.number, "diagnosing", "Sent to the watchmaker")


def drill_kits(shop: DemoShop) -> Iterator[int]:
    """Drill kits put together from the shelf (two at City Centre, one at Parkside),
    and a week later one sold as a whole at City Centre."""
    sku, parts = KITS[0].sku, KITS[0].components
    by_serial = [part for part, _q in parts if shop.products[part].mode in SERIAL_MODES]
    made: dict[str, list[str]] = {}
    for branch, count in (("CITY", 2), ("PARK", 1)):
        if any(shop.on_shelf(part, branch) < count for part, _q in parts):
            shop.restock(branch)  # order what runs low first, as the clerk would
        for _ in range(count):
            # the newest units: an older one may be the drill back from the supplier
            serials = [shop.units_in_stock(part, branch)[-1] for part in by_serial]
            kit = assembly.assemble_kit(
                shop.who(branch, "inventory"), sku, serials, note="Drill kit offer"
            )
            made.setdefault(branch, []).append(kit.serial)
            shop.clock.tick(shop.rng)
    yield 6
    selling.sell(
        shop.who("CITY", "cashier"),
        [selling.SaleItem(serial=made["CITY"][0])],
        customer_id=shop.customers[7],
        payment_method="card",
    )


def repair_phone_in_progress(shop: DemoShop) -> Iterator[int]:
    unit = _need(shop.sold_units("PH-AUR15P"), "sold Aurora Pro")[0]
    ticket = repairs.intake(
        shop.who("CITY", "cashier"),
        unit.serial,
        complaint="Rear camera does not focus",
        intake_condition="Case worn at the corners",
        accessories="None",
        technician="theo",
    )
    yield 1
    _status(shop, ticket.number, "diagnosing", "", "Camera module autofocus fault")
    _status(shop, ticket.number, "repairing", "Module in stock")
    repairs.add_part(shop.ctx["theo"], ticket.number, "Rear camera module", cost="64.00")


def transfer_in_transit(shop: DemoShop) -> None:
    items = [transfers.TransferItem(serial=s) for s in shop.units_in_stock("PT-IMP18", "PARK")[:1]]
    items.append(transfers.TransferItem(product="AC-USBC", quantity=5))
    transfers.transfer_out(
        shop.who("PARK", "inventory"), "CITY", items, note="Workshop needs a demo unit"
    )
