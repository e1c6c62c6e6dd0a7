"""A program's outline (service.programs.outline) is stored with every body it has: made by the API for new
programs and revisions, and by migration 7f3b2c9d1e04's SQL for the programs made before it. A check-in reads the
outline instead of the body, so each must say exactly what the body does."""

from __future__ import annotations

import importlib.util
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import msgspec
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from devkit.personas import BOTH_PATTERNS, DESK_WORKER, SEVERE_ACUTE, UPPER_CROSSED
from service.programs.outline import Outline, outline_of
from service.programs.schemas import ProgramBody
from tests.integration.programs.conftest import Client, Headers

STARTS_ON = datetime.now(UTC).date() - timedelta(days=7)
MIGRATION = Path(__file__).parents[3] / "migrations" / "versions" / "20261205_0400_program_outline_7f3b2c9d1e04.py"


def _migration() -> ModuleType:
    spec = importlib.util.spec_from_file_location("program_outline", MIGRATION)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def _program(client: Client, headers: Headers, person: dict[str, Any]) -> str:
    made = await client.post("/v1/assessments", json=person, headers=headers)
    assert made.status_code == 201, made.text
    request = {"assessment_id": made.json()["id"], "starts_on": STARTS_ON.isoformat()}
    program = await client.post("/v1/programs", json=request, headers=headers)
    assert program.status_code == 201, program.text
    return str(program.json()["id"])


async def _stored(engine: AsyncEngine, table: str, where: str, **values: Any) -> list[tuple[Any, Any, Any]]:
    """(body, stored outline, the migration's outline of the body) of the rows of `table` matching `where`."""
    # The migration read JSONB bodies; a program's is JSON text since 1ee5ae1e7a56 (a revision's still JSONB).
    sql = _migration().outline_of(f"CAST({table}.body AS jsonb)")
    async with engine.connect() as connection:
        rows = await connection.execute(text(f"SELECT body, outline, {sql} FROM {table} WHERE {where}"), values)
        return [tuple(row) for row in rows]


def _same(body: Any, *outlines: Any) -> None:
    expected = outline_of(msgspec.convert(body, ProgramBody))
    for found in outlines:
        assert msgspec.convert(found, Outline) == expected


@pytest.mark.parametrize("person", [DESK_WORKER, SEVERE_ACUTE, BOTH_PATTERNS, UPPER_CROSSED])
async def test_a_new_programs_outline_and_the_migrations_say_what_its_body_does(
    client: Client, planner: Headers, engine: AsyncEngine, person: dict[str, Any]
) -> None:
    program_id = await _program(client, planner, person)
    [(body, stored, migrated)] = await _stored(engine, "programs", "id = CAST(:id AS uuid)", id=program_id)
    _same(body, stored, migrated)
    if person is SEVERE_ACUTE:  # easier starts come right after their items
        assert any(item["start_with"] for phase in body["phases"] for item in phase["items"])


async def test_a_revision_stores_the_outline_of_each_body(
    client: Client, planner: Headers, engine: AsyncEngine
) -> None:
    program_id = await _program(client, planner, DESK_WORKER)
    program = (await client.get(f"/v1/programs/{program_id}", headers=planner)).json()
    session = program["schedule"]["weeks"][0]["sessions"][0]
    flare = {
        "date": STARTS_ON.isoformat(),
        "kind": "session",
        "items": [{"prescription": pid, "sets": 2, "reps": 10} for pid in [*session["preparation"], *session["items"]]],
        "pain_before": 3,
        "pain_during": 7,
        "pain_after": 3,
    }
    done = await client.post(f"/v1/programs/{program_id}/check-ins", json=flare, headers=planner)
    assert done.status_code == 201, done.text
    assert done.json()["decision"]["revision"] == 2
    rows = [
        *await _stored(engine, "programs", "id = CAST(:id AS uuid)", id=program_id),
        *await _stored(engine, "program_revisions", "program_id = CAST(:id AS uuid)", id=program_id),
    ]
    assert len(rows) == 3  # the program at revision 2, and revisions 1 and 2
    assert rows[0][0] != rows[1][0] or rows[0][0] != rows[2][0]
    for body, stored, migrated in rows:
        _same(body, stored, migrated)
