"""``serialdesk serve``: the counter screens in a browser, a seat for the repair-desk tablet.

textual-serve starts ``serialdesk`` afresh for each browser tab that connects, with
``TEXTUAL_DRIVER`` naming Textual's web driver (its stdin and stdout are then the server's
pipes, not a terminal): ``app.cli.start.cmd_welcome`` sees that and starts the screens,
which ask for a login and PIN as at any seat. The server itself has no TLS and no login of
its own, so it listens on 127.0.0.1 unless told otherwise; the README shows the reverse
proxy with TLS to put in front of it.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import os
import shlex
import socket
import sys
from pathlib import Path
from urllib.parse import urlsplit

from app.cli.session import EXIT_OK, UsageError, database_url, open_db, opt, shown_url
from app.config import load_config
from app.domain.errors import Refused
from db.database import close_database

DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 8000
DEFAULT_MAX_SEATS = 4
# Secrets a script may keep in the box's environment: a browser seat never inherits them.
_NOT_FOR_THE_SEAT = ("EMPLOYEE", "PIN", "TOKEN", "APPROVER_PIN", "APPROVER_TOKEN", "NEW_PIN")


def add_commands(command) -> None:
    """Register ``serve`` with the parser's ``command`` helper (see ``app.cli.entry``)."""
    p = command("serve", cmd_serve, "the counter screens in a web browser (a tablet's seat)")
    p.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"address to listen on (default {DEFAULT_HOST}: only a proxy on this box reaches it)",
    )
    p.add_argument("--port", type=_port, default=DEFAULT_PORT, help=f"default {DEFAULT_PORT}")
    p.add_argument(
        "--public-url",
        type=_public_url_arg,
        metavar="URL",
        help="the address the browser opens, e.g. https://desk.shop.example behind a proxy",
    )
    p.add_argument(
        "--max-seats",
        type=_seats,
        default=DEFAULT_MAX_SEATS,
        metavar="N",
        help=f"browser tabs served at once (default {DEFAULT_MAX_SEATS}; each is a seat process)",
    )
    p.add_argument(
        "--seat-file",
        metavar="F",
        help="this seat's settings: name, branch, printer (else SERIALDESK_CONFIG or the default)",
    )


def cmd_serve(args) -> int:
    """Serve the counter screens to browsers until Ctrl+C (or SIGTERM)."""
    if args.public_url is None and _is_wildcard(args.host):
        raise UsageError(
            f"--host '{args.host}' listens on every address; give --public-url, "
            "the address the tablet opens (the page's links use it)"
        )
    if args.seat_file:
        seat_file = Path(args.seat_file).expanduser().resolve()
        if not seat_file.is_file():
            raise Refused(f"There is no seat settings file at {seat_file}.")
        os.environ["SERIALDESK_CONFIG"] = str(seat_file)  # the screens read it, as at any seat
    config = load_config()  # a broken seat file is refused here, not in the browser
    url = database_url(args)
    open_db(args)  # refuse a missing or too-new database now, not at every connection
    close_database()
    public_url = args.public_url or _default_public_url(args.host, args.port)
    seat_env(url)
    command = [sys.executable, "-m", "app.cli"]
    if opt(args, "branch"):
        command += ["--branch", opt(args, "branch")]
    print(
        f"SerialDesk seat '{config.seat}' for browsers at {public_url} "
        f"(listening on {args.host}:{args.port}); database {shown_url(url)}.",
        flush=True,
    )
    if not _is_loopback(args.host):
        print(
            f"serialdesk: {args.host} is reachable from the network, and this server has no "
            "TLS and no login but the PIN: put the TLS proxy in front (README, Browser seat).",
            file=sys.stderr,
            flush=True,
        )
    server = guarded_server(
        shlex.join(command),
        host=args.host,
        port=args.port,
        title=f"SerialDesk · {config.seat}",
        public_url=public_url,
        max_seats=args.max_seats,
    )
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)  # textual-serve runs on the current loop
    try:
        server.serve()
    except OSError as exc:  # the port is taken, or the address is not this machine's
        raise Refused(f"Cannot listen on {args.host}:{args.port}: {exc.strerror or exc}") from None
    finally:
        asyncio.set_event_loop(None)
        loop.close()
    return EXIT_OK


def guarded_server(command: str, *, public_url: str, max_seats: int, **options):
    """textual-serve's server, refusing a seat to a page of another site (a browser sends
    the page's Origin: any site open on the tablet could otherwise open seats here) and
    to more than ``max_seats`` tabs at once (each is a process of its own)."""
    from aiohttp import web
    from textual_serve.server import Server

    allowed = {_origin(public_url)}
    parts = urlsplit(public_url)
    if _is_loopback(parts.hostname or ""):  # this box's own browser, by any of its names
        port = f":{parts.port}" if parts.port else ""
        allowed |= {f"{parts.scheme}://{h}{port}" for h in ("localhost", "127.0.0.1", "[::1]")}

    class GuardedServer(Server):
        open_seats = 0

        async def handle_websocket(self, request):
            origin = request.headers.get("Origin")
            if origin is not None and origin.rstrip("/").lower() not in allowed:
                print(
                    f"serialdesk: refused a seat to a page from {ascii(origin)[1:-1]} "
                    f"(only {public_url} is served)",
                    file=sys.stderr,
                    flush=True,
                )
                return web.Response(status=403, text="This seat is served to its own page only.")
            if self.open_seats >= max_seats:
                return web.Response(
                    status=503, text=f"All {max_seats} browser seats are in use; try later."
                )
            self.open_seats += 1
            try:
                return await super().handle_websocket(request)
            finally:
                self.open_seats -= 1

    return GuardedServer(command, public_url=public_url, **options)


def _origin(url: str) -> str:
    """scheme://host[:port] of a URL, as a browser sends it in Origin (default ports left out)."""
    parts = urlsplit(url)
    default = {"http": 80, "https": 443}.get(parts.scheme)
    port = f":{parts.port}" if parts.port and parts.port != default else ""
    host = f"[{parts.hostname}]" if ":" in (parts.hostname or "") else parts.hostname
    return f"{parts.scheme}://{host}{port}".lower()


def seat_env(url: str) -> None:
    """The environment every browser seat starts with: this database, no one's secrets."""
    os.environ["SERIALDESK_DB"] = url  # --db applies to the seats too
    for name in _NOT_FOR_THE_SEAT:
        os.environ.pop(f"SERIALDESK_{name}", None)


def _default_public_url(host: str, port: int) -> str:
    """The address the page's own links use when --public-url is not given."""
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def _address(host: str):
    """The IP address ``host`` names, also in the short forms the system accepts ("0" is
    0.0.0.0, "127.1" is 127.0.0.1); None for a host name."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


def _is_loopback(host: str) -> bool:
    address = _address(host)
    return host == "localhost" or (address is not None and address.is_loopback)


def _is_wildcard(host: str) -> bool:
    address = _address(host)
    return host == "" or (address is not None and address.is_unspecified)


def _seats(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 64:
        raise argparse.ArgumentTypeError(f"--max-seats is a number from 1 to 64, not '{text}'")
    return int(text)


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = 0
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"a port is a number from 1 to 65535, not '{text}'")
    return port


def _public_url_arg(text: str) -> str:
    if not text.startswith(("http://", "https://")):
        raise argparse.ArgumentTypeError(
            f"the public URL starts with https:// (or http://), not '{text}'"
        )
    return text.rstrip("/")
