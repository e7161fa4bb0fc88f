"""The command line: ``serialdesk COMMAND ...`` for scripts, integrations and bulk work.
``main`` (the ``serialdesk`` entry point) lives in ``entry.py`` with the parser."""

from app.cli.entry import main

__all__ = ["main"]
