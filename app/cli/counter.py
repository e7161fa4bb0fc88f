"""The counter's commands: ``passport``, ``customers``, ``sell``, ``sale`` and ``return``,
with the text each prints."""

from __future__ import annotations

from dataclasses import dataclass

from app.cli.identity import approver
from app.cli.render import (
    day,
    join,
    jsonable,
    label,
    money,
    pairs,
    table,
    warnings_text,
    when,
)
from app.cli.session import (
    UsageError,
    context,
    emit,
    items_of,
    open_db,
    opt,
    split_price,
    split_quantity,
)
from app.domain.errors import Ambiguous
from app.services.counter import lookup, returns, selling
from app.services.ledger.lookups import find_customer
from app.services.shop import catalog
from app.services.transaction import write_transaction as transaction


def cmd_passport(args) -> int:
    """A unit's passport by any code it carries; a warranty number's or a sale's lines."""
    open_db(args)
    found = lookup.resolve(args.serial, product=args.product)
    if found.ambiguous and found.sale is None:
        names = ", ".join(f"{c.sku} {c.product} ({c.state_label})" for c in found.choices)
        raise Ambiguous(
            f"{found.code} is on {len(found.choices)} units: {names}. Say which with --product SKU."
        )
    return emit(args, found_json(found) if opt(args, "json") else found, found_text)


def cmd_customers(args) -> int:
    open_db(args)
    rows = [
        CustomerRow(c.id, c.name, c.phone, c.email)
        for c in catalog.search_customers(args.text, limit=args.limit)
    ]
    return emit(args, rows, customers_text)


def sale_items(tokens: list[str], price: str | None) -> list[selling.SaleItem]:
    if price is not None and len(tokens) != 1:
        raise UsageError("--price goes with one item; for several write ITEM@PRICE")
    items = []
    for token in tokens:
        body, item_price = split_price(token)
        item_price = item_price if item_price is not None else price
        qty = split_quantity(body)
        if qty:
            items.append(selling.SaleItem(product=qty[0], quantity=qty[1], price=item_price))
        else:
            items.append(selling.SaleItem(serial=body, price=item_price))
    return items


def cmd_sell(args) -> int:
    open_db(args)
    ctx = context(args)
    items = sale_items(items_of(args), args.price)
    if not items:
        raise UsageError("scan at least one item: a serial, or SKU:QTY")
    if args.phone and not args.new_customer:
        raise UsageError("--phone goes with --new-customer NAME")
    with transaction():  # a new customer is kept only if the sale goes through
        customer = None
        if args.customer:
            customer = find_customer(args.customer).id
        elif args.new_customer:
            customer = catalog.add_customer(args.new_customer, args.phone or "").id
        result = selling.sell(
            ctx,
            items,
            customer_id=customer,
            payment_method=args.pay,
            tendered=args.tendered,
            note=args.note,
            approver=approver(args),
        )
    return emit(args, result, sale_text)


def cmd_sale(args) -> int:
    open_db(args)
    return emit(args, returns.sale_view(args.number), sale_view_text)


def cmd_return(args) -> int:
    open_db(args)
    common = dict(condition=args.condition, disposition=args.disposition)
    items = [returns.ReturnItem(serial=s, **common) for s in args.serial]
    items += [returns.ReturnItem(warranty_number=w, **common) for w in args.warranty_number]
    for token in args.line:
        line_id, _, qty = token.partition(":")
        if not line_id.isdigit() or (qty and not qty.isdigit()):
            raise UsageError(f"--line takes LINE_ID or LINE_ID:QTY, not '{token}'")
        items.append(returns.ReturnItem(sale_line=int(line_id), quantity=int(qty or 1), **common))
    if not items:
        raise UsageError("say what comes back: --serial, --warranty-number or --line")
    if args.refund is not None:
        if len(items) != 1:
            raise UsageError("--refund goes with one item; leave it out to refund what was paid")
        items[0].refund = args.refund
    result = returns.customer_return(context(args), items, sale=args.sale, reason=args.reason)
    return emit(args, result, return_text)


# --- what they print ----------------------------------------------------------------------


def found_json(found: lookup.Resolved) -> dict:
    """A unit found keeps the passport's own JSON (with what the code was); else the rest."""
    head = {"found_by": found.kind.value, "code": found.code}
    if found.passport is not None:
        return {
            **jsonable(found.passport),
            **head,
            "sale_lines": jsonable(found.sale),
            "also": found.also,
        }
    return {**head, **jsonable(found)}


def found_text(found: lookup.Resolved) -> str:
    """The passport of the unit a code names, a warranty number, or a sale's lines."""
    blocks = []
    p = found.passport
    if found.kind is not lookup.CodeKind.SERIAL and (p is None or found.code.upper() != p.serial):
        blocks.append(f"{found.code}: {found.kind.label}")
    if found.sale is not None:
        blocks.append(found_sale_text(found.sale))
    if found.warranty is not None:
        blocks.append(warranty_text(found.warranty))
    if found.choices and p is None:
        blocks.append(
            "\nUnits its cards were printed for: " + ", ".join(c.serial for c in found.choices)
        )
    if p is not None:
        blocks.append(("\n" if found.sale else "") + passport_text(p))
    if found.also:
        blocks.append(f"\nNote: {found.also}")
    return join(*blocks)


def warranty_text(w: lookup.WarrantyView) -> str:
    if w.warranty_active:
        running = (
            f"{day(w.warranty_start)} to {day(w.warranty_end)}, {w.warranty_days_left} days left"
        )
    elif w.state != "active":
        running = f"none: the warranty was {label(w.state)}"
    else:
        running = f"{day(w.warranty_start)} to {day(w.warranty_end)}, ended"
    return join(
        f"Warranty {w.number} · {w.product} ({w.sku})",
        pairs(
            [
                ("Sold", f"{w.sale} on {day(w.sold_on)}, line {w.sale_line}"),
                ("Customer", w.customer),
                ("Warranty", running),
                ("Repairs", "; ".join(w.repairs)),
            ]
        ),
    )


def found_sale_text(v: lookup.SaleLookup) -> str:
    head = f"{v.number} on {day(v.date)} at {v.branch}" + (
        f", customer {v.customer}" if v.customer else ""
    )
    lines = table(
        ["Line", "SKU", "Product", "Serial", "Qty", "Returned", "Price", "Warranty no."],
        [
            (
                x.line_id,
                x.sku,
                x.product,
                x.serial,
                x.quantity,
                x.returned,
                money(x.price),
                " ".join(x.warranty_numbers),
            )
            for x in v.lines
        ],
    )
    return join(head, lines)


def passport_text(p) -> str:
    if p.warranty_end is None:
        warranty = "none"
    elif p.warranty_active:
        warranty = (
            f"{day(p.warranty_start)} to {day(p.warranty_end)}, {p.warranty_days_left} days left"
        )
    elif not p.warranty_held:
        warranty = (
            f"none running: {p.state_label}, not with a customer "
            f"(the last ran {day(p.warranty_start)} to {day(p.warranty_end)})"
        )
    else:
        warranty = f"{day(p.warranty_start)} to {day(p.warranty_end)}, ended"
    receipt = ""
    if p.receipt:
        r = p.receipt
        receipt = f"{r.number} on {day(r.date)} at {r.branch} by {r.employee}"
        receipt += f", PO {r.reference}" if r.reference else ""
    cost = f"cost {money(p.cost)}" if p.cost is not None else ""
    supplier = ", ".join(part for part in (p.supplier, cost) if part)
    sale = ""
    if p.sale:
        s = p.sale
        sale = f"{s.number} on {day(s.date)} at {s.branch} by {s.employee}"
        sale += f", {money(s.price)}" if s.price is not None and s.kind == "sale" else ""
    customer = p.customer + (f", {p.customer_phone}" if p.customer_phone else "")
    head = f"{p.serial} · {p.product} ({p.sku})"
    details = pairs(
        [
            ("Type", f"{p.product_type}, {label(p.tracking_mode)} tracking"),
            ("State", p.state_label),
            ("Branch", p.branch),
            ("Customer", customer),
            ("Warranty", warranty),
            ("Supplier", supplier),
            ("Received", receipt),
            ("Sold", sale),
            ("Returns", "; ".join(_doc_line(r) for r in p.returns)),
            (
                "Transfers",
                "; ".join(f"{t.number} {t.branch} to {t.to_branch}" for t in p.transfers),
            ),
            (
                "Repairs",
                "; ".join(f"{r.number} {day(r.date)} {label(r.status)}" for r in p.repairs),
            ),
            ("Replaces", p.replaces),
            ("Replaced by", ", ".join(p.replaced_by)),
            ("Flag", p.flag),
            ("In kit", f"{p.kit.serial} · {p.kit.name} ({p.kit.status})" if p.kit else ""),
            ("Kit parts", "; ".join(_kit_part(k) for k in p.kit_parts)),
        ]
    )
    history = table(
        ["When", "Event", "From", "To", "Branch", "By", "Document", "Note"],
        [
            (
                when(h.at),
                label(h.event),
                label(h.from_state) or "-",
                label(h.to_state),
                h.branch,
                h.employee + (f" (approved: {h.approved_by})" if h.approved_by else ""),
                h.document or "",
                h.note,
            )
            for h in p.history
        ],
    )
    blocks = [head, details]
    if p.chain:
        blocks += ["\nReplacement chain (units this one replaced)", chain_text(p.chain)]
    return join(*blocks, "\nHistory", history)


def chain_text(chain) -> str:
    """Each unit a replacement replaced, with the claims made on it."""
    return table(
        ["Serial", "Product", "Replaced", "By", "On", "Claims"],
        [
            (
                link.serial,
                link.sku,
                day(link.replaced_on),
                link.replaced_by,
                link.replacement,
                _claims(link),
            )
            for link in chain
        ],
    )


def _claims(link) -> str:
    claims = [
        f"{c.number} {day(c.opened)} {c.complaint[:30]} ({label(c.status)})" for c in link.claims
    ]
    if link.without_ticket:
        claims.append("replaced without a ticket")
    return "; ".join(claims) or "none"


def _kit_part(part) -> str:
    if part.serial is None:
        return f"{part.quantity} × {part.name}"
    return f"{part.serial} {part.name} ({label(part.state)})"


def _doc_line(ref) -> str:
    extra = ", ".join(x for x in (ref.condition, label(ref.disposition)) if x)
    return f"{ref.number} {day(ref.date)}" + (f" ({extra})" if extra else "")


def sale_text(r) -> str:
    head = f"{r.number}: total {money(r.total)}, paid {money(r.paid)} by {r.payment_method}"
    head += f", change {money(r.change)}" if r.change else ""
    head += f", customer {r.customer}" if r.customer else ""
    lines = table(
        ["Line", "SKU", "Product", "Serial", "Qty", "Price", "Warranty to", "Warranty no."],
        [
            (
                x.line_id,
                x.sku,
                x.name,
                x.serial or "",
                x.quantity,
                money(x.price),
                day(x.warranty_end),
                " ".join(x.warranty_numbers),
            )
            for x in r.lines
        ],
    )
    return join(head, lines, warnings_text(r.warnings))


def sale_view_text(v) -> str:
    head = f"{v.number} on {v.date} at {v.branch}" + (
        f", customer {v.customer}" if v.customer else ""
    )
    lines = table(
        ["Line", "SKU", "Product", "Serial", "Qty", "Returned", "Price"],
        [
            (x.line_id, x.sku, x.name, x.serial, x.quantity, x.returned, money(x.price))
            for x in v.lines
        ],
    )
    return join(head, lines)


def return_text(r) -> str:
    head = f"{r.number}" + (f" for {r.sale}" if r.sale else "") + f": refund {money(r.refund)}"
    lines = table(
        ["SKU", "Product", "Serial", "Qty", "Disposition", "Refund"],
        [
            (x.sku, x.name, x.serial or "", x.quantity, label(x.disposition), money(x.refund))
            for x in r.lines
        ],
    )
    return join(head, lines, warnings_text(r.warnings))


@dataclass
class CustomerRow:
    id: int
    name: str
    phone: str
    email: str


def customers_text(rows: list[CustomerRow]) -> str:
    return table(
        ["Id", "Name", "Phone", "Email"], [(f"#{c.id}", c.name, c.phone, c.email) for c in rows]
    )
