"""An assessment's input, result and comparison and a program's body are stored as JSON text, not JSONB, and the
stats counters read small arrays kept beside them (issues 13 and 16).

Nothing queries inside those documents: a read returns them whole, and only the stats triggers looked into them (an
assessment's muscles and referral reasons, a program's prescribed exercises). JSONB made PostgreSQL parse each
document into its binary form on every insert, sort its keys, and turn it back into text on every read; the
triggers then decompressed it again to walk it. Measured on this project's bench machine (PostgreSQL 15, 2 shared
cores), the backend's CPU per insert, runs alternated:

- the bench persona's assessment (an 18 KB result), 3,000 inserts a run: 0.57-0.70 ms as it was, 0.33-0.37 ms as
  here (the write ceiling's insert: 0.06-0.09 ms);
- its default program (a 45 KB body), 1,500 inserts a run: 1.27-1.38 ms as it was, 0.66-0.73 ms as JSON text with a
  trigger that counted the program alone (not its prescriptions; through the service, below, it is counted whole);
- through the service, alternated, CPU of PostgreSQL's processes per request: `POST /v1/assessments` 1.04-1.06 to
  0.63-0.69 ms, `POST /v1/programs` 2.40-2.68 to 1.49-1.72 ms.

The arrays hold exactly what the counters read from the documents before, filled in by the inserts
(service/assessments/services.py, service/programs/services.py) and by a revision's new body
(service/checkins/followup.py); they are backfilled here. A program's prescriptions are two arrays read together:
item i is exercise `prescribed_exercises[i]` in phase `prescribed_phases[i]`. The `parameters` and `outline`
columns stay JSONB: the stats and check-ins query inside them.

Revision ID: 1ee5ae1e7a56
Revises: b2e8d4a61f37
Create Date: 2026-12-05 23:50:00
"""

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "1ee5ae1e7a56"
down_revision: str | None = "b2e8d4a61f37"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _sibling(name: str) -> ModuleType:
    """An earlier migration of this folder, for the statements it created (alembic loads them by path)."""
    spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name(f"{name}.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CHANGES = _sibling("20261205_0030_counter_changes_9d4e2b7c1a85")

# The counters one row `r` contributes, as before, from its arrays alone.
ASSESSMENT_COUNTERS = """
    SELECT 'status' AS metric, r.status AS key
    UNION ALL SELECT 'pattern', p FROM unnest(r.pattern_slugs) AS p
    UNION ALL SELECT 'referral_reason', reason FROM unnest(r.referral_reasons) AS reason
    UNION ALL SELECT 'overactive', m FROM unnest(r.overactive_muscles) AS m
    UNION ALL SELECT 'underactive', m FROM unnest(r.underactive_muscles) AS m
"""
PRESCRIBED = """
    SELECT 'prescribed:' || p.phase AS metric, p.exercise AS key
    FROM unnest(r.prescribed_phases, r.prescribed_exercises) AS p(phase, exercise)
"""
PROGRAM_COUNTERS = f"""
    SELECT 'programs' AS metric, '' AS key
    UNION ALL {PRESCRIBED}
"""
RECOUNT = CHANGES.RECOUNT.replace(CHANGES.PRESCRIBED, PRESCRIBED)


def _recount_trigger(columns: Sequence[str]) -> str:
    changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in columns)
    return (
        f"CREATE TRIGGER recount_programs AFTER UPDATE OF {', '.join(columns)} ON programs FOR EACH ROW "
        f"WHEN ({changed}) EXECUTE FUNCTION recount_programs()"
    )


ASSESSMENT_ARRAYS = ("overactive_muscles", "underactive_muscles", "referral_reasons")
PROGRAM_ARRAYS = ("prescribed_phases", "prescribed_exercises")
DOCUMENTS = (("assessments", "input"), ("assessments", "result"), ("assessments", "comparison"), ("programs", "body"))
# ALTER … TYPE rewrites a column and forgets its compression: that migration sets lz4 again where the server has it.
LZ4 = _sibling("20261204_2040_lz4_toast_compression_e3c71a9d5b20")
_PRESCRIPTIONS = """
    FROM jsonb_array_elements(body -> 'phases') WITH ORDINALITY AS phase(value, number),
         jsonb_array_elements(phase.value -> 'items') WITH ORDINALITY AS item(value, number)
    ORDER BY phase.number, item.number
"""


def upgrade() -> None:
    for table, names in (("assessments", ASSESSMENT_ARRAYS), ("programs", PROGRAM_ARRAYS)):
        for name in names:
            op.add_column(table, sa.Column(name, postgresql.ARRAY(sa.Text()), nullable=True))
    op.execute(
        """
        UPDATE assessments SET
            overactive_muscles = ARRAY(SELECT f ->> 'muscle' FROM jsonb_array_elements(result -> 'overactive') AS f),
            underactive_muscles = ARRAY(SELECT f ->> 'muscle' FROM jsonb_array_elements(result -> 'underactive') AS f),
            referral_reasons = ARRAY(
                SELECT jsonb_array_elements_text(
                    CASE WHEN jsonb_typeof(result -> 'referral') = 'object'
                         THEN result -> 'referral' -> 'reasons' ELSE '[]'::jsonb END))
        """
    )
    op.execute(
        f"""
        UPDATE programs SET
            prescribed_phases = ARRAY(SELECT phase.value ->> 'key' {_PRESCRIPTIONS}),
            prescribed_exercises = ARRAY(SELECT item.value -> 'exercise' ->> 'slug' {_PRESCRIPTIONS})
        """
    )
    for table, names in (("assessments", ASSESSMENT_ARRAYS), ("programs", PROGRAM_ARRAYS)):
        for name in names:
            op.alter_column(table, name, nullable=False)
    # The trigger's condition compares bodies, which JSON text cannot (it has no equality): it compares the arrays.
    op.execute("DROP TRIGGER recount_programs ON programs")
    for table, name in DOCUMENTS:
        op.alter_column(table, name, type_=postgresql.JSON(), postgresql_using=f"{name}::json")
    LZ4.upgrade()
    op.execute(CHANGES._count_function("assessments", ASSESSMENT_COUNTERS))
    op.execute(CHANGES._count_function("programs", PROGRAM_COUNTERS))
    op.execute(RECOUNT)
    op.execute(_recount_trigger(PROGRAM_ARRAYS))
    op.execute(CHANGES._REBUILD.format(assessment=ASSESSMENT_COUNTERS, program=PROGRAM_COUNTERS))


def downgrade() -> None:
    op.execute("DROP TRIGGER recount_programs ON programs")
    # The old rebuild reads the documents as JSONB, and a SQL function is checked when it is created: types first.
    for table, name in DOCUMENTS:
        op.alter_column(table, name, type_=postgresql.JSONB(), postgresql_using=f"{name}::jsonb")
    LZ4.upgrade()
    op.execute(CHANGES._count_function("assessments", CHANGES.ASSESSMENT_COUNTERS))
    op.execute(CHANGES._count_function("programs", CHANGES.PROGRAM_COUNTERS))
    op.execute(CHANGES.RECOUNT)
    op.execute(_recount_trigger(("body",)))
    op.execute(CHANGES._REBUILD.format(assessment=CHANGES.ASSESSMENT_COUNTERS, program=CHANGES.PROGRAM_COUNTERS))
    for table, names in (("assessments", ASSESSMENT_ARRAYS), ("programs", PROGRAM_ARRAYS)):
        for name in names:
            op.drop_column(table, name)
