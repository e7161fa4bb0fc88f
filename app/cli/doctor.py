"""``serialdesk doctor`` (is the box safe to hand to staff?) and ``serialdesk ssh-seat`` (give a
member of staff's key a seat over SSH, never a shell). The checks and the key lines are in
``app.services.safety.box_check`` and ``ssh_seats``."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from urllib.parse import urlparse

from app.cli.session import UsageError, database_url, emit, open_db, opt, sqlite_path
from app.config import default_config_path, load_config
from app.crash_log import log_path
from app.domain.errors import Refused
from app.services.safety import box_check, ssh_seats

EXIT_OK, EXIT_REFUSED = 0, 1
MARK = {box_check.OK: "ok  ", box_check.WARN: "warn", box_check.FAIL: "FAIL"}


def add_commands(command) -> None:
    p = command("doctor", cmd_doctor, "check this box's file modes, owners, key and SSH set-up")
    p.add_argument("--fix", action="store_true", help="make this account's files private")
    p = command("ssh-seat", cmd_ssh_seat, "give a staff SSH key a counter seat, never a shell")
    p.add_argument("key", metavar="KEY.pub", help="their public key file ('-' for stdin)")
    p.add_argument("--seat", required=True, metavar="NAME", help="the seat's name")
    p.add_argument("--install", action="store_true", help="write it into authorized_keys")


def box_paths(args) -> box_check.BoxPaths:
    url = database_url(args)
    config = load_config()
    key_file = anchor_file = None
    try:
        from db import chain_key

        key_file, anchor_file = chain_key.key_path(), chain_key.anchor_path()
    except Exception:  # no key set up for this database yet: reported as such
        pass
    return box_check.BoxPaths(
        database=sqlite_path(url),
        seat_file=config.path or default_config_path(),
        key_file=key_file,
        anchor_file=anchor_file,
        log_file=log_path(),
        authorized_keys=Path.home() / ".ssh" / "authorized_keys",
    )


def cmd_doctor(args) -> int:
    open_db(args)
    findings = box_check.check_box(box_paths(args), fix=bool(opt(args, "fix")))
    failed = [f for f in findings if f.level == box_check.FAIL]
    result = {"ok": not failed, "findings": [f.as_dict() for f in findings]}

    def render(_r) -> str:
        lines = []
        for f in findings:
            lines.append(f"{MARK[f.level]}  {f.subject}: {f.message}")
            if f.fix:
                lines.append(f"        fix: {f.fix}")
        warned = sum(f.level == box_check.WARN for f in findings)
        lines.append(f"{len(failed)} to fix, {warned} to consider.")
        return "\n".join(lines)

    emit(args, result, render)
    if failed:
        print(f"serialdesk: {len(failed)} problem(s) to fix; see above.", file=sys.stderr)
        return EXIT_REFUSED
    return EXIT_OK


def cmd_ssh_seat(args) -> int:
    open_db(args)
    try:
        text = sys.stdin.read() if args.key == "-" else Path(args.key).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read the public key {args.key}: {exc}") from None
    key = ssh_seats.parse_public_key(text)
    seat = ssh_seats.check_seat_name(args.seat)
    config = load_config()
    seat_file = ssh_seats.seat_file_path((config.path or default_config_path()).parent, seat)
    program = shutil.which("serialdesk") or str(Path(sys.argv[0]).resolve())
    line = ssh_seats.authorized_line(key, ssh_seats.forced_command(program, seat_file))
    result = {"seat": seat, "seat_file": str(seat_file), "line": line, "installed": None}
    if opt(args, "install"):
        url = database_url(args)
        if urlparse(url).password:
            raise Refused("Put the PostgreSQL password in ~/.pgpass, not in the seat's file.")
        path = sqlite_path(url)  # the seat starts anywhere: its database by its full path
        ssh_seats.write_seat_file(
            seat_file, seat, str(path.resolve()) if path else url, config.branch
        )
        keys = Path.home() / ".ssh" / "authorized_keys"
        result["installed"] = f"{ssh_seats.install(line, key, keys)} in {keys}"

    def render(r) -> str:
        if r["installed"]:
            return f"Seat '{seat}' ({seat_file}): key {r['installed']}."
        return line

    return emit(args, result, render)
