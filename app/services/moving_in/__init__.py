"""Moving in: a shop's spreadsheets read into the ledger (import), and the ledger written
out as files the import reads back (export)."""
