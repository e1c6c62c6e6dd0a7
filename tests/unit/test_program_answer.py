"""A program's answer is encoded from its body's JSON (service.programs.services.answer_json): it must be the same
bytes as the answer encoded whole, whatever the program and its own fields hold."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import msgspec
import pytest

from devkit.personas import BOTH_PATTERNS, DESK_WORKER, UPPER_CROSSED
from devkit.programs import program_for
from service.assessments.schemas import ConcernLevel
from service.programs import schemas
from service.programs.services import answer_json

PAUSED = schemas.Pause(made_on=date(2026, 12, 6), level=ConcernLevel.urgent, message='See a "GP"', reasons=["é"])


@pytest.mark.parametrize("person", [DESK_WORKER, UPPER_CROSSED, BOTH_PATTERNS])
@pytest.mark.parametrize(
    ("subject_ref", "status", "paused"),
    [(None, schemas.ProgramStatus.active, None), ('a "quoted" ref', schemas.ProgramStatus.paused, PAUSED)],
)
def test_the_answer_from_the_bodys_json_is_the_answer_encoded_whole(
    person: dict[str, object], subject_ref: str | None, status: schemas.ProgramStatus, paused: schemas.Pause | None
) -> None:
    body = program_for(person)
    answer = schemas.Program(
        **msgspec.structs.asdict(body),
        id=uuid.uuid4(),
        created_at=datetime.now(UTC),
        subject_ref=subject_ref,
        revision=3,
        status=status,
        paused=paused,
    )
    assert answer_json(msgspec.json.encode(body), answer) == msgspec.json.encode(answer)
