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
# counter work takes HISTORY_LOCK shared and its lane's (LANE_LOCK, branch id) exclusive,
# so branches write in parallel; shop-wide work takes HISTORY_LOCK exclusive and waits
# for every branch. A unit made at the counter from a serial takes NEW_UNIT_LOCK first.
HISTORY_LOCK = 7405002
LANE_LOCK = 7405  # the first of a (LANE_LOCK, lane) pair; that key space is apart
NEW_UNIT_LOCK = 7405003


def is_sqlite() -> bool:
    return isinstance(db.obj, peewee.SqliteDatabase)
