"""Shared helpers of the bench scripts: where the bench database is, timing figures, memory.

Importing this module puts the project root on ``sys.path``, so the scripts run as
``.venv/bin/python bench/<script>.py`` from anywhere.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sqlite3
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_PATH = ROOT / "bench" / "bench.db"
DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/serialdesk_bench"


def add_db_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument(
        "--path", default=str(DEFAULT_PATH), help="SQLite file (default bench/bench.db)"
    )
    parser.add_argument(
        "--pg-url",
        default=DEFAULT_PG_URL,
        help="PostgreSQL database used for --backend postgres (default serialdesk_bench)",
    )


def url_of(args: argparse.Namespace) -> str:
    return args.pg_url if args.backend == "postgres" else args.path


def open_bench(url: str):
    """Open a bench database; add tables the models gained since it was built.

    While the schema moves without a migration step, a bench database built earlier
    lacks the new tables; they are created (empty) so the services can run on it.
    """
    from db.database import open_database
    from db.models import ALL_MODELS

    database = open_database(url)
    missing = [m for m in ALL_MODELS if not database.table_exists(m._meta.table_name)]
    if missing:
        database.create_tables(missing)
        names = ", ".join(m._meta.table_name for m in missing)
        print(f"note: created tables the models gained after this database was built: {names}")
    return database


def machine() -> str:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"{os.cpu_count()} cores, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}, {platform.machine()}; load average {load}"
    )


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentile(sorted_values: list[float], q: float) -> float:
    """The q-th percentile (0..100) by nearest rank of an ascending list."""
    if not sorted_values:
        return float("nan")
    rank = max(1, round(q / 100 * len(sorted_values) + 0.5 - 1e-9))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def summary_ms(seconds: list[float]) -> str:
    """Median, p90, p99, max and mean of durations given in seconds, shown in ms."""
    values = sorted(s * 1000 for s in seconds)
    return (
        f"median {statistics.median(values):.3f} ms, p90 {percentile(values, 90):.3f} ms, "
        f"p99 {percentile(values, 99):.3f} ms, max {values[-1]:.3f} ms, "
        f"mean {statistics.fmean(values):.3f} ms (n={len(values)})"
    )


def data_size(database) -> str:
    """The size of the ledger a figure was measured on: units, history rows, documents."""
    counts = {
        table: database.execute_sql(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
        for table in ("unit", "unit_event", "document", "document_line")
    }
    text = ", ".join(f"{n:,} {table}" for table, n in counts.items())
    return f"{text}; {storage_size(database)}"


def storage_size(database) -> str:
    import peewee

    if isinstance(database, peewee.SqliteDatabase):
        path = Path(database.database)
        total = sum(
            p.stat().st_size for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists()
        )
        return f"file {total / 2**30:.2f} GiB"
    size = database.execute_sql("SELECT pg_database_size(current_database())").fetchone()[0]
    return f"database {size / 2**30:.2f} GiB"


@dataclass
class SalesPlan:
    """Who sells what on a built ledger: a cashier of the branch with most units in stock,
    ``count`` of those units at random, and the highest customer id to draw buyers from."""

    ctx: object
    cashier: str
    in_stock: int
    serials: list[str]
    top_customer: int


def sales_plan(database, count: int) -> SalesPlan:
    from app.services.access.context import load_context
    from db.models import Customer, Employee

    param = database.param
    branch_id, in_stock = database.execute_sql(
        "SELECT branch_id, COUNT(*) FROM \"unit\" WHERE state = 'in_stock' "
        "GROUP BY branch_id ORDER BY 2 DESC LIMIT 1"
    ).fetchone()
    serials = [
        s
        for (s,) in database.execute_sql(
            f"SELECT serial FROM \"unit\" WHERE state = 'in_stock' AND branch_id = {param} "
            f"ORDER BY random() LIMIT {param}",
            (branch_id, count),
        ).fetchall()
    ]
    cashier = (
        Employee.select()
        .where(Employee.role == "cashier", Employee.branch == branch_id)
        .order_by(Employee.id)
        .first()
    )
    top_customer = Customer.select(Customer.id).order_by(Customer.id.desc()).scalar()
    return SalesPlan(load_context(cashier.login), cashier.login, in_stock, serials, top_customer)
