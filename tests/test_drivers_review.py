"""A hostile review of ``db.drivers`` (Peewee without psycopg2 until PostgreSQL is used).

Every check runs in a fresh process, as a seat does: ``db`` imported first, so Peewee
comes without the driver and PostgreSQL runs on the one ``enable_postgres`` hands over.
"No psycopg2" is a meta-path finder that makes psycopg2/psycopg/psycopg2cffi raise
ModuleNotFoundError, as an environment without them installed does.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.tui.conftest import counter, make_app  # noqa: F401  (counter: a fixture)

ROOT = Path(__file__).resolve().parent.parent

NO_PSYCOPG2 = """
import sys
class _NotInstalled:
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in ('psycopg2', 'psycopg', 'psycopg2cffi'):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None
sys.meta_path.insert(0, _NotInstalled())
"""


def _run(code: str, env: dict | None = None, tmp_path: Path | None = None):
    full_env = None
    if env is not None or tmp_path is not None:
        import os

        full_env = dict(os.environ)
        if tmp_path is not None:
            full_env.update(
                HOME=str(tmp_path),
                XDG_CONFIG_HOME=str(tmp_path / "config"),
                XDG_DATA_HOME=str(tmp_path / "data"),
                XDG_STATE_HOME=str(tmp_path / "state"),
            )
        full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _ok(done) -> str:
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


# --- PostgreSQL on the late driver -------------------------------------------------------


def test_late_driver_leaves_peewee_and_psycopg2_as_their_own_import_does():
    """Every module global of Peewee, the adapters' transaction states, psycopg2's global
    typecasters and adapters, and the modules loaded: the same either way."""
    snap = """
import sys, json
import psycopg2.extensions as ext, peewee
def rep(v):
    if isinstance(v, (int, str, float, bool, type(None))):
        return v
    name = getattr(v, '__qualname__', None) if isinstance(v, type) or callable(v) else None
    return name if isinstance(name, str) else type(v).__name__
out = {k: rep(v) for k, v in vars(peewee).items() if not k.startswith('__')}
for cls in [c for c in vars(peewee).values() if isinstance(c, type)]:
    for k in ('txn_idle', 'txn_inerror', 'txn_unknown'):
        if hasattr(cls, k):
            out[cls.__name__ + '.' + k] = getattr(cls, k)
out['string_types'] = sorted(map(str, ext.string_types))
out['adapters'] = sorted(map(str, ext.adapters))
out['modules'] = sorted(m for m in sys.modules if m.startswith(('psycopg', 'playhouse')))
print(json.dumps(out, sort_keys=True))
"""
    own = json.loads(_ok(_run("import psycopg2, peewee\n" + snap)))
    late = json.loads(
        _ok(
            _run(
                "import db, peewee\nassert peewee.psycopg2 is None\n"
                "db.drivers.enable_postgres()\n" + snap
            )
        )
    )
    assert late == own


CONFLICTS = """
import peewee
import app.cli  # noqa: F401  db first, as the seat
from app.domain.errors import Refused
from app.services.transaction import CONFLICT, write_transaction
from db.connection import db
from db.database import open_database
database = open_database(URL)
assert type(database._adapter).__name__ == 'Psycopg2Adapter'
for code in ('40P01', '40001'):
    try:
        with write_transaction():
            db.execute_sql(
                "DO $$ BEGIN RAISE EXCEPTION 'conflict' USING ERRCODE = '%s'; END $$" % code
            )
    except Refused as exc:
        assert str(exc) == CONFLICT, exc
    else:
        raise AssertionError('no conflict')
    assert not db.in_transaction()
    assert db.is_connection_usable()
    assert db.execute_sql('SELECT 1').fetchone() == (1,)
print('OK')
"""


def test_late_driver_conflict_codes_become_another_seat_changed(pg_schema_url):
    assert "OK" in _ok(_run(f"URL = {pg_schema_url!r}\n" + CONFLICTS))


REAL_DEADLOCK = """
import threading
import peewee
import app.cli  # noqa: F401
from db.connection import db
from db.database import is_conflict_error, open_database
database = open_database(URL)
db.execute_sql('CREATE TABLE rv_dl (id int primary key, v int)')
db.execute_sql('INSERT INTO rv_dl VALUES (1, 0), (2, 0)')
barrier = threading.Barrier(2)
results = {}
def worker(first, second):
    try:
        with db.atomic():
            db.execute_sql('UPDATE rv_dl SET v = v + 1 WHERE id = %s', (first,))
            barrier.wait()
            db.execute_sql('UPDATE rv_dl SET v = v + 1 WHERE id = %s', (second,))
        results[str(first)] = 'done'
    except peewee.DatabaseError as exc:
        results[str(first)] = 'conflict' if is_conflict_error(exc) else repr(exc)
    # the thread's connection after the rollback
    results[str(first) + 'usable'] = db.is_connection_usable() and not db.in_transaction()
    results[str(first) + 'again'] = db.execute_sql('SELECT count(*) FROM rv_dl').fetchone()[0]
    db.close()
threads = [threading.Thread(target=worker, args=a) for a in ((1, 2), (2, 1))]
[t.start() for t in threads]
[t.join() for t in threads]
print(sorted((k, str(v)) for k, v in results.items()))
"""


def test_late_driver_real_deadlock_between_threads_is_a_conflict(pg_schema_url):
    out = _ok(_run(f"URL = {pg_schema_url!r}\n" + REAL_DEADLOCK))
    assert "('1', 'conflict')" in out or "('2', 'conflict')" in out, out
    assert "('1', 'done')" in out or "('2', 'done')" in out, out
    assert "'False'" not in out, out


IN_ERROR = """
import peewee
import app.cli  # noqa: F401
from db.connection import db
from db.database import open_database
database = open_database(URL)
with db.atomic():
    try:
        with db.atomic():  # a savepoint
            db.execute_sql('SELECT 1/0')
    except peewee.DataError:
        pass
    assert db.execute_sql('SELECT 3').fetchone() == (3,)  # the outer one goes on
with db.atomic() as txn:
    try:
        db.execute_sql('SELECT 1/0')
    except peewee.DataError:
        pass
    # txn_status < txn_inerror: False while the transaction is in error
    assert db.is_connection_usable() is False
    txn.rollback()
assert db.is_connection_usable() is True
db.close()
db.connect()
print(db.execute_sql('SELECT %s::jsonb', ('{"a": [1, 2]}',)).fetchone()[0])
"""


def test_late_driver_transaction_states_after_errors(pg_schema_url):
    out = _ok(_run(f"URL = {pg_schema_url!r}\n" + IN_ERROR))
    assert "{'a': [1, 2]}" in out


MANY_THREADS = """
import threading, uuid
import app.cli  # noqa: F401
import peewee
from db.database import make_database
from db.reports_connection import make_reports_database
assert peewee.psycopg2 is None
barrier = threading.Barrier(8)
errors = []
def worker(i):
    try:
        barrier.wait()
        make = make_reports_database if i % 2 else make_database
        database = make(URL)
        database.connect()
        u = uuid.uuid4()
        assert database.execute_sql('SELECT %s::uuid', (u,)).fetchone()[0] == u
        database.close()
    except Exception as exc:
        errors.append(repr(exc))
threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
[t.start() for t in threads]
[t.join() for t in threads]
print('ERRORS', errors)
"""


def test_eight_threads_making_postgresql_at_once(pg_schema_url):
    assert "ERRORS []" in _ok(_run(f"URL = {pg_schema_url!r}\n" + MANY_THREADS))


def test_a_postgresql_database_built_by_hand_after_db_is_imported(pg_schema_url):
    """A script or integration that imports the app (so ``db``) and then builds its own
    PostgreSQL database with Peewee or playhouse.db_url, psycopg2 installed."""
    code = (
        "import app.cli\n"
        "from playhouse.db_url import connect\n"
        f"database = connect({pg_schema_url!r})\n"
        "database.connect()\n"
        "print(database.execute_sql('SELECT 1').fetchone())\n"
    )
    assert "(1,)" in _ok(_run(code))


# --- no psycopg2 installed -------------------------------------------------------------


def test_without_psycopg2_a_sqlite_seat_still_works(tmp_path):
    code = NO_PSYCOPG2 + (
        "import sys\n"
        "from app.cli import main\n"
        "assert main(['init']) == 0\n"
        "from db.database import open_database\n"
        "from app.domain.serials import normalize_gtin, read_scan\n"
        "print(normalize_gtin('4006381333931'), read_scan('4006381333931').kind)\n"
    )
    out = _ok(_run(code, {"SERIALDESK_DB": str(tmp_path / "shop.db")}, tmp_path))
    assert "04006381333931" in out


def test_without_psycopg2_a_postgresql_reports_database_on_a_sqlite_seat_is_refused_in_words(
    tmp_path,
):
    """Before fd226b8: "The reports database ... is not the same kind as the main
    database" (a Refused, shown on the Reports screen and by ``serialdesk report``)."""
    code = NO_PSYCOPG2 + (
        "from app.cli import main\n"
        "assert main(['init']) == 0\n"
        "from app.domain.errors import Refused\n"
        "from app.services.reports import runner\n"
        "try:\n"
        "    runner.run('stock', reports_database='postgresql://u@127.0.0.1:5432/x')\n"
        "except Refused as exc:\n"
        "    print('REFUSED', exc)\n"
    )
    out = _ok(_run(code, {"SERIALDESK_DB": str(tmp_path / "shop.db")}, tmp_path))
    assert "REFUSED" in out and "not the same kind" in out


def test_without_psycopg2_a_postgresql_seat_says_what_is_missing(tmp_path):
    code = NO_PSYCOPG2 + ("import sys\nfrom app.cli import main\nsys.exit(main(['init']))\n")
    done = _run(code, {"SERIALDESK_DB": "postgresql://u@127.0.0.1:5432/x"}, tmp_path)
    assert done.returncode not in (0, 3), done.stderr  # 3: "unexpected error ... a bug"
    assert "psycopg2" in done.stderr


# --- check digits, with python-stdnum loaded late ----------------------------------------


def test_check_digits_load_stdnum_late_and_decide_as_stdnum_does():
    code = """
import sys, random
import app.cli
from app.domain.errors import InvalidSerial, Refused
from app.domain import serials, meid as meid_mod
assert not any(m.startswith('stdnum') for m in sys.modules), 'stdnum at import'
rnd = random.Random(7)
cases = []
for n in range(4000):
    length = rnd.choice((8, 11, 12, 13, 14, 15, 18))
    alphabet = '0123456789ABCDEF' if rnd.random() < 0.3 else '0123456789'
    cases.append(''.join(rnd.choice(alphabet) for _ in range(length)))
from stdnum import ean, meid
from stdnum.exceptions import ValidationError, InvalidChecksum
bad = []
for c in cases:
    if c.isdigit() and serials.gtin_check_ok(c) != ean.is_valid(c):
        bad.append(('gtin', c))
    try:
        got = meid_mod.canonical_meid(c)
    except InvalidSerial as exc:
        got = 'checksum' if 'check digit' in str(exc) else 'invalid'
    esn = meid_mod._esn(c)
    if esn is not None:
        want = esn
    else:
        try:
            want = meid.validate(c)
        except InvalidChecksum:
            want = 'checksum'
        except ValidationError:
            want = 'invalid'
    if got != want:
        bad.append(('meid', c, got, want))
print('BAD', bad[:5], len(bad))
"""
    assert "BAD [] 0" in _ok(_run(code))


# --- the Reports screen, psycopg2 missing (in-process: Peewee's driver taken away) ----------


@pytest.fixture
def psycopg2_not_installed(monkeypatch):
    import peewee

    monkeypatch.setattr(peewee, "psycopg2", None)
    for name in ("psycopg2", "psycopg2.extensions", "psycopg2.extras", "psycopg2cffi"):
        monkeypatch.setitem(sys.modules, name, None)


async def test_without_psycopg2_the_reports_screen_says_why_for_a_postgresql_reports_db(
    counter,  # noqa: F811
    psycopg2_not_installed,
):
    from dataclasses import replace

    from screens.reports import ReportsScreen
    from tests.tui.test_reports_screen import run_report, text
    from tests.tui.test_reports_screen_source import open_reports

    app = make_app(counter)
    app.config = replace(app.config, reports_database="postgresql://u@127.0.0.1:5432/x")
    async with app.run_test(size=(120, 24)) as pilot:
        screen = await open_reports(pilot)
        assert isinstance(screen, ReportsScreen)
        await run_report(pilot)
        shown = text(app, "#message") + text(app, "#status")
        assert "Running" not in text(app, "#status"), shown  # not left running forever
        assert "not the same kind" in shown, shown
