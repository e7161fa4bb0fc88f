"""``serialdesk import KIND FILE`` and ``serialdesk export FOLDER``: a shop moving in from
its spreadsheets, and everything it owns written out in the form ``import`` reads back.

``app.cli.entry`` registers them with ``add_commands``.
"""

from __future__ import annotations

import sys
import time

from app.cli.render import table, to_json
from app.cli.session import PartlyRefused, context, emit, open_db, opt
from app.services.moving_in import export as exports
from app.services.moving_in.files import ORDER
from app.services.moving_in.report import ImportRefused, ImportReport
from app.services.moving_in.runner import import_file

SHOWN_ROWS = 200  # refused rows listed on a terminal; --json lists every one


def add_commands(command) -> None:
    """Register the commands with ``build_parser``'s ``command(name, handler, help)``."""
    p = command(
        "import",
        cmd_import,
        f"move in from CSV files: {', '.join(ORDER)} (manager)",
    )
    p.add_argument("kind", choices=list(ORDER), metavar="KIND", help=", ".join(ORDER))
    p.add_argument("file", metavar="FILE", help="a CSV file (UTF-8, header row)")
    p.add_argument(
        "--apply", action="store_true", help="write it (all or nothing); without: a dry run"
    )
    p = command("export", cmd_export, "everything the shop owns, as CSV files and JSON (manager)")
    p.add_argument("folder", metavar="FOLDER", help="a new or empty folder")


class ProgressBar:
    """A one-line bar on stderr, redrawn at most ten times a second; only on a terminal."""

    def __init__(self) -> None:
        self.shown = 0.0
        self.drawn = False

    def __call__(self, step: str, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self.shown < 0.1:
            return
        self.shown = now
        width = 30
        filled = width * done // max(total, 1)
        bar = "#" * filled + "-" * (width - filled)
        sys.stderr.write(f"\r{step:<9} [{bar}] {done:,}/{total:,}")
        sys.stderr.flush()
        self.drawn = True

    def close(self) -> None:
        if self.drawn:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()


def cmd_import(args) -> int:
    open_db(args)
    ctx = context(args)
    bar = ProgressBar() if sys.stderr.isatty() else None
    try:
        report = import_file(ctx, args.kind, args.file, apply=args.apply, progress=bar)
    except ImportRefused as exc:
        _close(bar)
        _show(args, exc.report)
        raise PartlyRefused(exc.message) from None
    _close(bar)
    _show(args, report)
    if report.refused:
        raise PartlyRefused(
            f"{len(report.refused)} row(s) would be refused; fix them, then run it again "
            "(nothing was written)."
        )
    return 0


def _close(bar: ProgressBar | None) -> None:
    if bar is not None:
        bar.close()


def _show(args, report: ImportReport) -> None:
    written = report.applied and not report.refused
    result = {
        "kind": report.kind,
        "file": report.file,
        "dry_run": not report.applied,
        "written": written,
        "rows": report.rows,
        # Nothing is created unless written: a dry run or a refused run says what would be.
        ("created" if written else "would_create"): report.created,
        "skipped": report.skipped,
        "refused": [{"line": line, "reason": why} for line, why in sorted(report.refused)],
    }
    if opt(args, "json"):
        print(to_json(result))
        return
    print(_text(result))


def _text(r: dict) -> str:
    if r["written"]:
        head = f"{r['file']}: {r['rows']:,} rows imported."
    elif r["dry_run"]:
        head = f"{r['file']}: dry run of {r['rows']:,} rows; nothing was written."
    else:
        head = f"{r['file']}: {r['rows']:,} rows; refused rows below, nothing was written."
    verb = "created" if r["written"] else "would create"
    counts = r["created"] if r["written"] else r["would_create"]
    made = ", ".join(f"{n:,} {what}" for what, n in counts.items() if n) or "nothing"
    lines = [head, f"{verb.capitalize()}: {made}."]
    lines.append(f"Already here as they are (skipped): {r['skipped']:,} rows.")
    refused = r["refused"]
    if refused:
        lines.append(f"Refused: {len(refused):,} rows.")
        rows = [(x["line"], x["reason"]) for x in refused[:SHOWN_ROWS]]
        lines.append(table(("line", "reason"), rows))
        if len(refused) > SHOWN_ROWS:
            lines.append(f"... and {len(refused) - SHOWN_ROWS:,} more (--json lists them all).")
    elif r["dry_run"]:
        lines.append("No row refused: run it again with --apply to write it.")
    return "\n".join(lines)


def cmd_export(args) -> int:
    open_db(args)
    written = exports.export_shop(args.folder)

    def render(r) -> str:
        files = "\n".join(f"  {name}: {count:,} rows" for name, count in r["files"].items())
        text = f"Exported to {r['folder']}:\n{files}"
        if r["not_carried"]:
            states = ", ".join(f"{n:,} {state}" for state, n in r["not_carried"].items())
            text += (
                f"\nNot in the CSV files (import cannot bring them in): {states}. shop.json "
                "lists each with its state; settle them, or bring them in by hand after moving."
            )
        return text

    return emit(args, written, render)
