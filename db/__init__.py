"""Persistence: Peewee models over SQLite (one shop box) or PostgreSQL (a chain)."""

from db.drivers import load_peewee

load_peewee()  # before any model: Peewee without psycopg2 until PostgreSQL is used
