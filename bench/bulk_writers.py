"""Writing the simulated ledger into the bench database in bulk: raw ``executemany``
(SQLite) or ``COPY`` (PostgreSQL), the history rows with the hash chain where the schema
has one, and the columns the report figures fill later.
"""

from __future__ import annotations

import io

import peewee
from shop_data import COLUMNS, Ids

from db.models import UnitEvent

# The history's hash chain (db/history.py), where the schema has one: each event row
# carries its place in the chain and a hash over the previous row's hash and its content.
CHAINED = "seq" in UnitEvent._meta.fields and "hash" in UnitEvent._meta.fields
# Schema 5: each history row records its unit as it left it (``facts``); here the last row
# of each unit records the unit as the batch leaves it, as the upgrade to schema 5 does.
FACTS = "facts" in UnitEvent._meta.fields
UNIT_FACTS = ("serial", "product_id", "customer_id", "warranty_start", "warranty_end")
EVENT_CONTENT = (
    "unit", "event", "at", "branch", "employee", "approved_by", "document", "from_state",
    "to_state", "note",
)  # fmt: skip


def chained(rows: list[tuple], chain: list, units: list[tuple] = ()) -> list[tuple]:
    """History rows with their seq and hash (and facts), as ``db.history.append_events``
    writes them; ``units`` are the batch's unit rows, for the facts of each unit's last row."""
    from db.chain_key import load_key
    from db.history import GENESIS, event_mac, facts_text

    key = load_key()  # once a batch: the rows are hashed here, thousands at a time

    unit_columns = COLUMNS["unit"]
    picks = [unit_columns.index(name) for name in UNIT_FACTS]
    facts = {u[0]: facts_text([u[i] for i in picks]) for u in units} if FACTS else {}
    last = {row[1]: n for n, row in enumerate(rows)}  # each unit's last row in this batch
    seq, prev = chain[0], chain[1] or GENESIS
    out = []
    for n, row in enumerate(rows):
        seq += 1
        content = dict(zip(EVENT_CONTENT, row[1:], strict=True))
        if FACTS:
            content["facts"] = facts.get(row[1], "") if last[row[1]] == n else ""
            prev = event_mac(key, seq, prev, content)
            out.append((*row, content["facts"], seq, prev))
        else:
            prev = event_mac(key, seq, prev, content)
            out.append((*row, seq, prev))
    chain[:] = [seq, prev]
    return out


# Columns the simulation leaves at their start value; the report figures step fills them.
FILLED_LATER = {"unit": (("repair_count", 0),), "repair_ticket": (("came_back_again", False),)}


def columns_of(table: str) -> tuple[str, ...]:
    columns = COLUMNS[table] + tuple(name for name, _v in FILLED_LATER.get(table, ()))
    if table == "unit_event" and CHAINED:
        return (*columns, "facts", "seq", "hash") if FACTS else (*columns, "seq", "hash")
    return columns


def with_filled(table: str, rows: list) -> list:
    start = tuple(value for _n, value in FILLED_LATER.get(table, ()))
    return [(*row, *start) for row in rows] if start else rows


class SqliteWriter:
    def __init__(self, database: peewee.Database) -> None:
        self.database = database
        # A bench file: no fsync and no rollback journal while it is built; WAL again after.
        for pragma in (
            "foreign_keys = OFF",
            "synchronous = OFF",
            "journal_mode = MEMORY",
            "cache_size = -2000000",
        ):
            database.execute_sql(f"PRAGMA {pragma}")

    def write(self, table: str, rows: list) -> None:
        rows = with_filled(table, rows)
        columns = columns_of(table)
        sql = (
            f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES ({", ".join("?" * len(columns))})'
        )
        self.database.connection().executemany(sql, rows)

    def finish(self, ids: Ids) -> None:
        for pragma in ("journal_mode = WAL", "synchronous = FULL", "foreign_keys = ON"):
            self.database.execute_sql(f"PRAGMA {pragma}")


class PostgresWriter:
    def __init__(self, database: peewee.Database) -> None:
        self.database = database
        # Bulk load: no per-row foreign-key triggers (the simulation keeps them consistent).
        database.execute_sql("SET session_replication_role = replica")
        database.execute_sql("SET synchronous_commit = off")

    def write(self, table: str, rows: list) -> None:
        rows = with_filled(table, rows)
        buffer = io.StringIO()
        for row in rows:
            buffer.write("\t".join(map(_copy_text, row)))
            buffer.write("\n")
        buffer.seek(0)
        cursor = self.database.cursor()
        columns = ", ".join(columns_of(table))
        cursor.copy_expert(f'COPY "{table}" ({columns}) FROM STDIN', buffer)

    def finish(self, ids: Ids) -> None:
        self.database.execute_sql("SET session_replication_role = DEFAULT")
        for table in COLUMNS:
            self.database.execute_sql(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                f'(SELECT COALESCE(MAX(id), 0) + 1 FROM "{table}"), false)'
            )
        # What autovacuum would soon do on its own: planner statistics for the new rows.
        self.database.execute_sql("ANALYZE")


def _copy_text(value) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    return str(value)
