"""The OpenAPI examples of programs, generated, not written: the article's desk worker (PRODUCT.md §4) assessed by
the real rules and given a program by the real generator over the curated catalogue, so that the documented example
is always what the service would answer."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import msgspec

from service.assessments.engine import assess
from service.assessments.examples import DESK_WORKER
from service.assessments.rules import RuleSet
from service.assessments.schemas import Assessment, AssessmentInput
from service.catalog.records import CatalogData
from service.programs.catalog_index import CatalogIndex
from service.programs.generator import ReferralRequired, generate
from service.programs.rules import ProgramRules
from service.programs.schemas import Program, ProgramRequest
from service.web.problems import PROBLEM_BASE, REFERRAL_REQUIRED

EXAMPLE_TIME = datetime(2026, 1, 1, tzinfo=UTC)
ASSESSMENT_ID = uuid.UUID("0b9c6a52-3f1e-4c8e-9a51-2d7f4e8b1c30")
PROGRAM_ID = uuid.UUID("5e2d8f17-9a4b-4b6c-8e3f-1a7c9d2b4e60")

# Training at home: a foam roller, a band, a pair of dumbbells and a step. Two weeks keep the example short.
REQUEST = {
    "assessment_id": str(ASSESSMENT_ID),
    "weeks": 2,
    "sessions_per_week": 2,
    "session_minutes": 30,
    "level": "beginner",
    "available_equipment": ["foam_roller", "resistance_band", "dumbbell", "step"],
    "exclude_exercises": ["box_squat"],
}


def _assessment(data: AssessmentInput, rules: RuleSet) -> Assessment:
    return msgspec.convert(
        {
            **msgspec.to_builtins(assess(data, rules, on=EXAMPLE_TIME.date())),
            "id": str(ASSESSMENT_ID),
            "created_at": EXAMPLE_TIME.isoformat(),
            "subject_ref": data.subject_ref,
            "input": msgspec.to_builtins(data),
        },
        Assessment,
    )


def program_examples(catalog: CatalogData, assessment_rules: RuleSet, program_rules: ProgramRules) -> dict[str, Any]:
    """The request body, the 201 program and the 422 referral problem of createProgram."""
    index = CatalogIndex.from_catalog(catalog)
    request = msgspec.convert(REQUEST, ProgramRequest)
    desk_worker = msgspec.convert(DESK_WORKER, AssessmentInput)
    body = generate(_assessment(desk_worker, assessment_rules), request, index, program_rules)
    program = msgspec.convert(
        {
            **msgspec.to_builtins(body),
            "id": str(PROGRAM_ID),
            "created_at": EXAMPLE_TIME.isoformat(),
            "subject_ref": desk_worker.subject_ref,
        },
        Program,
    )
    numb = msgspec.convert({**DESK_WORKER, "red_flags": {"saddle_numbness": True}}, AssessmentInput)
    try:
        generate(_assessment(numb, assessment_rules), request, index, program_rules)
    except ReferralRequired as referral:
        refused = {
            "type": PROBLEM_BASE + REFERRAL_REQUIRED,
            "title": "Referral required",
            "status": 422,
            "detail": referral.message,
            "instance": "/v1/programs",
            "reasons": referral.reasons,
        }
    else:  # pragma: no cover - any red flag refers
        raise AssertionError("a red flag must refer the person")
    return {"request": REQUEST, "201": program, "422": refused}
