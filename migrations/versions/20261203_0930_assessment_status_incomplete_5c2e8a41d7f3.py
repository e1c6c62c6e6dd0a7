"""Assessments may be `incomplete` (screening, assessment rules 2026.12.1): a wider status column and its check.

Revision ID: 5c2e8a41d7f3
Revises: 3b1f0c9a7d21
Create Date: 2026-12-03 09:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "5c2e8a41d7f3"
down_revision: str | None = "3b1f0c9a7d21"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_constraint(op.f("ck_assessments_status"), "assessments", type_="check")
    op.alter_column("assessments", "status", type_=sa.String(16), existing_type=sa.String(8), existing_nullable=False)
    op.create_check_constraint(op.f("ck_assessments_status"), "assessments", "status IN ('ok', 'refer', 'incomplete')")


def downgrade() -> None:
    # Refused while an incomplete assessment exists: the old check cannot hold it.
    op.drop_constraint(op.f("ck_assessments_status"), "assessments", type_="check")
    op.alter_column("assessments", "status", type_=sa.String(8), existing_type=sa.String(16), existing_nullable=False)
    op.create_check_constraint(op.f("ck_assessments_status"), "assessments", "status IN ('ok', 'refer')")
