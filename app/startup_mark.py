"""When a seat's screen is drawn ready for a scan: a screen shown with its input focused and
that frame drawn (``when_drawn``).

The seat starts its warm-up and its print queue's worker (``app.tui``) then, not before: a
thread importing while the login screen is still being drawn takes the interpreter from it. And for
``bench/startup.py``: with ``SERIALDESK_STARTUP_MARK=<file>`` set, the app appends
``<name> <epoch seconds>`` to that file at that moment (``login`` at start, ``home`` after a
login). Unset (every real seat), no mark is written and nothing waits for one.

A bare Textual app in the bench calls the same function, so both are timed the same way.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

from textual.app import App, ScreenStackError
from textual.widgets import Input

ENV = "SERIALDESK_STARTUP_MARK"


def when_drawn(
    app: App,
    then: Callable[[], object],
    screen_type: type | None = None,
    give_up_after: float | None = None,
    every: float = 0.001,
) -> None:
    """Call ``then`` once ``app`` shows ``screen_type`` (any screen if None) with an Input
    focused and that frame has been drawn, looking ``every`` so many seconds; with
    ``give_up_after`` (seconds), by then at the latest, whatever is shown."""
    deadline = None if give_up_after is None else time.monotonic() + give_up_after

    def check() -> None:
        try:
            screen_ok = screen_type is None or isinstance(app.screen, screen_type)
            focused = app.focused
        except ScreenStackError:  # the app is closing: nothing more will be drawn
            return
        if screen_ok and isinstance(focused, Input):
            app.call_after_refresh(then)  # the frame with the focused field is out
        elif deadline is not None and time.monotonic() >= deadline:
            then()
        else:
            app.set_timer(every, check)

    app.call_after_refresh(check)


def mark_when_ready(app: App, name: str, screen_type: type | None = None) -> None:
    """Append ``name`` and the time to the mark file once ``app`` shows ``screen_type``
    (any screen if None) with an Input focused and that frame has been drawn."""
    path = os.environ.get(ENV)
    if not path:
        return

    def write() -> None:
        with open(path, "a", encoding="utf-8") as out:
            out.write(f"{name} {time.time():.6f}\n")

    when_drawn(app, write, screen_type)
