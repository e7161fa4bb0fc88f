"""Every report on a built bench database, timed end to end.

    .venv/bin/python bench/reports.py [--runs 3] [--path bench/bench.db] [--backend postgres]

Each report runs through ``app.services.reports.runner.run`` as the screen and the CLI
call it: listings with the screen's row limit, figures over the whole ledger.
Target: about a second each at 1,000,000 units.

The reports lean on indexes declared in ``db/models.py``; a bench database built before
they were added lacks them (``open_database`` creates indexes only with a new schema).
The script names any missing index with its ``CREATE INDEX`` statement.
"""

from __future__ import annotations

import argparse
import time
from datetime import date, timedelta

import benchlib
import peewee as pw

from app.services.reports import runner
from db.database import close_database, open_database
from db.models import ALL_MODELS, Document, Unit

SCREEN_LIMIT = 500


def cases() -> list[tuple[str, runner.Filters]]:
    serial = Unit.select(Unit.serial).order_by(Unit.id.desc()).limit(1).scalar()
    limited = runner.Filters(limit=SCREEN_LIMIT)
    last = Document.select(pw.fn.MAX(Document.business_date)).scalar()
    if isinstance(last, str):
        last = date.fromisoformat(last[:10])
    quarter = runner.Filters(date_from=last - timedelta(days=91), date_to=last)
    return [
        ("where", runner.Filters(serial=serial)),
        ("stock", limited),
        ("stock-count", runner.Filters()),
        ("sales", limited),
        ("sales", runner.Filters(branch="B", limit=SCREEN_LIMIT)),
        ("returns", limited),
        ("repairs", limited),
        ("expiring", runner.Filters(days=30)),
        ("supplier-failure", runner.Filters()),
        ("repeat-defects", runner.Filters()),
        ("returns-by-branch", runner.Filters()),
        ("technician-repeats", runner.Filters()),
        ("warranty-cost", runner.Filters()),
        ("warranty-cost", quarter),
        ("returns-by-branch", quarter),
        ("repeat-defects", quarter),
    ]


def missing_indexes(database) -> list[str]:
    """``CREATE INDEX`` statements of the models' indexes the database does not have."""
    missing = []
    for model in ALL_MODELS:
        table = model._meta.table_name
        if not database.table_exists(table):
            continue
        have = {index.name for index in database.get_indexes(table)}
        for index in model._meta.fields_to_index():
            if index._name[:63] not in have:  # PostgreSQL keeps 63 characters of a name
                missing.append(database.get_sql_context().sql(index).query()[0])
    return missing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", default="", help="one report name")
    benchlib.add_db_arguments(parser)
    args = parser.parse_args()
    database = open_database(benchlib.url_of(args))
    try:
        print(f"data: {benchlib.data_size(database)}")
        print(f"machine: {benchlib.machine()}")
        for statement in missing_indexes(database):
            print(f"MISSING INDEX (figures will be slow): {statement}")
        for name, filters in cases():
            if args.only and name != args.only:
                continue
            times = []
            rows = 0
            for _ in range(args.runs):
                started = time.perf_counter()
                rows = len(runner.run(name, filters).rows)
                times.append(time.perf_counter() - started)
            shown = {k: v for k, v in vars(filters).items() if v and k != "days"}
            print(
                f"{name:20} {rows:>7} rows  best {min(times) * 1000:8.0f} ms  "
                f"worst {max(times) * 1000:8.0f} ms  {shown or ''}"
            )
    finally:
        close_database()


if __name__ == "__main__":
    main()
