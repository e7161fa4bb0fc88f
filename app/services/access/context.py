"""Who is acting, where, and what time it is: passed to every operation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from app.domain.errors import NotFound, PermissionDenied
from app.domain.roles import Action, Role, require
from db.models import Branch, Employee


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Context:
    """The employee at a seat of a branch. ``clock`` is replaceable for back-dated demo data."""

    employee_id: int
    employee_name: str
    role: Role
    branch_id: int
    branch_code: str
    branch_name: str
    clock: Callable[[], datetime] = field(default=utc_now, compare=False)

    def now(self) -> datetime:
        return self.clock()

    def today(self) -> date:
        return self.clock().astimezone().date()

    def require(self, action: Action, approver: Approver | None = None) -> None:
        require(
            self.role,
            action,
            who=self.employee_name,
            approver_role=approver.role if approver else None,
        )

    def at(self, clock: Callable[[], datetime]) -> Context:
        return Context(
            self.employee_id,
            self.employee_name,
            self.role,
            self.branch_id,
            self.branch_code,
            self.branch_name,
            clock,
        )


@dataclass(frozen=True)
class Approver:
    """A manager who approved one action with their PIN, without logging anyone out."""

    employee_id: int
    name: str
    role: Role


def load_context(login: str, branch_code: str | None = None, clock=utc_now) -> Context:
    """The context for an employee (by login) at a branch (default: their home branch)."""
    employee = Employee.get_or_none(Employee.login == login.strip().lower())
    if employee is None or not employee.active:
        raise NotFound(f"No active employee with login '{login}'.")
    if branch_code:
        branch = Branch.get_or_none(Branch.code == branch_code.strip().upper())
        if branch is None:
            raise NotFound(f"No branch with code '{branch_code}'.")
    elif employee.branch_id is not None:
        branch = employee.branch
    else:
        branch = Branch.select().order_by(Branch.id).first()
        if branch is None:
            raise NotFound("There is no branch yet. Run 'serialdesk init' first.")
    return Context(
        employee.id, employee.name, Role(employee.role), branch.id, branch.code, branch.name, clock
    )


def approver_from(employee: Employee) -> Approver:
    if Role(employee.role) is not Role.MANAGER:
        raise PermissionDenied(f"{employee.name} is not a manager and cannot approve.")
    return Approver(employee.id, employee.name, Role(employee.role))
