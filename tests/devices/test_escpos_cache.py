"""python-escpos' printer-data cache: seats and commands starting together all start.

python-escpos rewrites its capabilities pickle in place, unguarded; a process starting
meanwhile read half a file and died with ``EOFError: Ran out of input`` (5 of 6 at once
with a fresh cache). ``devices._escpos`` writes the pickle whole first (a temporary file
renamed over it) and rebuilds one found broken. Real processes, a fresh cache each time.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import escpos

ROOT = Path(__file__).resolve().parents[2]
SEATS = 6

# Each process waits for the same moment, then imports what a seat or command imports.
_START = """
import sys, time
time.sleep(max(0.0, float(sys.argv[1]) - time.time()))
import devices.render, devices.printers
from devices._escpos import known_profiles
assert "TM-T88V" in known_profiles()
print("started")
"""


def _env(tmp_path: Path) -> dict[str, str]:
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    env.pop("ESCPOS_CAPABILITIES_PICKLE_DIR", None)
    return env


def _pickle(tmp_path: Path) -> Path:
    folder = tmp_path / "cache" / "serialdesk" / "escpos" / escpos.__version__
    return folder / f"{platform.python_version()}.capabilities.pickle"


def _start_together(tmp_path: Path, count: int) -> list[subprocess.CompletedProcess]:
    at = time.time() + 1.5  # time enough for every interpreter to be up and waiting
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", _START, str(at)],
            cwd=ROOT,
            env=_env(tmp_path),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(count)
    ]
    results = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        results.append(subprocess.CompletedProcess(process.args, process.returncode, out, err))
    return results


def test_six_seats_starting_together_on_a_fresh_cache_all_start(tmp_path):
    for attempt in range(2):  # the crash came in 2 of 3 tries: try twice, fresh each time
        run = tmp_path / f"try{attempt}"
        results = _start_together(run, SEATS)
        assert [r.stderr for r in results] == [""] * SEATS
        assert [(r.returncode, r.stdout) for r in results] == [(0, "started\n")] * SEATS
        pickle = _pickle(run)
        assert pickle.stat().st_size > 0
        # no leftovers: the pickle and the note of the file it was made from
        assert sorted(p.name for p in pickle.parent.iterdir()) == [
            pickle.name,
            f"{pickle.name}.source",
        ]


def test_a_broken_cache_is_rebuilt_and_said_so(tmp_path):
    pickle = _pickle(tmp_path)
    pickle.parent.mkdir(parents=True)
    pickle.write_bytes(b"\x80\x02}q\x00(X")  # half a pickle, newer than its source
    source = Path(escpos_capabilities_json())  # noted as made from it: taken as current
    stat = source.stat()
    made_from = pickle.with_name(pickle.name + ".source")
    made_from.write_text(f"{source.resolve()}\n{stat.st_mtime_ns}\n{stat.st_size}\n")
    result = _start_together(tmp_path, 1)[0]
    assert (result.returncode, result.stdout) == (0, "started\n"), result.stderr
    assert "unreadable" in result.stderr and "rebuilding" in result.stderr  # logged
    assert pickle.stat().st_size > 1000


def test_an_empty_cache_left_by_a_crash_is_rewritten_before_python_escpos_reads_it(tmp_path):
    pickle = _pickle(tmp_path)
    pickle.parent.mkdir(parents=True)
    pickle.write_bytes(b"")
    result = _start_together(tmp_path, 1)[0]
    assert (result.returncode, result.stdout, result.stderr) == (0, "started\n", "")


_HOSTILE = """
import os, pickle, sys
class Payload:
    def __reduce__(self):
        return (os.system, ("touch " + sys.argv[1],))
with open(sys.argv[2], "wb") as f:
    pickle.dump(Payload(), f)
"""


def test_a_pickle_another_user_could_write_is_rewritten_never_loaded(tmp_path):
    """python-escpos unpickles its cache: a file (or folder) writable by others would run
    their code as the shop's account. Such a file is rebuilt before anything reads it."""
    pickle = _pickle(tmp_path)
    pickle.parent.mkdir(parents=True)
    ran = tmp_path / "ran"
    subprocess.run([sys.executable, "-c", _HOSTILE, str(ran), str(pickle)], check=True)
    os.utime(pickle, (time.time() + 3600, time.time() + 3600))  # newer than its source
    pickle.chmod(0o666)
    result = _start_together(tmp_path, 1)[0]
    assert (result.returncode, result.stdout) == (0, "started\n"), result.stderr
    assert not ran.exists()
    assert pickle.stat().st_mode & 0o777 == 0o600 and pickle.stat().st_size > 1000


def test_the_cache_folders_are_private_whatever_the_umask(tmp_path):
    old = os.umask(0)
    try:
        result = _start_together(tmp_path, 1)[0]
    finally:
        os.umask(old)
    assert result.returncode == 0, result.stderr
    folder = _pickle(tmp_path).parent
    for made in (folder, folder.parent, folder.parent.parent):
        assert made.stat().st_mode & 0o777 == 0o700, made


def escpos_capabilities_json() -> str:
    from devices.printer_profiles import capabilities_file

    return str(capabilities_file())
