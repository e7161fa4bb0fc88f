"""The trade's rules as plain Python: no database, no UI, no devices."""
