"""The large JSON columns are TOAST-compressed with lz4 instead of pglz where the server has lz4 (issue 13): the
assessment's stored result (18 KB of JSON for the desk worker, 4.8 KB once compressed) and input, the program's body
and parameters, and the stored idempotent answers. Measured on this machine's PostgreSQL 15 with `wrk` (2 workers,
32 connections, 6 s, interleaved three times): POST /v1/assessments 818-825 req/s with pglz, 894-915 with lz4.

A server built without lz4 (the embedded PostgreSQL of `make run` and `make test` is one) keeps pglz: the change is
skipped with a notice, and nothing else depends on it. Only values written afterwards are compressed the new way.

Revision ID: e3c71a9d5b20
Revises: b4d1e6f02a93
Create Date: 2026-12-04 20:40:00
"""

from __future__ import annotations

from alembic import op

revision: str = "e3c71a9d5b20"
down_revision: str | None = "b4d1e6f02a93"
branch_labels = None
depends_on = None

COLUMNS = (
    ("assessments", "input"),
    ("assessments", "result"),
    ("programs", "parameters"),
    ("programs", "body"),
    ("idempotency_keys", "response_body"),
)


def _compress_with(method: str) -> list[str]:
    return [f"ALTER TABLE {table} ALTER COLUMN {column} SET COMPRESSION {method}" for table, column in COLUMNS]


def upgrade() -> None:
    op.execute(
        f"""
        DO $$
        BEGIN
            {"; ".join(_compress_with("lz4"))};
        EXCEPTION WHEN feature_not_supported THEN
            RAISE NOTICE 'this server has no lz4: TOAST compression stays pglz';
        END
        $$
        """
    )


def downgrade() -> None:
    for statement in _compress_with("DEFAULT"):
        op.execute(statement)
