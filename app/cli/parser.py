"""The parser of ``serialdesk``: every command, its options, and the handler it calls.

``app.cli.entry`` loads it for any command line but the plain ``serialdesk [--db URL]
[--branch CODE]`` that opens the counter screens: a seat starting does not pay for every
command's imports.
"""

from __future__ import annotations

import argparse

from app.cli import access as cli_access
from app.cli import counter as cli_counter
from app.cli import doctor as cli_doctor
from app.cli import kits as cli_kits
from app.cli import moving_in as cli_moving_in
from app.cli import repairs as cli_repairs
from app.cli import reports as cli_reports
from app.cli import safety as cli_safety
from app.cli import serve as cli_serve
from app.cli import start as cli_start
from app.cli import stock as cli_stock
from app.cli import stocktake as cli_stocktake
from app.cli.devices import cmd_devices
from app.cli.doors import door_key
from app.cli.session import UsageError
from app.cli.setup import register as register_setup
from app.domain.repairs import RepairStatus
from app.domain.tracking import TrackingMode
from app.services.counter import return_matching, selling
from app.services.reports import runner
from app.services.stock import adjustments


class Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs) -> None:
        # No abbreviations: '--approver-pin 1234' must never pass as '--approver-pin-file'.
        super().__init__(*args, allow_abbrev=False, **kwargs)

    def error(self, message: str):
        raise UsageError(f"{message} (see '{self.prog} --help')")


# --- the parser ---------------------------------------------------------------------------


def _common() -> argparse.ArgumentParser:
    """Options every command takes, before or after its name."""
    common = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    group = common.add_argument_group("common options")
    s = argparse.SUPPRESS
    group.add_argument("--db", metavar="URL", default=s, help="SQLite file or postgresql://...")
    group.add_argument("--json", action="store_true", default=s, help="machine-readable output")
    group.add_argument("--employee", metavar="LOGIN", default=s, help="who works (with a PIN)")
    group.add_argument(
        "--pin-file", metavar="F", default=s, help="their PIN from a file (else SERIALDESK_PIN)"
    )
    group.add_argument(
        "--token-file", metavar="F", default=s, help="an API token from a file (SERIALDESK_TOKEN)"
    )
    group.add_argument("--branch", metavar="CODE", default=s, help="at which branch")
    return common


def _approval(parser) -> None:
    parser.add_argument("--approved-by", metavar="LOGIN", help="approving manager")
    parser.add_argument(
        "--approver-pin-file", metavar="F", help="their PIN from a file (SERIALDESK_APPROVER_PIN)"
    )
    parser.add_argument(
        "--approver-token-file",
        metavar="F",
        help="a manager's API token from a file (SERIALDESK_APPROVER_TOKEN)",
    )


def build_parser() -> argparse.ArgumentParser:
    common = _common()
    parser = Parser(
        prog="serialdesk",
        description="SerialDesk: serial-tracked stock, sales, returns, repairs and warranties.",
        parents=[common],
        epilog=(
            "Without a command: the counter screens (a first run sets up a demo shop). "
            "Commands that change anything or show customers, costs or margins need proof "
            "of who runs them: --employee LOGIN with a PIN (SERIALDESK_PIN, --pin-file F, "
            "or asked at a terminal), or an API token (SERIALDESK_TOKEN, --token-file F)."
        ),
    )
    parser.add_argument("--version", action="version", version=f"serialdesk {_version()}")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    def command(name: str, handler, help: str, parent=sub):
        p = parent.add_parser(name, parents=[common], help=help, description=help)
        if handler is not None:
            p.set_defaults(handler=handler, door=door_key(p.prog))
        return p

    def with_items(p, what: str = "SERIAL") -> None:
        shown = "serial or scan" if what == "SERIAL" else "serial, GS1 scan or SKU:QTY"
        if p.prog.endswith(" sell"):
            shown += "; ITEM@PRICE sets its price"
        p.add_argument("items", nargs="*", metavar=what, help=shown)
        p.add_argument("--file", metavar="F", help="more, one a line ('-' for stdin)")

    p = command(
        "devices", cmd_devices, "this seat's scanner and printer: state, test card, test scan"
    )
    p.add_argument("--test-print", action="store_true", help="print a test warranty card")
    p.add_argument("--wait-scan", type=float, metavar="SECONDS", help="wait for a test scan")

    register_setup(command, sub)

    p = command("init", cli_start.cmd_init, "create or upgrade the database")
    p.add_argument("--demo", action="store_true", help="load a demo shop (empty database only)")
    p.add_argument(
        "--key-old-history",
        action="store_true",
        help="key an old, never-keyed history on a seat that already keeps a key (manager)",
    )

    p = command("passport", cli_counter.cmd_passport, "everything about one serial")
    p.add_argument("serial")
    p.add_argument("--product", metavar="SKU", help="when several products share the serial")

    command("products", cli_stock.cmd_products, "the catalogue with modes, prices and stock")

    p = command("stock", cli_stock.cmd_stock, "stock per product per branch")
    p.add_argument("--product", metavar="SKU")
    p.add_argument("--serials", action="store_true", help="list the serials in stock")

    p = command("customers", cli_counter.cmd_customers, "find customers by name or phone")
    p.add_argument("text")
    p.add_argument("--limit", type=int, default=20)

    p = command("receive", cli_stock.cmd_receive, "receive a delivery from a supplier")
    p.add_argument("--supplier", required=True, metavar="NAME")
    p.add_argument(
        "--product", metavar="SKU", help="the product; left out, each GS1 code's GTIN names it"
    )
    p.add_argument("--po", metavar="REF", help="purchase order / delivery note")
    p.add_argument("--cost", metavar="X", help="unit cost")
    p.add_argument("--qty", type=int, metavar="N", help="quantity (goods without serials)")
    p.add_argument("--note", default="")
    with_items(p)

    p = command("sell", cli_counter.cmd_sell, "sell serials / GS1 scans and SKU:QTY items")
    with_items(p, "ITEM")
    who = p.add_mutually_exclusive_group()
    who.add_argument("--customer", metavar="'#ID'|NAME|PHONE")
    who.add_argument("--new-customer", metavar="NAME")
    p.add_argument("--phone", metavar="P", help="the new customer's phone")
    p.add_argument("--pay", default="cash", choices=selling.PAYMENT_METHODS)
    p.add_argument("--tendered", metavar="X", help="cash handed over")
    p.add_argument("--price", metavar="X", help="price of the one item (else ITEM@PRICE)")
    p.add_argument("--note", default="")
    _approval(p)  # a price below the list price needs a manager

    p = command("sale", cli_counter.cmd_sale, "show a sale with its line ids (for returns)")
    p.add_argument("number", metavar="S-N")

    p = command("return", cli_counter.cmd_return, "a customer return")
    p.add_argument("--sale", metavar="S-N")
    p.add_argument("--serial", action="append", default=[], metavar="S")
    p.add_argument("--warranty-number", action="append", default=[], metavar="W")
    p.add_argument("--line", action="append", default=[], metavar="ID:QTY")
    p.add_argument("--condition", required=True, metavar="C")
    dispositions = [d.value for d in return_matching.DISPOSITIONS]
    p.add_argument("--disposition", required=True, choices=dispositions)
    p.add_argument("--refund", metavar="X", help="less than paid (one item)")
    p.add_argument("--reason", default="")

    p = command(
        "transfer-out", cli_stock.cmd_transfer_out, "send serials / SKU:QTY to another branch"
    )
    p.add_argument("--to", required=True, metavar="BRANCH")
    p.add_argument("--note", default="")
    with_items(p, "ITEM")

    p = command("transfer-in", cli_stock.cmd_transfer_in, "receive a transfer here")
    p.add_argument("number", metavar="T-N")
    with_items(p)

    command("transfers", cli_stock.cmd_transfers, "transfers still in transit")

    p = command("supplier-return", cli_stock.cmd_supplier_return, "send units back to a supplier")
    p.add_argument("--supplier", required=True, metavar="NAME")
    p.add_argument("--reason", required=True, metavar="R")
    p.add_argument("--ref", metavar="REF", help="the supplier's RMA number")
    with_items(p, "ITEM")

    p = command("adjust", cli_stock.cmd_adjust, "write-off, found, quarantine, release, correction")
    p.add_argument("kind", choices=[k.value for k in adjustments.AdjustmentKind])
    with_items(p)
    p.add_argument("--product", metavar="SKU")
    p.add_argument("--qty", type=int, metavar="N", help="quantity change (goods without serials)")
    p.add_argument("--reason", required=True, metavar="R")
    p.add_argument("--to-state", metavar="S", help="for a correction: the real state")
    _approval(p)

    stock_p = command("stocktake", None, "count the shelves by serial")
    stock_sub = stock_p.add_subparsers(title="steps", metavar="STEP", required=True)
    p = command("open", cli_stocktake.cmd_stocktake_open, "open a count here", stock_sub)
    p.add_argument("--type", metavar="T", help="count one product type only")
    p = command("scan", cli_stocktake.cmd_stocktake_scan, "count serials", stock_sub)
    p.add_argument("number", metavar="ST-N")
    with_items(p)
    p = command("unscan", cli_stocktake.cmd_stocktake_unscan, "take a scan off", stock_sub)
    p.add_argument("number", metavar="ST-N")
    p.add_argument("serial")
    p = command(
        "status", cli_stocktake.cmd_stocktake_status, "counted, missing, problems", stock_sub
    )
    p.add_argument("number", metavar="ST-N")
    p = command("close", cli_stocktake.cmd_stocktake_close, "close the count", stock_sub)
    p.add_argument("number", metavar="ST-N")
    p.add_argument("--write-off-missing", action="store_true", help="needs a manager")
    _approval(p)

    repair_p = command("repair", None, "repair tickets")
    repair_sub = repair_p.add_subparsers(title="steps", metavar="STEP", required=True)
    p = command("intake", cli_repairs.cmd_repair_intake, "take a unit in", repair_sub)
    p.add_argument("claim", metavar="SERIAL_OR_WARRANTY_NO")
    p.add_argument("--complaint", required=True)
    p.add_argument("--condition", default="", help="condition at intake")
    p.add_argument("--accessories", default="")
    p.add_argument("--technician", metavar="LOGIN")
    p.add_argument("--damage", action="store_true", help="damaged outside normal use")
    p = command("status", cli_repairs.cmd_repair_status, "move a ticket on", repair_sub)
    p.add_argument("number", metavar="R-N")
    p.add_argument("status", choices=[s.value for s in RepairStatus if s != "collected"])
    p.add_argument("--note", default="")
    p.add_argument("--diagnosis")
    p.add_argument("--technician", metavar="LOGIN")
    p.add_argument("--quality-check")
    p = command("part", cli_repairs.cmd_repair_part, "record a part used", repair_sub)
    p.add_argument("number", metavar="R-N")
    p.add_argument("description", metavar="DESC")
    p.add_argument("--qty", type=int, default=1)
    p.add_argument("--cost", default="0")
    p = command("collect", cli_repairs.cmd_repair_collect, "hand back and close", repair_sub)
    p.add_argument("number", metavar="R-N")
    p.add_argument("--outcome", required=True)
    p = command("show", cli_repairs.cmd_repair_show, "one ticket", repair_sub)
    p.add_argument("number", metavar="R-N")
    command("list", cli_repairs.cmd_repair_list, "open tickets", repair_sub)

    p = command("replace", cli_repairs.cmd_replace, "warranty replacement of a customer's unit")
    p.add_argument("old", metavar="OLD_SERIAL")
    p.add_argument("new", metavar="NEW_SERIAL")
    p.add_argument("--ticket", metavar="R-N")
    p.add_argument("--note", default="", help="why (needed for another product of the type)")
    _approval(p)  # another product of the same type needs a manager

    p = command("set-mode", cli_stock.cmd_set_mode, "change a tracking mode (manager)")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--product", metavar="SKU")
    which.add_argument("--type", metavar="NAME")
    p.add_argument("mode", choices=[m.value for m in TrackingMode] + ["inherit"])

    p = command("report", cli_reports.cmd_report, "reports: " + ", ".join(runner.REPORTS))
    p.add_argument("name", choices=list(runner.REPORTS), metavar="NAME")
    for flag in ("serial", "product", "customer", "supplier", "from", "to"):
        p.add_argument(f"--{flag}", default="", metavar=flag.upper())
    p.add_argument("--by", default="", metavar="LOGIN", help="done by this employee")
    p.add_argument(
        "--days", type=int, help="the last N days (expiring: the next N, 30 if not given)"
    )
    p.add_argument("--limit", type=int, default=0, help="at most N rows (0: all)")
    p.add_argument("--csv", action="store_true", help="CSV to stdout")
    cli_safety.add_commands(command)  # verify, backup, restore
    cli_doctor.add_commands(command)  # doctor, ssh-seat
    cli_kits.add_commands(command)  # kit define|assemble|disassemble|show
    cli_access.add_commands(command)  # token create|list|revoke
    cli_moving_in.add_commands(command)  # import, export
    cli_serve.add_commands(command)  # serve: the counter screens in a browser
    return parser


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("serialdesk")
    except PackageNotFoundError:
        return "dev"
