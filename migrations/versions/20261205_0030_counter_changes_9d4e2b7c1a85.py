"""The stats' counters are kept by a queue of changes, folded into `activity_counts` when the stats are read.

Until now the triggers on `assessments` and `programs` upserted every counter a row touches (an assessment's status,
patterns, referral reasons and muscles: about 18 rows; a program's prescribed exercises: about 23) in the writing
transaction. Measured on this project's bench machine (PostgreSQL 15, 2 shared cores, pgbench, 4 clients, inserts of
the bench persona's stored assessment): 3,290-3,510 inserts/s with that trigger, 5,090 with a trigger doing one upsert
and 5,320 with none; through the service, `POST /v1/assessments` rose by 8-13 % with the change below.

Now a trigger appends ONE row per inserted, deleted or re-bodied row to `activity_count_changes`: the counters it
touches (`metrics[i]`, `keys[i]`) and the change (+1, -1). `fold_activity_count_changes()` moves every queued change
into `activity_counts` in one statement (grouped, in key order; one fold at a time, a second one returning at once),
and the stats fold before they read (service.stats.services.fold). The counters plus the queue always equal a rebuild from the base tables; the rebuild
empties the queue. Folded counts land in shard 0 (one folder at a time needs no spreading).

Revision ID: 9d4e2b7c1a85
Revises: 34be0f7caf7d
Create Date: 2026-12-05 00:30:00
"""

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "9d4e2b7c1a85"
down_revision: str | None = "34be0f7caf7d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _sibling(name: str) -> ModuleType:
    """An earlier migration of this folder, for the statements it created (alembic loads them by path)."""
    spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name(f"{name}.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# The counters of one row `r`, exactly as the migrations that count them in the writing transaction read them
# (their rebuild is unchanged here but for emptying the queue).
PREVIOUS = _sibling("20261124_0445_activity_counts_3b1f0c9a7d21")
CHECK_INS = _sibling("20261204_2200_check_ins_c41e7b9a2d60")
ASSESSMENT_COUNTERS: str = PREVIOUS.ASSESSMENT_COUNTERS
PROGRAM_COUNTERS: str = PREVIOUS.PROGRAM_COUNTERS
PRESCRIBED: str = CHECK_INS._PRESCRIBED.format(row="r")


def _queue(counters: str, delta: str) -> str:
    """The statement that queues the counters of row `r` with `delta`."""
    return f"""
        INSERT INTO activity_count_changes (client_id, day, delta, metrics, keys)
        SELECT r.client_id, (r.created_at AT TIME ZONE 'UTC')::date, {delta}, array_agg(m.metric), array_agg(m.key)
        FROM ({counters}) AS m
        HAVING count(*) > 0;
    """


def _count_function(table: str, counters: str) -> str:
    # On delete, a client being erased takes its counters and queued changes with it (ON DELETE CASCADE).
    return f"""
    CREATE OR REPLACE FUNCTION count_{table}() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        r {table}%ROWTYPE;
        delta integer;
    BEGIN
        IF TG_OP = 'INSERT' THEN r := NEW; delta := 1; ELSE r := OLD; delta := -1; END IF;
        IF TG_OP = 'DELETE' AND NOT EXISTS (SELECT 1 FROM api_clients WHERE id = r.client_id) THEN
            RETURN NULL;
        END IF;
        {_queue(counters, "delta")}
        RETURN NULL;
    END $$
    """


# A revision replaces a program's body: the old body's prescriptions are taken back and the new one's counted.
RECOUNT = f"""
CREATE OR REPLACE FUNCTION recount_programs() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    r programs%ROWTYPE;
BEGIN
    r := OLD;
    {_queue(PRESCRIBED, "-1")}
    r := NEW;
    {_queue(PRESCRIBED, "1")}
    RETURN NULL;
END $$
"""

# One fold at a time: a fold that finds another running returns at once rather than queueing behind it (under
# `make bench`'s 32 concurrent stats reads after a burst of writes, waiting folds pushed reads past wrk's 2 s
# timeout). A read that skips sees the counters as they were before that fold commits, milliseconds old.
FOLD_LOCK = 7_220_605  # an advisory lock key of this fold's own
FOLD = f"""
CREATE FUNCTION fold_activity_count_changes() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF NOT pg_try_advisory_xact_lock({FOLD_LOCK}) THEN
        RETURN;
    END IF;
    WITH moved AS (DELETE FROM activity_count_changes RETURNING client_id, day, delta, metrics, keys)
    INSERT INTO activity_counts AS c (client_id, day, metric, key, shard, count)
    SELECT m.client_id, m.day, k.metric, k.key, 0, sum(m.delta)
    FROM moved AS m CROSS JOIN LATERAL unnest(m.metrics, m.keys) AS k(metric, key)
    GROUP BY 1, 2, 3, 4
    HAVING sum(m.delta) <> 0
    ORDER BY 1, 2, 3, 4
    ON CONFLICT (client_id, day, metric, key, shard) DO UPDATE SET count = c.count + EXCLUDED.count;
END $$
"""

_REBUILD = """
    CREATE OR REPLACE FUNCTION rebuild_activity_counts() RETURNS void LANGUAGE sql AS $$
        DELETE FROM activity_count_changes;
        DELETE FROM activity_counts;
        INSERT INTO activity_counts (client_id, day, metric, key, shard, count)
        SELECT r.client_id, (r.created_at AT TIME ZONE 'UTC')::date, m.metric, m.key, 0, count(*)
        FROM assessments AS r CROSS JOIN LATERAL ({assessment}) AS m
        GROUP BY 1, 2, 3, 4;
        INSERT INTO activity_counts (client_id, day, metric, key, shard, count)
        SELECT r.client_id, (r.created_at AT TIME ZONE 'UTC')::date, m.metric, m.key, 0, count(*)
        FROM programs AS r CROSS JOIN LATERAL ({program}) AS m
        GROUP BY 1, 2, 3, 4
        ON CONFLICT (client_id, day, metric, key, shard) DO UPDATE SET count = activity_counts.count + EXCLUDED.count;
    $$
"""


def upgrade() -> None:
    op.create_table(
        "activity_count_changes",
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("delta", sa.Integer(), nullable=False),
        sa.Column("metrics", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("keys", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["api_clients.id"],
            name=op.f("fk_activity_count_changes_client_id_api_clients"),
            ondelete="CASCADE",
        ),
    )
    # The foreign key's cascade looks rows up by client when a client is erased.
    op.create_index("ix_activity_count_changes_client_id", "activity_count_changes", ["client_id"])
    # A queue: every fold leaves its rows dead, and the next fold scans them until a vacuum; vacuum it after every
    # thousand rather than after a fifth of the table, the default for tables that keep their rows.
    op.execute(
        "ALTER TABLE activity_count_changes "
        "SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000)"
    )
    op.execute(_count_function("assessments", ASSESSMENT_COUNTERS))
    op.execute(_count_function("programs", PROGRAM_COUNTERS))
    op.execute(RECOUNT)
    op.execute(FOLD)
    op.execute(_REBUILD.format(assessment=ASSESSMENT_COUNTERS, program=PROGRAM_COUNTERS))


def downgrade() -> None:
    # Back to counting in the writing transaction: fold what is queued first, so that nothing counted is lost.
    op.execute("SELECT fold_activity_count_changes()")
    for statement in (
        PREVIOUS._trigger_function("assessments", ASSESSMENT_COUNTERS)[0],
        PREVIOUS._trigger_function("programs", PROGRAM_COUNTERS)[0],
        CHECK_INS._RECOUNT,
        PREVIOUS.REBUILD,
    ):
        op.execute(statement.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1))
    op.execute("DROP FUNCTION fold_activity_count_changes()")
    op.execute("DROP TABLE activity_count_changes")
