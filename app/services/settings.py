"""Settings a manager changes from the counter: employees' roles and PINs, product types
(warranty, print mode, masking, card template) and the master data lists."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from app.domain.cards import CardData, check_template
from app.domain.errors import NotFound, Refused
from app.domain.pins import hash_pin
from app.domain.roles import Action, Role
from app.domain.tracking import MaskPolicy, PrintMode, TrackingMode
from app.services import catalog
from app.services.context import Context
from db.database import write_transaction
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
    ctx.require(Action.SETTINGS)
    with write_transaction():
        emp = _employee(login)
        emp.pin_hash = hash_pin(pin)
        emp.failed_pins = 0
        emp.locked_until = None
        emp.save()
        return emp.name


def set_role(ctx: Context, login: str, role: str) -> str:
    """Change an employee's role; a manager cannot demote themselves (someone must remain)."""
    ctx.require(Action.SETTINGS)
    new = _choice(Role, role, "role")
    with write_transaction():
        emp = _employee(login)
        if emp.id == ctx.employee_id and new is not Role.MANAGER:
            raise Refused("You cannot take your own manager role away; ask another manager.")
        emp.role = new.value
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
) -> ProductType:
    """Change a product type's warranty, printing, masking or card template.

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
        ptype.save()
        return ptype


def add_branch(ctx: Context, code: str, name: str, address: str = "") -> Branch:
    ctx.require(Action.SETTINGS)
    return catalog.add_branch(code, name, address)


def add_employee(
    ctx: Context, login: str, name: str, role: str, pin: str, branch: str | None = None
) -> Employee:
    ctx.require(Action.SETTINGS)
    return catalog.add_employee(login, name, role, pin, branch)


def add_supplier(ctx: Context, name: str, contact: str = "") -> Supplier:
    ctx.require(Action.SETTINGS)
    return catalog.add_supplier(name, contact)
