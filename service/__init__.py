"""Realign: exercise taxonomy, muscle-imbalance assessments and corrective programs."""
