"""Settings a manager changes from the counter: employees' roles, PINs and access, product
types (warranty, print mode, masking, card template, serial rule), a product's own serial
rule, and the master data lists (branches, staff, suppliers)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import peewee as pw

from app.domain.cards import CardData, check_template
from app.domain.errors import NotFound, Refused
from app.domain.roles import Action, Role
from app.domain.serials import plain_text
from app.domain.text import free_text
from app.domain.tracking import MaskPolicy, PrintMode, TrackingMode
from app.services.access.context import Context
from app.services.access.pin_policy import clear_waits, pin_hash_for
from app.services.shop import catalog
from app.services.shop.serial_rules import serial_rule
from app.services.transaction import write_transaction
from db.access_models import SeatPinMisses
from db.models import Branch, Employee, ProductType, Supplier

SAMPLE = CardData(
    shop_name="SerialDesk shop",
    shop_address="1 Main Street",
    product="Phone X1 128GB",
    sku="PH-X1",
    serial="356938030000013",
    warranty_number="",
    imei=True,
    sale_number="S-42",
    sale_date=date(2026, 1, 15),
    warranty_months=24,
    warranty_end=date(2028, 1, 15),
    customer="Ann Buyer",
)


def preview_card(template: str, mask_policy: str = "none") -> str:
    """The card a template prints, on sample data; a broken template is refused with why."""
    policy = _choice(MaskPolicy, mask_policy, "mask policy")
    return check_template(template, replace(SAMPLE, mask_policy=policy.value))


def _choice(enum_type, value: str, what: str):
    try:
        return enum_type(value)
    except ValueError:
        choices = ", ".join(v.value for v in enum_type)
        raise Refused(f"Unknown {what} '{value}' ({choices}).") from None


def _employee(login: str) -> Employee:
    emp = Employee.get_or_none(Employee.login == login.strip().lower())
    if emp is None:
        raise NotFound(f"No employee with login '{login}'.")
    return emp


def product_type(name: str) -> ProductType:
    """A product type by its name, with its settings."""
    found = ProductType.get_or_none(ProductType.name == name.strip())
    if found is None:
        raise NotFound(f"No product type '{name}'.")
    return found


def reset_pin(ctx: Context, login: str, pin: str) -> str:
    """Give an employee a new PIN and unlock them; return their name."""
    return update_employee(ctx, login, pin=pin)


def set_role(ctx: Context, login: str, role: str) -> str:
    """Change an employee's role; a manager cannot demote themselves (someone must remain)."""
    return update_employee(ctx, login, role=role)


def update_employee(
    ctx: Context, login: str, *, role: str | None = None, pin: str | None = None
) -> str:
    """Give an employee a new role, a new PIN (which unlocks them), or both: all or nothing.

    Return their name. A manager cannot demote themselves, and the last manager stays.
    """
    ctx.require(Action.SETTINGS)
    if role is None and pin is None:
        raise Refused("Choose a role or type a new PIN.")
    new = None if role is None else _choice(Role, role, "role")
    # The PIN suits the new role, or the one they have; hashing is slow: before the lock.
    pin_hash = None if pin is None else pin_hash_for(pin, new or Role(_employee(login).role))
    with write_transaction():
        emp = _employee(login)
        if new is not None:
            if emp.id == ctx.employee_id and new is not Role.MANAGER:
                raise Refused("You cannot take your own manager role away; ask another manager.")
            if new is not Role.MANAGER:
                _keep_a_manager(emp, "give them another role")
            emp.role = new.value
        if pin_hash is not None:
            emp.pin_hash = pin_hash
            clear_waits(emp, f"new PIN from {ctx.employee_name}", ctx.now())
        emp.save()
        return emp.name


def update_product_type(
    ctx: Context,
    name: str,
    *,
    warranty_months: int | None = None,
    print_mode: str | None = None,
    mask_policy: str | None = None,
    card_template: str | None = None,
    serial_pattern: str | None = None,
    check_kind: str | None = None,
) -> ProductType:
    """Change a product type's warranty, printing, masking, card template or serial rule.

    The tracking mode changes through ``catalog.set_type_mode`` (it has rules of its own).
    """
    ctx.require(Action.SETTINGS)
    with write_transaction():
        ptype = ProductType.get_or_none(ProductType.name == name.strip())
        if ptype is None:
            raise NotFound(f"No product type '{name}'.")
        if warranty_months is not None:
            if not 0 <= warranty_months <= 240:
                raise Refused("Warranty months must be between 0 and 240.")
            if warranty_months == 0 and TrackingMode(ptype.tracking_mode).has_warranty:
                raise Refused("This product type gives a warranty: it needs a period in months.")
            ptype.warranty_months = warranty_months
        if print_mode is not None:
            ptype.print_mode = _choice(PrintMode, print_mode, "print mode").value
        if mask_policy is not None:
            ptype.mask_policy = _choice(MaskPolicy, mask_policy, "mask policy").value
        if card_template is not None:
            preview_card(card_template, ptype.mask_policy)  # refuses a broken template
            ptype.card_template = card_template
        pattern = ptype.serial_pattern if serial_pattern is None else serial_pattern.strip()
        check = ptype.check_kind if check_kind is None else check_kind.strip().lower()
        # Only a changed rule is checked: one an older version saved is kept as it is.
        if (pattern, check) != (ptype.serial_pattern, ptype.check_kind):
            rule = serial_rule(pattern, check)
            ptype.serial_pattern, ptype.check_kind = rule.pattern, rule.check.value
        ptype.save()
        return ptype


def add_branch(ctx: Context, code: str, name: str, address: str = "") -> Branch:
    """A new branch; its code is unique (documents and seats name the branch by it)."""
    ctx.require(Action.SETTINGS)
    return catalog.add_branch(code, name, free_text(address, "address"))


def add_employee(
    ctx: Context, login: str, name: str, role: str, pin: str, branch: str | None = None
) -> Employee:
    """A new login with a role, an optional home branch and a first PIN."""
    ctx.require(Action.SETTINGS)
    return catalog.add_employee(login, name, role, pin, branch.strip() if branch else None)


def add_supplier(ctx: Context, name: str, contact: str = "") -> Supplier:
    """A new supplier; a name that differs from another only in case is the same supplier."""
    ctx.require(Action.SETTINGS)
    typed = " ".join(plain_text(name, "supplier name").split())
    clash = Supplier.get_or_none(pw.fn.LOWER(Supplier.name) == typed.lower())
    if typed and clash is not None:
        raise Refused(f"A supplier '{clash.name}' already exists.")
    return catalog.add_supplier(name, free_text(contact, "contact"))


# --- branches, staff, suppliers ----------------------------------------------------------


@dataclass(frozen=True)
class BranchRow:
    code: str
    name: str
    address: str
    staff: int


@dataclass(frozen=True)
class StaffRow:
    login: str
    name: str
    role: str
    branch: str
    active: bool
    locked: bool

    @property
    def status(self) -> str:
        if not self.active:
            return "inactive"
        return "slowed at a seat (wrong PINs)" if self.locked else "active"


@dataclass(frozen=True)
class SupplierRow:
    name: str
    contact: str


def list_branches() -> list[BranchRow]:
    """Every branch with how many active employees call it home."""
    staff = dict(
        Employee.select(Employee.branch, pw.fn.COUNT(Employee.id))
        .where(Employee.active)
        .group_by(Employee.branch)
        .tuples()
    )
    return [
        BranchRow(b.code, b.name, b.address, staff.get(b.id, 0))
        for b in Branch.select().order_by(Branch.code)
    ]


def list_employees(ctx: Context) -> list[StaffRow]:
    """Everyone who ever had a login, active ones first; ``locked``: a seat waits for them."""
    ctx.require(Action.SETTINGS)
    now = ctx.now()
    query = (
        Employee.select(Employee, Branch)
        .join(Branch, pw.JOIN.LEFT_OUTER)
        .order_by(Employee.active.desc(), Employee.name)
    )
    waiting = set(
        SeatPinMisses.select(SeatPinMisses.employee)
        .where(SeatPinMisses.slowed_until > now)
        .tuples()
        .iterator()
    )
    return [
        StaffRow(
            e.login,
            e.name,
            e.role,
            e.branch.code if e.branch_id else "",
            e.active,
            (e.id,) in waiting,
        )
        for e in query
    ]


def list_suppliers() -> list[SupplierRow]:
    return [SupplierRow(s.name, s.contact) for s in Supplier.select().order_by(Supplier.name)]


def branch_code(code: str) -> str:
    """A branch's code as stored, or NotFound: for a seat's settings."""
    found = Branch.get_or_none(Branch.code == code.strip().upper())
    if found is None:
        codes = ", ".join(b.code for b in Branch.select(Branch.code).order_by(Branch.code))
        raise NotFound(f"No branch with code '{code.strip()}' (there are: {codes}).")
    return found.code


def _keep_a_manager(emp: Employee, doing: str) -> None:
    """Refuse to leave the shop without an active manager: nobody could change settings."""
    if Role(emp.role) is not Role.MANAGER or not emp.active:
        return
    others = Employee.select().where(
        Employee.active, Employee.role == Role.MANAGER.value, Employee.id != emp.id
    )
    if not others.exists():
        raise Refused(
            f"{emp.name} is the last active manager; make someone else a manager before you "
            f"{doing}."
        )


def set_active(ctx: Context, login: str, active: bool) -> str:
    """Let an employee log in again, or stop them; return their name.

    Nobody deactivates themselves, and the last active manager stays.
    """
    ctx.require(Action.SETTINGS)
    with write_transaction():
        emp = _employee(login)
        if not active:
            if emp.id == ctx.employee_id:
                raise Refused("You cannot deactivate yourself; ask another manager.")
            _keep_a_manager(emp, "deactivate them")
        emp.active = active
        if active:  # back after a break: start with a clean PIN count
            clear_waits(emp, f"let back by {ctx.employee_name}", ctx.now())
        emp.save()
        return emp.name


def update_branch(ctx: Context, code: str, name: str, address: str) -> Branch:
    """Rename a branch or change its address; its code stays (documents carry it)."""
    ctx.require(Action.SETTINGS)
    with write_transaction():
        branch = Branch.get_or_none(Branch.code == code.strip().upper())
        if branch is None:
            raise NotFound(f"No branch with code '{code}'.")
        branch.name = catalog._clean(name, "branch name")
        branch.address = free_text(address, "address")
        branch.save()
        return branch


def update_supplier(ctx: Context, name: str, contact: str) -> Supplier:
    """Change a supplier's contact details."""
    ctx.require(Action.SETTINGS)
    with write_transaction():
        supplier = Supplier.get_or_none(Supplier.name == name.strip())
        if supplier is None:
            raise NotFound(f"No supplier '{name}'.")
        supplier.contact = free_text(contact, "contact")
        supplier.save()
        return supplier
