"""Persistence: Peewee models over SQLite (one shop box) or PostgreSQL (a chain)."""
