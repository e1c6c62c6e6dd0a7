"""The stats triggers queue a row's counters with one `INSERT … VALUES` of array expressions, not an aggregate over
a union of unnested arrays (issue 13).

Each insert of an assessment or a program runs its trigger, and the trigger's query was the costliest part of it:
PostgreSQL set up and ran a plan of an aggregate over five (or two) function scans for every row, to build two
arrays that are the row's own arrays put end to end. Now the metrics are `array_fill` of each array's length and the
keys the arrays themselves, in the same order as before, so the queued change is the same row. Measured on this
project's bench machine (PostgreSQL 15, 2 shared cores), the backend's CPU per insert of the bench persona's
assessment, 4,000 inserts a run, three runs each, alternated: 0.31-0.32 ms with the old trigger, 0.26-0.29 ms with
this one (in an earlier series, 0.32-0.33 with the old one and 0.27-0.28 with no trigger at all).

The rebuild function (rebuild_activity_counts) keeps the old query: it counts whole tables at once, where a plan
set up once is cheap, and the tests hold the triggers' counters to its.

Revision ID: 5d0c8e2f7a41
Revises: 1ee5ae1e7a56
Create Date: 2026-12-06 03:30:00
"""

import importlib.util
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType

from alembic import op

revision: str = "5d0c8e2f7a41"
down_revision: str | None = "1ee5ae1e7a56"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _sibling(name: str) -> ModuleType:
    """An earlier migration of this folder, for the statements it created (alembic loads them by path)."""
    spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name(f"{name}.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _labelled(metric: str, array: str) -> str:
    """As many `metric`s as `array` has items."""
    return f"array_fill('{metric}'::text, ARRAY[cardinality({array})])"


def _queue(row: str, delta: int, metrics: str, keys: str) -> str:
    return f"""
        INSERT INTO activity_count_changes (client_id, day, delta, metrics, keys)
        VALUES ({row}.client_id, ({row}.created_at AT TIME ZONE 'UTC')::date, {delta}, {metrics}, {keys});"""


def _assessment(row: str, delta: int) -> str:
    arrays = [
        ("pattern", "pattern_slugs"),
        ("referral_reason", "referral_reasons"),
        ("overactive", "overactive_muscles"),
        ("underactive", "underactive_muscles"),
    ]
    metrics = " || ".join(["ARRAY['status']", *(_labelled(metric, f"{row}.{name}") for metric, name in arrays)])
    keys = " || ".join([f"ARRAY[{row}.status::text]", *(f"{row}.{name}" for _, name in arrays)])
    return _queue(row, delta, metrics, keys)


def _prescribed(row: str) -> tuple[str, str]:
    # Item i is exercise i in phase i: its metric names the phase.
    metrics = (
        f"ARRAY(SELECT 'prescribed:' || phase FROM unnest({row}.prescribed_phases) WITH ORDINALITY AS p(phase, i) "
        "ORDER BY i)"
    )
    return metrics, f"{row}.prescribed_exercises"


def _program(row: str, delta: int) -> str:
    metrics, keys = _prescribed(row)
    return _queue(row, delta, f"ARRAY['programs'] || {metrics}", f"ARRAY[''] || {keys}")


def _count_function(table: str, queue: Callable[[str, int], str]) -> str:
    # On delete, a client being erased takes its counters and queued changes with it (ON DELETE CASCADE).
    return f"""
    CREATE OR REPLACE FUNCTION count_{table}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN {queue("NEW", 1)}
        ELSIF EXISTS (SELECT 1 FROM api_clients WHERE id = OLD.client_id) THEN {queue("OLD", -1)}
        END IF;
        RETURN NULL;
    END $$
    """


def _recount_function() -> str:
    # A revision replaces a program's body: the old body's prescriptions are taken back and the new one's counted.
    def queue(row: str, delta: int) -> str:
        metrics, keys = _prescribed(row)
        return f"IF cardinality({row}.prescribed_phases) > 0 THEN {_queue(row, delta, metrics, keys)} END IF;"

    return f"""
    CREATE OR REPLACE FUNCTION recount_programs() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        {queue("OLD", -1)}
        {queue("NEW", 1)}
        RETURN NULL;
    END $$
    """


def upgrade() -> None:
    op.execute(_count_function("assessments", _assessment))
    op.execute(_count_function("programs", _program))
    op.execute(_recount_function())


def downgrade() -> None:
    before = _sibling("20261205_2350_documents_as_json_text_1ee5ae1e7a56")
    changes = before.CHANGES
    op.execute(changes._count_function("assessments", before.ASSESSMENT_COUNTERS))
    op.execute(changes._count_function("programs", before.PROGRAM_COUNTERS))
    op.execute(before.RECOUNT)
