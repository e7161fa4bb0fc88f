"""Peewee without the PostgreSQL driver until a PostgreSQL database is made.

At import Peewee imports psycopg2 (and psycopg, and psycopg2cffi where installed) for the
PostgreSQL classes, whether or not any is ever used: about 11 ms of a seat's start on this
machine, a seventh of its imports, and most seats are one shop box on SQLite. So Peewee is
imported here with those drivers hidden (``load_peewee``, run by ``db/__init__.py`` and so
before any model), and ``enable_postgres`` imports psycopg2 and hands Peewee what its own
import would have set (the driver, its extensions, JSON and UUID adapters, the transaction
states its adapter compares). It runs as any PostgreSQL database is built, ours or one a
script builds by hand (Peewee's psycopg2 adapter is made then, before anything else of
it): where psycopg2 is not installed, the database is still built, and connecting says
"psycopg2 postgres driver not found" as Peewee always has (``MISSING`` is what the
command line says then). Nothing changes if psycopg2 was already imported before Peewee
(a test run, a script): Peewee took it then.

Peewee is pinned below 5 (``pyproject.toml``); ``tests/test_drivers.py`` checks, in fresh
processes, that a SQLite seat never loads psycopg2 and that one loaded later drives
PostgreSQL exactly as Peewee's own import does.
"""

from __future__ import annotations

import sys
import threading

HIDDEN = ("psycopg2", "psycopg2cffi", "psycopg")
_enabling = threading.Lock()
late = False  # True once Peewee was imported without psycopg2
MISSING = (
    "PostgreSQL needs the psycopg2 package, which is not installed here "
    "(pip install psycopg2-binary, or install SerialDesk again)"
)


def load_peewee() -> None:
    """Import Peewee with the PostgreSQL drivers hidden (if neither is loaded yet)."""
    global late
    if "peewee" in sys.modules or "psycopg2" in sys.modules:
        return
    hidden = [name for name in HIDDEN if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # ``import name`` raises ImportError
    try:
        import peewee

        late = True
    finally:
        for name in hidden:
            if sys.modules.get(name, 0) is None:
                del sys.modules[name]
    make_adapter = peewee.Psycopg2Adapter.__init__

    def adapter_with_driver(adapter) -> None:
        try:
            enable_postgres()
        except ImportError:
            pass  # not installed: Peewee refuses at connect, as without this module
        make_adapter(adapter)

    peewee.Psycopg2Adapter.__init__ = adapter_with_driver


def enable_postgres() -> None:
    """Give Peewee psycopg2 if ``load_peewee`` kept it away; safe to call any number of
    times, from any thread."""
    import peewee

    if peewee.psycopg2 is not None:
        return
    with _enabling:
        if peewee.psycopg2 is not None:
            return
        try:
            from psycopg2cffi import compat  # PyPy: psycopg2's stand-in, as Peewee does
        except ImportError:
            pass
        else:
            compat.register()
        import psycopg2
        from psycopg2 import extensions, extras

        extras.register_uuid()
        adapter = peewee.Psycopg2Adapter
        adapter.txn_idle = extensions.TRANSACTION_STATUS_IDLE
        adapter.txn_inerror = extensions.TRANSACTION_STATUS_INERROR
        adapter.txn_unknown = extensions.TRANSACTION_STATUS_UNKNOWN
        peewee.pg_extensions = extensions
        peewee.pg_register_uuid = extras.register_uuid
        peewee.Json_pg2 = extras.Json
        peewee.psycopg2 = psycopg2  # last: the others are in place when this is seen
