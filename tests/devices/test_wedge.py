"""The keyboard-wedge detector as a function of (key, time)."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from devices.wedge import Action, KeyStroke, WedgeConfig, WedgeDetector

ENTER, TAB, GS = ("enter", "\r"), ("tab", "\t"), ("ctrl+right_square_bracket", "\x1d")
SCANNER_GAP = 0.004  # 4 ms between keys: a USB scanner
HUMAN_GAP = 0.180


def keys_of(text: str) -> list[tuple[str, str | None]]:
    """Textual's (key, character) for each character; \\r is Enter, \\x1d is Ctrl+]."""
    named = {"\r": ENTER, "\t": TAB, "\x1d": GS, " ": ("space", " ")}
    return [named.get(c, (c, c)) for c in text]


def timed(text: str, start: float, gap: float) -> list[tuple[str, str | None, float]]:
    return [(k, c, start + i * gap) for i, (k, c) in enumerate(keys_of(text))]


def shown(stroke: KeyStroke) -> str:
    if stroke.key == "enter":
        return "⏎"
    if stroke.character and stroke.character.isprintable():
        return stroke.character
    return f"<{stroke.key}>"


def run(detector: WedgeDetector, events) -> tuple[str, list[str]]:
    """Play key events as the app would: what reaches the field as typing, and the scans.

    The app's timer calls ``expire`` at ``deadline`` whenever that comes before the
    next key; at the end every held key is flushed.
    """
    typed: list[str] = []
    scans: list[str] = []
    for key, char, at in events:
        deadline = detector.deadline
        if deadline is not None and deadline < at:
            typed += [shown(s) for s in detector.expire(deadline)]
        decision = detector.feed(key, char, at)
        if decision.action is Action.PASS:
            assert not decision.typed
            typed.append(shown(KeyStroke(key, char, at)))
        else:
            typed += [shown(s) for s in decision.typed]
        if decision.action is Action.SCAN:
            scans.append(decision.code)
    typed += [shown(s) for s in detector.expire(math.inf)]
    return "".join(typed), scans


# -- timing ---------------------------------------------------------------------------


def test_a_scanner_burst_ended_by_enter_is_one_scan_and_types_nothing():
    typed, scans = run(WedgeDetector(), timed("356938035643809\r", 10.0, SCANNER_GAP))
    assert scans == ["356938035643809"]
    assert typed == ""


def test_tab_ends_a_scan_only_when_it_is_the_configured_suffix():
    detector = WedgeDetector(WedgeConfig(suffix="\t"))
    assert run(detector, timed("SN-0042\t", 0, SCANNER_GAP)) == ("", ["SN-0042"])
    # That scanner's Enter is not its ending: typing.
    assert run(detector, timed("SN-0043\r", 1.0, SCANNER_GAP)) == ("SN-0043⏎", [])


LAGGY_LINK = 0.0  # an SSH session delivers a person's last 200 ms of keys with no gap at all


def test_bunched_typing_ending_in_tab_is_typing_not_a_scan():
    """A person typing over a laggy link: the keys arrive together, then Tab to move on."""
    typed, scans = run(WedgeDetector(), timed("Bob Builder\t", 0, LAGGY_LINK))
    assert scans == []
    assert typed == "Bob Builder<tab>"  # every key replayed, in order, Tab last
    typed, scans = run(WedgeDetector(), timed("SN-0042\t", 0, SCANNER_GAP))
    assert (typed, scans) == ("SN-0042<tab>", [])  # at scanner speed too: Tab is not Enter


def test_bunched_keys_then_tab_after_slow_typing_keep_the_whole_field():
    events = timed("ca", 0, HUMAN_GAP) + timed("lvin\t", 1.0, LAGGY_LINK)
    assert run(WedgeDetector(), events) == ("calvin<tab>", [])


def test_a_real_scanner_burst_is_still_a_scan_however_the_link_bunches_it():
    for gap in (LAGGY_LINK, SCANNER_GAP, 0.040):
        assert run(WedgeDetector(), timed("356938035643809\r", 5.0, gap)) == (
            "",
            ["356938035643809"],
        )


def test_a_burst_whose_enter_comes_after_a_pause_is_typing():
    events = timed("ABCD1234", 0, SCANNER_GAP) + [(*ENTER, 0.5)]
    assert run(WedgeDetector(), events) == ("ABCD1234⏎", [])


def test_with_a_prefix_tab_does_not_end_the_frame():
    detector = WedgeDetector(WedgeConfig(prefix="]"))
    assert run(detector, timed("]SN9\t", 0, 0.02)) == ("]SN9<tab>", [])


def test_a_person_typing_is_typing():
    typed, scans = run(WedgeDetector(), timed("hello world\r", 0, HUMAN_GAP))
    assert scans == []
    assert typed == "hello world⏎"


def test_a_fast_typist_burst_shorter_than_min_length_is_typing():
    events = timed("ok\r", 0, 0.010)
    assert run(WedgeDetector(WedgeConfig(min_length=4)), events) == ("ok⏎", [])


def test_the_gs1_separator_is_kept_in_the_scan():
    code = "010950600013435\x1d21SN77"
    assert run(WedgeDetector(), timed(code + "\r", 0, SCANNER_GAP)) == ("", [code])


def test_the_first_key_is_held_only_until_the_deadline():
    detector = WedgeDetector(WedgeConfig(max_gap=0.05))
    decision = detector.feed("a", "a", 1.0)
    assert decision.action is Action.HOLD and decision.typed == ()
    assert detector.deadline == 1.05
    assert detector.expire(1.04) == ()  # too early: still held
    released = detector.expire(1.05)
    assert [s.character for s in released] == ["a"]
    assert detector.deadline is None and not detector.holding


def test_a_pause_splits_typing_from_the_scan_that_follows():
    events = timed("1234", 0, SCANNER_GAP) + timed("5678\r", 1.0, SCANNER_GAP)
    assert run(WedgeDetector(), events) == ("1234", ["5678"])


def test_typing_then_a_scan_keeps_order():
    events = timed("qty", 0, HUMAN_GAP) + timed("ABC123\r", 2.0, SCANNER_GAP)
    assert run(WedgeDetector(), events) == ("qty", ["ABC123"])


def test_held_keys_are_released_before_a_key_that_arrives_late():
    detector = WedgeDetector()
    detector.feed("a", "a", 0.0)
    decision = detector.feed("b", "b", 0.5)  # the app's timer did not fire in between
    assert decision.action is Action.HOLD
    assert [s.character for s in decision.typed] == ["a"]


def test_a_non_character_key_releases_the_held_keys_in_order():
    detector = WedgeDetector()
    detector.feed("a", "a", 0.0)
    detector.feed("b", "b", 0.004)
    decision = detector.feed("left", None, 0.008)
    assert decision.action is Action.TYPE
    assert [s.key for s in decision.typed] == ["a", "b", "left"]


def test_backspace_and_escape_are_never_part_of_a_scan():
    events = timed("ABCD", 0, SCANNER_GAP) + [("backspace", "\x7f", 0.02), ("enter", "\r", 0.024)]
    assert run(WedgeDetector(), events) == ("ABCD<backspace>⏎", [])


def test_enter_with_nothing_held_passes_straight_through():
    decision = WedgeDetector().feed("enter", "\r", 5.0)
    assert decision.action is Action.PASS and decision.typed == ()


def test_function_keys_pass_without_delay():
    assert WedgeDetector().feed("f3", None, 0.0).action is Action.PASS


def test_an_over_long_burst_is_typing_until_a_pause():
    detector = WedgeDetector(WedgeConfig(max_length=20))
    burst = timed("X" * 30 + "\r", 0, SCANNER_GAP)
    typed, scans = run(detector, burst)
    assert scans == [] and typed == "X" * 30 + "⏎"
    # After a pause the detector recognises scans again.
    assert run(detector, timed("OK1234\r", 5.0, SCANNER_GAP)) == ("", ["OK1234"])


def test_a_paste_releases_held_keys_and_is_never_a_scan():
    detector = WedgeDetector()
    detector.feed("a", "a", 0.0)
    assert [s.character for s in detector.paste()] == ["a"]
    assert not detector.holding
    # The pasted text itself never goes through the detector (Textual sends one Paste).
    assert detector.feed("enter", "\r", 0.001).action is Action.PASS


def test_scans_back_to_back_are_neither_merged_nor_split():
    events = []
    codes = [f"SN{n:06d}" for n in range(50)]
    for n, code in enumerate(codes):
        events += timed(code + "\r", n * 0.05, SCANNER_GAP)  # 20 scans per second
    assert run(WedgeDetector(), events) == ("", codes)


# -- framing: prefix and suffix ---------------------------------------------------------


STX, ETX = ("ctrl+b", "\x02"), ("ctrl+c", "\x03")


def test_prefix_and_suffix_frame_a_scan_even_at_human_speed():
    detector = WedgeDetector(WedgeConfig(prefix="\x02", suffix="\x03", frame_timeout=0.5))
    events = [(*STX, 0.0)] + timed("AB12", 0.3, 0.3) + [(*ETX, 1.5)]  # 300 ms between keys
    assert run(detector, events) == ("", ["AB12"])


def test_with_a_prefix_typing_is_not_delayed_at_all():
    detector = WedgeDetector(WedgeConfig(prefix="\x02"))
    for key, char, at in timed("abc", 0, 0.001):
        assert detector.feed(key, char, at).action is Action.PASS


def test_prefix_then_enter_ends_the_scan_when_no_suffix_is_set():
    detector = WedgeDetector(WedgeConfig(prefix="]"))
    assert run(detector, timed("]SN9\r", 0, 0.02)) == ("", ["SN9"])


def test_a_prefix_left_unfinished_is_released_as_typing():
    detector = WedgeDetector(WedgeConfig(prefix="\x02", frame_timeout=0.5))
    events = [(*STX, 0.0)] + timed("AB", 0.01, 0.01) + timed("c", 3.0, 0.1)
    assert run(detector, events) == ("<ctrl+b>ABc", [])


def test_a_partial_multi_character_prefix_is_typing():
    detector = WedgeDetector(WedgeConfig(prefix="##"))
    assert run(detector, timed("#a", 0, 0.01)) == ("#a", [])


def test_suffix_only_uses_timing_for_the_start_and_the_suffix_for_the_end():
    detector = WedgeDetector(WedgeConfig(suffix="\x03"))
    events = timed("AB1234", 0, SCANNER_GAP) + [(*ETX, 0.03)]
    assert run(detector, events) == ("", ["AB1234"])
    # Enter is not this scanner's ending: the burst is typing.
    assert run(detector, timed("CD5678\r", 1.0, SCANNER_GAP)) == ("CD5678⏎", [])


# -- properties -------------------------------------------------------------------------

human_text = st.text(alphabet=st.sampled_from("abcdefXYZ0123456789 -\r\t"), min_size=0, max_size=25)


@settings(max_examples=60, deadline=None)
@given(text=human_text, gaps=st.lists(st.floats(0.06, 1.0), min_size=25, max_size=25))
def test_typing_at_human_speed_always_comes_through_unchanged(text, gaps):
    events, at = [], 0.0
    for (key, char), gap in zip(keys_of(text), gaps, strict=False):
        at += gap
        events.append((key, char, at))
    typed, scans = run(WedgeDetector(), events)
    assert scans == []
    assert typed == "".join(shown(KeyStroke(k, c, 0)) for k, c in keys_of(text))


@settings(max_examples=60, deadline=None)
@given(
    parts=st.lists(
        st.tuples(st.booleans(), st.text(st.sampled_from("ABC123-"), min_size=4, max_size=20)),
        max_size=6,
    )
)
def test_scans_and_typing_interleaved_are_told_apart(parts):
    events, at, want_typed, want_scans = [], 0.0, "", []
    for is_scan, text in parts:
        at += 0.5
        if is_scan:
            events += timed(text + "\r", at, SCANNER_GAP)
            want_scans.append(text)
        else:
            events += timed(text, at, HUMAN_GAP)
            want_typed += text
        at = events[-1][2] if events else at
    assert run(WedgeDetector(), events) == (want_typed, want_scans)
