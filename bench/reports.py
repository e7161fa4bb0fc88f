"""Every report on a built bench database, timed end to end.

    .venv/bin/python bench/reports.py [--runs 3] [--path bench/bench.db] [--backend postgres]

Each report runs through ``app.services.reports.runner.run`` as the screen and the CLI
call it: listings with the screen's row limit, figures over the whole ledger; each run in
a thread of its own on a fresh connection (its connecting timed too), as the screen's
worker runs it, so no run is helped by the page cache of the one before it in the same
connection, nor by its prepared statements.
Target: about a second each at 1,000,000 units.

The reports lean on indexes declared in ``db/models.py``; a bench database built before
they were added lacks them (``open_database`` creates indexes only with a new schema).
The script names any missing index with its ``CREATE INDEX`` statement.
"""

from __future__ import annotations

import argparse
import threading
import time
from datetime import date, timedelta

import benchlib
import peewee as pw

from app.services.reports import runner
from app.services.threads import release_thread_connection
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


def missing_indexes(database, models=ALL_MODELS) -> list[str]:
    """``CREATE INDEX`` statements of the models' indexes the database does not have."""
    missing = []
    for model in models:
        table = model._meta.table_name
        if not database.table_exists(table):
            continue
        have = {index.name for index in database.get_indexes(table)}
        for index in model._meta.fields_to_index():
            if stored_name(database, index._name) not in have:
                missing.append(database.get_sql_context().sql(index).query()[0])
    return missing


def stored_name(database, name: str) -> str:
    """An index's name as the database keeps it: PostgreSQL cuts a name to 63 bytes
    (Peewee makes names of up to 64 characters), SQLite keeps it whole."""
    if isinstance(database, pw.PostgresqlDatabase):
        return name.encode("utf-8")[:63].decode("utf-8", "ignore")
    return name


def timed_on_fresh_connection(name: str, filters: runner.Filters) -> tuple[float, int]:
    """One report run as the screen runs it: in a worker thread of its own, which opens
    its own connection (timed with the report) and closes it after. Seconds and rows."""
    done: dict = {}

    def work() -> None:
        started = time.perf_counter()
        try:
            rows = len(runner.run(name, filters).rows)
            done["result"] = (time.perf_counter() - started, rows)
        except BaseException as exc:  # raised again in the calling thread
            done["error"] = exc
        finally:
            release_thread_connection()

    thread = threading.Thread(target=work, name=f"report-{name}")
    thread.start()
    thread.join()
    if "error" in done:
        raise done["error"]
    return done["result"]


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
                elapsed, rows = timed_on_fresh_connection(name, filters)
                times.append(elapsed)
            shown = {k: v for k, v in vars(filters).items() if v and k != "days"}
            print(
                f"{name:20} {rows:>7} rows  best {min(times) * 1000:8.0f} ms  "
                f"worst {max(times) * 1000:8.0f} ms  {shown or ''}"
            )
    finally:
        close_database()


if __name__ == "__main__":
    main()
