"""Importers of open exercise datasets: each maps a dataset onto the catalogue and writes it through the seed."""
