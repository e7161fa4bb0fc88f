"""What the chain bench's seats are waiting for, and whether they fit on this box: a sampler
of ``pg_stat_activity`` and of the server processes' CPU, the machine's CPU, memory and the
server's connection limit. Used by ``bench/chain.py``.
"""

from __future__ import annotations

import os
import threading
from collections import Counter

APP = "serialdesk-chain"  # application_name of the seats' connections, for the sampler


class Sampler(threading.Thread):
    """Every 100 ms: what each of the seats' connections is doing (pg_stat_activity), and
    twice a second the CPU their server processes have used and waited for (/proc)."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url, self.waits, self.samples, self.stop = url, Counter(), 0, threading.Event()
        self.cpu: dict[int, list] = {}  # backend pid -> [first, last] schedstat

    def run(self) -> None:
        import psycopg2

        conn = psycopg2.connect(self.url)
        conn.autocommit = True
        cur = conn.cursor()
        while not self.stop.wait(0.1):
            cur.execute(WAITING, (APP,))
            rows = cur.fetchall()
            self.samples += 1
            for _pid, state, kind, event, *lock in rows:
                self.waits[_label(state, kind, event, *lock)] += 1
            if self.samples % 5 == 1:
                for pid, *_ in rows:
                    now = schedstat(pid)
                    if now is not None:
                        self.cpu.setdefault(pid, [now, now])[1] = now
        conn.close()

    def server(self) -> tuple[float, float]:
        """CPU seconds the seats' backends used, and seconds they waited for a core."""
        used = [(last[0] - first[0], last[1] - first[1]) for first, last in self.cpu.values()]
        return sum(u for u, _w in used), sum(w for _u, w in used)


def schedstat(pid: int | str = "self") -> tuple[float, float] | None:
    """A process's CPU seconds and seconds spent runnable waiting for a core (the kernel's
    schedstat), or None when it is gone."""
    try:
        with open(f"/proc/{pid}/schedstat") as f:
            cpu, waited = f.read().split()[:2]
    except (OSError, ValueError):
        return None
    return int(cpu) / 1e9, int(waited) / 1e9


# Each connection's state and wait, and the advisory lock it waits for, if one.
WAITING = """
SELECT a.pid, a.state, a.wait_event_type, a.wait_event, l.classid, l.objid, l.objsubid, l.mode
FROM pg_stat_activity a
LEFT JOIN pg_locks l ON l.pid = a.pid AND NOT l.granted AND l.locktype = 'advisory'
WHERE a.application_name = %s
"""


def _label(state, kind, event, classid=None, objid=None, objsubid=None, mode=None) -> str:
    if state == "active" and classid is not None:
        return f"Lock/advisory: {_lock_name(classid, objid, objsubid)}, wants {mode}"
    if state == "active":
        return f"{kind}/{event}" if kind else "CPU (server, running a statement)"
    if state == "idle in transaction":
        return "idle in transaction (client's turn, locks held)"
    return f"{state or 'unknown'} (client's turn)"


def _lock_name(classid: int, objid: int, objsubid: int) -> str:
    """An advisory lock by the app's name for it (db/connection.py: the pair is the shop's
    schema and what is locked), else its key."""
    from db import connection

    if objsubid != 2:  # not pg_advisory_xact_lock(int, int): not the app's
        return f"key {(classid << 32) | objid}"
    second = objid - (1 << 32) if objid >= 1 << 31 else objid  # pg_locks shows it unsigned
    names = {connection.HISTORY_LOCK: "HISTORY_LOCK", connection.NEW_UNIT_LOCK: "NEW_UNIT_LOCK"}
    if second in names:
        return names[second]
    return "a branch's lane"  # one line for all branches: the share is what tells


def machine_cpu() -> tuple[float, float]:
    """Busy and total CPU seconds of the machine since boot (/proc/stat)."""
    with open("/proc/stat") as f:
        ticks = [int(x) for x in f.readline().split()[1:]]
    tick = os.sysconf("SC_CLK_TCK")
    idle = ticks[3] + ticks[4]
    return (sum(ticks) - idle) / tick, sum(ticks) / tick


def fits(procs: int, url: str) -> list[str]:
    """What stops ``procs`` seat processes here: memory, or the server's connections."""
    import psycopg2

    problems = []
    with open("/proc/meminfo") as f:
        info = {line.split(":")[0]: int(line.split()[1]) for line in f}
    free_mb, need_mb = info["MemAvailable"] // 1024, procs * (60 + 15)
    print(f"memory: {free_mb:,} MB available, ~{need_mb:,} MB needed (60 a seat, 15 its backend)")
    if need_mb > free_mb * 0.8:
        problems.append(f"{procs} seats need ~{need_mb:,} MB and {free_mb:,} MB are available")
    conn = psycopg2.connect(url)
    cur = conn.cursor()
    cur.execute("SELECT current_setting('max_connections')::int, count(*) FROM pg_stat_activity")
    most, used = cur.fetchone()
    conn.close()
    if procs + used + 3 > most:
        problems.append(f"{procs} seats and {used} connections open exceed max_connections {most}")
    return problems
