"""A check-in's history is read by program AND client (service.checkins.followup: every tenant-owned table names
its client), so the program's indexes on `check_ins` and `program_decisions` carry the client after the program.
With the program alone, PostgreSQL ANDed a bitmap of the program's rows with one of the client's (every row a big
client has, ~8,000 under the bench: 0.2 ms for each of the two) instead of filtering the program's few rows. The
day of a program's last simplification has a partial index of its own: it was found by reading every decision of
the program.

Revision ID: b2e8d4a61f37
Revises: 7f3b2c9d1e04
Create Date: 2026-12-05 04:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b2e8d4a61f37"
down_revision: str | None = "7f3b2c9d1e04"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SIMPLIFIED = "kind = 'simplify' AND revision IS NOT NULL"


def upgrade() -> None:
    op.drop_index("ix_check_ins_program_date", table_name="check_ins")
    op.create_index(
        "ix_check_ins_program_client_date", "check_ins", ["program_id", "client_id", "date", "created_at", "id"]
    )
    op.drop_index("ix_program_decisions_program_created", table_name="program_decisions")
    op.create_index(
        "ix_program_decisions_program_client_created",
        "program_decisions",
        ["program_id", "client_id", "created_at", "id"],
    )
    op.create_index(
        "ix_program_decisions_simplified",
        "program_decisions",
        ["program_id", "client_id", "made_on"],
        postgresql_where=sa.text(SIMPLIFIED),
    )


def downgrade() -> None:
    op.drop_index("ix_program_decisions_simplified", table_name="program_decisions")
    op.drop_index("ix_program_decisions_program_client_created", table_name="program_decisions")
    op.create_index("ix_program_decisions_program_created", "program_decisions", ["program_id", "created_at", "id"])
    op.drop_index("ix_check_ins_program_client_date", table_name="check_ins")
    op.create_index("ix_check_ins_program_date", "check_ins", ["program_id", "date", "created_at", "id"])
