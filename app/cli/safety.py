"""The ``verify``, ``day-end``, ``backup`` and ``restore`` commands of ``serialdesk``.

Kept apart from the other commands so they grow without touching them; ``app.cli.entry``
registers them with ``add_commands``.
"""

from __future__ import annotations

import sys

from app.cli.session import UsageError, context, emit, open_db, opt
from app.config import load_config
from app.domain.errors import DomainError, Refused
from app.services.safety import backup as backups
from app.services.safety import day_end, evidence, integrity
from db.history_verify import lane_name
from devices.printers import print_bytes

EXIT_OK, EXIT_REFUSED = 0, 1


def add_commands(command) -> None:
    """Register the commands with ``build_parser``'s ``command(name, handler, help)``."""
    p = command("verify", cmd_verify, "check the history chain and that documents are whole")
    p.add_argument(
        "--since-anchor",
        action="store_true",
        help="only what was written since this seat's last anchor (seconds, not minutes)",
    )
    p = command("day-end", cmd_day_end, "the day's sales and returns and the history's anchor")
    p.add_argument("--date", metavar="YYYY-MM-DD", help="business day (default: today)")
    p.add_argument("--no-print", action="store_true", help="do not print the slip")
    p = command("backup", cmd_backup, "copy the SQLite database safely while seats work")
    p.add_argument("path", nargs="?", metavar="PATH", help="file or folder for the copy")
    p.add_argument(
        "--rotate", type=int, metavar="N", help="today's copy in the data dir; keep N days"
    )
    p = command("restore", cmd_restore, "replace the database with a backup (manager)")
    p.add_argument("path", metavar="PATH")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")


def _heads_line(heads: dict[int, tuple[int, str]]) -> str:
    """Every lane's head: one history of lane 0 alone as "head #seq hash", else each lane
    that has rows on a line of its own."""
    shown = {lane: head for lane, head in sorted(heads.items()) if head[0]} or {0: heads[0]}
    if list(shown) == [0]:
        return "head #{} {}.".format(*shown[0])
    lines = ["heads:"] + [f"  {lane_name(lane)} #{s} {m}" for lane, (s, m) in shown.items()]
    return "\n".join(lines)


def cmd_verify(args) -> int:
    open_db(args)
    report = integrity.check(full=not opt(args, "since_anchor"))
    chain, anchors = report.chain, report.anchors
    last = anchors.last
    result = {
        "ok": report.ok,
        "full": report.full,
        "history_rows": chain.rows,
        "from": {str(lane): seq for lane, (seq, _mac) in chain.start.items()},
        "history_heads": {str(lane): {"seq": s, "hash": m} for lane, (s, m) in chain.heads.items()},
        "last_anchor": last and {k: last.get(k) for k in ("seq", "lanes", "at", "why")},
        "rows_after_anchor": anchors.rows_after,
        "problems": report.messages(),
    }
    if report.ok:
        anchored = evidence.lane_heads(integrity.anchor("verify"))
        result["anchor"] = {str(lane): seq for lane, (seq, _mac) in anchored.items()}

    def render(r) -> str:
        walked = "" if report.full else " (only rows after the last anchor)"
        head = f"History: {chain.rows} rows checked{walked}, " + _heads_line(chain.heads)
        if last:
            changed = "changed" if anchors.problems else "unchanged"
            head += (
                f"\nLast anchor ({last.get('why')}, {last.get('at')}): {changed}; "
                f"{anchors.rows_after} rows written after it."
            )
        else:
            head += "\nNo anchor on this seat yet: this check writes the first."
        if report.ok:
            return f"{head}\nEverything checks out: no history row changed, inserted or removed."
        return "\n".join([head, *(f"  {m}" for m in r["problems"])])

    emit(args, result, render)
    if report.ok:
        return EXIT_OK
    print(f"serialdesk: {len(result['problems'])} problem(s) found; see above.", file=sys.stderr)
    return EXIT_REFUSED


def cmd_day_end(args) -> int:
    open_db(args)
    slip = day_end.close_day(opt(args, "date"))
    printer = load_config().printer
    if printer.kind != "none" and not opt(args, "no_print"):
        text = day_end.slip_text(slip) + "\n\n\n"
        try:
            print_bytes(printer, text.encode("ascii", "replace") + b"\x1dV\x00")  # ESC/POS cut
        except DomainError as exc:
            print(f"serialdesk: the slip was not printed: {exc}", file=sys.stderr)
    emit(args, slip, day_end.slip_text)
    if slip.anchored:
        return EXIT_OK
    print(
        f"serialdesk: {slip.problems} problem(s) found; the day was NOT anchored. "
        "Run 'serialdesk verify'.",
        file=sys.stderr,
    )
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
