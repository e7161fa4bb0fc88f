"""When a seat is ready for a scan, for ``bench/startup.py``: with
``SERIALDESK_STARTUP_MARK=<file>`` set, the app appends ``<name> <epoch seconds>`` to that
file once a screen is drawn with its input focused (``login`` at start, ``home`` after a
login). Unset (every real seat), nothing is written and nothing waits.

A bare Textual app in the bench calls the same function, so both are timed the same way.
"""

from __future__ import annotations

import os
import time

from textual.app import App
from textual.widgets import Input

ENV = "SERIALDESK_STARTUP_MARK"


def mark_when_ready(app: App, name: str, screen_type: type | None = None) -> None:
    """Append ``name`` and the time to the mark file once ``app`` shows ``screen_type``
    (any screen if None) with an Input focused and that frame has been drawn."""
    path = os.environ.get(ENV)
    if not path:
        return

    def check() -> None:
        screen_ok = screen_type is None or isinstance(app.screen, screen_type)
        if screen_ok and isinstance(app.focused, Input):
            app.call_after_refresh(write)  # the frame with the focused field is out
        else:
            app.set_timer(0.001, check)

    def write() -> None:
        with open(path, "a", encoding="utf-8") as out:
            out.write(f"{name} {time.time():.6f}\n")

    app.call_after_refresh(check)
