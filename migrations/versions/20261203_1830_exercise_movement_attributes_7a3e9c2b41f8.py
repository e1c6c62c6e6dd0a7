"""Exercises carry movement attributes (CLINICAL.md §4): the positions they hold and what they demand. Null on
imported records, whose sources do not describe them (unknown, not "none").

Revision ID: 7a3e9c2b41f8
Revises: 5c2e8a41d7f3
Create Date: 2026-12-03 18:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "7a3e9c2b41f8"
down_revision: str | None = "5c2e8a41d7f3"
branch_labels = None
depends_on = None

# The values of service.catalog.enums.Position and Demand when this migration was written.
POSITIONS = (
    "standing",
    "seated",
    "supine",
    "prone",
    "side_lying",
    "kneeling",
    "quadruped",
    "plank",
    "hanging",
    "inverted",
)
DEMANDS = (
    "loaded_spinal_flexion",
    "loaded_spinal_rotation",
    "end_range_spinal_flexion",
    "end_range_spinal_rotation",
    "overhead",
    "deep_knee_flexion_loaded",
    "impact",
    "valsalva",
    "balance_demand",
)


def _within(column: str, values: tuple[str, ...]) -> str:
    return f"{column} <@ ARRAY[{', '.join(repr(v) for v in values)}]::text[]"


def upgrade() -> None:
    op.add_column("exercises", sa.Column("positions", postgresql.ARRAY(sa.Text()), nullable=True))
    op.add_column("exercises", sa.Column("demands", postgresql.ARRAY(sa.Text()), nullable=True))
    op.create_check_constraint(op.f("ck_exercises_positions"), "exercises", _within("positions", POSITIONS))
    op.create_check_constraint(op.f("ck_exercises_demands"), "exercises", _within("demands", DEMANDS))


def downgrade() -> None:
    op.drop_constraint(op.f("ck_exercises_demands"), "exercises", type_="check")
    op.drop_constraint(op.f("ck_exercises_positions"), "exercises", type_="check")
    op.drop_column("exercises", "demands")
    op.drop_column("exercises", "positions")
