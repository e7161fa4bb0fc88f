"""The one-line bar at the top: what this screen is (and what it is saving), branch, seat,
person, and the devices.

Device trouble outranks names: when the line is too long (80 columns), the names are
shortened and then cut, and the scanner, printer and queued-card state stays whole.
"""

from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Static


class SeatBar(Static):
    title = reactive("")
    busy = reactive("")  # what the screen is saving, while it saves ("Saving the sale… 3 s")

    def __init__(self, title: str) -> None:
        super().__init__(id="seatbar")
        self.title = title

    def render(self) -> Content:
        devices = self.app.devices.status_line() if hasattr(self.app, "devices") else ""
        tail = f" │ {devices}" if devices else ""
        width = self.size.width
        heads = self.heads()
        if not width:
            return Content(heads[0] + tail)
        room = width - len(tail)
        head = next((h for h in heads if len(h) <= room), None)
        if head is None:  # even the shortest does not fit: cut the names, keep the devices
            head = heads[-1][: max(room - 1, 0)] + "…" if room > 1 else ""
        return Content((head + tail)[:width])

    def heads(self) -> list[str]:
        """The bar without the devices, from the fullest to the shortest wording."""
        ctx = getattr(self.app, "ctx", None)
        seat = getattr(self.app, "seat_name", "")
        title = f"{self.title} · {self.busy}" if self.busy else self.title
        if ctx is None:
            return [f" SerialDesk · {title} │ {seat} · not logged in", f" {title}"]
        who = f"{ctx.employee_name} ({ctx.role})"
        heads = [
            f" SerialDesk · {title} │ {ctx.branch_name} [{ctx.branch_code}] · {seat} · {who}",
            f" {title} │ {ctx.branch_name} [{ctx.branch_code}] · {seat} · {who}",
            f" {title} │ {ctx.branch_code} · {seat} · {who}",
            f" {title} │ {ctx.branch_code} · {seat} · {ctx.employee_name}",
        ]
        return heads + ([f" {title}"] if self.busy else [])  # saving outranks the names
