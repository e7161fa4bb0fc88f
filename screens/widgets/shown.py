"""Stored text as a screen shows it: read literally, never obeyed.

Names, notes and reasons may hold anything older data let in (an ESC, a C1 control,
``[red]`` or ``[link=...]``). Textual reads markup in ``Static`` and in ``DataTable``
cells given as ``str``, so stored text goes through one of these first.
"""

from __future__ import annotations

from rich.text import Text
from textual.content import Content
from textual.markup import escape

from app.domain.text import visible


def markup(value: object) -> str:
    """Stored text for a markup string: controls drawn visibly, brackets escaped."""
    return escape(visible(value))


def cell(value: object, *, wrap: bool = False) -> Text:
    """Stored text for a DataTable cell: plain Text, so nothing in it is markup; ``wrap``
    lets it run onto more lines (in a fixed-width column of a row added with height=None)."""
    return Text(visible(value), no_wrap=not wrap)


def plain(value: object) -> Content:
    """Stored text (or a message carrying it) for a widget's whole content: nothing in
    it is markup; line breaks kept, other controls drawn visibly."""
    return Content(visible(value, lines=True))
