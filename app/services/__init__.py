"""Use cases: each one transaction, calling the domain rules, returning plain dataclasses."""
