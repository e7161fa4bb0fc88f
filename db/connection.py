"""The handle every model is bound to, before any database is chosen.

``db.database.open_database`` points it at a SQLite file or a PostgreSQL server
and brings the schema up to date; the models, the history and the services only
need the handle itself, so they import this module and nothing that migrates.
"""

from __future__ import annotations

import peewee

db = peewee.DatabaseProxy()

# PostgreSQL advisory locks, taken by every write transaction before any row lock (no
# deadlocks): the unit history is a hash chain per branch (db/history.py). A branch's
# counter work takes HISTORY_LOCK shared and its lane's lock exclusive, so branches write
# in parallel; shop-wide work takes HISTORY_LOCK exclusive and waits for every branch. A
# unit made from a serial (a receipt, a never-received serial at the counter) takes
# NEW_UNIT_LOCK first. Advisory locks are the whole database's: each key is the pair
# (the shop's schema, what is locked), so two shops in two schemas never wait on each
# other. A lane's second key is its branch id; the chain's and new units' are negative.
HISTORY_LOCK = -1
NEW_UNIT_LOCK = -2
ALL_LANES = "all"  # what a shop-wide write transaction holds (db.database.write_transaction)
SHOP_KEY = "hashtext(current_schema())"


def lock_sql(*locks: tuple[str, int]) -> str:
    """``SELECT`` of these advisory locks, e.g. ("pg_advisory_xact_lock_shared", HISTORY_LOCK),
    each keyed by the shop's schema; a lane's lock is ("pg_advisory_xact_lock", branch id)."""
    return "SELECT " + ", ".join(f"{fn}({SHOP_KEY}, {int(key)})" for fn, key in locks)


def is_sqlite() -> bool:
    return isinstance(db.obj, peewee.SqliteDatabase)
