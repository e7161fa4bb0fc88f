"""Free text: control characters refused on input, drawn visibly on output."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.errors import Refused
from app.domain.text import MAX_NAME, MAX_NOTE, free_text, is_control, name_text, visible

CONTROLS = [chr(c) for c in [*range(0x00, 0x20), *range(0x7F, 0xA0)] if chr(c) != "\n"]


@pytest.mark.parametrize("ch", CONTROLS + ["\u202e", "\udcff"])
def test_a_control_character_is_refused_in_a_note_and_a_name(ch):
    if ch in "\t\r":  # a tab is a space; a CR of CRLF is dropped at the ends
        return
    with pytest.raises(Refused, match="control character"):
        free_text(f"a{ch}b", "reason", lines=True)
    with pytest.raises(Refused, match="control character"):
        name_text(f"Ann{ch}Lee", "customer name")


def test_line_breaks_only_where_a_note_has_lines():
    assert free_text("line one\r\nline two", "note", lines=True) == "line one\nline two"
    with pytest.raises(Refused):
        free_text("line one\nline two", "reference")
    with pytest.raises(Refused):
        free_text("a\rb", "note", lines=True)


def test_lengths_are_bounded():
    assert free_text("x" * MAX_NOTE, "note") == "x" * MAX_NOTE
    with pytest.raises(Refused, match="at most 500"):
        free_text("x" * (MAX_NOTE + 1), "note")
    with pytest.raises(Refused, match="longer than 120"):
        name_text("x" * (MAX_NAME + 1))
    assert name_text("  Ann   Lee ") == "Ann Lee"


@given(st.text())
def test_visible_text_holds_no_control_character(text):
    for shown in (visible(text), visible(text, paper=True)):
        assert not any(is_control(ch) for ch in shown)
    assert not any(is_control(ch) for ch in visible(text, lines=True) if ch != "\n")
    assert all(ord(ch) < 0x80 or not is_control(ch) for ch in visible(text, paper=True))


def test_visible_draws_escape_and_c1_so_a_person_sees_them():
    assert visible("\x1b[2Jx") == "\u241b[2Jx"
    assert visible("a\x9bb") == "a\\x9bb"
    assert visible("\x1b[2J", paper=True) == "\\x1b[2J"
    assert visible("plain [red]text[/]") == "plain [red]text[/]"
