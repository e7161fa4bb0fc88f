"""Local PostgreSQL clusters for the replica tests and the report-load bench: a small
primary made by ``initdb`` and a hot standby of any running cluster made by
``pg_basebackup``, each on a port of its own, under a folder of its own.

The server refuses to run as root, so as root every server program runs as the
``postgres`` user (``runuser``), which then owns the folder.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


def pg_bin() -> Path | None:
    """The folder of PostgreSQL's server programs (the newest installed), or None.
    Debian's /usr/bin holds only wrappers of some of them: its versioned folder first."""
    folders = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[4]))
    found = shutil.which("pg_basebackup")
    candidates = [Path(f) for f in reversed(folders)] + ([Path(found).parent] if found else [])
    for folder in candidates:
        if all((folder / name).exists() for name in ("pg_basebackup", "pg_ctl", "initdb")):
            return folder
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_owner(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


def _run(cmd: list[str], what: str) -> None:
    done = subprocess.run(_as_owner(cmd), capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed ({done.returncode}): {done.stderr or done.stdout}")


def make_folder(prefix: str, under: str | None = None) -> Path:
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=under))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    return folder


@dataclass
class Cluster:
    data: Path
    port: int
    bin: Path

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def start(self, *settings: str) -> None:
        options = " ".join(
            [f"-p {self.port}", f"-k {self.data.parent}", "-c listen_addresses=127.0.0.1"]
            + [f"-c {s}" for s in settings]
        )
        log = self.data.parent / f"{self.data.name}.log"
        _run(
            [str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(log)]
            + ["-w", "-t", "120", "start"],
            f"starting the cluster in {self.data}",
        )

    def stop(self, mode: str = "fast") -> None:
        subprocess.run(
            _as_owner([str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "stop"]),
            capture_output=True,
            timeout=120,
        )


def make_primary(folder: Path, bin_: Path) -> Cluster:
    """A fresh, trusting cluster (initdb's pg_hba allows replication from 127.0.0.1),
    without fsync: a test's data need not survive a power cut."""
    cluster = Cluster(folder / "primary", free_port(), bin_)
    _run(
        [str(bin_ / "initdb"), "-D", str(cluster.data), "-A", "trust", "-U", "postgres"]
        + ["--no-sync", "-E", "UTF8", "--locale", "C"],
        "initdb",
    )
    cluster.start("fsync=off", "synchronous_commit=off", "full_page_writes=off")
    return cluster


def make_replica(
    primary_port: int, folder: Path, bin_: Path, *settings: str, port: int | None = None
) -> Cluster:
    """A hot standby of the cluster on ``primary_port``: ``pg_basebackup -R`` writes
    standby.signal and primary_conninfo; it streams the primary's changes from then on."""
    cluster = Cluster(folder / "replica", port or free_port(), bin_)
    _run(
        [str(bin_ / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(primary_port)]
        + ["-U", "postgres", "-D", str(cluster.data), "-R", "-X", "stream", "-c", "fast"]
        + ["--no-sync"],
        "pg_basebackup",
    )
    _own_settings_files(cluster.data)
    cluster.start("hot_standby=on", *settings)
    return cluster


# Debian keeps a cluster's settings in /etc/postgresql, outside the data folder the copy
# is made of: a copy of such a cluster gets these (the rest are the server's defaults).
SETTINGS_FILES = {
    "postgresql.conf": "# a streaming replica made by pg_basebackup\n",
    "pg_hba.conf": "local all all trust\nhost all all 127.0.0.1/32 trust\n",
    "pg_ident.conf": "",
}


def _own_settings_files(data: Path) -> None:
    for name, text in SETTINGS_FILES.items():
        path = data / name
        if not path.exists():
            path.write_text(text)
            if os.geteuid() == 0:
                shutil.chown(path, "postgres", "postgres")


def wait_for_replay(primary_url: str, replica_url: str, timeout: float = 30) -> None:
    """Wait until the replica has replayed everything the primary has written so far."""
    import psycopg2

    with psycopg2.connect(primary_url) as conn, conn.cursor() as cur:
        cur.execute("SELECT pg_current_wal_insert_lsn()")
        (target,) = cur.fetchone()
    conn.close()
    deadline = time.monotonic() + timeout
    replica = psycopg2.connect(replica_url)
    try:
        replica.autocommit = True
        with replica.cursor() as cur:
            while True:
                cur.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (target,))
                if cur.fetchone()[0]:
                    return
                if time.monotonic() > deadline:
                    raise TimeoutError(f"the replica did not replay up to {target}")
                time.sleep(0.05)
    finally:
        replica.close()
