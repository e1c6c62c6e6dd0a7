"""Outcome measures (tenant-owned, issue 18): an assessment's NPRS, ODI, NDI, PSFS and STarT Back answers with their
scores, erased with the assessment.

Revision ID: 5a8d2f61c0e4
Revises: e3c71a9d5b20
Create Date: 2026-12-04 21:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "5a8d2f61c0e4"
down_revision: str | None = "e3c71a9d5b20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outcomes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("assessment_id", sa.Uuid(), nullable=False),
        sa.Column("measure", sa.String(length=16), nullable=False),
        sa.Column("taken_on", sa.Date(), nullable=False),
        sa.Column("ruleset_version", sa.String(length=32), nullable=False),
        sa.Column("answers", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("score", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessments.id"],
            name=op.f("fk_outcomes_assessment_id_assessments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["client_id"], ["api_clients.id"], name=op.f("fk_outcomes_client_id_api_clients"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outcomes")),
    )
    op.create_index("ix_outcomes_assessment_taken", "outcomes", ["assessment_id", "taken_on", "created_at"])
    op.create_index("ix_outcomes_client_created", "outcomes", ["client_id", "created_at", "id"])
    op.create_index(op.f("ix_outcomes_client_id"), "outcomes", ["client_id"])


def downgrade() -> None:
    op.drop_table("outcomes")
