"""Assessments (tenant-owned) and the idempotency keys of creating POSTs.

Revision ID: 577de75a246a
Revises: 68deaf74905f
Create Date: 2026-11-24 03:27:10.216755
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "577de75a246a"
down_revision: str | None = "68deaf74905f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "assessments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("subject_ref", sa.String(length=128), nullable=True),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("ruleset_version", sa.String(length=32), nullable=False),
        sa.Column("pattern_slugs", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("input", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("result", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.CheckConstraint("status IN ('ok', 'refer')", name=op.f("ck_assessments_status")),
        sa.ForeignKeyConstraint(
            ["client_id"], ["api_clients.id"], name=op.f("fk_assessments_client_id_api_clients"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessments")),
    )
    op.create_index("ix_assessments_client_created", "assessments", ["client_id", "created_at", "id"], unique=False)
    op.create_index(op.f("ix_assessments_client_id"), "assessments", ["client_id"], unique=False)
    op.create_index("ix_assessments_client_subject", "assessments", ["client_id", "subject_ref"], unique=False)
    op.create_index(
        "ix_assessments_pattern_slugs", "assessments", ["pattern_slugs"], unique=False, postgresql_using="gin"
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("operation", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("response_status", sa.Integer(), nullable=True),
        sa.Column("response_body", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("resource_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["api_clients.id"],
            name=op.f("fk_idempotency_keys_client_id_api_clients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("client_id", "operation", "key", name=op.f("pk_idempotency_keys")),
    )
    op.create_index(op.f("ix_idempotency_keys_resource_id"), "idempotency_keys", ["resource_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_idempotency_keys_resource_id"), table_name="idempotency_keys")
    op.drop_table("idempotency_keys")
    op.drop_index("ix_assessments_pattern_slugs", table_name="assessments", postgresql_using="gin")
    op.drop_index("ix_assessments_client_subject", table_name="assessments")
    op.drop_index(op.f("ix_assessments_client_id"), table_name="assessments")
    op.drop_index("ix_assessments_client_created", table_name="assessments")
    op.drop_table("assessments")
