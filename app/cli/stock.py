"""The stock's commands: ``products``, ``stock``, ``receive``, transfers, ``supplier-return``,
``adjust`` and ``set-mode``, with the text each prints."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.cli.identity import approver
from app.cli.render import join, label, money, table, warnings_text, when
from app.cli.session import (
    UsageError,
    context,
    emit,
    items_of,
    open_db,
    opt,
    split_quantity,
)
from app.services.ledger.lookups import find_branch, find_product
from app.services.shop import catalog
from app.services.stock import adjustments, on_hand, supplier_returns, transfers
from app.services.stock.receiving import ReceiptLine, lines_by_gtin, receive
from db.models import Branch


def moved_items(tokens: list[str], item_type):
    """Transfer and supplier-return items: serials, or ``SKU:QTY`` for goods without serials."""
    items = []
    for token in tokens:
        qty = split_quantity(token)
        items.append(item_type(product=qty[0], quantity=qty[1]) if qty else item_type(serial=token))
    return items


def cmd_products(args) -> int:
    open_db(args)
    branch = find_branch(args.branch).id if opt(args, "branch") else None
    return emit(args, catalog.list_products(branch), products_text)


def cmd_stock(args) -> int:
    open_db(args)
    if opt(args, "branch"):
        branches = [find_branch(args.branch)]
    else:
        branches = list(Branch.select().order_by(Branch.code))
    sku = find_product(args.product).sku if args.product else None
    rows = []
    for branch in branches:
        here = [
            BranchStock(branch.code, branch.name, p.sku, p.name, p.tracking_mode, p.in_stock)
            for p in catalog.list_products(branch.id)
            if (p.sku == sku if sku else p.in_stock)
        ]
        if args.serials:
            by_sku = {row.sku: row for row in here}
            for unit in on_hand.units(branch_id=branch.id, product=sku or "", limit=10_000_000):
                if unit.sku in by_sku:
                    by_sku[unit.sku].serials.append(unit.serial)
        rows += here
    return emit(args, rows, lambda r: stock_text(r, args.serials))


def cmd_receive(args) -> int:
    open_db(args)
    serials = items_of(args)
    if args.product:
        lines = [ReceiptLine(args.product, serials, quantity=args.qty or 0, cost=args.cost)]
    elif args.qty or not serials:
        raise UsageError("say --product, or scan GS1 codes whose GTIN names the product")
    else:
        lines = lines_by_gtin(serials, args.cost)
    ctx = context(args)
    result = receive(ctx, args.supplier, lines, reference=args.po or "", note=args.note)
    return emit(args, result, receipt_text)


def cmd_transfer_out(args) -> int:
    open_db(args)
    items = moved_items(items_of(args), transfers.TransferItem)
    result = transfers.transfer_out(context(args), args.to, items, note=args.note)
    return emit(args, result, transfer_text)


def cmd_transfer_in(args) -> int:
    open_db(args)
    result = transfers.transfer_in(context(args), args.number, items_of(args))
    return emit(args, result, transfer_text)


def cmd_transfers(args) -> int:
    open_db(args)
    branch = find_branch(args.branch).id if opt(args, "branch") else None
    return emit(args, transfers.open_transfers(branch), open_transfers_text)


def cmd_supplier_return(args) -> int:
    open_db(args)
    items = moved_items(items_of(args), supplier_returns.SupplierReturnItem)
    result = supplier_returns.supplier_return(
        context(args), args.supplier, items, reason=args.reason, reference=args.ref or ""
    )
    return emit(args, result, supplier_return_text)


def cmd_adjust(args) -> int:
    open_db(args)
    ctx = context(args)
    result = adjustments.adjust(
        ctx,
        args.kind,
        serials=items_of(args),
        product=args.product,
        quantity_change=args.qty or 0,
        reason=args.reason,
        to_state=args.to_state,
        approver=approver(args),
    )
    return emit(args, result, adjustment_text)


def cmd_set_mode(args) -> int:
    open_db(args)
    ctx = context(args)
    if args.product:
        mode = None if args.mode == "inherit" else args.mode
        item = catalog.set_product_mode(ctx, args.product, mode)
        result = {"product": item.sku, "tracking_mode": item.tracking_mode}
        return emit(args, result, lambda r: mode_text("Product", item.sku, item.tracking_mode))
    if args.mode == "inherit":
        raise UsageError("'inherit' is for a product: it follows its type's mode again")
    ptype = catalog.set_type_mode(ctx, args.type, args.mode)
    result = {"product_type": ptype.name, "tracking_mode": ptype.tracking_mode}
    return emit(args, result, lambda r: mode_text("Type", ptype.name, ptype.tracking_mode))


# --- what they print ----------------------------------------------------------------------


def products_text(rows) -> str:
    return table(
        ["SKU", "Product", "Type", "Tracking", "Warranty", "Price", "In stock"],
        [
            (
                r.sku,
                r.name,
                r.product_type,
                label(r.tracking_mode),
                f"{r.warranty_months} mo" if r.warranty_months else "-",
                money(r.price),
                r.in_stock,
            )
            for r in rows
        ],
    )


@dataclass
class BranchStock:
    branch: str
    branch_name: str
    sku: str
    name: str
    tracking_mode: str
    quantity: int
    serials: list[str] = field(default_factory=list)


def stock_text(rows: list[BranchStock], with_serials: bool) -> str:
    text = table(
        ["Branch", "SKU", "Product", "Tracking", "In stock"],
        [(r.branch, r.sku, r.name, label(r.tracking_mode), r.quantity) for r in rows],
    )
    if with_serials:
        listed = [
            f"{r.branch} {r.sku} ({len(r.serials)}):\n" + "\n".join(f"  {s}" for s in r.serials)
            for r in rows
            if r.serials
        ]
        text = join(text, "\nSerials in stock", *listed) if listed else text
    return text


def receipt_text(r) -> str:
    what = []
    if r.units:
        what.append(f"{r.units} unit(s) by serial")
    if r.quantity:
        what.append(f"{r.quantity} by quantity")
    head = f"{r.number}: received {' and '.join(what) or 'nothing'}."
    flagged = [f"Flagged (back after going to the supplier): {', '.join(r.flagged)}"]
    return join(head, flagged[0] if r.flagged else "", warnings_text(r.warnings))


def transfer_text(r) -> str:
    moved = f"{r.units} unit(s), {r.quantity} by quantity"
    tail = f"{r.outstanding} still in transit" if r.outstanding else "complete"
    return f"{r.number} {r.from_branch} to {r.to_branch}: {moved}; {r.status}, {tail}."


def open_transfers_text(rows) -> str:
    return table(
        ["Transfer", "From", "To", "Since", "In transit"],
        [(t.number, t.from_branch, t.to_branch, when(t.since), t.outstanding) for t in rows],
    )


def supplier_return_text(r) -> str:
    head = f"{r.number} to {r.supplier}: {r.units} unit(s), {r.quantity} by quantity."
    return join(head, warnings_text(r.warnings))


def adjustment_text(r) -> str:
    parts = []
    if r.units:
        parts.append(f"{len(r.units)} unit(s): {', '.join(r.units)}")
    if r.quantity_change:
        parts.append(f"quantity {r.quantity_change:+d}")
    return f"{r.number} {label(r.kind)}: {'; '.join(parts)}."


def mode_text(kind: str, name: str, mode: str | None) -> str:
    return f"{kind} {name}: tracking mode is now {label(mode) if mode else 'as its type says'}."
