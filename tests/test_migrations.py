"""The schema is versioned: an older database is brought forward on start, never dropped."""

from __future__ import annotations

import peewee as pw
import pytest
from playhouse.migrate import migrate as run_ops

import db.migrations as migrations
from app.services.counter.passport import passport
from app.services.stock.receiving import ReceiptLine, receive
from db.database import close_database, open_database
from db.models import SchemaVersion, Unit
from tests.conftest import IMEIS, make_shop


def test_new_database_is_created_at_the_latest_version(database):
    assert migrations.current_version(database) == migrations.LATEST


def test_older_database_is_migrated_in_place_and_keeps_its_data(db_url, monkeypatch):
    open_database(db_url)
    shop = make_shop(db_url)
    receive(shop.inventory, "PhoneCo", [ReceiptLine("PH-X1", IMEIS[:3], cost="300")])
    close_database()

    # A next release adds a column; starting it on this database must migrate, not rebuild.
    def add_colour(database, migrator):
        run_ops(migrator.add_column("unit", "colour", pw.CharField(default="")))

    monkeypatch.setattr(migrations, "LATEST", migrations.LATEST + 1)
    monkeypatch.setitem(migrations.STEPS, migrations.LATEST, add_colour)
    database = open_database(db_url)
    assert migrations.current_version(database) == migrations.LATEST
    columns = {c.name for c in database.get_columns("unit")}
    assert "colour" in columns
    assert Unit.select().count() == 3
    assert passport(IMEIS[0]).receipt is not None
    versions = [v for (v,) in SchemaVersion.select(SchemaVersion.version).tuples()]
    assert versions == [migrations.LATEST - 1, migrations.LATEST]


def test_a_failed_migration_leaves_the_database_as_it_was(db_url, monkeypatch):
    open_database(db_url)
    make_shop(db_url)
    close_database()

    def broken(database, migrator):
        run_ops(migrator.add_column("unit", "colour", pw.CharField(default="")))
        raise RuntimeError("step failed half way")

    monkeypatch.setattr(migrations, "LATEST", migrations.LATEST + 1)
    monkeypatch.setitem(migrations.STEPS, migrations.LATEST, broken)
    with pytest.raises(RuntimeError):
        open_database(db_url)
    database = open_database(db_url, migrate=False)
    assert migrations.current_version(database) == migrations.LATEST - 1
    assert "colour" not in {c.name for c in database.get_columns("unit")}


def test_a_newer_database_is_refused_not_downgraded(db_url):
    open_database(db_url)
    SchemaVersion.create(version=migrations.LATEST + 5)
    close_database()
    with pytest.raises(migrations.SchemaTooNew, match="Upgrade SerialDesk"):
        open_database(db_url)


def test_step_7_drops_the_indexes_no_query_needs_and_the_models_make_none(db_url):
    """A schema 6 database (its eight needless indexes made as schema 6's models made them)
    comes out of step 7 with exactly the indexes a new database is created with."""
    database = open_database(db_url)
    make_shop(db_url)
    fresh = _indexes(database)
    assert not fresh & set(migrations.NEEDLESS_INDEXES)
    for name in migrations.NEEDLESS_INDEXES:
        table, column = _table_and_column(name)
        database.execute_sql(f'CREATE INDEX "{name}" ON "{table}" ("{column}")')
    SchemaVersion.update(version=6).where(SchemaVersion.version == 7).execute()
    close_database()
    database = open_database(db_url)
    assert migrations.current_version(database) == 7
    assert _indexes(database) == fresh


def _indexes(database) -> set[str]:
    tables = ("unit", "unit_event", "document_line")
    return {i.name for t in tables for i in database.get_indexes(t)}


def _table_and_column(index: str) -> tuple[str, str]:
    for table in ("unit_event", "document_line", "unit"):
        if index.startswith(table + "_"):
            return table, index.removeprefix(table + "_")
    raise AssertionError(index)
