"""The ``verify``, ``backup`` and ``restore`` commands of ``serialdesk``.

Kept apart from the other commands so they grow without touching them; ``app.cli.entry``
registers them with ``add_commands``.
"""

from __future__ import annotations

import sys

from app.cli.session import UsageError, context, emit, open_db, opt
from app.domain.errors import Refused
from app.services.safety import backup as backups
from app.services.safety import integrity

EXIT_OK, EXIT_REFUSED = 0, 1


def add_commands(command) -> None:
    """Register the commands with ``build_parser``'s ``command(name, handler, help)``."""
    command("verify", cmd_verify, "check the history chain and that documents are whole")
    p = command("backup", cmd_backup, "copy the SQLite database safely while seats work")
    p.add_argument("path", nargs="?", metavar="PATH", help="file or folder for the copy")
    p.add_argument(
        "--rotate", type=int, metavar="N", help="today's copy in the data dir; keep N days"
    )
    p = command("restore", cmd_restore, "replace the database with a backup (manager)")
    p.add_argument("path", metavar="PATH")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")


def cmd_verify(args) -> int:
    open_db(args)
    report = integrity.check()
    chain = report.chain
    result = {
        "ok": report.ok,
        "history_rows": chain.rows,
        "history_head": {"seq": chain.head_seq, "hash": chain.head_hash},
        "problems": report.messages(),
    }

    def render(r) -> str:
        head = f"History: {chain.rows} rows, head #{chain.head_seq} {chain.head_hash}."
        if report.ok:
            return f"{head}\nEverything checks out: no history row changed, inserted or removed."
        return "\n".join([head, *(f"  {m}" for m in r["problems"])])

    emit(args, result, render)
    if report.ok:
        return EXIT_OK
    print(f"serialdesk: {len(result['problems'])} problem(s) found; see above.", file=sys.stderr)
    return EXIT_REFUSED


def cmd_backup(args) -> int:
    open_db(args)
    if args.rotate is not None:
        if args.path:
            raise UsageError("give PATH or --rotate N, not both")
        result = backups.rotate(args.rotate)
    elif args.path:
        result = backups.backup(args.path)
    else:
        raise UsageError("say where: serialdesk backup PATH (or --rotate N)")

    def render(r) -> str:
        text = (
            f"Backup written: {r.path} ({r.bytes:,} bytes, schema {r.schema_version}, "
            f"{r.history_rows} history rows, head {r.history_head})."
        )
        return text + "".join(f"\nRemoved old backup {p}" for p in r.removed)

    return emit(args, result, render)


def cmd_restore(args) -> int:
    open_db(args)
    ctx = context(args)
    info = backups.inspect(args.path)
    if not opt(args, "yes"):
        if not sys.stdin.isatty():
            raise UsageError("restore replaces the whole database: confirm with --yes")
        answer = input(
            f"Replace the database with {info.path} ({info.history_rows} history rows)? "
            "Everything saved since that backup is lost. Type 'yes': "
        )
        if answer.strip().lower() != "yes":
            raise Refused("Restore cancelled; nothing changed.")
    result = backups.restore(ctx, args.path)
    return emit(
        args,
        result,
        lambda r: f"Restored {r.path} (schema {r.schema_version}, {r.history_rows} history rows).",
    )
