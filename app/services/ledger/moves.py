"""Moving a unit: its state changes and one history row is appended, or nothing
happens. Every state change of a unit goes through ``move_unit``."""

from __future__ import annotations

from app.domain.errors import Refused
from app.domain.states import Event, UnitState, can_transition
from app.domain.text import MAX_STORED_NOTE, free_text
from app.services.access.context import Approver, Context
from db.bulk import update_where
from db.connection import NEW_UNIT_LOCK, db, is_sqlite, lock_sql
from db.history import FACT_FIELDS, append_events, facts_text
from db.models import Document, Unit


def append_event(
    unit_id: int,
    event: Event,
    from_state: str | None,
    to_state: UnitState,
    ctx: Context,
    document: Document | None,
    note: str = "",
    approver: Approver | None = None,
    branch_id: int | None = None,
    facts: str | None = None,
) -> None:
    """Append one row to the unit's history (and to the tamper-evident chain); ``facts``:
    the unit's facts if the caller has them as they are now (else they are read)."""
    append_events(
        [
            {
                **({"facts": facts} if facts is not None else {}),
                "unit": unit_id,
                "event": event.value,
                "at": ctx.now(),
                "branch": branch_id if branch_id is not None else ctx.branch_id,
                "employee": ctx.employee_id,
                "approved_by": approver.employee_id if approver else None,
                "document": document.id if document else None,
                "from_state": from_state,
                "to_state": to_state.value,
                "note": note,
            }
        ]
    )


def move_unit(
    unit: Unit,
    event: Event,
    to_state: UnitState,
    ctx: Context,
    document: Document | None,
    *,
    note: str = "",
    approver: Approver | None = None,
    **changes,
) -> None:
    """Change a unit's state and append the history row, or refuse.

    The update is conditional on the state we read, so a seat that lost a race
    (another seat moved the unit first) is refused instead of overwriting.
    """
    note = free_text(note, "note", limit=MAX_STORED_NOTE, lines=True)
    from_state = UnitState(unit.state)
    if not can_transition(event, from_state, to_state):
        raise Refused(
            f"{unit.serial} is {from_state.label}; '{event.label}' cannot make it {to_state.label}."
        )
    changes.setdefault("branch", unit.branch_id)
    # The unit's facts as changed come back with the update: its history row records them.
    updated = update_where(
        Unit,
        {"state": to_state.value, "updated_at": ctx.now(), **changes},
        returning=FACT_FIELDS,
        id=unit.id,
        state=from_state.value,
    )
    if len(updated) != 1:
        raise Refused(f"{unit.serial} was changed at another seat just now. Scan it again.")
    append_event(
        unit.id, event, from_state.value, to_state, ctx, document, note, approver,
        facts=facts_text(updated[0]),
    )  # fmt: skip
    unit.state = to_state.value
    for name, value in changes.items():
        setattr(unit, name if name != "branch" else "branch_id", value)


def guard_new_unit(serial: str) -> None:
    """Before the counter records a unit from a serial no unit has (warranty mode): on
    PostgreSQL, where branches write in parallel, wait for any other seat recording one,
    and refuse if it recorded this serial meanwhile (on SQLite the write lock did that)."""
    lock_new_units()
    if not is_sqlite() and Unit.select().where(Unit.serial == serial).exists():
        raise Refused(f"{serial} was recorded at another seat just now. Scan it again.")


def lock_new_units() -> None:
    """PostgreSQL: the lock every writer making units from serials takes, until its commit,
    before it looks the serials up (a receipt, a counter recording one never received): two
    branches never both make a unit of one serial. SQLite's write lock already orders them."""
    if not is_sqlite():
        db.execute_sql(lock_sql(("pg_advisory_xact_lock", NEW_UNIT_LOCK)))
