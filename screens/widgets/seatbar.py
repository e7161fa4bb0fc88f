"""The one-line bar at the top: branch, seat, person, and what this screen is."""

from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Static


class SeatBar(Static):
    title = reactive("")

    def __init__(self, title: str) -> None:
        super().__init__(id="seatbar")
        self.title = title

    def render(self) -> Content:
        ctx = getattr(self.app, "ctx", None)
        seat = getattr(self.app, "seat_name", "")
        who = f"{ctx.employee_name} ({ctx.role})" if ctx else "not logged in"
        where = f"{ctx.branch_name} [{ctx.branch_code}]" if ctx else ""
        devices = self.app.devices.status_line() if hasattr(self.app, "devices") else ""
        tail = f" │ {devices}" if devices else ""
        return Content(f" SerialDesk · {self.title} │ {where} · {seat} · {who}{tail}")
