"""The steps every use case shares on the ledger: documents and their numbers, unit moves
with their history rows, look-ups of what is typed or scanned, units by serial, a
product's effective settings, quantity stock, and the figures kept as lines are written."""
