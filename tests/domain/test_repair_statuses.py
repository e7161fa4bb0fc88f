"""Repair ticket statuses follow one transition table; a replacement is of the same product
or (approved, with a note) the same type, never another type."""

from __future__ import annotations

import pytest

from app.domain.errors import PermissionDenied, Refused
from app.domain.repairs import (
    TRANSITIONS,
    RepairStatus,
    ReplacementMatch,
    check_replacement,
    check_status_change,
    next_statuses,
)

R = RepairStatus


def test_the_workshop_path_is_allowed_step_by_step():
    path = [R.RECEIVED, R.DIAGNOSING, R.WAITING_FOR_PARTS, R.REPAIRING, R.QUALITY_CHECK, R.READY]
    for current, new in zip(path, path[1:], strict=False):
        check_status_change(current, new)


@pytest.mark.parametrize(
    ("current", "new"),
    [
        (R.QUALITY_CHECK, R.REPAIRING),  # failed the check
        (R.REPAIRING, R.WAITING_FOR_PARTS),  # another part needed
        (R.WAITING_FOR_PARTS, R.REPAIRING),  # the part arrived
        (R.DIAGNOSING, R.REPAIRING),  # parts on the shelf
        (R.DIAGNOSING, R.READY),  # no fault found: nothing to check
        (R.WAITING_FOR_PARTS, R.READY),  # the part cannot be had
        (R.READY, R.REPAIRING),  # the fault showed again before collection
    ],
)
def test_the_steps_back_and_shortcuts_in_the_table(current, new):
    check_status_change(current, new)


@pytest.mark.parametrize(
    ("current", "new", "allowed"),
    [
        (R.RECEIVED, R.READY, "diagnosing"),
        (R.RECEIVED, R.REPAIRING, "diagnosing"),
        (R.REPAIRING, R.READY, "waiting for parts, quality check"),
        (R.REPAIRING, R.DIAGNOSING, "waiting for parts, quality check"),
        (R.WAITING_FOR_PARTS, R.QUALITY_CHECK, "repairing, ready"),
        (R.QUALITY_CHECK, R.DIAGNOSING, "ready, repairing"),
    ],
)
def test_a_jump_is_refused_naming_the_allowed_next_statuses(current, new, allowed):
    with pytest.raises(Refused) as info:
        check_status_change(current, new)
    assert f"cannot go from {current.label} to {new.label}" in info.value.message
    assert info.value.message.endswith(f"From {current.label} it goes to: {allowed}.")


def test_every_repaired_unit_passes_the_quality_check_before_ready():
    # The only ways into ready: after the check, or when nothing was repaired.
    into_ready = {s for s, nexts in TRANSITIONS.items() if R.READY in nexts}
    assert into_ready == {R.QUALITY_CHECK, R.DIAGNOSING, R.WAITING_FOR_PARTS}
    assert R.READY not in TRANSITIONS[R.REPAIRING]


def test_collection_is_its_own_operation_and_closes_the_ticket():
    assert next_statuses(R.COLLECTED) == []
    assert all(R.COLLECTED not in nexts for nexts in TRANSITIONS.values())
    with pytest.raises(Refused, match="Use collection"):
        check_status_change(R.READY, R.COLLECTED)
    with pytest.raises(Refused, match="closed"):
        check_status_change(R.COLLECTED, R.REPAIRING)
    with pytest.raises(Refused, match="already received"):
        check_status_change(R.RECEIVED, R.RECEIVED)


def test_every_status_has_a_row_and_every_move_a_reason():
    assert set(TRANSITIONS) == set(RepairStatus)
    assert all(reason.strip() for nexts in TRANSITIONS.values() for reason in nexts.values())


def _replacement(**kwargs):
    args = dict(
        old="P1 (Phone X1)",
        old_type="Phones",
        new="P2 (Phone X2)",
        new_type="Phones",
        same_product=False,
        approved=False,
        note="",
    )
    return check_replacement(**{**args, **kwargs})


def test_a_replacement_is_the_same_product_without_more_ado():
    assert _replacement(same_product=True) is ReplacementMatch.SAME_PRODUCT


def test_another_product_of_the_type_needs_a_managers_approval_and_a_note():
    with pytest.raises(PermissionDenied, match="a manager approves"):
        _replacement(note="model discontinued")
    with pytest.raises(Refused, match="Write down why P2 \\(Phone X2\\) replaces"):
        _replacement(approved=True, note="  ")
    assert _replacement(approved=True, note="model discontinued") is ReplacementMatch.SAME_TYPE


def test_another_product_type_is_refused_even_approved():
    with pytest.raises(Refused, match="of type Power tools, P1 \\(Phone X1\\) of type Phones"):
        _replacement(new="D1 (Drill)", new_type="Power tools", approved=True, note="why not")
