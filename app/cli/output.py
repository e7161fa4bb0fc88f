"""What the command line prints: plain tables for people, JSON for scripts.

JSON is the result dataclasses as they are, with dates in ISO form and money
as strings (``"499.00"``), so nothing is lost to floating point.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum

# Result fields that hold plain tuples: the names their items get in JSON.
_TUPLE_FIELDS = {
    ("TicketView", "parts"): ("description", "quantity", "cost"),
    ("TicketView", "changes"): ("at", "from_status", "to_status", "employee", "note"),
    ("SaleView", "lines"): ("line_id", "sku", "name", "serial", "quantity", "returned", "price"),
    ("StocktakeStatus", "problems"): ("serial", "result"),
}


def jsonable(obj, _owner: str = "", _field: str = ""):
    """The plain JSON value of a result: dataclasses, Decimals, dates, lists and dicts."""
    names = _TUPLE_FIELDS.get((_owner, _field))
    if names and isinstance(obj, list):
        return [dict(zip(names, (jsonable(v) for v in item), strict=False)) for item in obj]
    if is_dataclass(obj) and not isinstance(obj, type):
        owner = type(obj).__name__
        return {f.name: jsonable(getattr(obj, f.name), owner, f.name) for f in fields(obj)}
    if isinstance(obj, Enum):
        return obj.value
    if isinstance(obj, Decimal):
        return str(obj)
    if isinstance(obj, datetime | date):
        return obj.isoformat()
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple | set | frozenset):
        return [jsonable(v) for v in obj]
    return obj


def to_json(obj) -> str:
    return json.dumps(jsonable(obj), indent=2, ensure_ascii=False)


# --- small pieces -------------------------------------------------------------------------


def when(moment: datetime | None) -> str:
    """A moment in the seat's local time, to the minute."""
    return moment.astimezone().strftime("%Y-%m-%d %H:%M") if moment else ""


def day(value: date | None) -> str:
    return value.isoformat() if value else ""


def money(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}"


def label(state: str | None) -> str:
    return (state or "").replace("_", " ")


def table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """Columns aligned to their widest cell; numbers right-aligned."""
    cells = [[("" if c is None else str(c)) for c in row] for row in rows]
    if not cells:
        return "(none)"
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    numeric = [all(_is_number(r[i]) for r in cells) for i in range(len(headers))]

    def line(values: Sequence[str]) -> str:
        parts = [
            v.rjust(w) if num else v.ljust(w)
            for v, w, num in zip(values, widths, numeric, strict=True)
        ]
        return "  ".join(parts).rstrip()

    out = [line(list(headers)), line(["-" * w for w in widths])]
    out += [line(r) for r in cells]
    return "\n".join(out)


def _is_number(text: str) -> bool:
    return text.replace(".", "", 1).replace("-", "", 1).isdigit() or text == ""


def pairs(items: Iterable[tuple[str, object]]) -> str:
    """``Label    value`` lines, skipping empty values."""
    shown = [(k, str(v)) for k, v in items if v not in (None, "", [])]
    width = max((len(k) for k, _v in shown), default=0)
    return "\n".join(f"  {k.ljust(width)}  {v}" for k, v in shown)


def warnings_text(warnings: Sequence[str]) -> str:
    return "\n".join(f"! {w}" for w in warnings)


def join(*blocks: str) -> str:
    return "\n".join(b for b in blocks if b)


# --- results ------------------------------------------------------------------------------


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
    supplier = p.supplier + (f", cost {money(p.cost)}" if p.cost is not None else "")
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
    return join(head, details, "\nHistory", history)


def _kit_part(part) -> str:
    if part.serial is None:
        return f"{part.quantity} × {part.name}"
    return f"{part.serial} {part.name} ({label(part.state)})"


def _doc_line(ref) -> str:
    extra = ", ".join(x for x in (ref.condition, label(ref.disposition)) if x)
    return f"{ref.number} {day(ref.date)}" + (f" ({extra})" if extra else "")


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
            (i, sku, name, serial, qty, ret, money(price))
            for i, sku, name, serial, qty, ret, price in v.lines
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


def stocktake_text(s) -> str:
    head = (
        f"{s.number} ({s.status}) at {s.branch}, {s.scope}: "
        f"{s.counted} of {s.expected} expected unit(s) counted, {len(s.missing)} missing."
    )
    missing = ("Missing: " + ", ".join(s.missing)) if s.missing else ""
    problems = ""
    if s.problems:
        problems = "Blocking the close: " + ", ".join(
            f"{serial} ({label(result)})" for serial, result in s.problems
        )
    return join(head, missing, problems)


@dataclass
class ScanOutcome:
    serial: str
    result: str
    message: str = ""


def scans_text(outcomes: list[ScanOutcome], status) -> str:
    rows = [(o.serial, label(o.result), o.message) for o in outcomes]
    return join(table(["Serial", "Result", "Note"], rows), stocktake_text(status))


def ticket_text(t) -> str:
    head = f"{t.number} · {t.product} · {label(t.status)}"
    covered = ("covered" if t.covered else "not covered") + (
        f": {t.decision_reason}" if t.decision_reason else ""
    )
    details = pairs(
        [
            ("Serial", t.serial),
            ("Warranty no.", t.warranty_number),
            ("Customer", t.customer),
            ("Opened", when(t.opened)),
            ("Complaint", t.complaint),
            ("Condition", t.intake_condition),
            ("Accessories", t.accessories),
            ("Technician", t.technician),
            ("Warranty", covered),
            ("Diagnosis", t.diagnosis),
            ("Outcome", t.outcome),
        ]
    )
    blocks = [head, details]
    if t.parts:
        blocks += [
            "\nParts",
            table(["Part", "Qty", "Cost"], [(d, q, money(c)) for d, q, c in t.parts]),
        ]
    blocks += [
        "\nStatus changes",
        table(
            ["When", "From", "To", "By", "Note"],
            [(when(at), label(a) or "-", label(b), who, note) for at, a, b, who, note in t.changes],
        ),
    ]
    return join(*blocks)


def tickets_text(rows) -> str:
    return table(
        [
            "Ticket",
            "Status",
            "Product",
            "Serial / warranty no.",
            "Customer",
            "Technician",
            "Opened",
        ],
        [
            (
                t.number,
                label(t.status),
                t.product,
                t.serial or t.warranty_number,
                t.customer,
                t.technician,
                when(t.opened),
            )
            for t in rows
        ],
    )


def replacement_text(r) -> str:
    text = f"{r.number}: {r.old_serial} replaced by {r.new_serial}"
    text += f" for {r.customer}" if r.customer else ""
    text += f"; warranty until {day(r.warranty_end)}" if r.warranty_end else ""
    return text + "."


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


def mode_text(kind: str, name: str, mode: str | None) -> str:
    return f"{kind} {name}: tracking mode is now {label(mode) if mode else 'as its type says'}."


def demo_text(s) -> str:
    return (
        f"Demo shop loaded: {s.branches} branches, {s.employees} employees, {s.products} products, "
        f"{s.customers} customers; {s.first_day} to {s.last_day}: {s.sales} sales "
        f"({s.units_sold} units with customers), {s.returns} returns, {s.transfers} transfers, "
        f"{s.repairs} repairs, {s.replacements} replacement(s), "
        f"{s.supplier_returns} supplier returns, {s.adjustments} adjustments, "
        f"{s.stocktakes} stocktake(s)."
    )


COMMANDS = [
    ("passport SERIAL", "a unit's whole life: state, customer, warranty, history"),
    ("products", "the catalogue: tracking modes, prices, stock"),
    ("stock [--serials]", "what is on the shelves, by branch"),
    ("customers TEXT", "find a customer by name or phone"),
    ("receive", "a delivery: serials as arguments or --file"),
    ("sell / sale S-N", "a sale: serials, GS1 scans, SKU:QTY / show one"),
    ("return", "a customer return, by serial, warranty number or line"),
    ("transfer-out / -in", "move stock between branches ('transfers': in transit)"),
    ("supplier-return", "units back to the supplier"),
    ("adjust", "write-off, found, quarantine, release, correction"),
    ("stocktake", "open / scan / unscan / status / close"),
    ("repair", "intake / status / part / collect / show / list"),
    ("replace OLD NEW", "a warranty replacement"),
    ("set-mode", "the tracking mode of a product or a product type"),
]


def welcome_text(database: str, created: bool, summary, example: str | None, logins) -> str:
    lines = [f"SerialDesk · database {database}"]
    if created:
        lines.append("First run: created the database with a demo shop.")
        if summary is not None:
            lines.append(demo_text(summary))
    lines += [
        "",
        "The counter screens (the TUI) are not built yet: they come with the TUI issue.",
        "Until then everything works from the command line:",
        "",
    ]
    width = max(len(c) for c, _ in COMMANDS)
    lines += [f"  {c.ljust(width)}  {what}" for c, what in COMMANDS]
    lines.append("")
    if example:
        lines.append(f"Try:  serialdesk passport {example}")
    if logins:
        shown = ", ".join(f"{login} ({role}, PIN {pin})" for login, role, pin in logins)
        lines.append(f"Demo logins: {shown}.")
    lines.append(
        "Commands that change stock need --employee LOGIN (or SERIALDESK_EMPLOYEE). "
        "See serialdesk --help and serialdesk COMMAND --help."
    )
    return "\n".join(lines)
