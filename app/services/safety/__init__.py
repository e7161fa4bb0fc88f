"""Safety: backups and restore of the shop's file, and checking that the database is
whole (history chain, documents, units, kept figures)."""
