"""app.startup_mark.when_drawn's wait for a screen that is not shown, as the seat's warm-up
waits (app.tui): it gives up in time and does not spin the UI loop meanwhile."""

from __future__ import annotations

import time

from textual.app import App
from textual.widgets import Static

from app.startup_mark import when_drawn

WARM_UP_EVERY = 0.02  # as app.tui's warm-up asks


class _Never:
    pass


async def test_the_wait_for_the_login_frame_does_not_spin_the_ui_loop():
    # A login typed or scanned before the login frame is checked (or any screen other than
    # the login on top, e.g. the palette): the seat's warm-up waits up to 2 s. Polled every
    # 1 ms (the bench mark's pace) that was about 1,400 wake-ups and ~0.5 s of CPU while the
    # home screen was being drawn; the warm-up looks every 20 ms.
    ticks, fired = [0], []

    class Seat(App):
        def compose(self):
            yield Static("home")

        def on_mount(self) -> None:
            real = self.set_timer

            def counted(*args, **kwargs):
                ticks[0] += 1
                return real(*args, **kwargs)

            self.set_timer = counted
            started = time.monotonic()
            then = lambda: fired.append(time.monotonic() - started)  # noqa: E731
            when_drawn(self, then, _Never, give_up_after=2.0, every=WARM_UP_EVERY)

    app = Seat()
    async with app.run_test() as pilot:
        for _ in range(300):
            if fired:
                break
            await pilot.pause(0.01)
    assert fired and 1.9 < fired[0] < 2.5
    assert ticks[0] < 200, f"{ticks[0]} wake-ups of the UI loop in the 2 s wait"
