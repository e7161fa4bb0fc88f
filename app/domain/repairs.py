"""Repair ticket statuses and the moves between them."""

from enum import StrEnum

from app.domain.errors import Refused


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


ORDER = list(RepairStatus)
# Steps back the workshop really takes: a failed check, parts that arrive or run out.
_BACK = {
    (RepairStatus.QUALITY_CHECK, RepairStatus.REPAIRING),
    (RepairStatus.REPAIRING, RepairStatus.WAITING_FOR_PARTS),
    (RepairStatus.READY, RepairStatus.REPAIRING),
}


def check_status_change(current: RepairStatus, new: RepairStatus) -> None:
    """Forward along the workflow (skipping allowed), or one of the known steps back.

    Collection is its own operation: the unit goes back to the customer.
    """
    if current is RepairStatus.COLLECTED:
        raise Refused("This ticket is closed: the unit was collected.")
    if new is RepairStatus.COLLECTED:
        raise Refused("Use collection to hand the unit back; it closes the ticket.")
    if new is current:
        raise Refused(f"The ticket is already {current.label}.")
    if ORDER.index(new) > ORDER.index(current) or (current, new) in _BACK:
        return
    raise Refused(f"A ticket cannot go from {current.label} back to {new.label}.")
