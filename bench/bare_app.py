"""The floor for ``bench/startup.py``: a bare Textual app with one focused Input, marked ready
the way the seat is (``app.startup_mark``), run as its own command in the same terminal."""

from textual.app import App, ComposeResult
from textual.widgets import Input


class Bare(App):
    def compose(self) -> ComposeResult:
        yield Input(placeholder="scan")

    def on_mount(self) -> None:
        # Imported here, as a file beside the app would be: not counted before the app runs.
        import os
        import sys

        sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        from app.startup_mark import mark_when_ready

        mark_when_ready(self, "login")


if __name__ == "__main__":
    Bare().run()
