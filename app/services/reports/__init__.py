"""Reports: listings of rows and figures over the whole ledger, each a set-based query,
run by name with filters for the screen, CSV or JSON."""
