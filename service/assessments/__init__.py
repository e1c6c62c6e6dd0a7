"""Muscle-imbalance assessments: the input, the versioned rules and the pure rule engine."""
