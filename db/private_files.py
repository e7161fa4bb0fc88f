"""Files that hold the shop's data are the owner's alone: 0600, in folders of 0700.

The database holds PIN hashes and customers, so its file (SQLite gives its -wal and -shm
the database file's mode), its backups, the numbering mark and the log are created
private whatever the caller's umask. Only what SerialDesk creates is set: a file or
folder that already exists keeps the mode its owner gave it (a shop may share a
database with a group on purpose).
"""

from __future__ import annotations

import os
from pathlib import Path

FILE_MODE = 0o600
FOLDER_MODE = 0o700


def make_private_folder(path: str | os.PathLike) -> Path:
    """``path`` and any missing parents, each folder created here set to 0700."""
    folder = Path(path)
    missing = []
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    for created in reversed(missing):
        try:
            created.mkdir(mode=FOLDER_MODE)
        except FileExistsError:
            continue  # made by another process just now: its mode is its maker's
        os.chmod(created, FOLDER_MODE)  # exactly 0700, whatever the umask took away
    return Path(path)


def create_private_file(path: str | os.PathLike) -> bool:
    """Create ``path`` empty with mode 0600 unless it exists; True if it was created."""
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE)
    except FileExistsError:
        return False
    try:
        os.fchmod(fd, FILE_MODE)
    finally:
        os.close(fd)
    return True


def open_private_append(path: str | os.PathLike) -> int:
    """A descriptor appending to ``path``, the file created 0600 if it is new."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, FILE_MODE)
    if os.fstat(fd).st_size == 0:
        os.fchmod(fd, FILE_MODE)
    return fd
