"""The log of unexpected errors (README, Configuration): one file per user, shared by the
command line and the counter screens, so every crash leaves its traceback in one place."""

from __future__ import annotations

import logging
import os
import tempfile
import traceback
from datetime import UTC, datetime
from pathlib import Path

from platformdirs import user_log_dir

from db.private_files import make_private_folder, open_private_append


def log_path() -> Path:
    """The log of unexpected errors (``~/.local/state/serialdesk/log`` on Linux)."""
    return Path(user_log_dir("serialdesk", appauthor=False)) / "serialdesk.log"


def record(error: BaseException, what: str) -> Path | None:
    """Append ``error`` with its traceback, headed by ``what`` was running; return the file.

    Falls back to the temporary folder when the log folder cannot be written, and to the
    logging module (None) when neither can: the traceback is never lost silently.
    """
    text = "".join(traceback.format_exception(error))
    for path in (log_path(), Path(tempfile.gettempdir()) / "serialdesk.log"):
        try:
            make_private_folder(path.parent)  # tracebacks show customers' data: 0700/0600
            fd = open_private_append(path)
            # backslashreplace: a bug report must not fail on the broken input that caused it
            with os.fdopen(fd, "a", encoding="utf-8", errors="backslashreplace") as log:
                log.write(f"--- {datetime.now(UTC).isoformat()} {what}\n{text}\n")
            return path
        except OSError:
            continue
    logging.getLogger("serialdesk").error("%s failed\n%s", what, text)
    return None


def one_line(error: BaseException, path: Path | None) -> str:
    """What the person reads: the kind of error and where its details are."""
    where = path if path is not None else "stderr"
    return (
        f"serialdesk: unexpected error ({type(error).__name__}), a bug in SerialDesk; "
        f"details in {where}"
    )
