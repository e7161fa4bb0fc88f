"""Saving off the UI thread, for any screen or dialog: the write runs in a worker thread,
the screen says what it is saving, and its keys and scans wait their turn meanwhile.

A wait for SQLite's write lock (or a slow PostgreSQL) must never freeze the seat, so no
screen writes on the UI thread: it calls ``save`` and says what comes after.
"""

from __future__ import annotations

import inspect
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from textual import work
from textual.timer import Timer
from textual.widgets import Input
from textual.worker import Worker, WorkerState

from app.domain.errors import DomainError
from app.services.threads import release_thread_connection
from screens.widgets.errorline import ErrorLine
from screens.widgets.seatbar import SeatBar


@dataclass
class Saving:
    """The one save a screen has running: what the person is told, and what comes after."""

    what: str
    then: Callable[[Any], None] | None
    refused: Callable[[DomainError], None] | None
    typed: dict[str, str]  # each field's text when the save began
    started: float = field(default_factory=time.monotonic)
    worker: Worker | None = None
    timer: Timer | None = None


class Saves:
    """Mixed into a Screen (or ModalScreen) with an ErrorLine ``#message``."""

    # The screen's own keys that act at once while a save runs (the rest wait their turn).
    KEYS_WHILE_SAVING: frozenset[str] = frozenset()

    saving: Saving | None = None
    last_saved: Saving | None = None
    held: deque[tuple[Callable[..., Any], tuple]] | None = None

    @property
    def message(self) -> ErrorLine:
        return self.query_one("#message", ErrorLine)

    def save(
        self,
        operation: Callable[..., Any],
        *args,
        then: Callable[[Any], None] | None = None,
        what: str = "Saving",
        refused: Callable[[DomainError], None] | None = None,
        **kwargs,
    ) -> bool:
        """Run a write service in a worker thread, so a wait for the write lock never
        freezes the seat; False (and nothing run) while another save is running.

        Meanwhile the seat bar and message line say ``what`` is happening, and the screen's
        keys and scans wait their turn, in order (``hold``): typing goes on as ever.
        Afterwards, on the UI thread: ``then(result)``; a refusal on the message line (or
        ``refused(error)``); anything else is a bug, written to the crash log.
        """
        if self.saving is not None:
            self.message.fail(f"{self.saving.what}… wait until it is done.")
            return False
        typed = {f.id: f.value for f in self.query(Input) if f.id}
        self.saving = Saving(what, then, refused, typed)
        self.message.info(f"{what}…")
        self.show_saving()
        self.saving.timer = self.set_interval(1, self.show_saving)
        self.saving.worker = self.run_save(operation, args, kwargs)
        return True

    @work(thread=True, exclusive=True, exit_on_error=False, group="save")
    def run_save(self, operation: Callable[..., Any], args: tuple, kwargs: dict) -> Any:
        try:
            return operation(*args, **kwargs)
        finally:
            release_thread_connection()  # the pool's thread lives on; its connection not

    async def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        saving = self.saving
        if saving is None or event.worker is not saving.worker:
            return
        if event.state not in (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED):
            return
        self.saving, self.last_saved = None, saving
        saving.timer.stop()
        for bar in self.query(SeatBar):
            bar.busy = ""
        error = event.worker.error
        if event.state is WorkerState.SUCCESS:
            self.message.clear()
            if saving.then is not None:
                saving.then(event.worker.result)
        elif isinstance(error, DomainError):
            if saving.refused is not None:
                saving.refused(error)
            else:
                self.message.fail(error.message)
        elif event.state is WorkerState.ERROR:
            self.message.fail(f"{saving.what} failed: {self.app.record_crash(error, saving.what)}")
        self.last_saved = None  # typed_meanwhile speaks of this save only, inside its then
        await self.take_held()

    def show_saving(self) -> None:
        """The seat bar says what is being saved, and for how long once it takes a while."""
        if self.saving is None:
            return
        waited = int(time.monotonic() - self.saving.started)
        text = f"{self.saving.what}…" + (f" {waited} s" if waited else "")
        for bar in self.query(SeatBar):
            bar.busy = text

    def hold(self, call: Callable[..., Any], *args) -> bool:
        """While a save runs, keep ``call(*args)`` (a scan, say) to run after it, in the
        order things came, and return True; with no save running return False at once."""
        if self.saving is None:
            return False
        if self.held is None:
            self.held = deque()
        self.held.append((call, args))
        self.message.info(f"{self.saving.what}… {len(self.held)} waiting to follow it.")
        return True

    def hold_key(self, action: str) -> bool:
        """While a save runs, a key of the screen's own waits its turn like a scan, and then
        acts on what is there (a second F10 finds the cart sold and empty); True when held."""
        name = action.partition("(")[0]
        if self.saving is None or "." in name or name in self.KEYS_WHILE_SAVING:
            return False
        return self.hold(self.press_held, action)

    async def press_held(self, action: str) -> None:
        await self.app.run_action(action, self)

    async def take_held(self) -> None:
        """Run what was held, in order, until one of them starts a save of its own; with a
        dialog (or another screen) in front, the rest wait until this screen is back."""
        while self.held and self.saving is None and self.is_active:
            call, args = self.held.popleft()
            done = call(*args)
            if inspect.isawaitable(done):
                await done

    def typed_meanwhile(self, selector: str) -> bool:
        """Whether the person typed into this field while the last save ran: a screen
        resetting itself after a save keeps that text (and the focus) rather than lose it."""
        if self.saving is not None:
            return False
        typed = self.last_saved.typed if self.last_saved is not None else {}
        entry = self.query_one(selector, Input)
        return entry.value != typed.get(entry.id, entry.value)
