"""bench/reports.py's "MISSING INDEX" warning: on both backends, an index that is there is
not reported (PostgreSQL keeps 63 bytes of a name, SQLite the whole name), one that is
not there is; and a report is timed on a connection of its own, as the screen runs it."""

from __future__ import annotations

import importlib.util
import sys
import threading
from pathlib import Path

import peewee as pw

from app.services.reports import runner
from db.connection import db
from db.models import ALL_MODELS, BaseModel

ROOT = Path(__file__).resolve().parent.parent


def bench_reports():
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        spec = importlib.util.spec_from_file_location(
            "bench_reports", ROOT / "bench" / "reports.py"
        )
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(ROOT / "bench"))
    return module


class LongIndexNames(BaseModel):
    """Columns whose index Peewee names with 64 characters (a name longer than 64 is cut
    to 56 and a hash), one more than PostgreSQL keeps."""

    a_rather_long_column_name_for_the_index = pw.IntegerField()
    another_long_column_name = pw.IntegerField()

    class Meta:
        table_name = "long_index_names"
        indexes = (
            (("a_rather_long_column_name_for_the_index", "another_long_column_name"), False),
        )


def test_missing_index_names_match_on_both_backends(database):
    reports = bench_reports()
    [index] = LongIndexNames._meta.fields_to_index()
    assert len(index._name) == 64
    database.create_tables([LongIndexNames])
    try:
        assert reports.missing_indexes(database, [*ALL_MODELS, LongIndexNames]) == []
        stored = reports.stored_name(database, index._name)
        assert len(stored) == (63 if isinstance(database, pw.PostgresqlDatabase) else 64)
        database.execute_sql(f'DROP INDEX "{stored}"')
        [warning] = reports.missing_indexes(database, [LongIndexNames])
        assert warning.startswith("CREATE INDEX") and index._name in warning
    finally:
        database.drop_tables([LongIndexNames])


def test_a_report_is_timed_on_a_connection_of_its_own(shop):
    reports = bench_reports()
    mine = db.connection()
    seen = []
    original = runner.run

    def run(name, filters):
        seen.append((threading.current_thread() is threading.main_thread(), db.connection()))
        return original(name, filters)

    runner.run, saved = run, runner.run
    try:
        elapsed, rows = reports.timed_on_fresh_connection("stock", runner.Filters(limit=10))
    finally:
        runner.run = saved
    [(in_main, theirs)] = seen
    assert not in_main and theirs is not mine and elapsed > 0 and rows >= 0
    assert db.connection() is mine  # the seat's own connection is left as it was
