"""One proof of identity at every door of the command line (issue 11).

The matrix runs every command of ``app.cli.doors.DOORS`` that asks for proof, as every
role, with no credential, a wrong PIN, an expired token, a revoked token, a token of a
narrower scope, and the right PIN and token, on one SQLite shop per test process.
"""

from __future__ import annotations

import argparse
import functools
import json
from datetime import UTC, datetime, timedelta

import pytest

from app.cli import entry as cli
from app.cli import identity
from app.cli.doors import DOORS, Proof
from app.domain import pins
from app.services.access import tokens
from app.services.access.tokens import REFUSED
from db.access_models import AccessEvent, ApiToken
from db.database import close_database, open_database
from db.models import Employee
from tests.cli.conftest import Cli, assert_one_line, environ
from tests.conftest import make_shop
from tests.support import receive_quantity

ROLES = {"manager": "mia", "cashier": "cal", "inventory": "ivy", "technician": "ted"}

# The least each command parses with; what it then does is the services' business.
ARGV = {
    "passport": ["passport", "NOPE"],
    "customers": ["customers", "x"],
    "sale": ["sale", "S-999"],
    "repair show": ["repair", "show", "R-999"],
    "repair list": ["repair", "list"],
    "report": ["report", "stock-count"],
    "receive": ["receive", "--supplier", "PhoneCo", "--product", "PH-X1", "NOPE"],
    "sell": ["sell", "NOPE"],
    "return": ["return", "--serial", "NOPE", "--condition", "ok", "--disposition", "in_stock"],
    "transfer-out": ["transfer-out", "--to", "B", "NOPE"],
    "transfer-in": ["transfer-in", "T-999", "NOPE"],
    "supplier-return": ["supplier-return", "--supplier", "PhoneCo", "--reason", "r", "NOPE"],
    "adjust": ["adjust", "write_off", "NOPE", "--reason", "r"],
    "stocktake open": ["stocktake", "open", "--type", "NOPE"],
    "stocktake scan": ["stocktake", "scan", "ST-999", "NOPE"],
    "stocktake unscan": ["stocktake", "unscan", "ST-999", "NOPE"],
    "stocktake close": ["stocktake", "close", "ST-999"],
    "repair intake": ["repair", "intake", "NOPE", "--complaint", "c"],
    "repair status": ["repair", "status", "R-999", "diagnosing"],
    "repair part": ["repair", "part", "R-999", "screw"],
    "repair collect": ["repair", "collect", "R-999", "--outcome", "o"],
    "replace": ["replace", "NOPE", "NOPE2"],
    "kit assemble": ["kit", "assemble", "NOPE", "NOPE"],
    "kit disassemble": ["kit", "disassemble", "NOPE"],
    "kit define": ["kit", "define", "NOPE", "NOPE2"],
    "set-mode": ["set-mode", "--product", "NOPE", "strict"],
    "init": ["init"],
    "add branch": ["add", "branch", "ZZ", "Nowhere"],
    "add employee": ["add", "employee", "zed", "Zed", "cashier"],  # no new PIN: refused after
    "add supplier": ["add", "supplier", "Acme"],
    "add product-type": ["add", "product-type", "Gadgets", "none"],
    "add product": ["add", "product", "NOPE", "Nope", "NoType", "1"],
    "add min-pin": ["add", "min-pin", "cashier", "4"],
    "day-end": ["day-end", "--no-print", "--date", "2020-01-01"],
    "backup": ["backup"],  # no path: refused after the proof
    "restore": ["restore", "/nonexistent/backup.db", "--yes"],
    "ssh-seat": ["ssh-seat", "/nonexistent/key.pub", "--seat", "Till"],
    "token create": ["token", "create", "cal", "--role", "read", "--days", "1", "--name", "t"],
    "token list": ["token", "list"],
    "token revoke": ["token", "revoke", "999999"],
    "import": ["import", "stock", "/nonexistent/stock.csv"],
    "export": ["export", "/proc/nonexistent/export"],  # cannot be made: refused after
}
PARSER = functools.cache(cli.build_parser)
GUARDED = sorted(key for key, door in DOORS.items() if door.proof is not Proof.FREE)


def manager(shop):
    """Mia on today's clock: the CLI checks tokens against the real time."""
    return shop.manager.at(lambda: datetime.now(UTC))


@pytest.fixture(scope="module")
def shop_db(tmp_path_factory):
    """A seeded shop with, for each role's employee, every kind of token."""
    mp = pytest.MonkeyPatch()
    mp.setattr(pins, "_N", 2**4)
    url = str(tmp_path_factory.mktemp("identity") / "shop.db")
    open_database(url)
    mia = manager(make_shop(url))
    past = mia.at(lambda: datetime.now(UTC) - timedelta(days=30))
    kinds = {}
    for role, login in ROLES.items():
        own = tokens.create_token(mia, login, role, 30, "own").token
        read = tokens.create_token(mia, login, "read", 30, "read").token
        expired = tokens.create_token(past, login, role, 1, "old").token
        revoked = tokens.create_token(mia, login, role, 30, "gone")
        tokens.revoke_token(mia, revoked.info.id)
        kinds[login] = {"own": own, "read": read, "expired": expired, "revoked": revoked.token}
    close_database()
    yield url, kinds
    mp.undo()


@pytest.fixture
def proofs(monkeypatch, request):
    """Every proof that passed, as (login, read_only), in order; wrong PINs counted at a
    seat of the test's own."""
    monkeypatch.setattr(identity, "cli_seat", lambda: f"test:{request.node.name}"[:120])
    monkeypatch.setattr(cli, "build_parser", PARSER)  # built once: the matrix runs ~1,500
    passed: list = []
    real = identity.prove

    def prove(args):
        proven = real(args)
        passed.append(proven and (proven.login, proven.read_only))
        return proven

    monkeypatch.setattr(identity, "prove", prove)
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    return passed


def sd(url: str, argv: list[str], *, login=None, pin=None, token=None):
    args = ["--db", url, *(["--employee", login] if login else []), *argv]
    with environ(SERIALDESK_PIN=pin, SERIALDESK_TOKEN=token):
        return cli.main(args)


def test_every_command_of_the_parser_is_in_the_one_table():
    def leaves(parser) -> set[str]:
        found = set()
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for sub in action.choices.values():
                    door = sub.get_default("door")
                    found |= {door} if door is not None else leaves(sub)
        return found

    assert leaves(cli.build_parser()) == set(DOORS) - {""}
    assert set(ARGV) == set(GUARDED)  # a new command needs its row here too


@pytest.mark.parametrize("role", sorted(ROLES))
@pytest.mark.parametrize("command", GUARDED)
def test_every_guarded_command_takes_proof_and_only_proof(shop_db, proofs, capsys, command, role):
    url, kinds = shop_db
    login, door, argv = ROLES[role], DOORS[command], ARGV[command]
    mine = kinds[login]

    def refused(code: int, says: str, **credential) -> None:
        assert sd(url, argv, **credential) == code, (command, role, credential)
        err = capsys.readouterr().err
        assert_one_line(err)
        assert says in err, err
        assert proofs == []

    refused(2, "needs proof of who runs it")
    refused(2, "proves nothing without a PIN", login=login)
    refused(1, "Wrong PIN", login=login, pin="9876")
    if door.pin_only:  # no token will do, whatever its state
        for kind in ("expired", "revoked", "read", "own"):
            refused(2, "not a token", token=mine[kind])
    else:
        refused(1, "expired", token=mine["expired"])
        refused(1, "revoked", token=mine["revoked"])
    if door.pin_only:
        pass
    elif door.proof is Proof.WRITE:
        refused(1, "may only read", token=mine["read"])
    elif door.manager:
        refused(1, "not a manager's", token=mine["read"])

    takes_role = not door.manager or role == "manager"
    sd(url, argv, login=login, pin="1234")
    capsys.readouterr()
    assert proofs == ([(login, False)] if takes_role else []), (command, role)
    proofs.clear()
    if not door.pin_only:
        sd(url, argv, token=mine["own"])
        capsys.readouterr()
        assert proofs == ([(login, False)] if takes_role else []), (command, role)


def test_reading_commands_that_show_nothing_private_stay_free(shop_db, proofs, capsys):
    url, _ = shop_db
    for argv in (["products"], ["stock"], ["transfers"], ["verify"], ["devices"]):
        assert sd(url, argv) in (0, 1), argv  # verify may find a problem; never a proof
        assert "proof" not in capsys.readouterr().err
    assert sd(url, ["--version"]) == 0 and sd(url, ["--help"]) == 0


def test_a_read_token_reads_customers_but_writes_nothing(shop_db, proofs, capsys):
    url, kinds = shop_db
    assert sd(url, ["customers", "x"], token=kinds["cal"]["read"]) == 0
    assert proofs == [("cal", True)]


def test_a_managers_narrower_token_acts_with_the_narrower_role(srun, capsys):
    shop = srun.shop
    narrow = tokens.create_token(manager(shop), "mia", "cashier", 5, "till").token
    with environ(SERIALDESK_TOKEN=narrow):
        err = srun.refused("adjust", "found", "--product", "AC-CASE", "--qty", "1", "--reason", "r")
    assert "Mia Manager (cashier) may not" in err


def test_a_token_stops_when_its_employee_goes_or_is_lowered(srun, capsys):
    shop = srun.shop
    ivy = tokens.create_token(manager(shop), "ivy", "inventory", 5, "shelf").token
    mia = tokens.create_token(manager(shop), "mia", "manager", 5, "office").token
    open_database(srun.url)
    Employee.update(active=False).where(Employee.login == "ivy").execute()
    Employee.update(role="cashier").where(Employee.login == "mia").execute()
    with environ(SERIALDESK_TOKEN=ivy):
        assert "no longer works here" in srun.refused("stocktake", "open")
    with environ(SERIALDESK_TOKEN=mia):
        assert "is now a cashier" in srun.refused("customers", "x")


def test_a_token_is_created_once_stored_hashed_and_listed_without_its_secret(run, capsys):
    made = run.json(
        "token", "create", "cal", "--role", "cashier", "--days", "30", "--name", "till",
        employee="mia",
    )  # fmt: skip
    token = made["token"]
    secret = token.split("_", 2)[2]
    assert token.startswith(f"sdk_{made['id']}_") and len(secret) >= 40
    listed = run.ok("token", "list", employee="mia") + run.ok(
        "token", "list", "--json", employee="mia"
    )
    assert secret not in listed and "till" in listed
    assert json.loads(run.ok("token", "list", "--json", employee="mia"))[0]["last_used"] is None
    open_database(run.url)
    stored = [str(v) for row in ApiToken.select().tuples() for v in row]
    stored += [str(v) for row in AccessEvent.select().tuples() for v in row]
    assert not any(secret in value for value in stored)
    assert ApiToken.get_by_id(made["id"]).secret_hash == tokens._digest(secret)
    close_database()
    assert "a narrower one" in run.refused(
        "token",
        "create",
        "cal",
        "--role",
        "manager",
        "--days",
        "30",
        "--name",
        "x",
        employee="mia",
    )  # fmt: skip  (a cashier's token cannot be a manager's)
    assert "1 to 366 days" in run.refused(
        "token", "create", "cal", "--role", "read", "--days", "400", "--name", "x", employee="mia"
    )


def test_every_use_creation_and_revocation_of_a_token_is_recorded(run, capsys):
    token = run.json(
        "token", "create", "cal", "--role", "cashier", "--days", "3", "--name", "t", employee="mia"
    )["token"]
    number = token.split("_")[1]
    with environ(SERIALDESK_TOKEN=token):
        run.ok("customers", "x")
        run.refused("sell", "NOPE")
        run.refused("token", "list")  # not a manager's
    run.ok("token", "revoke", number, employee="mia")
    with environ(SERIALDESK_TOKEN=token):
        assert "revoked" in run.refused("sale", "S-1")
    open_database(run.url)
    events = [
        (e.kind, e.detail)
        for e in AccessEvent.select()
        .where(AccessEvent.kind.startswith("token"))
        .order_by(AccessEvent.id)
    ]
    close_database()
    kinds = [kind for kind, _ in events]
    assert kinds == [
        "token_created", "token", "token", "token_refused", "token_revoked", "token_refused",
    ]  # fmt: skip
    commands = [d.split(" ", 1)[1].split(":")[0] for k, d in events if k in ("token", REFUSED)]
    assert commands == ["customers", "sell", "token list", "sale"]
    used = json.loads(run.ok("token", "list", "--json", employee="mia"))[0]
    assert used["last_used"] is not None and used["revoked"] is not None


def test_a_token_and_another_login_are_refused(srun, capsys):
    token = tokens.create_token(manager(srun.shop), "cal", "cashier", 3, "t").token
    with environ(SERIALDESK_TOKEN=token):
        assert "is cal's, not ivy's" in srun.refused("customers", "x", "--employee", "ivy")
        assert srun.ok("customers", "x", "--employee", "cal") is not None


def test_secrets_on_the_command_line_are_refused(srun, capsys):
    for argv in (
        ["sell", "X", "--approved-by", "mia", "--approver-pin", "1234"],
        ["sell", "X", "--approved-by", "mia", "--approver-pin=1234"],
        ["--pin", "1234", "sell", "X"],
        ["--token", "sdk_1_abc", "sell", "X"],
    ):
        err = srun.refused(*argv, employee="cal", code=2)
        assert "never go on the command line" in err and "1234" not in err
    err = srun.refused("sell", "X", "--approver-pin", "1234", employee="cal", code=2)
    assert "--approver-pin-file" in err and "SERIALDESK_APPROVER_TOKEN" in err
    assert cli._redacted(["--approver-pin", "1234", "--approver-pin=99"]) == [
        "--approver-pin", "***", "--approver-pin=***",
    ]  # fmt: skip


def test_a_pin_from_a_file_or_the_environment(srun, capsys, tmp_path):
    pin = tmp_path / "pin"
    pin.write_text("1234\n")
    assert srun.ok("--employee", "cal", "--pin-file", str(pin), "customers", "x") is not None
    with environ(SERIALDESK_PIN="1234", SERIALDESK_EMPLOYEE="cal"):
        assert srun.ok("customers", "x") is not None
    pin.write_text("4321\n")
    assert "Wrong PIN" in srun.refused(
        "--employee", "cal", "--pin-file", str(pin), "customers", "x"
    )
    err = srun.refused("--employee", "cal", "--pin-file", "-", "customers", "x", code=2)
    assert "standard input carries serial lists" in err


def test_a_manager_approves_with_a_pin_file_or_a_managers_token(srun, capsys, tmp_path):
    shop = srun.shop
    receive_quantity(shop.inventory, "AC-CASE", 5)
    sell = ["sell", "AC-CASE:1@1.00"]  # below the list price: a manager approves
    assert "needs a manager's approval" in srun.refused(*sell, employee="cal")
    pin = tmp_path / "mia.pin"
    pin.write_text("1234\n")
    srun.ok(*sell, "--approved-by", "mia", "--approver-pin-file", str(pin), employee="cal")
    boss = tokens.create_token(manager(shop), "mia", "manager", 3, "approvals").token
    cashier = tokens.create_token(manager(shop), "cal", "cashier", 3, "till").token
    with environ(SERIALDESK_APPROVER_TOKEN=boss):
        # Nobody asked for an approval: the token in the environment approves nothing.
        assert "needs a manager's approval" in srun.refused(*sell, employee="cal")
        srun.ok(*sell, "--approved-by", "mia", employee="cal")
        assert "mia's, not max's" in srun.refused(*sell, "--approved-by", "max", employee="cal")
    with environ(SERIALDESK_APPROVER_TOKEN=cashier):
        assert "not a manager's" in srun.refused(*sell, "--approved-by", "cal", employee="cal")


def test_init_is_free_on_a_new_database_and_a_managers_on_an_existing_one(tmp_path, capsys):
    new = Cli(str(tmp_path / "new.db"), capsys)
    assert "Database ready" in new.ok("init")
    assert "Added branch" in new.ok("add", "branch", "MAIN", "Main")


def test_init_on_an_existing_shop_takes_a_manager(srun, capsys):
    assert "needs proof" in srun.refused("init", code=2)
    assert "takes a manager" in srun.refused("init", employee="cal")
    assert "Database ready" in srun.ok("init", employee="mia")


def test_a_token_can_go_straight_into_a_private_file_never_on_screen(srun, capsys, tmp_path):
    target = tmp_path / "cron.token"
    out = srun.ok(
        "token", "create", "mia", "--role", "manager", "--days", "366", "--name", "cron",
        "--out", str(target), employee="mia",
    )  # fmt: skip
    token = target.read_text().strip()
    assert token.startswith("sdk_") and token not in out and str(target) in out
    assert target.stat().st_mode & 0o777 == 0o600
    assert srun.ok("--token-file", str(target), "backup", str(tmp_path / "b.db"))
    before = len(tokens.list_tokens(manager(srun.shop)))
    err = srun.refused(
        "token", "create", "mia", "--role", "read", "--days", "1", "--name", "again",
        "--out", str(target), employee="mia",
    )  # fmt: skip
    assert "exists already" in err and target.read_text().strip() == token
    assert len(tokens.list_tokens(manager(srun.shop))) == before  # no token made for nothing


def test_a_tokens_number_with_a_wrong_secret_is_recorded_as_a_refused_use(run, capsys):
    token = run.json(
        "token", "create", "cal", "--role", "cashier", "--days", "3", "--name", "t", employee="mia"
    )["token"]
    guess = token.rsplit("_", 1)[0] + "_guessed"
    with environ(SERIALDESK_TOKEN=guess):
        assert "not valid" in run.refused("customers", "x")
    open_database(run.url)
    last = AccessEvent.select().order_by(AccessEvent.id.desc()).first()
    close_database()
    assert (last.kind, last.detail) == (
        "token_refused",
        f"#{token.split('_')[1]} customers: wrong secret",
    )
