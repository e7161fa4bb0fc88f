"""Log in at a seat: login (typed, picked with the arrows, or a badge scan), then PIN."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from app.domain.errors import DomainError
from app.messages import LoggedIn
from app.services.access.context import Context
from app.services.access.signin import active_staff, log_in
from screens.saving import Saves
from screens.widgets.errorline import ErrorLine
from screens.widgets.shown import markup


class LoginScreen(Saves, Screen):
    BINDINGS = [
        Binding("up", "pick(-1)", "Previous person", show=False, id="login.up"),
        Binding("down", "pick(1)", "Next person", show=False, id="login.down"),
        Binding("escape", "log_out", "Log out", id="login.logout"),
    ]

    def __init__(self, locked_login: str | None = None) -> None:
        super().__init__()
        self.locked_login = locked_login
        self.staff = active_staff()
        self.index = -1

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog login"):
            title = "Seat locked" if self.locked_login else "SerialDesk: log in"
            yield Static(f"{title} · {markup(self.app.seat_name)}", classes="dialog-title")
            yield Input(
                value=self.locked_login or "", placeholder="login, or scan your badge", id="login"
            )
            yield Input(placeholder="PIN", password=True, id="pin", restrict=r"[0-9]*")
            yield ErrorLine(id="message")
            people = markup("  ".join(f"{s.login} ({s.role})" for s in self.staff[:8]))
            if self.locked_login:
                yield Static(
                    f"{markup(self.locked_login)}'s PIN unlocks, with their work as it was. "
                    "Esc logs out (open carts and forms are discarded) for someone else.",
                    classes="hint",
                )
            elif self.staff:
                yield Static(f"↑/↓ choose: {people}", classes="hint")
            else:
                yield Static(
                    "Nobody works here yet. Set the shop up first: serialdesk add branch ..., "
                    "serialdesk add employee ... (see the README).",
                    classes="hint",
                )
        yield Footer()

    def on_mount(self) -> None:
        target = "#pin" if self.locked_login else "#login"
        self.query_one(target, Input).focus()

    def action_pick(self, step: int) -> None:
        if not self.staff or self.locked_login:
            return
        self.index = (self.index + step) % len(self.staff)
        login = self.query_one("#login", Input)
        login.value = self.staff[self.index].login
        login.focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return bool(self.locked_login) if action == "log_out" else True

    def action_log_out(self) -> None:
        if self.locked_login:
            self.app.log_out()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "login":
            if event.value.strip():
                self.query_one("#pin", Input).focus()
            return
        login = self.query_one("#login", Input).value
        # The PIN check writes (a miss counts towards the lock-out): off the UI thread.
        self.save(
            log_in,
            login,
            event.value,
            self.app.branch_code,
            seat=self.app.seat_name,
            clock=self.app.clock,
            then=self.logged_in,
            refused=self.refused,
            what="Checking the PIN",
        )

    def refused(self, error: DomainError) -> None:
        self.query_one("#pin", Input).value = ""
        self.message.fail(error.message)

    def logged_in(self, ctx: Context) -> None:
        if self.locked_login and ctx.employee_id != self.app.ctx.employee_id:
            self.query_one("#pin", Input).value = ""
            self.message.fail("Only the person who locked this seat can unlock it.")
            return
        self.post_message(LoggedIn(ctx))
