"""The one place python-escpos is imported, after defusing what its import does.

python-escpos 3.1, on import of ``escpos.capabilities``:

* calls ``logging.basicConfig()``, which puts a stderr handler on the root logger;
  its output lands in the middle of a Textual screen. A NullHandler on the root
  logger while importing makes that call a no-op; it is removed afterwards so
  the app's own logging setup (to a file) still works as usual.
* pickles its printer database into ``mkdtemp()`` -- a new temp dir on every
  start -- unless ``ESCPOS_CAPABILITIES_PICKLE_DIR`` is set. We point it at a
  stable cache dir. Even then it calls ``mkdtemp()`` (it is the default argument
  of ``environ.get``, evaluated anyway), so during the import ``mkdtemp`` answers
  with that cache dir instead of making a new directory.

Its ``barcode()`` also ``print()``s "Using hardware barcode renderer" to stdout;
``quiet()`` swallows that (see ``devices.render``).
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

from platformdirs import user_cache_dir

PICKLE_DIR_VARIABLE = "ESCPOS_CAPABILITIES_PICKLE_DIR"
log = logging.getLogger(__name__)


def _pickle_dir() -> str:
    """A stable, writable directory for python-escpos' capabilities pickle."""
    preferred = Path(user_cache_dir("serialdesk", appauthor=False)) / "escpos"
    for candidate in (preferred, Path(tempfile.gettempdir()) / f"serialdesk-escpos-{os.getuid()}"):
        try:
            candidate.mkdir(parents=True, exist_ok=True)
        except OSError:
            continue
        if os.access(candidate, os.W_OK):
            return str(candidate)
    return tempfile.gettempdir()


def _import_escpos() -> None:
    if "escpos.capabilities" in sys.modules:
        log.warning("python-escpos was imported before devices._escpos; its traps are armed")
    pickle_dir = os.environ.setdefault(PICKLE_DIR_VARIABLE, _pickle_dir())
    root = logging.getLogger()
    guard = logging.NullHandler()
    root.addHandler(guard)  # basicConfig() does nothing while the root has a handler
    real_mkdtemp = tempfile.mkdtemp  # patched for the import only, once, at start-up
    tempfile.mkdtemp = lambda *args, **kwargs: pickle_dir  # type: ignore[assignment]
    try:
        import escpos.capabilities  # noqa: F401
        import escpos.printer  # noqa: F401
    finally:
        tempfile.mkdtemp = real_mkdtemp
        root.removeHandler(guard)


_import_escpos()

from escpos import exceptions as escpos_exceptions  # noqa: E402
from escpos.capabilities import CAPABILITIES  # noqa: E402
from escpos.escpos import Escpos  # noqa: E402
from escpos.printer import Dummy, File, Network, Serial, Usb  # noqa: E402

_STDOUT_LOCK = threading.Lock()


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Swallow python-escpos' ``print()`` calls, which would scribble on the terminal.

    ``redirect_stdout`` swaps a process-wide object, so our own threads take turns.
    """
    with _STDOUT_LOCK, contextlib.redirect_stdout(io.StringIO()):
        yield


def known_profiles() -> list[str]:
    """The capability profiles python-escpos knows (``profile = "TM-T88V"`` etc.)."""
    return sorted(CAPABILITIES["profiles"])


__all__ = [
    "CAPABILITIES",
    "Dummy",
    "Escpos",
    "File",
    "Network",
    "Serial",
    "Usb",
    "escpos_exceptions",
    "known_profiles",
    "quiet",
]
