"""Schema versions: a new database is created at the latest version; an older one
is brought forward step by step on start, in one transaction, and never dropped.

To change the schema: bump ``LATEST``, change the models, and add a step
``STEPS[LATEST] = fn(database, migrator)`` that brings a ``LATEST - 1`` database
to the new shape (``playhouse.migrate`` operations or plain SQL).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

import peewee

from db.access_models import ACCESS_MODELS, ApiToken, ShopSetting
from db.chain_key import create_key, new_chain_id
from db.models import ALL_MODELS, RepairTicket, SchemaVersion, Unit, UnitEvent

if TYPE_CHECKING:  # playhouse.migrate loads when a step runs, not on every seat's start
    from playhouse.migrate import SchemaMigrator

LATEST = 7
LANES_VERSION = 6  # the history has a lane per branch from this version on

# A step that adds figures computed from the ledger is filled by rules that live above
# the database (``app.services.ledger.totals.FILLS``), passed in by whoever migrates. A
# step listed here is refused without its fill, so no database is left with figures
# missing.
Fill = Callable[[], None]
FILLED_STEPS = {2}


def _v2_report_figures(database: peewee.Database, migrator: SchemaMigrator) -> None:
    """Day totals, ``Unit.came_back``, ``Unit.repair_count`` and
    ``RepairTicket.came_back_again``, for the reports (filled by step 2's fill).

    Early version-1 databases lack the kit tables and a report index that later ones
    have (added before anything shipped): whatever is missing is created here too.
    """
    from playhouse.migrate import migrate as run_operations

    run_operations(
        migrator.add_column("unit", "came_back", Unit.came_back),
        migrator.add_column("unit", "repair_count", Unit.repair_count),
        migrator.add_column("repair_ticket", "came_back_again", RepairTicket.came_back_again),
    )
    for index in (
        "unit_supplier_id_product_id_warranty_end",
        "repair_ticket_technician_id_unit_id",
    ):
        database.execute_sql(f'DROP INDEX IF EXISTS "{index}"')
    # Missing tables and indexes only; the history's (lane, seq) index is step 6's.
    database.create_tables([m for m in ALL_MODELS if m is not UnitEvent], safe=True)
    for index in UnitEvent._meta.fields_to_index():
        if not any(field is UnitEvent.lane for field in index._expressions):
            database.execute(UnitEvent._schema._create_index(index, safe=True))


def _v3_access(database: peewee.Database, migrator: SchemaMigrator) -> None:
    """Wrong PINs counted per login and seat, their slow-downs and unlocks, and shop settings.

    A shop made before this step chose its PINs under the old 4-digit rule: it keeps a
    4-digit minimum for managers too, so no manager is refused a PIN they already use."""
    database.create_tables(ACCESS_MODELS, safe=True)
    ShopSetting.insert(key="min_pin_length.manager", value="4").on_conflict_ignore().execute()


def _v4_api_tokens(database: peewee.Database, migrator: SchemaMigrator) -> None:
    """Employees' API tokens for scripts: hashed secret, scope, expiry, revocation."""
    database.create_tables([ApiToken], safe=True)


def _v5_keyed_history(database: peewee.Database, migrator: SchemaMigrator) -> None:
    """The history re-chained under a key kept off the database, each row recording its
    unit (``facts``); refused, naming the rows, if the old chain is already broken
    (``db.history_upgrade`` says why)."""
    from db.history_upgrade import key_the_chain  # with the history's checks: steps only

    key_the_chain(database, migrator, _protect_history)


def _v6_branch_lanes(database: peewee.Database, migrator: SchemaMigrator) -> None:
    """A lane of the history chain per branch, so branches write in parallel
    (``db.history``). The rows already written stay in lane 0 as they were hashed; the
    column comes with its default in one statement, so no row is rewritten (the history
    is append-only) and PostgreSQL does not rewrite the table."""
    if "lane" not in {c.name for c in database.get_columns("unit_event")}:
        database.execute_sql(
            'ALTER TABLE "unit_event" ADD COLUMN "lane" INTEGER NOT NULL DEFAULT 0'
        )
    database.execute_sql('DROP INDEX IF EXISTS "unit_event_seq"')
    database.execute_sql(
        'CREATE UNIQUE INDEX IF NOT EXISTS "unit_event_lane_seq" ON "unit_event" ("lane", "seq")'
    )


# Indexes every write kept up and no query needed: each covered by a wider index with the
# same first column, or on a column of the history no query looks rows up by (the rows it
# points at are never deleted). A received unit wrote 8 index entries more for them.
NEEDLESS_INDEXES = (
    "unit_product_id",  # (product, branch, state), (product, repair_count)
    "unit_supplier_id",  # (supplier, product, came_back)
    "unit_event_unit_id",  # (unit, id)
    "unit_event_branch_id",
    "unit_event_employee_id",
    "unit_event_approved_by_id",
    "document_line_document_id",  # (document, product, quantity, price, cost)
    "document_line_unit_id",  # (unit, document)
)


def _v7_needless_indexes(database: peewee.Database, migrator: SchemaMigrator) -> None:
    """Drop ``NEEDLESS_INDEXES`` (the models no longer make them)."""
    for name in NEEDLESS_INDEXES:
        database.execute_sql(f'DROP INDEX IF EXISTS "{name}"')


STEPS: dict[int, Callable[[peewee.Database, SchemaMigrator], None]] = {
    2: _v2_report_figures,
    3: _v3_access,
    4: _v4_api_tokens,
    5: _v5_keyed_history,
    6: _v6_branch_lanes,
    7: _v7_needless_indexes,
}


class SchemaTooNew(RuntimeError):
    """The database was written by a newer SerialDesk than this one."""


class FillMissing(RuntimeError):
    """A schema step needs figures filled from the ledger, and no fill was given."""


def current_version(database: peewee.Database) -> int:
    if not database.table_exists(SchemaVersion._meta.table_name):
        return 0
    row = SchemaVersion.select(peewee.fn.MAX(SchemaVersion.version)).scalar()
    return int(row or 0)


def migrate(database: peewee.Database, fills: Mapping[int, Fill] | None = None) -> int:
    """Create or upgrade the schema; return the version the database is now at.

    ``fills`` maps a step in ``FILLED_STEPS`` to what fills its figures from the ledger,
    run in the same transaction right after the step."""
    fills = fills or {}
    sqlite = isinstance(database, peewee.SqliteDatabase)
    if not sqlite:
        # Seats of a chain start at the same time: one migrates, the others wait.
        with database.atomic():
            database.execute_sql("SELECT pg_advisory_xact_lock(7405001)")
            return _migrate_locked(database, fills)
    version = current_version(database)
    if version == LATEST:
        return version
    # SQLite table rebuilds need foreign keys off; the pragma is ignored inside a transaction.
    database.execute_sql("PRAGMA foreign_keys = OFF")
    try:
        with database.atomic("IMMEDIATE"):
            return _migrate_locked(database, fills)
    finally:
        database.execute_sql("PRAGMA foreign_keys = ON")


def _migrator(database: peewee.Database) -> SchemaMigrator:
    from playhouse.migrate import PostgresqlMigrator, SqliteMigrator

    if isinstance(database, peewee.SqliteDatabase):
        return SqliteMigrator(database)
    return PostgresqlMigrator(database)


def _migrate_locked(database: peewee.Database, fills: Mapping[int, Fill]) -> int:
    version = current_version(database)
    if version > LATEST:
        raise SchemaTooNew(
            f"This database is at schema version {version}, newer than this SerialDesk "
            f"understands ({LATEST}). Upgrade SerialDesk on this seat."
        )
    if version == 0:
        database.create_tables(ALL_MODELS + ACCESS_MODELS)
        _protect_history(database)
        create_key(new_chain_id())  # the history's key, on this seat only
        SchemaVersion.create(version=LATEST)
        return LATEST
    steps = range(version + 1, LATEST + 1)
    unfilled = [step for step in steps if step in FILLED_STEPS and step not in fills]
    if unfilled:
        raise FillMissing(
            f"Schema step {unfilled[0]} fills figures from the ledger; open this database "
            "with SerialDesk itself (serialdesk init) to upgrade it."
        )
    migrator = _migrator(database)
    for step in steps:
        STEPS[step](database, migrator)
        if step in fills:
            fills[step]()
        SchemaVersion.create(version=step)
    return LATEST


def _protect_history(database: peewee.Database) -> None:
    """Make the unit history append-only in the database itself, not just in our code
    (the SQL is ``db.history_checks``'s, which ``verify`` compares the triggers with)."""
    from db.history_checks import PG_FUNCTION_SQL, PG_TRIGGER_SQL, sqlite_trigger_sql

    if isinstance(database, peewee.SqliteDatabase):
        for sql in sqlite_trigger_sql().values():
            database.execute_sql(sql)
        return
    database.execute_sql(PG_FUNCTION_SQL)
    database.execute_sql(PG_TRIGGER_SQL)
