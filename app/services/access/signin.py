"""Logging in at a seat: PIN check with lock-out, and a manager's one-off approval."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from app.domain.errors import DomainError, NotFound, PermissionDenied, Refused
from app.domain.pins import verify_pin
from app.domain.roles import Role
from app.services.access.context import Approver, Context, load_context, utc_now
from app.services.transaction import write_transaction
from db.models import Employee

MAX_WRONG_PINS = 5
LOCKOUT = timedelta(minutes=5)


@dataclass(frozen=True)
class StaffMember:
    login: str
    name: str
    role: str


def active_staff() -> list[StaffMember]:
    """Everyone who may log in, for the login screen's list."""
    return [
        StaffMember(e.login, e.name, e.role)
        for e in Employee.select().where(Employee.active).order_by(Employee.name)
    ]


def check_pin(login: str, pin: str, *, clock=utc_now) -> Employee:
    """The employee if the PIN is right; count wrong PINs and lock the login after too many.

    The count is committed before the refusal is raised, so it survives the refusal.
    """
    now = clock()
    refusal: DomainError | None = None
    with write_transaction():
        employee = Employee.get_or_none(Employee.login == login.strip().lower())
        if employee is None or not employee.active:
            raise NotFound(f"No active employee with login '{login}'.")
        if employee.locked_until is not None and employee.locked_until > now:
            minutes = max(1, int((employee.locked_until - now).total_seconds() // 60) + 1)
            raise PermissionDenied(
                f"Too many wrong PINs: {employee.name} is locked for {minutes} more minute(s). "
                "A manager can reset the PIN."
            )
        if not verify_pin(pin, employee.pin_hash):
            employee.failed_pins += 1
            left = MAX_WRONG_PINS - employee.failed_pins
            if left <= 0:
                employee.failed_pins = 0
                employee.locked_until = now + LOCKOUT
                refusal = PermissionDenied(
                    f"Wrong PIN. {employee.name} is locked for {LOCKOUT.seconds // 60} minutes."
                )
            else:
                refusal = Refused(f"Wrong PIN. {left} attempt(s) left before the login locks.")
            employee.save()
        elif employee.failed_pins or employee.locked_until:
            employee.failed_pins = 0
            employee.locked_until = None
            employee.save()
    if refusal is not None:
        raise refusal
    return employee


def log_in(login: str, pin: str, branch_code: str | None = None, *, clock=utc_now) -> Context:
    """Check the PIN and return the seat's context for this employee."""
    employee = check_pin(login, pin, clock=clock)
    return load_context(employee.login, branch_code, clock=clock)


def approve(login: str, pin: str, *, clock=utc_now) -> Approver:
    """A manager approves one action with their PIN; nobody is logged out."""
    employee = check_pin(login, pin, clock=clock)
    if Role(employee.role) is not Role.MANAGER:
        raise PermissionDenied(f"{employee.name} is not a manager and cannot approve.")
    return Approver(employee.id, employee.name, Role(employee.role))
