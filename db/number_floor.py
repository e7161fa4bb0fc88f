"""The highest document number a SQLite file has issued, kept in a small file beside it.

Document numbers (S-42 is sale 42) come from the document table's row ids, so a file
restored from an older backup would hand out 42 again, though S-42 is already on a
customer's receipt. A restore therefore records here, under the write lock, the highest
id the file it replaces had issued (``serialdesk.db-numbers``); new documents are numbered
above it (``app.services.ledger.documents``). The mark lives outside the database so no
restore can take it back.
"""

from __future__ import annotations

import os
from pathlib import Path

from db.private_files import FILE_MODE


def mark_path(database_path: str | os.PathLike) -> Path:
    return Path(f"{database_path}-numbers")


def read_floor(database_path: str | os.PathLike) -> int:
    """The highest document id issued on this file before its last restore (0: none kept)."""
    try:
        text = mark_path(database_path).read_text(encoding="ascii")
    except FileNotFoundError:
        return 0
    kind, _, number = text.strip().partition(" ")
    if kind != "document" or not number.isdigit():
        raise RuntimeError(f"{mark_path(database_path)} is damaged: {text[:40]!r}")
    return int(number)


def raise_floor(database_path: str | os.PathLike, highest: int) -> int:
    """Record ``highest`` unless a higher mark is kept already; return the mark now kept.

    Written whole (a new file, synced, then renamed over the old one), so a power cut
    leaves the old mark or the new one, never a torn one."""
    kept = read_floor(database_path)
    if highest <= kept:
        return kept
    path = mark_path(database_path)
    partial = path.with_name(path.name + ".partial")
    fd = os.open(partial, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
        os.write(fd, f"document {highest}\n".encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(partial, path)
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)
    return highest
