"""A program's `version`: one more on every write a check-in's decision reads, so that a check-in is decided
without locking the program (issue 18).

A check-in was recorded in a transaction that locked the program's row, read what the decision reads, inserted
the check-in and committed: five round trips. Now it reads without a lock and inserts itself with one statement
that first moves the version on from the one it read; if another write moved it meanwhile, nothing is written and
the check-in is decided again (service.checkins.services.create). Adding a column with a constant default does
not rewrite the table.

Revision ID: 8c3f1a6d2b95
Revises: 5d0c8e2f7a41
Create Date: 2026-12-06 04:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "8c3f1a6d2b95"
down_revision: str | None = "5d0c8e2f7a41"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("programs", sa.Column("version", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    op.drop_column("programs", "version")
