"""A program's check-ins totalled by day, kept by a trigger: what a check-in's decision reads of the others (issue 18).

A decision reads few check-ins one by one (service.checkins.decisions: those of the last 7 days that broke a pain
limit, and those that answered yes to a re-screen question) and of the others only totals by day. Reading every
check-in to total them cost each check-in ~2 µs of PostgreSQL's CPU for every check-in its program already had. The
trigger keeps the totals as check-ins are inserted, changed and deleted (by any path: the erasure of a program or
a client too), and the decision reads a row a day.

Besides the sums and counts the rules read, each day keeps how many of its check-ins had each worst pain during
(`during[p + 1]` for pain p, 0-10) and each next-morning pain (`next_morning[p + 1]`; `[12]`: not given yet): the
pain limits depend on the person's baseline and on the rules, so the reading statement asks of these whether a day
holds a check-in over a limit, and reads only such days' check-ins in full.

Revision ID: 3b7e9d1c5a20
Revises: 8c3f1a6d2b95
Create Date: 2026-12-06 05:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, UUID

revision: str = "3b7e9d1c5a20"
down_revision: str | None = "8c3f1a6d2b95"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COUNT_ONE = r"""
CREATE FUNCTION count_check_in_day(r check_ins, sign int) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    its_before int := (r.input ->> 'pain_before')::int;
    its_during int := (r.input ->> 'pain_during')::int;
    its_session int := (r.kind = 'session')::int;
    its_unsettled int := (r.kind = 'session' AND r.input ->> 'pain_next_morning' IS NULL)::int;
    its_yes int := (r.input @? '$.symptoms.* ? (@ == true)')::int;
    during_at int := its_during + 1;
    morning_at int := coalesce((r.input ->> 'pain_next_morning')::int + 1, 12);
    durings int[] := array_fill(0, ARRAY[11]);
    mornings int[] := array_fill(0, ARRAY[12]);
BEGIN
    IF sign < 0 THEN
        -- Its day is there, unless the program is being erased (its days go first, by their own cascade).
        UPDATE check_in_days AS d SET
            count = d.count - 1,
            pain_before = d.pain_before - its_before,
            pain_during = d.pain_during - its_during,
            sessions = d.sessions - its_session,
            unsettled = d.unsettled - its_unsettled,
            said_yes = d.said_yes - its_yes,
            during[during_at] = d.during[during_at] - 1,
            next_morning[morning_at] = d.next_morning[morning_at] - 1
        WHERE d.program_id = r.program_id AND d.date = r.date;
        RETURN;
    END IF;
    durings[during_at] := 1;
    mornings[morning_at] := 1;
    INSERT INTO check_in_days AS d (
        program_id, date, client_id, count, pain_before, pain_during, sessions, unsettled, said_yes, during,
        next_morning
    )
    VALUES (
        r.program_id, r.date, r.client_id, 1, its_before, its_during, its_session, its_unsettled, its_yes, durings, mornings
    )
    ON CONFLICT (program_id, date) DO UPDATE SET
        count = d.count + 1,
        pain_before = d.pain_before + its_before,
        pain_during = d.pain_during + its_during,
        sessions = d.sessions + its_session,
        unsettled = d.unsettled + its_unsettled,
        said_yes = d.said_yes + its_yes,
        during[during_at] = d.during[during_at] + 1,
        next_morning[morning_at] = d.next_morning[morning_at] + 1;
END
$$
"""

COUNT_ROWS = r"""
CREATE FUNCTION count_check_in_days() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM count_check_in_day(OLD, -1);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM count_check_in_day(NEW, 1);
    END IF;
    RETURN NULL;
END
$$
"""

# The totals of the check-ins already stored, by the trigger's own function: one logic for both.
BACKFILL = "SELECT count(count_check_in_day(c, 1)) FROM check_ins AS c"


def upgrade() -> None:
    op.create_table(
        "check_in_days",
        # The program's client, named by every read as every read of check-ins names it; erased with the program.
        sa.Column("program_id", UUID(), sa.ForeignKey("programs.id", ondelete="CASCADE"), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("client_id", UUID(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("pain_before", sa.Integer(), nullable=False),
        sa.Column("pain_during", sa.Integer(), nullable=False),
        sa.Column("sessions", sa.Integer(), nullable=False),
        sa.Column("unsettled", sa.Integer(), nullable=False),
        sa.Column("said_yes", sa.Integer(), nullable=False),
        sa.Column("during", ARRAY(sa.Integer()), nullable=False),
        sa.Column("next_morning", ARRAY(sa.Integer()), nullable=False),
        sa.PrimaryKeyConstraint("program_id", "date", name="pk_check_in_days"),
    )
    op.execute("LOCK TABLE check_ins IN SHARE MODE")  # no check-in is written between the backfill and the trigger
    op.execute(COUNT_ONE)
    op.execute(COUNT_ROWS)
    op.execute(BACKFILL)
    op.execute(
        "CREATE TRIGGER count_check_in_days AFTER INSERT OR DELETE OR UPDATE OF program_id, date, kind, input "
        "ON check_ins FOR EACH ROW EXECUTE FUNCTION count_check_in_days()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER count_check_in_days ON check_ins")
    op.execute("DROP FUNCTION count_check_in_days()")
    op.execute("DROP FUNCTION count_check_in_day(check_ins, int)")
    op.drop_table("check_in_days")
