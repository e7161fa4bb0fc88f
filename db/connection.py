"""The handle every model is bound to, before any database is chosen.

``db.database.open_database`` points it at a SQLite file or a PostgreSQL server
and brings the schema up to date; the models, the history and the services only
need the handle itself, so they import this module and nothing that migrates.
"""

from __future__ import annotations

import peewee

db = peewee.DatabaseProxy()

# On PostgreSQL every write transaction takes this advisory lock first: the unit history
# is one hash chain (db/history.py), and taking it before any row lock avoids deadlocks.
HISTORY_LOCK = 7405002


def is_sqlite() -> bool:
    return isinstance(db.obj, peewee.SqliteDatabase)
