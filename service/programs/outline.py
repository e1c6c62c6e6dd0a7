"""A program's outline: what a check-in reads of it (service.checkins). The parameters it is checked and decided
against, the prescriptions a check-in of each kind may name, and each prescription's exercise: about 1 KB of a
~45 KB body, stored beside the body (`programs.outline`, `program_revisions.outline`) whenever a body is.

A check-in is a program's most frequent write. Reading the whole body for it (sent by the database, decoded from
JSON, converted to a ProgramBody) was about a third of a check-in's CPU, and picking these parts out of the stored
body in SQL still cost the server ~0.35 ms a check-in (measured 2026-12-05). Migration 7f3b2c9d1e04 filled the
column for the programs made before it, in SQL; tests/integration/programs/test_program_outline.py holds that SQL,
and every stored outline, equal to `outline_of` the body.
"""

from __future__ import annotations

from datetime import date

import msgspec

from service.programs.schemas import ProgramBody

Exercises = tuple[tuple[str, str], ...]
"""(prescription id, exercise slug) of every item and its easier start, in the body's order (ProgramBody.exercises)."""


class Outline(msgspec.Struct, frozen=True, kw_only=True):
    starts_on: date | None
    weeks: int
    sessions_per_week: int
    session_minutes: int
    routine: frozenset[str]
    """What a check-in of the daily routine may name."""
    sessions: frozenset[str]
    """What a check-in of a strength session may name, its preparation included."""
    exercises: Exercises


def outline_of(body: ProgramBody) -> Outline:
    p = body.parameters
    routine: set[str] = set()
    sessions: set[str] = set()
    for week in body.schedule.weeks:
        routine.update(week.routine.items)
        for session in week.sessions:
            sessions.update(session.preparation)
            sessions.update(session.items)
    return Outline(
        starts_on=p.starts_on,
        weeks=p.weeks,
        sessions_per_week=p.sessions_per_week,
        session_minutes=p.session_minutes,
        routine=frozenset(routine),
        sessions=frozenset(sessions),
        exercises=tuple((pid, exercise.slug) for pid, exercise in body.exercises().items()),
    )


def stored(body: ProgramBody) -> str:
    """The outline of `body` as the column's JSON text (sets sorted: the same body, the same text)."""
    return msgspec.json.encode(outline_of(body), order="deterministic").decode()
