"""``serialdesk token create|list|revoke``: a manager's API tokens for scripts.

A token is printed once, when it is made, and never again; only its hash is kept
(``app.services.access.tokens``). ``app.cli.entry`` registers the commands with
``add_commands``.
"""

from __future__ import annotations

import os
from pathlib import Path

from app.cli import render as out
from app.cli.session import cli_seat, context, emit, open_db
from app.domain.errors import Refused
from app.services.access import tokens


def add_commands(command) -> None:
    """Register ``token`` and its steps with ``build_parser``'s ``command(name, handler, help)``."""
    token_p = command("token", None, "API tokens for scripts and integrations (manager)")
    sub = token_p.add_subparsers(title="steps", metavar="STEP", required=True)
    p = command("create", cmd_token_create, "make a token for an employee (shown once)", sub)
    p.add_argument("login", metavar="LOGIN", help="whose token it is")
    p.add_argument(
        "--role",
        required=True,
        choices=tokens.SCOPES,
        help="their role or a narrower one; 'read' runs reading commands only",
    )
    p.add_argument(
        "--days", required=True, type=int, metavar="N", help=f"valid N days (1-{tokens.MAX_DAYS})"
    )
    p.add_argument("--name", required=True, metavar="LABEL", help="which script uses it")
    p.add_argument(
        "--out", metavar="FILE", help="write the token into FILE (new, 0600), not on screen"
    )
    command("list", cmd_token_list, "every token: whose, scope, expiry, last use", sub)
    p = command("revoke", cmd_token_revoke, "stop a token for good", sub)
    p.add_argument("id", type=int, metavar="ID")


def cmd_token_create(args) -> int:
    open_db(args)
    target = Path(args.out).expanduser() if args.out else None
    fd = _new_private_file(target) if target else None
    try:
        made = tokens.create_token(
            context(args), args.login, args.role, args.days, args.name, seat=cli_seat()
        )
    except BaseException:
        if fd is not None:
            os.close(fd)
            target.unlink()
        raise
    if fd is not None:
        with os.fdopen(fd, "w", encoding="ascii") as file:
            file.write(made.token + "\n")
    result = {"token": None if target else made.token, **out.jsonable(made.info)}
    if target:
        result["file"] = str(target)

    def render(r) -> str:
        i = made.info
        until = out.when(i.expires)
        head = f"Token #{i.id} for {i.employee} ({i.scope}) '{i.name}', valid until {until}"
        if target:
            return f"{head}: written to {target} (readable by you only); give it as --token-file."
        return out.join(
            f"{head}:",
            f"  {r['token']}",
            "It is shown this once: keep it in a file only its script can read, "
            "and give it as SERIALDESK_TOKEN or --token-file F.",
        )

    return emit(args, result, render)


def _new_private_file(path: Path) -> int:
    """A new file for the token, 0600; one that exists is never overwritten."""
    try:
        return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise Refused(f"{path} exists already; the token goes into a new file.") from None
    except OSError as exc:
        raise Refused(f"Cannot create {path}: {exc.strerror or exc}.") from None


def cmd_token_list(args) -> int:
    open_db(args)
    return emit(args, tokens.list_tokens(context(args)), tokens_text)


def cmd_token_revoke(args) -> int:
    open_db(args)
    info = tokens.revoke_token(context(args), args.id, seat=cli_seat())
    return emit(args, info, lambda i: f"Token #{i.id} of {i.employee} revoked.")


def tokens_text(rows: list[tokens.TokenInfo]) -> str:
    return out.table(
        ["Id", "Employee", "Role", "Name", "Created", "Expires", "Last used", "Revoked"],
        [
            (
                t.id,
                t.employee,
                t.scope,
                t.name,
                out.when(t.created),
                out.when(t.expires),
                out.when(t.last_used) if t.last_used else "never",
                out.when(t.revoked) if t.revoked else "",
            )
            for t in rows
        ],
    )
