"""Idempotency keys keep their stored answer as JSON text (JSON, not JSONB), so that a replay answers the very bytes
of the first answer (issue 17, item 9): JSONB reorders an object's keys and drops the text it was given. Answers
stored before keep JSONB's order, which is what their replays already sent.

Revision ID: b4d1e6f02a93
Revises: 7a3e9c2b41f8
Create Date: 2026-12-04 20:00:00
"""

from __future__ import annotations

from alembic import op

revision: str = "b4d1e6f02a93"
down_revision: str | None = "7a3e9c2b41f8"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE idempotency_keys ALTER COLUMN response_body TYPE JSON USING response_body::JSON")


def downgrade() -> None:
    op.execute("ALTER TABLE idempotency_keys ALTER COLUMN response_body TYPE JSONB USING response_body::JSONB")
