"""The moves a unit's state and a repair's status may make, and how a refusal reads."""

from __future__ import annotations

import pytest

from app.domain.errors import DomainError, InvalidSerial, Refused
from app.domain.states import (
    INACTIVE_STATES,
    TRANSITIONS,
    Event,
    UnitState,
    can_transition,
    replay,
)

S = UnitState
E = Event


# Every move of DESIGN.md's "A unit's life" table, and the ones the services add.
ALLOWED = [
    (E.RECEIVE, None, S.IN_STOCK),
    (E.RECEIVE, S.RETURNED_TO_SUPPLIER, S.IN_STOCK),
    (E.RECEIVE, S.WRITTEN_OFF, S.IN_STOCK),
    (E.SELL, S.IN_STOCK, S.SOLD),
    (E.SELL, None, S.SOLD),  # warranty mode: a serial never received, recorded at sale
    (E.CUSTOMER_RETURN, S.SOLD, S.IN_STOCK),
    (E.CUSTOMER_RETURN, S.SOLD, S.QUARANTINE),
    (E.CUSTOMER_RETURN, S.SOLD, S.IN_SERVICE),
    (E.CUSTOMER_RETURN, S.SOLD, S.RETURNED_TO_SUPPLIER),
    (E.CUSTOMER_RETURN, S.SOLD, S.WRITTEN_OFF),
    # warranty mode: a unit we have no record of, brought back on a sale of its product
    (E.CUSTOMER_RETURN, None, S.IN_STOCK),
    (E.CUSTOMER_RETURN, None, S.QUARANTINE),
    (E.CUSTOMER_RETURN, None, S.IN_SERVICE),
    (E.CUSTOMER_RETURN, None, S.RETURNED_TO_SUPPLIER),
    (E.CUSTOMER_RETURN, None, S.WRITTEN_OFF),
    (E.TRANSFER_OUT, S.IN_STOCK, S.IN_TRANSIT),
    (E.TRANSFER_IN, S.IN_TRANSIT, S.IN_STOCK),
    (E.REPAIR_INTAKE, S.SOLD, S.IN_SERVICE),
    (E.REPAIR_COLLECT, S.IN_SERVICE, S.SOLD),
    (E.REPLACED, S.IN_SERVICE, S.REPLACED),
    (E.REPLACED, S.SOLD, S.REPLACED),
    (E.REPLACEMENT_ISSUED, S.IN_STOCK, S.SOLD),
    (E.SUPPLIER_RETURN, S.IN_STOCK, S.RETURNED_TO_SUPPLIER),
    (E.SUPPLIER_RETURN, S.QUARANTINE, S.RETURNED_TO_SUPPLIER),
    (E.SUPPLIER_RETURN, S.REPLACED, S.RETURNED_TO_SUPPLIER),
    (E.WRITE_OFF, S.IN_STOCK, S.WRITTEN_OFF),
    (E.WRITE_OFF, S.QUARANTINE, S.WRITTEN_OFF),
    (E.FOUND, S.WRITTEN_OFF, S.IN_STOCK),
    (E.QUARANTINE, S.IN_STOCK, S.QUARANTINE),
    (E.RELEASE, S.QUARANTINE, S.IN_STOCK),
    (E.STOCKTAKE_MISSING, S.IN_STOCK, S.WRITTEN_OFF),
    # kits (app/services/kits/)
    (E.KIT_ASSEMBLE, None, S.IN_STOCK),
    (E.KIT_ASSEMBLE, S.DISASSEMBLED, S.IN_STOCK),
    (E.KIT_DISASSEMBLE, S.IN_STOCK, S.DISASSEMBLED),
    (E.INTO_KIT, S.IN_STOCK, S.IN_KIT),
    (E.OUT_OF_KIT, S.IN_KIT, S.IN_STOCK),
    (E.SOLD_IN_KIT, S.IN_KIT, S.SOLD),
    (E.TRANSFER_OUT, S.IN_KIT, S.IN_TRANSIT),  # a kit's parts travel with it
    (E.TRANSFER_IN, S.IN_TRANSIT, S.IN_KIT),
    (E.STOCKTAKE_MISSING, S.IN_KIT, S.WRITTEN_OFF),  # a missing kit's parts go with it
    (E.FOUND, S.WRITTEN_OFF, S.IN_KIT),  # and come back with it when it is found
]


@pytest.mark.parametrize(("event", "src", "dst"), ALLOWED)
def test_allowed_transitions(event, src, dst):
    assert can_transition(event, src, dst)


def _all_moves():
    for event in Event:
        for src in [None, *UnitState]:
            for dst in UnitState:
                yield event, src, dst


def test_every_other_transition_is_refused():
    """Exactly the listed moves (plus corrections) are allowed; nothing else."""
    allowed_set = set(ALLOWED)
    for event, src, dst in _all_moves():
        if event is E.CORRECTION:
            continue
        assert can_transition(event, src, dst) == ((event, src, dst) in allowed_set), (
            event,
            src,
            dst,
        )


@pytest.mark.parametrize(
    ("event", "src", "dst"),
    [
        (E.SELL, S.SOLD, S.SOLD),  # a sold serial cannot be sold again
        (E.SELL, S.IN_TRANSIT, S.SOLD),
        (E.SELL, S.IN_SERVICE, S.SOLD),
        (E.SELL, S.QUARANTINE, S.SOLD),
        (E.SELL, S.REPLACED, S.SOLD),
        (E.RECEIVE, S.IN_STOCK, S.IN_STOCK),  # already active
        (E.RECEIVE, S.SOLD, S.IN_STOCK),
        (E.CUSTOMER_RETURN, S.IN_STOCK, S.IN_STOCK),  # never sold
        (E.CUSTOMER_RETURN, S.SOLD, S.SOLD),
        (E.CUSTOMER_RETURN, S.SOLD, S.REPLACED),
        (E.TRANSFER_OUT, S.SOLD, S.IN_TRANSIT),
        (E.TRANSFER_IN, S.IN_STOCK, S.IN_STOCK),
        (E.REPAIR_INTAKE, S.IN_STOCK, S.IN_SERVICE),
        (E.REPLACEMENT_ISSUED, S.SOLD, S.SOLD),
        (E.SUPPLIER_RETURN, S.SOLD, S.RETURNED_TO_SUPPLIER),
        (E.WRITE_OFF, S.SOLD, S.WRITTEN_OFF),
        (E.FOUND, S.IN_STOCK, S.IN_STOCK),
        (E.STOCKTAKE_MISSING, S.QUARANTINE, S.WRITTEN_OFF),
    ],
)
def test_refused_transitions(event, src, dst):
    assert not can_transition(event, src, dst)


def test_correction_may_set_any_state_from_any_state():
    for src in [None, *UnitState]:
        for dst in UnitState:
            assert can_transition(E.CORRECTION, src, dst)


def test_every_event_has_a_rule_and_every_state_a_label():
    assert set(TRANSITIONS) == set(Event)
    for state in UnitState:
        assert state.label and "_" not in state.label
    assert E.TRANSFER_OUT.label == "transfer out"
    assert INACTIVE_STATES == {S.RETURNED_TO_SUPPLIER, S.WRITTEN_OFF}


def test_inactive_states_are_final_except_for_receipt_found_and_correction():
    """A serial that left us may be received again (flagged); nothing else revives it."""
    for state in INACTIVE_STATES:
        revivers = {
            event
            for event, (sources, _targets) in TRANSITIONS.items()
            if state in sources and event is not E.CORRECTION
        }
        expected = {E.RECEIVE} | ({E.FOUND} if state is S.WRITTEN_OFF else set())
        assert revivers == expected


def test_replay_folds_history_into_the_current_state():
    life = [
        (E.RECEIVE, None, S.IN_STOCK),
        (E.TRANSFER_OUT, S.IN_STOCK, S.IN_TRANSIT),
        (E.TRANSFER_IN, S.IN_TRANSIT, S.IN_STOCK),
        (E.SELL, S.IN_STOCK, S.SOLD),
        (E.REPAIR_INTAKE, S.SOLD, S.IN_SERVICE),
        (E.REPLACED, S.IN_SERVICE, S.REPLACED),
        (E.SUPPLIER_RETURN, S.REPLACED, S.RETURNED_TO_SUPPLIER),
        (E.RECEIVE, S.RETURNED_TO_SUPPLIER, S.IN_STOCK),
    ]
    assert replay(life) is S.IN_STOCK
    assert replay(life[:4]) is S.SOLD
    assert replay([]) is None


def test_replay_refuses_a_broken_chain():
    with pytest.raises(ValueError, match="was in_stock"):
        replay([(E.RECEIVE, None, S.IN_STOCK), (E.REPAIR_COLLECT, S.IN_SERVICE, S.SOLD)])
    with pytest.raises(ValueError, match="history says"):
        replay([(E.SELL, S.IN_STOCK, S.SOLD)])  # nothing was received


def test_replay_refuses_a_forbidden_move():
    with pytest.raises(ValueError, match="cannot move"):
        replay([(E.RECEIVE, None, S.IN_STOCK), (E.SELL, S.IN_STOCK, S.IN_SERVICE)])
    with pytest.raises(ValueError, match="cannot move"):
        replay(
            [(E.RECEIVE, None, S.IN_STOCK), (E.SELL, S.IN_STOCK, S.SOLD), (E.SELL, S.SOLD, S.SOLD)]
        )


def test_replay_accepts_corrections():
    assert (
        replay(
            [
                (E.RECEIVE, None, S.IN_STOCK),
                (E.SELL, S.IN_STOCK, S.SOLD),
                (E.CORRECTION, S.SOLD, S.IN_STOCK),
                (E.SELL, S.IN_STOCK, S.SOLD),
            ]
        )
        is S.SOLD
    )


def test_domain_errors_read_as_their_message():
    err = Refused("Something is wrong. Do this.")
    assert str(err) == "Something is wrong. Do this." and isinstance(err, DomainError)
    assert issubclass(InvalidSerial, Refused)
