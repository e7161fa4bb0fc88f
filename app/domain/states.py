"""Unit states and the events that move a unit between them (DESIGN.md, "A unit's life")."""

from enum import StrEnum


class UnitState(StrEnum):
    IN_STOCK = "in_stock"
    IN_TRANSIT = "in_transit"
    SOLD = "sold"
    IN_SERVICE = "in_service"
    QUARANTINE = "quarantine"
    RETURNED_TO_SUPPLIER = "returned_to_supplier"
    WRITTEN_OFF = "written_off"
    REPLACED = "replaced"
    IN_KIT = "in_kit"  # a component assembled into a kit: not sellable on its own
    DISASSEMBLED = "disassembled"  # a kit taken apart into its components

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    UnitState.IN_STOCK: "in stock",
    UnitState.IN_TRANSIT: "in transit",
    UnitState.SOLD: "sold",
    UnitState.IN_SERVICE: "in service",
    UnitState.QUARANTINE: "in quarantine",
    UnitState.RETURNED_TO_SUPPLIER: "returned to the supplier",
    UnitState.WRITTEN_OFF: "written off",
    UnitState.REPLACED: "replaced under warranty",
    UnitState.IN_KIT: "assembled into a kit",
    UnitState.DISASSEMBLED: "taken apart",
}

# A unit in one of these states is not ours to sell nor the customer's to claim:
# its serial may be received again (and is then flagged).
INACTIVE_STATES = frozenset({UnitState.RETURNED_TO_SUPPLIER, UnitState.WRITTEN_OFF})


class Event(StrEnum):
    RECEIVE = "receive"
    SELL = "sell"
    CUSTOMER_RETURN = "customer_return"
    TRANSFER_OUT = "transfer_out"
    TRANSFER_IN = "transfer_in"
    REPAIR_INTAKE = "repair_intake"
    REPAIR_COLLECT = "repair_collect"
    REPLACED = "replaced"
    REPLACEMENT_ISSUED = "replacement_issued"
    SUPPLIER_RETURN = "supplier_return"
    WRITE_OFF = "write_off"
    FOUND = "found"
    QUARANTINE = "quarantine"
    RELEASE = "release"
    CORRECTION = "correction"
    STOCKTAKE_MISSING = "stocktake_missing"
    KIT_ASSEMBLE = "kit_assemble"
    KIT_DISASSEMBLE = "kit_disassemble"
    INTO_KIT = "into_kit"
    OUT_OF_KIT = "out_of_kit"
    SOLD_IN_KIT = "sold_in_kit"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


S = UnitState
# event -> (allowed from-states, allowed to-states); None as a from-state means a new unit.
TRANSITIONS: dict[Event, tuple[frozenset, frozenset]] = {
    Event.RECEIVE: (frozenset({None, *INACTIVE_STATES}), frozenset({S.IN_STOCK})),
    Event.SELL: (frozenset({S.IN_STOCK, None}), frozenset({S.SOLD})),
    Event.CUSTOMER_RETURN: (
        frozenset({S.SOLD, None}),
        frozenset({S.IN_STOCK, S.QUARANTINE, S.IN_SERVICE, S.RETURNED_TO_SUPPLIER, S.WRITTEN_OFF}),
    ),
    # A kit's parts travel with it: out of the kit into transit, and back into it on arrival.
    Event.TRANSFER_OUT: (frozenset({S.IN_STOCK, S.IN_KIT}), frozenset({S.IN_TRANSIT})),
    Event.TRANSFER_IN: (frozenset({S.IN_TRANSIT}), frozenset({S.IN_STOCK, S.IN_KIT})),
    Event.REPAIR_INTAKE: (frozenset({S.SOLD}), frozenset({S.IN_SERVICE})),
    Event.REPAIR_COLLECT: (frozenset({S.IN_SERVICE}), frozenset({S.SOLD})),
    Event.REPLACED: (frozenset({S.IN_SERVICE, S.SOLD}), frozenset({S.REPLACED})),
    Event.REPLACEMENT_ISSUED: (frozenset({S.IN_STOCK}), frozenset({S.SOLD})),
    Event.SUPPLIER_RETURN: (
        frozenset({S.IN_STOCK, S.QUARANTINE, S.REPLACED}),
        frozenset({S.RETURNED_TO_SUPPLIER}),
    ),
    Event.WRITE_OFF: (frozenset({S.IN_STOCK, S.QUARANTINE}), frozenset({S.WRITTEN_OFF})),
    # A kit found again brings back the parts written off inside it.
    Event.FOUND: (frozenset({S.WRITTEN_OFF}), frozenset({S.IN_STOCK, S.IN_KIT})),
    Event.QUARANTINE: (frozenset({S.IN_STOCK}), frozenset({S.QUARANTINE})),
    Event.RELEASE: (frozenset({S.QUARANTINE}), frozenset({S.IN_STOCK})),
    Event.CORRECTION: (frozenset({None, *S}), frozenset(S)),
    # A kit missing at a count is missing with the parts inside it.
    Event.STOCKTAKE_MISSING: (frozenset({S.IN_STOCK, S.IN_KIT}), frozenset({S.WRITTEN_OFF})),
    # Kits: the kit's own unit is made (or made again) and taken apart; its components
    # leave sellable stock while in it, and are sold with it or put back.
    Event.KIT_ASSEMBLE: (frozenset({None, S.DISASSEMBLED}), frozenset({S.IN_STOCK})),
    Event.KIT_DISASSEMBLE: (frozenset({S.IN_STOCK}), frozenset({S.DISASSEMBLED})),
    Event.INTO_KIT: (frozenset({S.IN_STOCK}), frozenset({S.IN_KIT})),
    Event.OUT_OF_KIT: (frozenset({S.IN_KIT}), frozenset({S.IN_STOCK})),
    Event.SOLD_IN_KIT: (frozenset({S.IN_KIT}), frozenset({S.SOLD})),
}
# The events that mark a unit as a kit or a kit's component (the passport looks for them).
KIT_EVENTS = frozenset(
    {Event.KIT_ASSEMBLE, Event.KIT_DISASSEMBLE, Event.INTO_KIT, Event.OUT_OF_KIT, Event.SOLD_IN_KIT}
)


def can_transition(event: Event, from_state: UnitState | None, to_state: UnitState) -> bool:
    """Whether ``event`` may move a unit from ``from_state`` to ``to_state``."""
    sources, targets = TRANSITIONS[event]
    return from_state in sources and to_state in targets


def replay(events: list[tuple[Event, UnitState | None, UnitState]]) -> UnitState | None:
    """Fold a unit's history into its current state; raise ValueError on a broken chain."""
    state: UnitState | None = None
    for event, from_state, to_state in events:
        if from_state != state:
            raise ValueError(f"{event}: history says {from_state}, but the unit was {state}")
        if not can_transition(event, from_state, to_state):
            raise ValueError(f"{event} cannot move a unit from {from_state} to {to_state}")
        state = to_state
    return state
