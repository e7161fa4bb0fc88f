"""``serialdesk report NAME``: one report with its filters, as a table, CSV or JSON."""

from __future__ import annotations

import sys
from datetime import datetime

from app.cli.render import shown, table, to_json
from app.cli.session import EXIT_OK, UsageError, open_db, opt, seat_reports_database
from app.services.reports import runner


def cmd_report(args) -> int:
    """One report with its filters, as a table, CSV (--csv) or JSON (--json)."""
    open_db(args)
    filters = runner.Filters(
        date_from=_date(args, "from"),
        date_to=_date(args, "to"),
        product=args.product,
        serial=args.serial,
        customer=args.customer,
        supplier=args.supplier,
        branch=opt(args, "branch") or "",
        employee=args.by,
        days=args.days,
        limit=args.limit or None,
    )
    result = runner.run(args.name, filters, reports_database=seat_reports_database(args))
    if args.csv:
        if result.note:  # on stderr: the CSV itself stays the table alone
            print(shown(result.note), file=sys.stderr)
        sys.stdout.write(shown(result.to_csv()))
        return EXIT_OK
    if opt(args, "json"):
        print(
            to_json(
                {
                    "report": result.name,
                    "title": result.title,
                    "note": result.note,
                    "rows": result.as_dicts(),
                }
            )
        )
        return EXIT_OK
    print(shown(result.title))
    if result.note:
        print(shown(result.note))
    print(table(result.columns, result.rows))
    return EXIT_OK


def _date(args, name: str):
    text = getattr(args, name, "")
    if not text:
        return None
    try:
        return datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        raise UsageError(f"--{name} wants a date like 2026-01-31, not '{text}'") from None
