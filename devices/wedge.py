"""Keyboard wedge: tell a scanner typing into the terminal from a person typing.

A pure state machine fed with (key, character, timestamp) as Textual reports
them in ``App.on_event``, before the focused widget sees them. It decides, key
by key: let it through, hold it back (it may be part of a scan), replay held
keys as ordinary typing, or deliver a finished scan.

Two ways to recognise a scan:

* framing -- the scanner is configured to send a prefix and/or suffix (say STX
  and ETX). With a prefix, everything between prefix and suffix (or Enter, when
  no suffix is set) is a scan whatever the timing.
* timing -- a burst of at least ``min_length`` characters, every one within
  ``max_gap`` seconds of the one before, ended -- also within ``max_gap`` -- by
  the scanner's terminator: Enter (a scanner's factory setting), or the suffix
  when one is configured. Scanners type 1-10 ms apart, every key, to the end.

Timing alone cannot tell a person's keys bunched by a laggy link (an SSH session
delivers what was typed in the last 200 ms with no gap at all) from a scanner;
the ending does. A person moving on to the next field presses Tab, so Tab ends a
scan only when it is the configured suffix (``suffix = "\\t"``); otherwise a burst
ending in Tab is typing, replayed as typed, and never replaces the field.

The GS1 group separator arrives as ``ctrl+right_square_bracket`` ("\\x1d") and
is kept, or GS1 fields run together. A bracketed paste reaches the app as one
``Paste`` event: call ``paste()`` so held keys are released and nothing of it
becomes a scan. (A terminal without bracketed paste types a paste as fast keys;
only a configured prefix tells that from a scan.)

Contract for the caller: whenever ``typed`` is non-empty the current key is
swallowed, and ``typed`` (which then includes the current key if it is typing)
is replayed in order to the focused widget. While keys are held, call
``expire(now)`` at ``deadline`` so a lone keystroke is not held back for long.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from app.domain.serials import GS1_SEPARATOR
from devices.events import MAX_SCAN_LENGTH

# Textual's names for the keys a scanner may end a code with, and what they type.
_TERMINATOR_KEYS = {"enter": "\r", "tab": "\t", "ctrl+j": "\n"}
# What ends a timed scan when no suffix is configured: Enter (CR, or LF). Not Tab.
_LINE_ENDS = ("\r", "\n")
_GS_KEY = "ctrl+right_square_bracket"


@dataclass(frozen=True)
class WedgeConfig:
    """How this seat's wedge scanner is recognised (``[scanner]`` with ``source = "wedge"``)."""

    prefix: str = ""
    suffix: str = ""
    min_length: int = 4
    max_gap: float = 0.050  # seconds between two keys of one scan
    frame_timeout: float = 0.5  # a prefix without its end is released as typing after this
    max_length: int = MAX_SCAN_LENGTH


@dataclass(frozen=True)
class KeyStroke:
    """One key as Textual reported it, with its (monotonic) time in seconds."""

    key: str
    character: str | None
    at: float


class Action(StrEnum):
    PASS = "pass"  # let the current key through untouched (``typed`` is empty)
    HOLD = "hold"  # swallow the current key: it may be part of a scan
    TYPE = "type"  # swallow the current key; ``typed`` ends with it
    SCAN = "scan"  # swallow the current key; deliver ``code`` as a scan


@dataclass(frozen=True)
class WedgeDecision:
    """What to do with one key: replay ``typed`` first, then ``action``."""

    action: Action
    typed: tuple[KeyStroke, ...] = ()
    code: str = ""


_PASS = WedgeDecision(Action.PASS)


class WedgeDetector:
    """Feed it every key event; it answers with a ``WedgeDecision``. No I/O, no clock."""

    def __init__(self, config: WedgeConfig | None = None) -> None:
        self.config = config or WedgeConfig()
        self._controls = {c for c in self.config.prefix + self.config.suffix if not c.isprintable()}
        self._held: list[KeyStroke] = []
        self._framed = False  # prefix mode: the whole prefix has been seen
        self._last_at: float | None = None
        self._passthrough = False  # an over-long burst: type everything until a pause

    # -- public API ------------------------------------------------------------------

    def feed(self, key: str, character: str | None, at: float) -> WedgeDecision:
        """Decide about one key event (``at`` in seconds, e.g. Textual's ``event.time``)."""
        stroke = KeyStroke(key, character, at)
        if self.config.prefix:
            decision = self._feed_framed(stroke)
        else:
            decision = self._feed_timed(stroke)
        self._last_at = at
        return decision

    def paste(self) -> tuple[KeyStroke, ...]:
        """A paste arrived: the keys held so far are typing (replay them before the paste)."""
        return self._release()

    def expire(self, now: float) -> tuple[KeyStroke, ...]:
        """Keys held past their deadline, to be replayed as typing (empty if none)."""
        deadline = self.deadline
        if deadline is not None and now >= deadline:
            return self._release()
        return ()

    @property
    def deadline(self) -> float | None:
        """When ``expire`` should next be called, or None while nothing is held."""
        if not self._held:
            return None
        wait = self.config.frame_timeout if self.config.prefix else self.config.max_gap
        return self._held[-1].at + wait

    @property
    def holding(self) -> bool:
        return bool(self._held)

    # -- helpers ---------------------------------------------------------------------

    def _text(self, stroke: KeyStroke) -> str | None:
        """What a key types as far as a scan is concerned; None for keys no scanner sends."""
        if stroke.key == _GS_KEY:
            return GS1_SEPARATOR
        if stroke.key in _TERMINATOR_KEYS:
            return _TERMINATOR_KEYS[stroke.key]
        char = stroke.character
        if char is None or len(char) != 1:
            return None
        if char.isprintable() or char in self._controls:
            return char
        return None  # backspace, escape, ctrl+letters: a person at the keyboard

    def _release(self, *extra: KeyStroke) -> tuple[KeyStroke, ...]:
        typed = (*self._held, *extra)
        self._held = []
        self._framed = False
        return typed

    def _scan(self, code: str, before: tuple[KeyStroke, ...] = ()) -> WedgeDecision:
        self._held = []
        self._framed = False
        return WedgeDecision(Action.SCAN, before, code)

    def _held_text(self) -> str:
        return "".join(self._text(s) or "" for s in self._held)

    # -- timing ----------------------------------------------------------------------

    def _feed_timed(self, stroke: KeyStroke) -> WedgeDecision:
        cfg = self.config
        stale: tuple[KeyStroke, ...] = ()
        if self._held and stroke.at - self._held[-1].at > cfg.max_gap:
            stale = self._release()  # a pause: what was held is typing, not this burst
        if self._passthrough:
            if self._last_at is not None and stroke.at - self._last_at <= cfg.max_gap:
                return WedgeDecision(Action.TYPE, (*stale, stroke)) if stale else _PASS
            self._passthrough = False
        text = self._text(stroke)
        if text is None:
            return self._typed_with(stale, stroke)
        if cfg.suffix:
            if text in _TERMINATOR_KEYS.values() and text not in cfg.suffix:
                return self._typed_with(stale, stroke)
            self._held.append(stroke)
            held = self._held_text()
            if held.endswith(cfg.suffix):
                code = held[: -len(cfg.suffix)]
                if len(code) >= cfg.min_length:
                    return self._scan(code, stale)
                return WedgeDecision(Action.TYPE, (*stale, *self._release()))
        elif text in _LINE_ENDS:
            if len(self._held) >= cfg.min_length:
                return self._scan(self._held_text(), stale)
            return self._typed_with(stale, stroke)
        elif text in _TERMINATOR_KEYS.values():  # Tab, not configured: a person moving on
            return self._typed_with(stale, stroke)
        else:
            self._held.append(stroke)
        if len(self._held) > cfg.max_length + len(cfg.suffix):
            self._passthrough = True  # longer than any barcode: a paste or a stuck key
            return WedgeDecision(Action.TYPE, (*stale, *self._release()))
        return WedgeDecision(Action.HOLD, stale)

    def _typed_with(self, stale: tuple[KeyStroke, ...], stroke: KeyStroke) -> WedgeDecision:
        if not stale and not self._held:
            return _PASS
        return WedgeDecision(Action.TYPE, (*stale, *self._release(stroke)))

    # -- framing (prefix configured) -------------------------------------------------

    def _feed_framed(self, stroke: KeyStroke) -> WedgeDecision:
        cfg = self.config
        stale: tuple[KeyStroke, ...] = ()
        if self._held and stroke.at - self._held[-1].at > cfg.frame_timeout:
            stale = self._release()  # a prefix (or a frame) that never ended was typing
        text = self._text(stroke)
        if not self._framed:
            expected = cfg.prefix[len(self._held)]
            if text == expected:
                self._held.append(stroke)
                self._framed = len(self._held) == len(cfg.prefix)
                return WedgeDecision(Action.HOLD, stale)
            return self._typed_with(stale, stroke)
        if text is None:
            return self._typed_with(stale, stroke)
        body_start = len(cfg.prefix)
        if not cfg.suffix and text in _LINE_ENDS:
            return self._scan(self._held_text()[body_start:], stale)
        if text in _TERMINATOR_KEYS.values() and text not in cfg.suffix:
            return self._typed_with(stale, stroke)  # Tab ends no frame unless it is the suffix
        self._held.append(stroke)
        body = self._held_text()[body_start:]
        if cfg.suffix and body.endswith(cfg.suffix):
            return self._scan(body[: -len(cfg.suffix)], stale)
        if len(body) > cfg.max_length + len(cfg.suffix):
            return WedgeDecision(Action.TYPE, (*stale, *self._release()))
        return WedgeDecision(Action.HOLD, stale)
