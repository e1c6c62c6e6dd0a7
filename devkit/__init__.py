"""Helpers shared by tests/ and bench/: personas, program-building helpers, keys, ports."""
