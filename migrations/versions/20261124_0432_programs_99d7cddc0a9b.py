"""Programs (tenant-owned), each derived from one assessment and erased with it.

Revision ID: 99d7cddc0a9b
Revises: 577de75a246a
Create Date: 2026-11-24 04:32:46.042585
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "99d7cddc0a9b"
down_revision: str | None = "577de75a246a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "programs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("assessment_id", sa.Uuid(), nullable=False),
        sa.Column("subject_ref", sa.String(length=128), nullable=True),
        sa.Column("ruleset_version", sa.String(length=32), nullable=False),
        sa.Column("parameters", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("body", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessments.id"],
            name=op.f("fk_programs_assessment_id_assessments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["client_id"], ["api_clients.id"], name=op.f("fk_programs_client_id_api_clients"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programs")),
    )
    op.create_index("ix_programs_assessment_client", "programs", ["assessment_id", "client_id"], unique=False)
    op.create_index("ix_programs_client_created", "programs", ["client_id", "created_at", "id"], unique=False)
    op.create_index(op.f("ix_programs_client_id"), "programs", ["client_id"], unique=False)
    op.create_index("ix_programs_client_subject", "programs", ["client_id", "subject_ref"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_programs_client_subject", table_name="programs")
    op.drop_index(op.f("ix_programs_client_id"), table_name="programs")
    op.drop_index("ix_programs_client_created", table_name="programs")
    op.drop_index("ix_programs_assessment_client", table_name="programs")
    op.drop_table("programs")
