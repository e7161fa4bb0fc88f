"""The commands of ``serialdesk``: each parses nothing, calls one service and prints.

``app.cli.main`` builds the parser and turns errors into exit codes; the text and
JSON output is made in ``app.cli.output``.
"""

from __future__ import annotations

import getpass
import os
import sys
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import peewee as pw

from app.cli import output as out
from app.config import load_config
from app.domain.errors import DomainError, Refused
from app.services.access import signin
from app.services.access.context import load_context
from app.services.counter import repairs, returns, selling
from app.services.counter.passport import passport
from app.services.ledger import totals
from app.services.ledger.lookups import find_branch, find_customer, find_product
from app.services.ledger.transaction import write_transaction as transaction
from app.services.reports import runner
from app.services.shop import catalog
from app.services.stock import adjustments, on_hand, stocktake, supplier_returns, transfers
from app.services.stock.receiving import ReceiptLine, receive
from db.connection import db
from db.database import default_url, is_postgres_url, open_database
from db.migrations import LATEST as LATEST_SCHEMA
from db.migrations import current_version
from db.migrations import migrate as migrate_schema
from db.models import Branch, Unit

EXIT_OK = 0


class UsageError(Exception):
    """The command line itself is wrong: exit 2."""


class PartlyRefused(Refused):
    """Some items of a bulk command were refused, the rest done; the output is already printed."""


def opt(args, name: str, default=None):
    return getattr(args, name, default)


# --- database, context, approval -------------------------------------------------------


def shown_url(url: str) -> str:
    """A database URL without its password, fit to print."""
    parsed = urlparse(url)
    if parsed.password:
        netloc = parsed.netloc.replace(f":{parsed.password}@", ":***@")
        return urlunparse(parsed._replace(netloc=netloc))
    return url


def _url(args) -> str:
    """--db, else SERIALDESK_DB, else the seat's settings file, else the data-dir default."""
    if opt(args, "db"):
        return opt(args, "db")
    if os.environ.get("SERIALDESK_DB"):
        return os.environ["SERIALDESK_DB"]
    return load_config().database or default_url()


def _sqlite_path(url: str) -> Path | None:
    if is_postgres_url(url) or url in (":memory:", "sqlite:///:memory:"):
        return None
    return Path(url.removeprefix("sqlite:///") if url.startswith("sqlite:") else url).expanduser()


def open_db(args, *, create: bool = False) -> bool:
    """Open (and migrate) the database; return whether it was new. Refuse a missing one."""
    url = _url(args)
    path = _sqlite_path(url)
    if not create and path is not None and not path.exists():
        raise Refused(
            f"There is no SerialDesk database at {path}. Create one with 'serialdesk init' "
            "(or 'serialdesk init --demo' for a demo shop), or point --db at yours."
        )
    try:
        database = open_database(url, migrate=False)
        new = current_version(database) == 0
    except pw.OperationalError as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise Refused(f"Cannot open the database {shown_url(url)}: {reason}") from None
    if new and not create:
        raise Refused(
            f"The database {shown_url(url)} has no SerialDesk data yet. "
            "Run 'serialdesk init' (or 'serialdesk init --demo') first."
        )
    version = current_version(database)
    if 0 < version < LATEST_SCHEMA:
        print(
            f"Bringing the database from schema version {version} to {LATEST_SCHEMA} "
            "(once; a ledger of a million units takes a few minutes) ...",
            file=sys.stderr,
            flush=True,
        )
    migrate_schema(database, totals.FILLS)
    return new


def context(args):
    login = opt(args, "employee") or os.environ.get("SERIALDESK_EMPLOYEE")
    if not login:
        raise UsageError("say who is working: --employee LOGIN (or set SERIALDESK_EMPLOYEE)")
    return load_context(login, opt(args, "branch"))


def approver(args):
    """The manager who approves with their PIN (--approved-by, --approver-pin), or None."""
    login = opt(args, "approved_by")
    if not login:
        if opt(args, "approver_pin"):
            raise UsageError("--approver-pin needs --approved-by LOGIN")
        return None
    pin = opt(args, "approver_pin") or os.environ.get("SERIALDESK_APPROVER_PIN")
    if not pin and sys.stdin.isatty():
        pin = getpass.getpass(f"PIN of {login}: ")
    if not pin:
        raise UsageError("--approved-by needs the manager's --approver-pin")
    return signin.approve(login, pin.strip())


def emit(args, result, render) -> int:
    if opt(args, "json"):
        print(out.to_json(result))
    else:
        print(render(result))
    return EXIT_OK


# --- reading items ------------------------------------------------------------------------


def read_lines(path: str | None) -> list[str]:
    """Serials from a file, one a line ('-' reads stdin); blank lines and # comments skipped."""
    if not path:
        return []
    try:
        if path == "-":
            text = sys.stdin.read()
        else:
            text = Path(path).expanduser().read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    items = []
    for raw in text.splitlines():
        # Only blanks and line ends are trimmed: a GS1 scan may start with its separator.
        line = raw.split("#", 1)[0].strip(" \t\r\n\ufeff")
        if line:
            items.append(line)
    return items


def items_of(args) -> list[str]:
    return list(opt(args, "items", None) or []) + read_lines(opt(args, "file"))


def split_price(token: str) -> tuple[str, str | None]:
    body, at, price = token.partition("@")
    return (body, price) if at else (token, None)


def split_quantity(token: str) -> tuple[str, int] | None:
    """``SKU:QTY`` as (SKU, QTY); None for a serial or a scan."""
    sku, colon, qty = token.rpartition(":")
    if colon and sku and qty.isdigit():
        return sku, int(qty)
    return None


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


def moved_items(tokens: list[str], item_type):
    """Transfer and supplier-return items: serials, or ``SKU:QTY`` for goods without serials."""
    items = []
    for token in tokens:
        qty = split_quantity(token)
        items.append(item_type(product=qty[0], quantity=qty[1]) if qty else item_type(serial=token))
    return items


# --- commands -----------------------------------------------------------------------------


def cmd_welcome(args) -> int:
    """Plain ``serialdesk``: the counter screens. A first run creates a demo shop."""
    from app.demo import EMPLOYEES, load_demo

    created = open_db(args, create=True)
    summary = load_demo(_demo_start()) if created else None
    if opt(args, "json"):
        return emit(
            args, {"database": shown_url(_url(args)), "created": created, "demo": summary}, str
        )
    if not sys.stdin.isatty() or not sys.stdout.isatty():
        # Not a terminal (a script, a pipe): say where things are instead of drawing screens.
        logins = [(e[0], e[2], e[4]) for e in EMPLOYEES] if summary else []
        print(out.welcome_text(shown_url(_url(args)), created, summary, _example_serial(), logins))
        return EXIT_OK
    from app.tui import SerialDeskApp

    config = load_config()
    branch = opt(args, "branch") or config.branch
    SerialDeskApp(replace(config, branch=branch)).run()
    return EXIT_OK


def _example_serial() -> str | None:
    """A unit with a long life to try the passport on: replaced under warranty, else the first."""
    replaced = Unit.select(Unit.replaces).where(Unit.replaces.is_null(False))
    return (
        Unit.select(Unit.serial).where(Unit.id.in_(replaced)).scalar()
        or Unit.select(Unit.serial).order_by(Unit.id).scalar()
    )


def _demo_start() -> datetime:
    from app.demo import DEMO_DAYS

    start = datetime.now(UTC).date() - timedelta(days=DEMO_DAYS)
    return datetime.combine(start, time(0, 0), tzinfo=UTC)


def cmd_init(args) -> int:
    from app.demo import database_is_empty, load_demo

    open_db(args, create=True)
    summary = load_demo(_demo_start()) if args.demo else None
    result = {
        "database": shown_url(_url(args)),
        "schema_version": current_version(db),
        "empty": database_is_empty(),
        "demo": summary,
    }

    def render(r) -> str:
        text = f"Database ready: {r['database']} (schema version {r['schema_version']})."
        if summary is not None:
            return out.join(text, out.demo_text(summary))
        if r["empty"]:
            text += " It is empty: 'serialdesk init --demo' loads a demo shop (into an empty one)."
        return text

    return emit(args, result, render)


def cmd_passport(args) -> int:
    open_db(args)
    return emit(args, passport(args.serial, product=args.product), out.passport_text)


def cmd_products(args) -> int:
    open_db(args)
    branch = find_branch(args.branch).id if opt(args, "branch") else None
    return emit(args, catalog.list_products(branch), out.products_text)


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
            out.BranchStock(branch.code, branch.name, p.sku, p.name, p.tracking_mode, p.in_stock)
            for p in catalog.list_products(branch.id)
            if (p.sku == sku if sku else p.in_stock)
        ]
        if args.serials:
            by_sku = {row.sku: row for row in here}
            for unit in on_hand.units(branch_id=branch.id, product=sku or "", limit=10_000_000):
                if unit.sku in by_sku:
                    by_sku[unit.sku].serials.append(unit.serial)
        rows += here
    return emit(args, rows, lambda r: out.stock_text(r, args.serials))


def cmd_customers(args) -> int:
    open_db(args)
    rows = [
        out.CustomerRow(c.id, c.name, c.phone, c.email)
        for c in catalog.search_customers(args.text, limit=args.limit)
    ]
    return emit(args, rows, out.customers_text)


def cmd_receive(args) -> int:
    open_db(args)
    serials = items_of(args)
    line = ReceiptLine(args.product, serials, quantity=args.qty or 0, cost=args.cost)
    result = receive(context(args), args.supplier, [line], reference=args.po or "", note=args.note)
    return emit(args, result, out.receipt_text)


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
    return emit(args, result, out.sale_text)


def cmd_sale(args) -> int:
    open_db(args)
    return emit(args, returns.sale_view(args.number), out.sale_view_text)


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
    return emit(args, result, out.return_text)


def cmd_transfer_out(args) -> int:
    open_db(args)
    items = moved_items(items_of(args), transfers.TransferItem)
    result = transfers.transfer_out(context(args), args.to, items, note=args.note)
    return emit(args, result, out.transfer_text)


def cmd_transfer_in(args) -> int:
    open_db(args)
    result = transfers.transfer_in(context(args), args.number, items_of(args))
    return emit(args, result, out.transfer_text)


def cmd_transfers(args) -> int:
    open_db(args)
    branch = find_branch(args.branch).id if opt(args, "branch") else None
    return emit(args, transfers.open_transfers(branch), out.open_transfers_text)


def cmd_supplier_return(args) -> int:
    open_db(args)
    items = moved_items(items_of(args), supplier_returns.SupplierReturnItem)
    result = supplier_returns.supplier_return(
        context(args), args.supplier, items, reason=args.reason, reference=args.ref or ""
    )
    return emit(args, result, out.supplier_return_text)


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
    return emit(args, result, out.adjustment_text)


def cmd_stocktake_open(args) -> int:
    open_db(args)
    number = stocktake.open_stocktake(context(args), product_type=args.type)
    return emit(args, stocktake.status(number), out.stocktake_text)


def cmd_stocktake_scan(args) -> int:
    """Scan every serial given; a refused one is listed and the rest still counted."""
    open_db(args)
    ctx = context(args)
    outcomes, refused = [], []
    for raw in items_of(args):
        try:
            serial, result = stocktake.scan(ctx, args.number, raw)
            outcomes.append(out.ScanOutcome(serial, result))
        except DomainError as exc:
            outcomes.append(out.ScanOutcome(raw, "refused", exc.message))
            refused.append(f"{raw}: {exc.message}")
    if not outcomes:
        raise UsageError("scan at least one serial (arguments or --file)")
    status = stocktake.status(args.number)
    problem = ""
    if refused:
        problem = (
            refused[0]
            if len(outcomes) == 1
            else (f"{len(refused)} of {len(outcomes)} scan(s) refused; first: {refused[0]}")
        )
    if opt(args, "json"):
        error = {"type": "Refused", "message": problem} if problem else None
        print(out.to_json({"scans": outcomes, "status": status, "error": error}))
    else:
        print(out.scans_text(outcomes, status))
    if problem:
        raise PartlyRefused(problem)
    return EXIT_OK


def cmd_stocktake_unscan(args) -> int:
    open_db(args)
    stocktake.unscan(context(args), args.number, args.serial)
    return emit(args, stocktake.status(args.number), out.stocktake_text)


def cmd_stocktake_status(args) -> int:
    open_db(args)
    return emit(args, stocktake.status(args.number), out.stocktake_text)


def cmd_stocktake_close(args) -> int:
    open_db(args)
    ctx = context(args)
    result = stocktake.close(
        ctx, args.number, write_off_missing=args.write_off_missing, approver=approver(args)
    )
    return emit(args, result, out.stocktake_text)


def cmd_repair_intake(args) -> int:
    open_db(args)
    ticket = repairs.intake(
        context(args),
        args.claim,
        complaint=args.complaint,
        intake_condition=args.condition,
        accessories=args.accessories,
        technician=args.technician,
        damage=args.damage,
    )
    return emit(args, ticket, out.ticket_text)


def cmd_repair_status(args) -> int:
    open_db(args)
    ticket = repairs.change_status(
        context(args),
        args.number,
        args.status,
        note=args.note,
        diagnosis=args.diagnosis,
        technician=args.technician,
        quality_check=args.quality_check,
    )
    return emit(args, ticket, out.ticket_text)


def cmd_repair_part(args) -> int:
    open_db(args)
    ticket = repairs.add_part(
        context(args), args.number, args.description, quantity=args.qty, cost=args.cost
    )
    return emit(args, ticket, out.ticket_text)


def cmd_repair_collect(args) -> int:
    open_db(args)
    return emit(
        args, repairs.collect(context(args), args.number, outcome=args.outcome), out.ticket_text
    )


def cmd_repair_show(args) -> int:
    open_db(args)
    return emit(args, repairs.ticket_view(args.number), out.ticket_text)


def cmd_repair_list(args) -> int:
    open_db(args)
    branch = find_branch(args.branch).id if opt(args, "branch") else None
    return emit(args, repairs.open_tickets(branch), out.tickets_text)


def cmd_replace(args) -> int:
    open_db(args)
    result = repairs.replace(context(args), args.old, args.new, ticket=args.ticket, note=args.note)
    return emit(args, result, out.replacement_text)


def cmd_set_mode(args) -> int:
    open_db(args)
    ctx = context(args)
    if args.product:
        mode = None if args.mode == "inherit" else args.mode
        item = catalog.set_product_mode(ctx, args.product, mode)
        result = {"product": item.sku, "tracking_mode": item.tracking_mode}
        return emit(args, result, lambda r: out.mode_text("Product", item.sku, item.tracking_mode))
    if args.mode == "inherit":
        raise UsageError("'inherit' is for a product: it follows its type's mode again")
    ptype = catalog.set_type_mode(ctx, args.type, args.mode)
    result = {"product_type": ptype.name, "tracking_mode": ptype.tracking_mode}
    return emit(args, result, lambda r: out.mode_text("Type", ptype.name, ptype.tracking_mode))


def cmd_report(args) -> int:
    """One report with its filters, as a table, CSV (--csv) or JSON (--json)."""
    open_db(args)
    filters = runner.Filters(
        date_from=_date(args, "from"),
        date_to=_date(args, "to"),
        product=args.product,
        serial=args.serial,
        customer=args.customer,
        supplier=args.supplier,
        branch=opt(args, "branch") or "",
        employee=args.by,
        days=args.days,
        limit=args.limit or None,
    )
    result = runner.run(args.name, filters)
    if args.csv:
        sys.stdout.write(result.to_csv())
        return EXIT_OK
    if opt(args, "json"):
        print(
            out.to_json({"report": result.name, "title": result.title, "rows": result.as_dicts()})
        )
        return EXIT_OK
    print(result.title)
    print(out.table(result.columns, result.rows))
    return EXIT_OK


def _date(args, name: str):
    text = getattr(args, name, "")
    if not text:
        return None
    try:
        return datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        raise UsageError(f"--{name} wants a date like 2026-01-31, not '{text}'") from None
