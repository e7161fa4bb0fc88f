"""Peewee without psycopg2 until PostgreSQL is used (``db.drivers``): a SQLite seat never
loads the driver, and a PostgreSQL database made later runs as on Peewee's own import."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import peewee

from db import drivers

ROOT = Path(__file__).resolve().parent.parent

# What Peewee's own import sets from psycopg2, as the names of the objects.
PEEWEE_FROM_DRIVER = """
import json, peewee
a = peewee.Psycopg2Adapter
print(json.dumps({
    "driver": getattr(peewee.psycopg2, "__name__", None),
    "extensions": getattr(peewee.pg_extensions, "__name__", None),
    "json": getattr(peewee.Json_pg2, "__qualname__", None),
    "states": [getattr(a, n, None) for n in ("txn_idle", "txn_inerror", "txn_unknown")],
}))
"""


def _run(code: str, cwd: Path = ROOT) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_suite_itself_runs_on_the_driver_handed_over_late():
    assert drivers.late  # tests/__init__.py imported db before anything imported Peewee


def test_a_sqlite_seat_never_loads_psycopg2(tmp_path):
    code = (
        "import sys, json\n"
        "import app.cli, app.tui\n"
        "from db.database import open_database\n"
        f"open_database({str(tmp_path / 'shop.db')!r})\n"
        "print(json.dumps([m for m in ('psycopg2', 'psycopg') if m in sys.modules]))\n"
    )
    assert json.loads(_run(code)) == []


def test_postgresql_made_later_has_what_peewees_own_import_gives(pg_schema_url):
    own = json.loads(_run("import psycopg2\n" + PEEWEE_FROM_DRIVER))
    assert own["driver"] == "psycopg2" and None not in own["states"]
    code = (
        "import sys, uuid\n"
        "import app.cli\n"
        "import peewee\n"
        "assert peewee.psycopg2 is None and 'psycopg2' not in sys.modules\n"
        "from db.database import open_database, write_transaction\n"
        f"database = open_database({pg_schema_url!r})\n"
        "u = uuid.uuid4()\n"
        "assert database.execute_sql('SELECT %s::uuid', (u,)).fetchone()[0] == u\n"
        "try:\n"
        "    with write_transaction():\n"
        "        database.execute_sql('SELECT 1/0')\n"
        "except peewee.DataError:\n"
        "    pass\n"
        "assert not database.in_transaction()\n"
        "assert database.execute_sql('SELECT 2').fetchone() == (2,)\n" + PEEWEE_FROM_DRIVER
    )
    assert json.loads(_run(code)) == own


def test_enabling_twice_or_after_peewees_own_import_changes_nothing():
    drivers.enable_postgres()
    given = (peewee.psycopg2, peewee.pg_extensions, peewee.Json_pg2)
    drivers.enable_postgres()
    assert given[0] is not None
    assert (peewee.psycopg2, peewee.pg_extensions, peewee.Json_pg2) == given
    code = "import psycopg2, peewee\nimport db.drivers as d\nd.enable_postgres()\n"
    assert json.loads(_run(code + PEEWEE_FROM_DRIVER))["driver"] == "psycopg2"
