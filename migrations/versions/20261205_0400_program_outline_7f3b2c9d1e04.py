"""A program's outline is stored beside its body: what a check-in reads of it (service.programs.outline), so that a
check-in reads about 1 KB instead of the ~45 KB body. Revisions keep theirs, for check-ins done against them.

The outlines of existing programs and revisions are worked out here from their bodies, in SQL: `OUTLINE_OF` is the
SQL twin of `service.programs.outline.outline_of` (tests/integration/programs/test_program_outline.py holds the two
equal on generated programs).

Revision ID: 7f3b2c9d1e04
Revises: 9d4e2b7c1a85
Create Date: 2026-12-05 04:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "7f3b2c9d1e04"
down_revision: str | None = "9d4e2b7c1a85"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The outline of the program body in the column BODY, as the JSON that outline_of's struct encodes to (sets in any
# order). Its exercises: each item's (id, slug), then its easier start's, in document order.
OUTLINE_OF = """
jsonb_build_object(
    'starts_on', BODY #> '{parameters,starts_on}',
    'weeks', BODY #> '{parameters,weeks}',
    'sessions_per_week', BODY #> '{parameters,sessions_per_week}',
    'session_minutes', BODY #> '{parameters,session_minutes}',
    'routine', COALESCE(
        (SELECT jsonb_agg(DISTINCT id) FROM jsonb_path_query(BODY, '$.schedule.weeks[*].routine.items[*]') AS held(id)),
        '[]'
    ),
    'sessions', COALESCE(
        (SELECT jsonb_agg(DISTINCT id) FROM (
            SELECT jsonb_path_query(BODY, '$.schedule.weeks[*].sessions[*].preparation[*]')
            UNION ALL SELECT jsonb_path_query(BODY, '$.schedule.weeks[*].sessions[*].items[*]')
        ) AS held(id)),
        '[]'
    ),
    'exercises', COALESCE(
        (SELECT jsonb_agg(pair ORDER BY n, k)
         FROM jsonb_path_query(BODY, '$.phases[*].items[*]') WITH ORDINALITY AS items(item, n)
         CROSS JOIN LATERAL (VALUES
            (0, jsonb_build_array(item -> 'id', item #> '{exercise,slug}')),
            (1, CASE WHEN jsonb_typeof(item -> 'start_with') = 'object'
                THEN jsonb_build_array(item #> '{start_with,id}', item #> '{start_with,exercise,slug}') END)
         ) AS pairs(k, pair)
         WHERE pair IS NOT NULL),
        '[]'
    )
)
"""


def outline_of(body: str) -> str:
    return OUTLINE_OF.replace("BODY", body)


def upgrade() -> None:
    for table in ("programs", "program_revisions"):
        op.add_column(table, sa.Column("outline", postgresql.JSONB(astext_type=sa.Text()), nullable=True))
        op.execute(f"UPDATE {table} SET outline = {outline_of(f'{table}.body')}")
        op.alter_column(table, "outline", nullable=False)


def downgrade() -> None:
    for table in ("programs", "program_revisions"):
        op.drop_column(table, "outline")
