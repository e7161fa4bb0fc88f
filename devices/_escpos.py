"""The one place python-escpos is imported, after defusing what its import does.

python-escpos 3.1, on import of ``escpos.capabilities``:

* calls ``logging.basicConfig()``, which puts a stderr handler on the root logger;
  its output lands in the middle of a Textual screen. A NullHandler on the root
  logger while importing makes that call a no-op; it is removed afterwards so
  the app's own logging setup (to a file) still works as usual.
* pickles its printer database into ``mkdtemp()`` -- a new temp dir on every
  start -- unless ``ESCPOS_CAPABILITIES_PICKLE_DIR`` is set. We point it at a
  stable cache dir per user and per python-escpos version. Even then it calls
  ``mkdtemp()`` (it is the default argument of ``environ.get``, evaluated anyway),
  so during the import ``mkdtemp`` answers with that cache dir instead.
* rewrites that pickle in place, unguarded, whenever it is missing or older than
  its ``capabilities.json``: a seat or command starting meanwhile reads half a
  file and dies with ``EOFError: Ran out of input`` (seats of a shop start
  together). So we write the pickle first, whole (a temporary file renamed over
  it), and python-escpos only ever reads a complete one; should it still meet a
  broken one (left by another program), it is rebuilt and the import retried.

Its ``barcode()`` also ``print()``s "Using hardware barcode renderer" to stdout;
``quiet()`` swallows that (see ``devices.render``).
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import pickle
import platform
import stat
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import escpos  # the package itself only reads its version; the traps are in its modules
from platformdirs import user_cache_dir

from devices.printer_profiles import capabilities_file

PICKLE_DIR_VARIABLE = "ESCPOS_CAPABILITIES_PICKLE_DIR"
IMPORT_ATTEMPTS = 3
log = logging.getLogger(__name__)


def _pickle_dir() -> str:
    """A stable directory for python-escpos' capabilities pickle (per version), this user's
    alone: python-escpos *unpickles* the file on every start, so a folder or file another
    user could write would let them run code as the shop's account."""
    version = getattr(escpos, "__version__", "unknown")
    preferred = Path(user_cache_dir("serialdesk", appauthor=False)) / "escpos" / version
    fallback = Path(tempfile.gettempdir()) / f"serialdesk-escpos-{os.getuid()}" / version
    for candidate in (preferred, fallback):
        try:
            _make_private(candidate)
        except OSError:
            continue
        if _private_to_me(candidate) and _private_to_me(candidate.parent):
            return str(candidate)
    return tempfile.mkdtemp(prefix="serialdesk-escpos-")  # 0700, new: nobody else's


def _make_private(folder: Path) -> None:
    """``folder`` and its missing parents, each created here 0700 whatever the umask."""
    missing = []
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    for created in reversed(missing):
        try:
            created.mkdir(mode=0o700)
        except FileExistsError:
            continue
        os.chmod(created, 0o700)


def _private_to_me(path: Path) -> bool:
    """Owned by this user and writable by nobody else (no symlink followed)."""
    try:
        info = path.lstat()
    except OSError:
        return False
    return (
        (stat.S_ISDIR(info.st_mode) or stat.S_ISREG(info.st_mode))
        and info.st_uid == os.getuid()
        and not info.st_mode & 0o022
    )


def pickle_path(pickle_dir: str) -> Path:
    """Where python-escpos keeps its pickle in ``pickle_dir`` (its own naming)."""
    return Path(pickle_dir) / f"{platform.python_version()}.capabilities.pickle"


def build_pickle(pickle_dir: str, *, force: bool = False) -> bool:
    """Write python-escpos' capabilities pickle whole, unless a current one is there.

    Written to a temporary file beside it and renamed over it, so a process starting at the
    same moment reads the old file or the new one, never a part. Returns whether it wrote.
    """
    import yaml  # python-escpos' own dependency, used as it does

    source, target = capabilities_file(), pickle_path(pickle_dir)
    try:
        source_stat = source.stat()
        source_time = source_stat.st_mtime
        if target.exists() and not _private_to_me(target):
            force = True  # someone else could have written it: never unpickle it, rewrite it
        # python-escpos loads any pickle not older than the file it is told to read, made
        # from whichever file: ours records which file (and which version of it) it holds.
        made_from = target.with_name(target.name + ".source")
        wanted = f"{source.resolve()}\n{source_stat.st_mtime_ns}\n{source_stat.st_size}\n"
        if not force and target.exists():
            current = target.stat()
            same_source = made_from.exists() and made_from.read_text("utf-8") == wanted
            if current.st_size and current.st_mtime >= source_time and same_source:
                return False  # python-escpos will load it rather than rewrite it
        with source.open(encoding="utf-8") as file:
            data = yaml.load(file, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        if not data:
            return False  # python-escpos reports a broken file itself
        fd, temporary = tempfile.mkstemp(prefix=".capabilities.", suffix=".tmp", dir=pickle_dir)
        try:
            with os.fdopen(fd, "wb") as file:
                pickle.dump(data, file, protocol=2)
            stamp = max(time.time(), source_time)  # never older than its source
            os.utime(temporary, (stamp, stamp))
            os.replace(temporary, target)
            made_from.write_text(wanted, encoding="utf-8")
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
    except (OSError, ValueError, yaml.YAMLError) as exc:
        log.warning("could not prepare python-escpos' printer data in %s: %s", target, exc)
        return False
    return True


def _forget_escpos_modules() -> None:
    """Drop what a failed import left behind, so the next attempt runs the modules again."""
    for name in [m for m in sys.modules if m.startswith("escpos.")]:
        del sys.modules[name]


def _import_escpos() -> None:
    if "escpos.capabilities" in sys.modules:
        log.warning("python-escpos was imported before devices._escpos; its traps are armed")
    pickle_dir = os.environ.setdefault(PICKLE_DIR_VARIABLE, _pickle_dir())
    build_pickle(pickle_dir)
    for attempt in range(1, IMPORT_ATTEMPTS + 1):
        try:
            _import_guarded(pickle_dir)
            return
        except (EOFError, pickle.UnpicklingError, AttributeError, ValueError) as exc:
            _forget_escpos_modules()
            if attempt == IMPORT_ATTEMPTS:
                raise RuntimeError(
                    f"python-escpos cannot read its printer data in {pickle_path(pickle_dir)} "
                    f"({type(exc).__name__}: {exc}); delete that file and start again."
                ) from exc
            log.warning(
                "python-escpos' printer data in %s was unreadable (%s: %s); rebuilding it",
                pickle_path(pickle_dir),
                type(exc).__name__,
                exc,
            )
            time.sleep(0.05 * attempt)  # another process may be writing it right now
            build_pickle(pickle_dir, force=True)


def _import_guarded(pickle_dir: str) -> None:
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
