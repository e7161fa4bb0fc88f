"""The customers matching what the cashier types, one a line under the customer field.

The highlighted one (▸) is what Enter takes, ↑/↓ move the highlight; it starts on the
best match, so Enter is never a blind pick among several. Once chosen, the customer's
name and phone stay in plain sight for the cashier to check.
"""

from __future__ import annotations

from typing import Protocol

from textual.content import Content
from textual.widgets import Static

from app.domain.text import visible

SHOWN = 4  # lines under the field; with more matches than that, the last says so


class Person(Protocol):
    id: int
    name: str
    phone: str


class CustomerMatches(Static):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.matches: list[Person] = []
        self.index = 0
        self.more = False

    @property
    def highlighted(self) -> Person | None:
        return self.matches[self.index] if self.matches else None

    def show_matches(self, found: list[Person], typed: str) -> None:
        """Show up to SHOWN matches, the first highlighted; none found offers a new customer."""
        more = len(found) > SHOWN
        self.matches, self.more, self.index = found[: SHOWN - 1 if more else SHOWN], more, 0
        self.remove_class("chosen")
        if not found:
            self.update(
                Content(f"No customer matches '{visible(typed)}': Enter or F9 adds a new one")
                if typed
                else ""
            )
            return
        self.show_lines()

    def move(self, by: int) -> bool:
        """Move the highlight (wrapping round); False when there is nothing to move through."""
        if not self.matches:
            return False
        self.index = (self.index + by) % len(self.matches)
        self.show_lines()
        return True

    def show_lines(self) -> None:
        lines = []
        for n, person in enumerate(self.matches):
            chosen = n == self.index
            name, phone = visible(person.name), visible(person.phone or "no phone")
            name = name if len(name) <= 30 else name[:29] + "…"
            line = Content.assemble(
                ("▸ " if chosen else "  ", "bold"),
                (f"{name:<31}{phone:<17}", "reverse" if chosen else ""),
            )
            if chosen:
                line = line + Content(" Enter takes it · ↑↓")
            lines.append(line)
        if self.more:
            lines.append(Content("  … more customers match: keep typing"))
        self.update(Content("\n").join(lines))

    def show_chosen(self, name: str, phone: str) -> None:
        """The customer the sale goes to, plainly."""
        self.matches, self.more = [], False
        self.add_class("chosen")
        self.update(
            Content.assemble(
                ("Customer: ", "bold"),
                (visible(name), "bold"),
                f" · phone {visible(phone) or 'none given'}",
            )
        )

    def clear_matches(self) -> None:
        self.matches, self.more = [], False
        self.remove_class("chosen")
        self.update("")
