"""Proof of who runs a command, and of the manager who approves: a PIN or an API token.

A PIN comes from ``SERIALDESK_PIN``, ``--pin-file F`` or, at a terminal, a prompt that
does not echo; a token from ``SERIALDESK_TOKEN`` or ``--token-file F``. A secret never
goes on the command line, where ``ps`` and the shell history would show it. What each
command needs is in ``app.cli.doors``; ``app.cli.entry.main`` calls ``prove`` first.
"""

from __future__ import annotations

import getpass
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from app.cli.doors import Proof, door_of
from app.cli.session import UsageError, cli_seat, open_db, opt
from app.domain.errors import PermissionDenied
from app.domain.roles import Role
from app.services.access import signin, tokens

HOW = (
    "give a PIN with --employee LOGIN plus SERIALDESK_PIN or --pin-file F (or type it when "
    "asked at a terminal), or an API token in SERIALDESK_TOKEN or --token-file F"
)
APPROVE_HOW = (
    "--approved-by LOGIN with SERIALDESK_APPROVER_PIN or --approver-pin-file F (or type it "
    "when asked at a terminal), or a manager's token in SERIALDESK_APPROVER_TOKEN or "
    "--approver-token-file F"
)
# Options that would carry a secret itself: refused before anything else is read.
ON_THE_LINE = {
    "--pin": HOW + " (a new employee's PIN: SERIALDESK_NEW_PIN or --new-pin-file F)",
    "--token": HOW,
    "--approver-pin": APPROVE_HOW,
    "--approver-token": APPROVE_HOW,
    "--new-pin": "give the new PIN in SERIALDESK_NEW_PIN or --new-pin-file F, or type it",
}


@dataclass(frozen=True)
class Proven:
    """Who proved themselves: their login, and the narrower role their token allows."""

    login: str
    role: Role | None = None  # a token's role when it is narrower; None: the employee's own
    read_only: bool = False
    by_token: bool = False


def refuse_secrets_on_the_line(argv: list[str]) -> None:
    """Refuse a secret given as an argument: it would show in ``ps`` and the history."""
    for arg in argv:
        if arg == "--":
            return
        name = arg.partition("=")[0]
        if name in ON_THE_LINE:
            raise UsageError(
                f"{name} is refused: secrets never go on the command line (ps and the shell "
                f"history show them); {ON_THE_LINE[name]}"
            )


def read_secret(env: str, path: str | None, option: str) -> str | None:
    """A PIN or token from its file (``option``) or else its environment variable."""
    if path:
        if path == "-":
            raise UsageError(f"{option} - is not allowed: standard input carries serial lists")
        try:
            text = Path(path).expanduser().read_text(encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot read {option} {path}: {exc.strerror or exc}") from None
        except UnicodeDecodeError:
            raise UsageError(f"{option} {path} is not UTF-8 text") from None
        secret = text.rstrip("\r\n")
        if not secret.strip():
            raise UsageError(f"{option} {path} is empty")
        return secret.strip()
    return os.environ.get(env, "").strip() or None


def _typed(prompt: str) -> str | None:
    """A PIN typed at the terminal without echo; None when there is no terminal."""
    if not sys.stdin.isatty():
        return None
    return getpass.getpass(prompt).strip() or None


def prove(args) -> Proven | None:
    """Check the proof the command's door asks for; keep who proved it on ``args``."""
    command = opt(args, "door", "")
    door = door_of(command)
    args.proven = None
    if door.proof is Proof.FREE:
        return None
    open_db(args, create=door.bootstrap)
    if door.bootstrap and not signin.shop_has_staff():
        return None  # a brand-new shop: its first manager is being set up
    login = opt(args, "employee") or os.environ.get("SERIALDESK_EMPLOYEE")
    token = read_secret("SERIALDESK_TOKEN", opt(args, "token_file"), "--token-file")
    if token:
        if door.pin_only:
            raise UsageError(f"serialdesk {command} takes a manager's PIN, not a token")
        use = tokens.authenticate(
            token,
            command=command,
            writes=door.proof is Proof.WRITE,
            manager=door.manager,
            as_login=login,
            seat=cli_seat(),
        )
        args.proven = Proven(use.login, use.role, use.read_only, by_token=True)
        return args.proven
    if not login:
        raise UsageError(f"serialdesk {command} needs proof of who runs it: {HOW}")
    pin = read_secret("SERIALDESK_PIN", opt(args, "pin_file"), "--pin-file") or _typed(
        f"PIN of {login}: "
    )
    if not pin:
        raise UsageError(f"--employee {login} proves nothing without a PIN or token: {HOW}")
    employee = signin.check_pin(login, pin, seat=cli_seat())
    if door.manager and Role(employee.role) is not Role.MANAGER:
        raise PermissionDenied(
            f"{employee.name} ({employee.role}) may not run serialdesk {command}: "
            "that takes a manager."
        )
    args.proven = Proven(employee.login)
    return args.proven


def approver(args):
    """The manager who approves this one action, or None when nobody is named.

    Approval is asked for with ``--approved-by`` or ``--approver-token-file``; the
    environment only supplies the secret, so a script's environment never approves alone."""
    login = opt(args, "approved_by")
    token_file = opt(args, "approver_token_file")
    pin_file = opt(args, "approver_pin_file")
    command = opt(args, "door", "")
    if not login and not token_file:
        if pin_file:
            raise UsageError("--approver-pin-file needs --approved-by LOGIN")
        return None
    token = read_secret("SERIALDESK_APPROVER_TOKEN", token_file, "--approver-token-file")
    if token:
        return tokens.approve_with_token(token, command=command, as_login=login, seat=cli_seat())
    pin = read_secret("SERIALDESK_APPROVER_PIN", pin_file, "--approver-pin-file") or _typed(
        f"PIN of {login} (approving): "
    )
    if not pin:
        raise UsageError(f"--approved-by {login} needs their PIN or token: {APPROVE_HOW}")
    return signin.approve(login, pin, seat=cli_seat())
