"""Logging in at a seat: PIN check, and a manager's one-off approval.

Wrong PINs are counted per login *and seat*: after a few, that seat waits a little longer
each time before it may try that login again. Nobody is locked out everywhere, so wrong
PINs typed on purpose at one seat (or by a script) cannot keep a manager from working at
another; guessing stays slow, and every slow-down and unlock is recorded."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from app.domain.errors import DomainError, NotFound, PermissionDenied, Refused
from app.domain.pins import FREE_MISSES, verify_pin, wait_after
from app.domain.roles import Role
from app.services.access.context import Approver, Context, load_context, utc_now
from app.services.access.pin_policy import SLOWED, UNLOCKED
from app.services.transaction import write_transaction
from db.access_models import AccessEvent, SeatPinMisses
from db.models import Employee

UNNAMED_SEAT = "unnamed seat"


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


def shop_has_staff() -> bool:
    """Whether anyone works here yet: a brand-new shop is set up without signing in."""
    return Employee.select().exists()


def seat_label(seat: str | None) -> str:
    """The seat's name as counted and recorded."""
    return (seat or "").strip()[:120] or UNNAMED_SEAT


def _seconds(until: datetime, now: datetime) -> int:
    return max(1, math.ceil((until - now).total_seconds()))


def check_pin(login: str, pin: str, *, seat: str | None = None, clock=utc_now) -> Employee:
    """The employee if the PIN is right; otherwise count the miss at this seat.

    While this seat waits, an attempt is refused without being checked or counted. The
    count is committed before the refusal is raised, so it survives the refusal.
    """
    now = clock()
    seat = seat_label(seat)
    refusal: DomainError | None = None
    with write_transaction(history=False):
        employee = Employee.get_or_none(Employee.login == login.strip().lower())
        if employee is None or not employee.active:
            raise NotFound(f"No active employee with login '{login}'.")
        row = SeatPinMisses.get_or_none(
            (SeatPinMisses.employee == employee) & (SeatPinMisses.seat == seat)
        )
        if row is not None and row.slowed_until is not None and row.slowed_until > now:
            raise Refused(
                f"Too many wrong PINs for {employee.name} at this seat: "
                f"wait {_seconds(row.slowed_until, now)} s and try again."
            )
        if verify_pin(pin, employee.pin_hash):
            if row is not None:
                if row.misses >= FREE_MISSES:
                    AccessEvent.create(
                        employee=employee, seat=seat, kind=UNLOCKED, detail="right PIN", at=now
                    )
                row.delete_instance()
        else:
            refusal = _count_miss(employee, row, seat, now)
    if refusal is not None:
        raise refusal
    return employee


def _count_miss(
    employee: Employee, row: SeatPinMisses | None, seat: str, now: datetime
) -> DomainError:
    """Count one wrong PIN at this seat; start its wait (recorded) once there are too many."""
    if row is None:
        row = SeatPinMisses(employee=employee, seat=seat, misses=0)
    row.misses += 1
    wait = wait_after(row.misses)
    row.slowed_until = None if wait is None else now + wait
    row.save()
    if wait is None:
        left = FREE_MISSES - row.misses
        return Refused(f"Wrong PIN. {left} attempt(s) left before this seat must wait.")
    seconds = int(wait.total_seconds())
    AccessEvent.create(
        employee=employee,
        seat=seat,
        kind=SLOWED,
        detail=f"{row.misses} wrong PINs: wait {seconds} s",
        at=now,
    )
    return Refused(f"Wrong PIN. This seat waits {seconds} s before {employee.name} can try again.")


def log_in(
    login: str,
    pin: str,
    branch_code: str | None = None,
    *,
    seat: str | None = None,
    clock=utc_now,
) -> Context:
    """Check the PIN at this seat and return the seat's context for this employee."""
    employee = check_pin(login, pin, seat=seat, clock=clock)
    return load_context(employee.login, branch_code, clock=clock)


def approve(login: str, pin: str, *, seat: str | None = None, clock=utc_now) -> Approver:
    """A manager approves one action with their PIN; nobody is logged out."""
    employee = check_pin(login, pin, seat=seat, clock=clock)
    if Role(employee.role) is not Role.MANAGER:
        raise PermissionDenied(f"{employee.name} is not a manager and cannot approve.")
    return Approver(employee.id, employee.name, Role(employee.role))
