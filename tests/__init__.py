"""SerialDesk's tests.

Imported before conftest and every test module: ``db`` first, as a seat loads it, so
Peewee comes without psycopg2 and every PostgreSQL test runs on the driver handed to it
later (``db.drivers``; ``tests/test_drivers.py`` checks it did)."""

import db  # noqa: F401
