"""Which commands of ``serialdesk`` need proof of who runs them: the one table.

``app.cli.entry.main`` looks every command up here before it runs, and a command
missing from the table does not run at all; ``tests/cli/test_identity.py`` checks that
every command of the parser is listed. The services still decide what each role may do;
a door only says whether a PIN or token is needed, whether a read-only token will do, and
whether it takes a manager.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Proof(StrEnum):
    FREE = "free"  # shows no customers, costs or margins and changes nothing
    READ = "read"  # shows customers, costs or margins: any proof, a read token will do
    WRITE = "write"  # changes something: a PIN, or a token with a role


@dataclass(frozen=True)
class Door:
    proof: Proof
    manager: bool = False  # only a manager (a manager's PIN or a manager token)
    bootstrap: bool = False  # free while the shop has no staff yet (setting it up)
    pin_only: bool = False  # a token will not do: a leaked token cannot make new ones
    why: str = ""


FREE, READ, WRITE = Proof.FREE, Proof.READ, Proof.WRITE
_SETUP = Door(WRITE, manager=True, bootstrap=True, why="shop set-up")

DOORS: dict[str, Door] = {
    "": Door(FREE, why="the counter screens: they sign in with a PIN themselves"),
    "devices": Door(FREE, why="this seat's scanner and printer"),
    "products": Door(FREE, why="catalogue and list prices"),
    "stock": Door(FREE, why="quantities and serials, no costs"),
    "transfers": Door(FREE, why="transfers in transit"),
    "stocktake status": Door(FREE, why="counted and missing serials"),
    "kit show": Door(FREE, why="a kit's parts"),
    "verify": Door(FREE, why="history chain check: counts and hashes"),
    "doctor": Door(FREE, why="this box's file modes; --fix only makes files private"),
    "serve": Door(FREE, why="the counter screens in a browser: they ask for a PIN themselves"),
    "passport": Door(READ, why="customer, cost"),
    "customers": Door(READ, why="customers"),
    "sale": Door(READ, why="customer"),
    "repair show": Door(READ, why="customer"),
    "repair list": Door(READ, why="customers"),
    "report": Door(READ, why="costs, margins, customers"),
    "receive": Door(WRITE),
    "sell": Door(WRITE),
    "return": Door(WRITE),
    "transfer-out": Door(WRITE),
    "transfer-in": Door(WRITE),
    "supplier-return": Door(WRITE),
    "adjust": Door(WRITE),
    "stocktake open": Door(WRITE),
    "stocktake scan": Door(WRITE),
    "stocktake unscan": Door(WRITE),
    "stocktake close": Door(WRITE),
    "repair intake": Door(WRITE),
    "repair status": Door(WRITE),
    "repair part": Door(WRITE),
    "repair collect": Door(WRITE),
    "replace": Door(WRITE),
    "kit assemble": Door(WRITE),
    "kit disassemble": Door(WRITE),
    "kit define": Door(WRITE, manager=True),
    "set-mode": Door(WRITE, manager=True),
    "init": Door(WRITE, manager=True, bootstrap=True, why="upgrade an existing database"),
    "add branch": _SETUP,
    # A token will not do: a leaked manager token must not make a manager with a PIN of its
    # choosing, who could then make tokens (``token create`` takes a PIN only).
    "add employee": Door(WRITE, manager=True, bootstrap=True, pin_only=True, why="shop set-up"),
    "add supplier": _SETUP,
    "add product-type": _SETUP,
    "add product": _SETUP,
    "add min-pin": _SETUP,
    "day-end": Door(READ, why="the day's sales and returns totals; writes an anchor"),
    "backup": Door(READ, manager=True, why="copies every customer"),
    "restore": Door(WRITE, manager=True, why="replaces the whole database"),
    "ssh-seat": Door(WRITE, manager=True, why="gives an SSH key a counter seat"),
    "token create": Door(WRITE, manager=True, pin_only=True),
    "token list": Door(READ, manager=True),
    "token revoke": Door(WRITE, manager=True),
    "import": Door(WRITE, manager=True, why="moving in: the shop's spreadsheets into the ledger"),
    "export": Door(READ, manager=True, why="copies every customer and cost"),
}


def door_key(prog: str) -> str:
    """A command's key in ``DOORS`` from its parser's prog, e.g. 'serialdesk stocktake open'."""
    return prog.partition(" ")[2]


def door_of(command: str) -> Door:
    """The command's door; a command nobody listed is a bug, not a free pass."""
    try:
        return DOORS[command]
    except KeyError:
        raise LookupError(f"serialdesk {command} is not in app.cli.doors.DOORS") from None
