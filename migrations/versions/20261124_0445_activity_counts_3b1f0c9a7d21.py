"""Daily activity counters for the stats API, kept by triggers on assessments and programs, backfilled here.

Revision ID: 3b1f0c9a7d21
Revises: 99d7cddc0a9b
Create Date: 2026-11-24 04:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3b1f0c9a7d21"
down_revision: str | None = "99d7cddc0a9b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The counters one assessment row contributes: its status, patterns, referral reasons and muscle findings (the
# JSONB layout of `assessments.result` is service/assessments/schemas.py AssessmentResult).
ASSESSMENT_COUNTERS = """
    SELECT 'status' AS metric, r.status AS key
    UNION ALL SELECT 'pattern', p FROM unnest(r.pattern_slugs) AS p
    UNION ALL SELECT 'referral_reason', reason
        FROM jsonb_array_elements_text(
            CASE WHEN jsonb_typeof(r.result -> 'referral') = 'object'
                 THEN r.result -> 'referral' -> 'reasons' ELSE '[]'::jsonb END) AS reason
    UNION ALL SELECT 'overactive', f ->> 'muscle' FROM jsonb_array_elements(r.result -> 'overactive') AS f
    UNION ALL SELECT 'underactive', f ->> 'muscle' FROM jsonb_array_elements(r.result -> 'underactive') AS f
"""
# ... and one program row: itself, and every exercise it prescribes, per phase (`programs.body` is ProgramBody).
PROGRAM_COUNTERS = """
    SELECT 'programs' AS metric, '' AS key
    UNION ALL SELECT 'prescribed:' || (ph ->> 'key'), item -> 'exercise' ->> 'slug'
        FROM jsonb_array_elements(r.body -> 'phases') AS ph, jsonb_array_elements(ph -> 'items') AS item
"""


# Every counter is split in SHARDS rows, one per (connection pid % SHARDS): concurrent inserts of one client on one
# day would otherwise queue on the same few rows until each transaction commits. Readers add the shards up.
SHARDS = 16


def _trigger_function(table: str, counters: str) -> list[str]:
    # On delete, a client being erased takes its counters with it (ON DELETE CASCADE): nothing to take back. A
    # delete takes one from its own connection's shard, which may go below zero; the sum over shards stays right.
    # Keys are upserted in one order so that concurrent writers cannot deadlock on the counter rows.
    function = f"""
    CREATE FUNCTION count_{table}() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        r {table}%ROWTYPE;
        delta bigint;
    BEGIN
        IF TG_OP = 'INSERT' THEN r := NEW; delta := 1; ELSE r := OLD; delta := -1; END IF;
        IF TG_OP = 'DELETE' AND NOT EXISTS (SELECT 1 FROM api_clients WHERE id = r.client_id) THEN
            RETURN NULL;
        END IF;
        INSERT INTO activity_counts AS c (client_id, day, metric, key, shard, count)
        SELECT r.client_id, (r.created_at AT TIME ZONE 'UTC')::date, m.metric, m.key, pg_backend_pid() % {SHARDS}, delta
        FROM ({counters}) AS m
        ORDER BY m.metric, m.key
        ON CONFLICT (client_id, day, metric, key, shard) DO UPDATE SET count = c.count + EXCLUDED.count;
        RETURN NULL;
    END $$
    """
    trigger = (
        f"CREATE TRIGGER count_{table} AFTER INSERT OR DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION count_{table}()"
    )
    return [function, trigger]


# Recomputes every counter from the base tables: the backfill below, and the check that triggers and base tables
# agree (tests/integration/stats).
REBUILD = f"""
    CREATE FUNCTION rebuild_activity_counts() RETURNS void LANGUAGE sql AS $$
        DELETE FROM activity_counts;
        INSERT INTO activity_counts (client_id, day, metric, key, shard, count)
        SELECT r.client_id, (r.created_at AT TIME ZONE 'UTC')::date, m.metric, m.key, 0, count(*)
        FROM assessments AS r CROSS JOIN LATERAL ({ASSESSMENT_COUNTERS}) AS m
        GROUP BY 1, 2, 3, 4;
        INSERT INTO activity_counts (client_id, day, metric, key, shard, count)
        SELECT r.client_id, (r.created_at AT TIME ZONE 'UTC')::date, m.metric, m.key, 0, count(*)
        FROM programs AS r CROSS JOIN LATERAL ({PROGRAM_COUNTERS}) AS m
        GROUP BY 1, 2, 3, 4
        ON CONFLICT (client_id, day, metric, key, shard) DO UPDATE SET count = activity_counts.count + EXCLUDED.count;
    $$
"""


def upgrade() -> None:
    op.create_table(
        "activity_counts",
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("metric", sa.String(length=40), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("shard", sa.SmallInteger(), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["api_clients.id"], name=op.f("fk_activity_counts_client_id_api_clients"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("client_id", "day", "metric", "key", "shard", name=op.f("pk_activity_counts")),
    )
    op.create_index("ix_activity_counts_day_metric", "activity_counts", ["day", "metric"], unique=False)
    for statement in [
        *_trigger_function("assessments", ASSESSMENT_COUNTERS),
        *_trigger_function("programs", PROGRAM_COUNTERS),
    ]:
        op.execute(statement)
    op.execute(REBUILD)
    op.execute("SELECT rebuild_activity_counts()")


def downgrade() -> None:
    op.execute("DROP FUNCTION rebuild_activity_counts()")
    op.execute("DROP TRIGGER count_programs ON programs")
    op.execute("DROP FUNCTION count_programs()")
    op.execute("DROP TRIGGER count_assessments ON assessments")
    op.execute("DROP FUNCTION count_assessments()")
    op.drop_index("ix_activity_counts_day_metric", table_name="activity_counts")
    op.drop_table("activity_counts")
