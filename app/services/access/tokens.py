"""API tokens: a script's proof of who runs it, made by a manager for one employee.

A token reads ``sdk_<id>_<secret>``; the secret is random (256 bits), so only its SHA-256
is kept and nothing slows guessing. A token carries a role no wider than its employee's
(or ``read``: reading commands only) and an expiry; it stops working when revoked, when
it expires, when its employee is let go, or when their role no longer covers the token's.
Every use, refused use, creation and revocation is an ``AccessEvent``."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.domain.errors import DomainError, NotFound, PermissionDenied, Refused
from app.domain.roles import PERMISSIONS, Action, Role
from app.services.access.context import Approver, Context, utc_now
from app.services.access.signin import seat_label
from app.services.transaction import write_transaction
from db.access_models import AccessEvent, ApiToken
from db.models import Employee

PREFIX = "sdk"
READ = "read"  # the scope of a token that may only run reading commands
MAX_DAYS = 366
USED, REFUSED, CREATED, REVOKED = "token", "token_refused", "token_created", "token_revoked"
SCOPES = (READ, *(r.value for r in Role))


@dataclass(frozen=True)
class TokenInfo:
    """A token as a manager sees it: never its secret."""

    id: int
    employee: str
    scope: str
    name: str
    created: datetime
    expires: datetime
    last_used: datetime | None
    revoked: datetime | None


@dataclass(frozen=True)
class NewToken:
    """A token just made: ``token`` is shown once and never again."""

    info: TokenInfo
    token: str


@dataclass(frozen=True)
class TokenUse:
    """Who a token proved: their login and the role they act with (None: read only)."""

    token_id: int
    login: str
    role: Role | None

    @property
    def read_only(self) -> bool:
        return self.role is None


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def covers(wide: Role, narrow: Role) -> bool:
    """Whether everything ``narrow`` may do, ``wide`` may do too."""
    return all(wide in roles for roles in PERMISSIONS.values() if narrow in roles)


def _scope(scope: str) -> str:
    scope = (scope or "").strip().lower()
    if scope not in SCOPES:
        raise Refused(f"Unknown token scope '{scope}' ({', '.join(SCOPES)}).")
    return scope


def _info(row: ApiToken) -> TokenInfo:
    return TokenInfo(
        row.id,
        row.employee.login,
        row.scope,
        row.name,
        row.created_at,
        row.expires_at,
        row.last_used_at,
        row.revoked_at,
    )


def _record(employee, seat: str | None, kind: str, detail: str, at: datetime) -> None:
    AccessEvent.create(
        employee=employee, seat=seat_label(seat), kind=kind, detail=detail[:200], at=at
    )


def create_token(
    ctx: Context, login: str, scope: str, days: int, name: str, *, seat: str | None = None
) -> NewToken:
    """A manager makes a token for an employee; the returned secret is never stored."""
    ctx.require(Action.SETTINGS)
    scope, name = _scope(scope), " ".join((name or "").split())
    if not name:
        raise Refused("Name the token (what script or integration uses it).")
    if len(name) > 80:
        raise Refused("A token's name is at most 80 characters.")
    if not 1 <= int(days) <= MAX_DAYS:
        raise Refused(f"A token lasts 1 to {MAX_DAYS} days.")
    secret = secrets.token_urlsafe(32)
    now = ctx.now()
    with write_transaction():
        employee = Employee.get_or_none(Employee.login == (login or "").strip().lower())
        if employee is None or not employee.active:
            raise NotFound(f"No active employee with login '{login}'.")
        if scope != READ and not covers(Role(employee.role), Role(scope)):
            raise Refused(
                f"{employee.name} is a {employee.role}: their token may be that role, "
                "a narrower one, or read."
            )
        row = ApiToken.create(
            employee=employee,
            scope=scope,
            name=name,
            secret_hash=_digest(secret),
            created_by=ctx.employee_id,
            created_at=now,
            expires_at=now + timedelta(days=int(days)),
        )
        _record(employee, seat, CREATED, f"#{row.id} {scope} '{name}' by {ctx.employee_name}", now)
    return NewToken(_info(row), f"{PREFIX}_{row.id}_{secret}")


def list_tokens(ctx: Context) -> list[TokenInfo]:
    """Every token, newest first, for a manager: never a secret."""
    ctx.require(Action.SETTINGS)
    rows = ApiToken.select(ApiToken, Employee).join(Employee, on=ApiToken.employee)
    return [_info(row) for row in rows.order_by(ApiToken.id.desc())]


def revoke_token(ctx: Context, token_id: int, *, seat: str | None = None) -> TokenInfo:
    """A manager stops a token for good (recorded)."""
    ctx.require(Action.SETTINGS)
    now = ctx.now()
    with write_transaction():
        row = ApiToken.get_or_none(ApiToken.id == token_id)
        if row is None:
            raise NotFound(f"No API token #{token_id}.")
        if row.revoked_at is not None:
            raise Refused(f"Token #{token_id} was already revoked.")
        row.revoked_at = now
        row.save()
        _record(row.employee, seat, REVOKED, f"#{row.id} by {ctx.employee_name}", now)
    return _info(row)


def _check(
    row: ApiToken, writes: bool, manager: bool, as_login: str | None, now: datetime
) -> Role | None:
    """The role the token acts with (None: read only), or a refusal saying why not."""
    employee = row.employee
    if as_login and as_login.strip().lower() != employee.login:
        raise PermissionDenied(f"API token #{row.id} is {employee.login}'s, not {as_login}'s.")
    if row.revoked_at is not None:
        raise Refused(f"API token #{row.id} was revoked; ask a manager for a new one.")
    if row.expires_at <= now:
        raise Refused(
            f"API token #{row.id} expired on {row.expires_at:%Y-%m-%d}; "
            "ask a manager for a new one."
        )
    if not employee.active:
        raise Refused(f"API token #{row.id} belongs to {employee.name}, who no longer works here.")
    role = None if row.scope == READ else Role(row.scope)
    if role is not None and not covers(Role(employee.role), role):
        raise Refused(
            f"API token #{row.id} is for a {role}, and {employee.name} is now a {employee.role}."
        )
    if writes and role is None:
        raise PermissionDenied(f"API token #{row.id} may only read; this command changes things.")
    if manager and role is not Role.MANAGER:
        raise PermissionDenied(f"API token #{row.id} is not a manager's; this needs a manager.")
    return role


def authenticate(
    presented: str,
    *,
    command: str,
    writes: bool = True,
    manager: bool = False,
    as_login: str | None = None,
    seat: str | None = None,
    clock=utc_now,
) -> TokenUse:
    """Who the token proves, for one command; every use and refused use is recorded.

    ``writes``: the command changes something (a read token will not do); ``manager``: it
    needs a manager's token; ``as_login``: the login the caller also named, which must match."""
    prefix, _, rest = (presented or "").strip().partition("_")
    token_id, _, secret = rest.partition("_")
    invalid = Refused("That API token is not valid (check SERIALDESK_TOKEN or the token file).")
    if prefix != PREFIX or not token_id.isdigit() or not secret or len(token_id) > 18:
        raise invalid
    now = clock()
    refusal: DomainError | None = None
    role = None
    with write_transaction():
        row = ApiToken.get_or_none(ApiToken.id == int(token_id))
        if row is None:
            raise invalid
        if not hmac.compare_digest(row.secret_hash, _digest(secret)):
            # A token's number without its secret: a guess, recorded against its employee.
            refusal = invalid
            _record(row.employee, seat, REFUSED, f"#{row.id} {command}: wrong secret", now)
        else:
            role, refusal = _use(row, writes, manager, as_login, seat, command, now)
    if refusal is not None:
        raise refusal  # after the commit: the refused use stays recorded
    return TokenUse(row.id, row.employee.login, role)


def _use(row, writes, manager, as_login, seat, command, now):
    """Check one use of a token and record it: (the role it acts with, None) or (None, why not)."""
    try:
        role = _check(row, writes, manager, as_login, now)
    except DomainError as exc:
        _record(row.employee, seat, REFUSED, f"#{row.id} {command}: {exc.message}", now)
        return None, exc
    row.last_used_at = now
    row.save()
    _record(row.employee, seat, USED, f"#{row.id} {command}", now)
    return role, None


def approve_with_token(
    presented: str,
    *,
    command: str,
    as_login: str | None = None,
    seat: str | None = None,
    clock=utc_now,
) -> Approver:
    """A manager's token approves one action, like their PIN would."""
    use = authenticate(
        presented,
        command=f"{command} (approval)",
        manager=True,
        as_login=as_login,
        seat=seat,
        clock=clock,
    )
    employee = Employee.get(Employee.login == use.login)
    return Approver(employee.id, employee.name, Role.MANAGER)
