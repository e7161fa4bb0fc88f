"""``serialdesk``: the command line, for scripts, integrations and bulk work.

Thin by design: the parser is in ``app.cli.parser`` (loaded for any command line but
plain ``serialdesk``, which opens the counter screens), each command (``app.cli.counter``,
``app.cli.stock``, ...) calls one service and prints the result. Exit codes: 0 done,
1 refused (one line on stderr saying why), 2 wrong usage, 3 a bug (the
traceback goes to a log file), 130 interrupted.
"""

from __future__ import annotations

import argparse
import os
import sys

import peewee as pw

from app.cli import identity
from app.cli.render import to_json
from app.cli.session import PartlyRefused, UsageError, opt, shown_url
from app.domain.errors import DomainError
from app.domain.text import visible
from db.database import close_database
from db.migrations import SchemaTooNew

EXIT_OK, EXIT_REFUSED, EXIT_USAGE, EXIT_BUG, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
SECRET_OPTIONS = tuple(identity.ON_THE_LINE)  # refused anyway; hidden in the crash log too


# --- main ---------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = None
    try:
        identity.refuse_secrets_on_the_line(argv)
        args = _plain_start(argv) or _parsed(argv)
        identity.prove(args)  # what each command needs: app.cli.doors
        handler = getattr(args, "handler", None) or _welcome
        return handler(args) or EXIT_OK
    except UsageError as exc:
        return _fail(str(exc), EXIT_USAGE, args)
    except DomainError as exc:
        return _fail(exc.message, EXIT_REFUSED, args, exc)
    except SchemaTooNew as exc:
        return _fail(str(exc), EXIT_REFUSED, args)
    except pw.OperationalError as exc:
        if "locked" in str(exc).lower():
            return _fail("Another seat kept the database busy; try again.", EXIT_REFUSED, args)
        return _bug(argv)
    except KeyboardInterrupt:
        return _fail("interrupted.", EXIT_INTERRUPTED, args)
    except SystemExit as exc:  # --help and --version
        return exc.code if isinstance(exc.code, int) else EXIT_OK
    except BrokenPipeError:  # serialdesk stock --serials | head: the reader left
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception:
        return _bug(argv)
    finally:
        close_database()


# The counter screens' command line: plain ``serialdesk``, maybe with a database and branch.
_START_OPTIONS = ("--db", "--branch")


def _plain_start(argv: list[str]) -> argparse.Namespace | None:
    """``serialdesk [--db URL] [--branch CODE]`` read without the full parser, whose every
    command's imports would slow a seat's start; None for any other command line (the
    parser reads it, with its help and its errors)."""
    values: dict[str, str] = {}
    rest = list(argv)
    while rest:
        name, equals, value = rest.pop(0).partition("=")
        if name not in _START_OPTIONS or name[2:] in values:
            return None
        if not equals:
            if not rest or rest[0].startswith("-"):
                return None
            value = rest.pop(0)
        values[name[2:]] = value
    return argparse.Namespace(**values)


def _parsed(argv: list[str]) -> argparse.Namespace:
    return build_parser().parse_args(argv)


def build_parser() -> argparse.ArgumentParser:
    """The whole parser, every command's (``app.cli.parser``, loaded here)."""
    from app.cli import parser

    return parser.build_parser()


def _welcome(args) -> int:
    from app.cli.start import cmd_welcome  # plain ``serialdesk``: the counter screens

    return cmd_welcome(args)


def _fail(message: str, code: int, args, exc: DomainError | None = None) -> int:
    from app.services.stock.receiving import ReceiptRefused

    text = visible(" ".join(str(message).split()))
    if args is not None and opt(args, "json") and not isinstance(exc, PartlyRefused):
        error = {"type": type(exc).__name__ if exc else "UsageError", "message": text}
        if isinstance(exc, ReceiptRefused):
            error["problems"] = [{"serial": s, "reason": why} for s, why in exc.problems]
        print(to_json({"error": error}))
    print(f"serialdesk: {text}", file=sys.stderr)
    return code


def _bug(argv: list[str]) -> int:
    """An unexpected error: the traceback to the log file, one line to the person."""
    error = sys.exc_info()[1]
    from app import crash_log  # loaded when something went wrong, not at every start

    path = crash_log.record(error, f"serialdesk {' '.join(_redacted(argv))}")
    print(crash_log.one_line(error, path), file=sys.stderr)
    return EXIT_BUG


def _redacted(argv: list[str]) -> list[str]:
    shown, hide = [], False
    for arg in argv:
        if hide:
            shown.append("***")
            hide = False
        elif arg in SECRET_OPTIONS:
            shown.append(arg)
            hide = True
        elif arg.startswith(tuple(f"{o}=" for o in SECRET_OPTIONS)):
            shown.append(arg.split("=", 1)[0] + "=***")
        else:
            shown.append(shown_url(arg) if "://" in arg else arg)
    return shown


if __name__ == "__main__":
    sys.exit(main())
