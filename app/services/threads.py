"""Services called from a worker thread: each thread has its own database connection."""

from __future__ import annotations

from db.connection import db


def release_thread_connection() -> None:
    """Close the calling thread's own database connection (Peewee keeps one per thread).

    A worker thread calls it when done, so its connection is not left open.
    """
    if not db.is_closed():
        db.close()
