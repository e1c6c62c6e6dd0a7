"""The taxonomy: muscles, equipment, conditions, imbalance patterns and exercises."""
