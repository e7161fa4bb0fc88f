"""CPU seconds spent by this process and by its PostgreSQL server process.

On a box shared with other work, wall-clock figures move with the load; the CPU time
the client and the server spent on a task moves much less, so the bench scripts print
it beside the wall time. The server's is read from ``/proc`` (same box, readable by the
user running the bench); elsewhere it is left out.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


@dataclass
class Cpu:
    client: float
    server: float | None

    def __sub__(self, other: Cpu) -> Cpu:
        server = None
        if self.server is not None and other.server is not None:
            server = self.server - other.server
        return Cpu(self.client - other.client, server)

    def text(self) -> str:
        server = f", server {self.server:.3f} s" if self.server is not None else ""
        return f"CPU: client {self.client:.3f} s{server}"


def now(database) -> Cpu:
    """This process's CPU time, and the PostgreSQL backend's serving its connection."""
    return Cpu(time.process_time(), _backend_seconds(database))


def _backend_seconds(database) -> float | None:
    import peewee

    if isinstance(database, peewee.SqliteDatabase):
        return None
    pid = database.connection().get_backend_pid()
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / _TICK  # utime, stime
