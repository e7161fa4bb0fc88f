"""A report written to a CSV file: into the user's documents folder (README, Configuration)
unless a full path is given, never over an existing file, and the full path said back.
The file is 0600 and folders made for it 0700, whatever the umask: reports name customers
and show costs."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_documents_dir

from app.domain.errors import Refused
from app.services.reports.base import Report
from db.private_files import FILE_MODE, make_private_folder


def export_folder() -> Path:
    """Where exports go by default: ``~/Documents/serialdesk`` (by platformdirs)."""
    return Path(user_documents_dir()) / "serialdesk"


def export_path(name: str) -> Path:
    """The file ``name`` stands for: a bare name or relative path lands in the export folder."""
    name = name.strip()
    if not name:
        raise Refused("Give the file's name.")
    path = Path(name).expanduser()
    if not path.is_absolute():
        path = export_folder() / path
    if path.suffix.lower() != ".csv":
        path = path.with_name(path.name + ".csv")
    return path


def export_csv(report: Report, name: str) -> Path:
    """Write ``report`` as CSV to the file ``name`` stands for and return its full path."""
    path = export_path(name)
    created = False
    try:
        make_private_folder(path.parent)  # reports name customers and show costs: 0700
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            created = True
            os.fchmod(out.fileno(), FILE_MODE)
            out.write(report.to_csv())
    except OSError as exc:
        if created:  # a half-written export is worse than none
            path.unlink(missing_ok=True)
        elif isinstance(exc, FileExistsError) and path.is_file():
            raise Refused(f"{path} already exists: give another name.") from None
        raise Refused(f"Cannot write {path}: {exc.strerror or exc}.") from None
    return path.resolve()
