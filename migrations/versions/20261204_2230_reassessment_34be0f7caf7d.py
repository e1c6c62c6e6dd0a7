"""Reassessment (issue 18, item 4): an assessment may name the one before it and stores its comparison with it.
The link and the comparison go together (a CHECK), and the link's foreign key has no action, so that erasing the
earlier assessment must erase both first (service.assessments.services.delete) or fail. Existing assessments name
none.

Revision ID: 34be0f7caf7d
Revises: c41e7b9a2d60
Create Date: 2026-12-04 22:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "34be0f7caf7d"
down_revision: str | None = "c41e7b9a2d60"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("assessments", sa.Column("previous_assessment_id", sa.Uuid(), nullable=True))
    op.add_column("assessments", sa.Column("comparison", postgresql.JSONB(astext_type=sa.Text()), nullable=True))
    op.create_foreign_key(
        op.f("fk_assessments_previous_assessment_id_assessments"),
        "assessments",
        "assessments",
        ["previous_assessment_id"],
        ["id"],
    )
    op.create_check_constraint(
        op.f("ck_assessments_comparison_with_previous"),
        "assessments",
        "(previous_assessment_id IS NULL) = (comparison IS NULL)",
    )
    op.create_index(
        "ix_assessments_previous_assessment_id",
        "assessments",
        ["previous_assessment_id"],
        postgresql_where=sa.text("previous_assessment_id IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_assessments_previous_assessment_id", table_name="assessments")
    op.drop_constraint(op.f("ck_assessments_comparison_with_previous"), "assessments", type_="check")
    op.drop_constraint(op.f("fk_assessments_previous_assessment_id_assessments"), "assessments", type_="foreignkey")
    op.drop_column("assessments", "comparison")
    op.drop_column("assessments", "previous_assessment_id")
