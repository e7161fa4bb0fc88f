"""``serialdesk add ...``: set up a shop from the command line (branches, staff, suppliers,
product types, products). On a brand-new database the first branch and manager need no login."""

from __future__ import annotations

import getpass
import sys

from app.cli.identity import read_secret
from app.cli.session import UsageError, emit, open_db, opt
from app.domain.serials import CheckKind
from app.services.access import pin_policy
from app.services.shop import catalog
from app.services.shop.setup import as_manager


def register(command, sub) -> None:
    """Add the ``add`` command and its steps to the parser."""
    p = command("add", None, "set up the shop: branch, employee, supplier, product-type, product")
    steps = p.add_subparsers(title="what", metavar="WHAT", required=True)

    s = command("branch", cmd_add_branch, "a branch", parent=steps)
    s.add_argument("code")
    s.add_argument("name")
    s.add_argument("--address", default="")

    s = command(
        "employee", cmd_add_employee, "a member of staff (PIN asked, or from a file)", parent=steps
    )
    s.add_argument("login")
    s.add_argument("name")
    s.add_argument("role", choices=("cashier", "inventory", "technician", "manager"))
    s.add_argument("--home-branch", metavar="CODE")
    s.add_argument(
        "--new-pin-file", metavar="F", help="their PIN from a file (SERIALDESK_NEW_PIN; else asked)"
    )

    s = command("supplier", cmd_add_supplier, "a supplier", parent=steps)
    s.add_argument("name")
    s.add_argument("--contact", default="")

    s = command("product-type", cmd_add_type, "a product type with its tracking mode", parent=steps)
    s.add_argument("name")
    s.add_argument("mode", choices=("strict", "warranty", "warranty_no_serial", "none"))
    s.add_argument("--warranty-months", type=int, default=0)
    s.add_argument("--print-mode", default="offer", choices=("auto", "offer", "never"))
    s.add_argument("--pattern", default="", help="serial pattern, e.g. 996***** (* # @, | or)")
    s.add_argument("--check", default="none", choices=[c.value for c in CheckKind])
    s.add_argument("--mask", default="none", choices=("none", "last4", "middle"))

    s = command(
        "min-pin",
        cmd_set_min_pin,
        "the shortest PIN for a role (a new shop: 6 digits for managers, 4 for others)",
        parent=steps,
    )
    s.add_argument("role", choices=("cashier", "inventory", "technician", "manager"))
    s.add_argument("digits", type=int)

    s = command("product", cmd_add_product, "a product of a type", parent=steps)
    s.add_argument("sku")
    s.add_argument("name")
    s.add_argument("product_type", metavar="TYPE")
    s.add_argument("price")
    s.add_argument("--gtin")


def _login(args) -> str | None:
    """The manager proven by ``app.cli.identity.prove``; None while a new shop is set up."""
    proven = opt(args, "proven")
    return proven.login if proven is not None else None


def _added(args, what: str, label: str) -> int:
    return emit(args, {"added": what, "name": label}, lambda r: f"Added {r['added']} {r['name']}.")


def cmd_add_branch(args) -> int:
    open_db(args, create=True)
    branch = as_manager(
        _login(args), lambda: catalog.add_branch(args.code, args.name, args.address), what="branch"
    )
    return _added(args, "branch", f"{branch.code} ({branch.name})")


def cmd_add_employee(args) -> int:
    open_db(args, create=True)
    pin = read_secret("SERIALDESK_NEW_PIN", args.new_pin_file, "--new-pin-file")
    if not pin:
        if not sys.stdin.isatty():
            raise UsageError(
                "give the new PIN: SERIALDESK_NEW_PIN, --new-pin-file F, or run at a terminal"
            )
        pin = getpass.getpass(f"PIN for {args.login}: ")
    employee = as_manager(
        _login(args),
        lambda: catalog.add_employee(args.login, args.name, args.role, pin, args.home_branch),
        what="employee",
    )
    return _added(args, "employee", f"{employee.login} ({employee.role})")


def cmd_add_supplier(args) -> int:
    open_db(args, create=True)
    supplier = as_manager(
        _login(args), lambda: catalog.add_supplier(args.name, args.contact), what="supplier"
    )
    return _added(args, "supplier", supplier.name)


def cmd_add_type(args) -> int:
    open_db(args, create=True)
    ptype = as_manager(
        _login(args),
        lambda: catalog.add_product_type(
            args.name,
            args.mode,
            warranty_months=args.warranty_months,
            print_mode=args.print_mode,
            serial_pattern=args.pattern,
            check_kind=args.check,
            mask_policy=args.mask,
        ),
        what="product type",
    )
    return _added(args, "product type", f"{ptype.name} ({ptype.tracking_mode})")


def cmd_add_product(args) -> int:
    open_db(args, create=True)
    product = as_manager(
        _login(args),
        lambda: catalog.add_product(
            args.sku, args.name, args.product_type, args.price, gtin=args.gtin
        ),
        what="product",
    )
    return _added(args, "product", f"{product.sku} ({product.name})")


def cmd_set_min_pin(args) -> int:
    open_db(args, create=True)
    digits = as_manager(
        _login(args),
        lambda: pin_policy.set_min_pin_length(args.role, args.digits),
        what="PIN rule",
    )
    return _added(args, "shortest PIN", f"for {args.role}: {digits} digits")
