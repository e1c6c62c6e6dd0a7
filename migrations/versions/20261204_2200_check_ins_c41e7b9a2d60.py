"""Check-ins, the decisions made over them and the program revisions they made (tenant-owned, issue 18), erased
with their program; a program's current revision and the referral that paused it.

Revision ID: c41e7b9a2d60
Revises: 5a8d2f61c0e4
Create Date: 2026-12-04 22:00:00
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "c41e7b9a2d60"
down_revision: str | None = "5a8d2f61c0e4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# A revision replaces a program's body (the current revision is the row's), so the stats' counters of what programs
# prescribe (migration 3b1f0c9a7d21, counted per body on insert and taken back on delete) take back the old body's
# and count the new one's, in one ordered upsert; `programs` itself is unchanged by it. Copied from that migration:
# the exercises of a body, per phase.
_PRESCRIBED = """
    SELECT 'prescribed:' || (ph ->> 'key') AS metric, item -> 'exercise' ->> 'slug' AS key
    FROM jsonb_array_elements({row}.body -> 'phases') AS ph, jsonb_array_elements(ph -> 'items') AS item
"""
_RECOUNT = f"""
CREATE FUNCTION recount_programs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO activity_counts AS c (client_id, day, metric, key, shard, count)
    SELECT NEW.client_id, (NEW.created_at AT TIME ZONE 'UTC')::date, m.metric, m.key, pg_backend_pid() % 16,
        sum(m.delta)
    FROM (
        SELECT o.metric, o.key, -1 AS delta FROM ({_PRESCRIBED.format(row="OLD")}) AS o
        UNION ALL SELECT n.metric, n.key, 1 FROM ({_PRESCRIBED.format(row="NEW")}) AS n
    ) AS m
    GROUP BY m.metric, m.key
    HAVING sum(m.delta) <> 0
    ORDER BY m.metric, m.key
    ON CONFLICT (client_id, day, metric, key, shard) DO UPDATE SET count = c.count + EXCLUDED.count;
    RETURN NULL;
END $$
"""


def _tenant(table: str) -> list[Any]:
    return [
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["api_clients.id"], name=op.f(f"fk_{table}_client_id_api_clients"), ondelete="CASCADE"
        ),
    ]


def _program(table: str) -> list[Any]:
    return [
        sa.Column("program_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["program_id"], ["programs.id"], name=op.f(f"fk_{table}_program_id_programs"), ondelete="CASCADE"
        ),
    ]


def _created(name: str) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False)


def upgrade() -> None:
    op.add_column("programs", sa.Column("revision", sa.Integer(), server_default="1", nullable=False))
    op.add_column("programs", sa.Column("paused", postgresql.JSONB(astext_type=sa.Text()), nullable=True))
    op.create_table(
        "check_ins",
        sa.Column("id", sa.Uuid(), nullable=False),
        *_program("check_ins"),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("input", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        _created("created_at"),
        _created("updated_at"),
        *_tenant("check_ins"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_check_ins")),
    )
    op.create_index("ix_check_ins_program_date", "check_ins", ["program_id", "date", "created_at", "id"])
    op.create_index(op.f("ix_check_ins_client_id"), "check_ins", ["client_id"])
    op.create_table(
        "program_decisions",
        sa.Column("id", sa.Uuid(), nullable=False),
        *_program("program_decisions"),
        sa.Column("made_on", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("decision", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("check_in_id", sa.Uuid(), nullable=True),
        sa.Column("outcome_id", sa.Uuid(), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=True),
        _created("created_at"),
        *_tenant("program_decisions"),
        sa.ForeignKeyConstraint(
            ["check_in_id"],
            ["check_ins.id"],
            name=op.f("fk_program_decisions_check_in_id_check_ins"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["outcome_id"], ["outcomes.id"], name=op.f("fk_program_decisions_outcome_id_outcomes"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_program_decisions")),
    )
    op.create_index("ix_program_decisions_program_created", "program_decisions", ["program_id", "created_at", "id"])
    op.create_index(op.f("ix_program_decisions_check_in_id"), "program_decisions", ["check_in_id"])
    op.create_index(op.f("ix_program_decisions_outcome_id"), "program_decisions", ["outcome_id"])
    op.create_index(op.f("ix_program_decisions_client_id"), "program_decisions", ["client_id"])
    op.create_table(
        "program_revisions",
        *_program("program_revisions"),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Uuid(), nullable=True),
        sa.Column("body", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("regressed", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("changes", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        _created("created_at"),
        *_tenant("program_revisions"),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["program_decisions.id"],
            name=op.f("fk_program_revisions_decision_id_program_decisions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("program_id", "number", name=op.f("pk_program_revisions")),
    )
    op.create_index(op.f("ix_program_revisions_client_id"), "program_revisions", ["client_id"])
    op.execute(_RECOUNT)
    op.execute(
        "CREATE TRIGGER recount_programs AFTER UPDATE OF body ON programs FOR EACH ROW "
        "WHEN (OLD.body IS DISTINCT FROM NEW.body) EXECUTE FUNCTION recount_programs()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER recount_programs ON programs")
    op.execute("DROP FUNCTION recount_programs()")
    op.drop_table("program_revisions")
    op.drop_table("program_decisions")
    op.drop_table("check_ins")
    op.drop_column("programs", "paused")
    op.drop_column("programs", "revision")
