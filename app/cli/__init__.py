"""The command line: ``serialdesk COMMAND ...`` for scripts, integrations and bulk work
(entry point ``app.cli.main:main``)."""
