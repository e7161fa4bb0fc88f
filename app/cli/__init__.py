"""The command line: ``serialdesk COMMAND ...`` for scripts, integrations and bulk work.
``main`` (the ``serialdesk`` entry point) lives in ``entry.py`` with the parser."""

import db  # noqa: F401  first: Peewee comes without psycopg2 until PostgreSQL is used
from app.cli.entry import main

__all__ = ["main"]
