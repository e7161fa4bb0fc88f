"""The wedge detector inside a real Textual app: key events with scanner timing.

A minimal app shows one way to wire it (the counter app does its own wiring):
``on_event`` feeds every key to the detector before the focused widget sees
it, replays held keys through the normal key path in order, arms a timer for
``deadline``, and hands a scan to the focused Input as if typed and confirmed.
"""

from __future__ import annotations

from textual import events
from textual.app import App, ComposeResult
from textual.widgets import Input

from devices.events import ScanEvent, validate_scan
from devices.wedge import Action, KeyStroke, WedgeConfig, WedgeDetector


class WedgeApp(App[None]):
    def __init__(self, config: WedgeConfig | None = None) -> None:
        super().__init__()
        self.detector = WedgeDetector(config)
        self.scans: list[str] = []
        self.submitted: list[str] = []
        self._timer = None

    def compose(self) -> ComposeResult:
        yield Input(id="serial")

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            decision = self.detector.feed(event.key, event.character, event.time)
            await self._replay(decision.typed)
            if decision.action is Action.PASS:
                await super().on_event(event)
            elif decision.action is Action.SCAN:
                await self._deliver(decision.code)
            self._arm()
            return
        if isinstance(event, events.Paste):
            await self._replay(self.detector.paste())
        await super().on_event(event)

    async def _replay(self, strokes: tuple[KeyStroke, ...]) -> None:
        # Straight into the normal key path, synchronously, so the order is kept.
        for stroke in strokes:
            await super().on_event(events.Key(stroke.key, stroke.character))

    def _arm(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        deadline = self.detector.deadline
        if deadline is not None:
            delay = max(0.0, deadline - events.Key("a", "a").time) + 0.001
            self._timer = self.set_timer(delay, self._expire)

    async def _expire(self) -> None:
        self._timer = None
        await self._replay(self.detector.expire(events.Key("a", "a").time))
        self._arm()

    async def _deliver(self, code: str) -> None:
        result = validate_scan(code, "wedge")
        assert isinstance(result, ScanEvent)
        self.scans.append(result.code)
        field = self.query_one(Input)
        field.value = result.code  # as if typed ...
        await field.action_submit()  # ... and confirmed

    def on_input_submitted(self, message: Input.Submitted) -> None:
        self.submitted.append(message.value)
        message.input.value = ""


# Pilot keys come a few ms apart, but a loaded CI machine may stretch that: a roomy gap.
ROOMY = WedgeConfig(max_gap=0.15)


async def test_a_scanner_burst_lands_in_the_focused_field_as_one_scan():
    app = WedgeApp(ROOMY)
    async with app.run_test() as pilot:
        await pilot.pause(0.2)  # let the first render finish: pilot keys then come ms apart
        await pilot.press(*"3569380356", "ctrl+right_square_bracket", *"21AB", "enter")
        await pilot.pause(0.1)
        assert app.scans == ["3569380356\x1d21AB"]
        assert app.submitted == ["3569380356\x1d21AB"]
        assert app.query_one(Input).value == ""


async def test_typing_at_human_speed_reaches_the_field_unchanged():
    app = WedgeApp()
    async with app.run_test() as pilot:
        keys = []
        for char in "ab12":
            keys += [char, "wait:90"]
        await pilot.press(*keys)
        await pilot.pause(0.1)
        assert app.query_one(Input).value == "ab12"
        await pilot.press("enter")
        await pilot.pause(0.05)
        assert app.scans == [] and app.submitted == ["ab12"]


async def test_a_lone_key_is_released_by_the_timer():
    app = WedgeApp(WedgeConfig(max_gap=0.3))
    async with app.run_test() as pilot:
        await pilot.pause(0.2)
        await pilot.press("x")
        assert app.query_one(Input).value == ""  # held: it may start a scan
        await pilot.pause(0.5)
        assert app.query_one(Input).value == "x"
        assert not app.detector.holding


async def test_typing_then_a_scan_keep_their_order():
    app = WedgeApp(ROOMY)
    async with app.run_test() as pilot:
        await pilot.pause(0.2)
        await pilot.press("q", "wait:300", "t", "wait:300", "y", "wait:300")
        assert app.query_one(Input).value == "qty"
        await pilot.press(*"SN1234", "enter")
        await pilot.pause(0.1)
        assert app.scans == ["SN1234"]
        assert app.submitted == ["SN1234"]  # this app's choice: a scan replaces the field
        assert app.query_one(Input).value == ""
