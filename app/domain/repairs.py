"""Repair ticket statuses and the moves between them; what may stand in for a replaced unit."""

from enum import StrEnum

from app.domain.errors import PermissionDenied, Refused


class RepairStatus(StrEnum):
    RECEIVED = "received"
    DIAGNOSING = "diagnosing"
    WAITING_FOR_PARTS = "waiting_for_parts"
    REPAIRING = "repairing"
    QUALITY_CHECK = "quality_check"
    READY = "ready"
    COLLECTED = "collected"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


S = RepairStatus
# Every status change a ticket may make, each with why the workshop makes it. Nothing is
# skipped: a repaired unit is always checked before it is ready. Collection is not here:
# it is its own operation (the unit is the customer's, taken back at any open status).
TRANSITIONS: dict[RepairStatus, dict[RepairStatus, str]] = {
    S.RECEIVED: {
        S.DIAGNOSING: "a technician starts looking for the fault",
    },
    S.DIAGNOSING: {
        S.WAITING_FOR_PARTS: "the fault is found and needs a part not on the shelf",
        S.REPAIRING: "the fault is found and the parts are here (or the quote accepted)",
        S.READY: "no fault found, or the quote declined: nothing was repaired to check",
    },
    S.WAITING_FOR_PARTS: {
        S.REPAIRING: "the parts arrived",
        S.READY: "the part cannot be had: the unit goes back unrepaired",
    },
    S.REPAIRING: {
        S.WAITING_FOR_PARTS: "another part turned out to be needed",
        S.QUALITY_CHECK: "the repair is done and must be tested",
    },
    S.QUALITY_CHECK: {
        S.READY: "the unit passed the check",
        S.REPAIRING: "the unit failed the check",
    },
    S.READY: {
        S.REPAIRING: "the fault showed again before the customer collected it",
    },
    S.COLLECTED: {},
}


def next_statuses(current: RepairStatus) -> list[RepairStatus]:
    """The statuses a ticket may move to from ``current`` (none once collected)."""
    return list(TRANSITIONS[current])


def check_status_change(current: RepairStatus, new: RepairStatus) -> None:
    """Refuse a change that is not in the transition table, naming the allowed ones."""
    if current is RepairStatus.COLLECTED:
        raise Refused("This ticket is closed: the unit was collected.")
    if new is RepairStatus.COLLECTED:
        raise Refused("Use collection to hand the unit back; it closes the ticket.")
    if new is current:
        raise Refused(f"The ticket is already {current.label}.")
    if new in TRANSITIONS[current]:
        return
    allowed = ", ".join(s.label for s in next_statuses(current))
    raise Refused(
        f"A ticket cannot go from {current.label} to {new.label}. "
        f"From {current.label} it goes to: {allowed}."
    )


# Open statuses where the work is under way: the unit has not passed its check yet.
UNCHECKED = (RepairStatus.REPAIRING, RepairStatus.QUALITY_CHECK)


def check_collection(current: RepairStatus, outcome: str) -> None:
    """The unit may be taken back at any open status, but only a checked one (ready) goes
    back as repaired: from repairing or the quality check it goes back as it is."""
    if current in UNCHECKED and outcome.strip().lower().startswith("repaired"):
        raise Refused(
            f"The ticket is at {current.label}: the repair has not passed its quality check. "
            "Move it on to ready first, or write down how it goes back (e.g. taken back "
            "unrepaired)."
        )


class ReplacementMatch(StrEnum):
    """How a replacement unit stands to the unit it replaces."""

    SAME_PRODUCT = "same_product"
    SAME_TYPE = "same_type"  # another product of the same type: a manager decides


def check_replacement(
    *,
    old: str,
    old_type: str,
    new: str,
    new_type: str,
    same_product: bool,
    approved: bool,
    note: str,
) -> ReplacementMatch:
    """A replacement is the same product, or (with a manager's approval and a note saying
    why, e.g. the model is no longer made) another product of the same type; never a
    product of another type. ``old`` and ``new`` name the products in the messages."""
    if same_product:
        return ReplacementMatch.SAME_PRODUCT
    if old_type != new_type:
        raise Refused(
            f"{new} is of type {new_type}, {old} of type {old_type}: a replacement must be "
            "the same product, or at least of the same type."
        )
    if not approved:
        raise PermissionDenied(
            f"{new} is another product than {old}: a manager approves that replacement, "
            "with a note saying why."
        )
    if not note.strip():
        raise Refused(f"Write down why {new} replaces {old} (another product of the type).")
    return ReplacementMatch.SAME_TYPE
