"""F1: the keys of the screen in front of the person and the seat's global keys.

Textual's own key panel lists the focused widget's bindings first, so in a field it
shows the Input's editing keys (cursor left, delete...), which nobody at a counter
needs; this panel lists only what the screen and the app bind.
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import App
from textual.screen import Screen
from textual.widgets import Static


def screen_keys(screen: Screen) -> list[tuple[str, str, str, bool]]:
    """(where, keys, what, enabled) for every binding of ``screen`` and of the app, in the
    order a key press looks for them; several keys for one action share a row."""
    rows: dict[tuple[int, str], list] = {}
    for active in screen.active_bindings.values():
        node, binding = active.node, active.binding
        if binding.system or not binding.description or not isinstance(node, Screen | App):
            continue
        where = "Everywhere" if isinstance(node, App) else "This screen"
        key = screen.app.get_key_display(binding)
        row = rows.setdefault((id(node), binding.action), [where, [], binding.description, False])
        if key not in row[1]:
            row[1].append(key)
        row[3] = row[3] or active.enabled
    return [(where, " ".join(keys), what, on) for where, keys, what, on in rows.values()]


class ScreenKeys(Static):
    """The key list shown beside the screen; F1 again hides it."""

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, lambda _screen: self.refresh())

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def render(self) -> Table:
        table = Table.grid(padding=(0, 1))
        table.add_column(justify="right", no_wrap=True)
        table.add_column()
        group = ""
        for where, keys, what, enabled in screen_keys(self.screen):
            if where != group:
                group = where
                table.add_row("", Text(where, style="bold underline"))
            table.add_row(Text(keys, style="bold" if enabled else "dim"), what)
        return table
