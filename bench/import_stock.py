"""Opening stock of N strict-mode IMEIs moved in through ``serialdesk import stock``'s service.

    .venv/bin/python bench/import_stock.py [--rows 100000] [--backend sqlite|postgres]

Writes a CSV file of N rows (serial, sku, branch, supplier, cost, received: valid IMEIs
over two branches and a year of dates), then into a fresh database (SQLite: a new file
next to ``--path``; PostgreSQL: a fresh schema in ``--pg-url``'s database) runs
``app.services.moving_in.runner.import_file``: the dry run (every row checked, nothing
written), the real run (one transaction), and the same file again (all skipped). Prints
seconds, rows per second and the peak RSS of each, and the file's size (the CSV is
kept in the temp folder for the next run).
Target: 100,000 rows in <= 10 s.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import benchlib
from stdnum import luhn

from app.services.access.context import load_context
from app.services.moving_in.runner import import_file
from app.services.shop import catalog
from db.database import close_database, open_database
from db.models import Unit, UnitEvent


def write_file(path: Path, rows: int) -> None:
    start = date(2025, 1, 1)
    with path.open("w", encoding="utf-8") as out:
        out.write("serial,sku,branch,supplier,cost,received\n")
        for n in range(rows):
            body = f"35{n:012d}"
            branch = "MAIN" if n % 3 else "PARK"
            day = start + timedelta(days=n % 365)
            out.write(
                f"{body}{luhn.calc_check_digit(body)},PH-1,{branch},Acme,{199 + n % 50},{day}\n"
            )  # noqa: E501


def fresh_database(args) -> str:
    if args.backend == "sqlite":
        path = Path(args.path).with_name(f"import-{uuid.uuid4().hex[:8]}.db")
        return str(path)
    import psycopg2

    schema = f"bench_import_{uuid.uuid4().hex[:8]}"
    try:
        psycopg2.connect(args.pg_url).close()
    except psycopg2.OperationalError:  # no bench database yet: make it
        name = args.pg_url.rsplit("/", 1)[1]
        admin = psycopg2.connect(args.pg_url.rsplit("/", 1)[0] + "/postgres")
        admin.autocommit = True
        admin.cursor().execute(f'CREATE DATABASE "{name}"')
        admin.close()
    conn = psycopg2.connect(args.pg_url)
    conn.autocommit = True
    conn.cursor().execute(f'CREATE SCHEMA "{schema}"')
    conn.close()
    return f"{args.pg_url}?options=-csearch_path%3D{schema}"


def set_up_shop() -> None:
    catalog.add_branch("MAIN", "Main Street")
    catalog.add_branch("PARK", "Park Road")
    catalog.add_employee("boss", "Bo Boss", "manager", "12345678", "MAIN")
    catalog.add_supplier("Acme")
    catalog.add_product_type("Phones", "strict", warranty_months=24, check_kind="imei")
    catalog.add_product("PH-1", "Phone 1", "Phones", "299")


def timed(label: str, fn, rows: int) -> object:
    """Run ``fn``; print wall-clock seconds, this process's CPU seconds (on a busy shared
    machine the wall clock waits for a core; unloaded, the two are close on SQLite)."""
    started, cpu = time.perf_counter(), time.process_time()
    result = fn()
    took, used = time.perf_counter() - started, time.process_time() - cpu
    print(
        f"{label:<10} {took:7.2f} s  (CPU {used:6.2f} s)  {rows / took:9,.0f} rows/s  "
        f"peak RSS so far {benchlib.peak_rss_mb():,.0f} MB"
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--profile", action="store_true", help="cProfile the real run")
    benchlib.add_db_arguments(parser)
    args = parser.parse_args()

    csv_path = Path(tempfile.gettempdir()) / f"serialdesk-import-stock-{args.rows}.csv"
    if not csv_path.exists():
        write_file(csv_path, args.rows)
    url = fresh_database(args)
    database = open_database(url)
    set_up_shop()
    ctx = load_context("boss", clock=lambda: datetime.now(UTC))
    size_mb = csv_path.stat().st_size / 1e6
    print(f"import stock: {args.rows:,} rows, {size_mb:,.1f} MB CSV, on {args.backend}: {url}")
    print(f"machine: {benchlib.machine()}")
    dry = timed("dry run", lambda: import_file(ctx, "stock", csv_path), args.rows)
    assert not dry.refused, dry.refused[:3]
    profiler = cProfile.Profile() if args.profile else None
    if profiler:
        profiler.enable()
    done = timed("apply", lambda: import_file(ctx, "stock", csv_path, apply=True), args.rows)
    if profiler:
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
    assert done.created == {"units in stock": args.rows}, done.created
    again = timed("again", lambda: import_file(ctx, "stock", csv_path, apply=True), args.rows)
    assert again.skipped == args.rows
    print(f"units {Unit.select().count():,}, history rows {UnitEvent.select().count():,}")
    print(f"data after: {benchlib.data_size(database)}")
    close_database()
    if args.backend == "postgres":
        print(f"(schema left in {args.pg_url} for a look; drop it when done)")
    if args.backend == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(url + suffix).unlink(missing_ok=True)


if __name__ == "__main__":
    main()
