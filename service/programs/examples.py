"""The OpenAPI examples of programs, generated, not written: the desk worker of the seed text (PRODUCT.md §4)
assessed by the real rules and given a program by the real generator over the curated catalogue, so that the
documented example is always what the service would answer."""

from __future__ import annotations

import uuid
from typing import Any

import msgspec

from service.assessments.examples import ASSESSMENT_ID, DESK_WORKER, EXAMPLE_TIME, example_assessment
from service.assessments.rules import RuleSet
from service.assessments.schemas import AssessmentInput
from service.catalog.records import CatalogData
from service.programs import models, services
from service.programs.catalog_index import CatalogIndex
from service.programs.generator import ReferralRequired, generate
from service.programs.rules import ProgramRules
from service.programs.schemas import Program, ProgramList, ProgramRequest
from service.settings import DEFAULT_PUBLIC_URL
from service.web.problem_types import BY_SLUG, type_uri
from service.web.problems import REFERRAL_REQUIRED

PROGRAM_ID = uuid.UUID("5e2d8f17-9a4b-4b6c-8e3f-1a7c9d2b4e60")

# Training at home: a foam roller, a band, a pair of dumbbells and a step. Two weeks keep the example short.
REQUEST = {
    "assessment_id": str(ASSESSMENT_ID),
    "weeks": 2,
    "days": ["mon", "thu"],
    "starts_on": EXAMPLE_TIME.date().isoformat(),
    "session_minutes": 30,
    "level": "beginner",
    "available_equipment": ["foam_roller", "resistance_band", "dumbbell", "step"],
    "exclude_exercises": ["box_squat"],
}


def program_examples(
    catalog: CatalogData, assessment_rules: RuleSet, program_rules: ProgramRules, public_url: str = DEFAULT_PUBLIC_URL
) -> dict[str, Any]:
    """createProgram's request body, 201 program and 422 referral problem; the program as read and listed (see
    web.openapi_document.add_examples)."""
    index = CatalogIndex.from_catalog(catalog)
    request = msgspec.convert(REQUEST, ProgramRequest)
    desk_worker = msgspec.convert(DESK_WORKER, AssessmentInput)
    body = generate(example_assessment(desk_worker, assessment_rules), request, index, program_rules)
    program = msgspec.convert(
        {
            **msgspec.to_builtins(body),
            "id": str(PROGRAM_ID),
            "created_at": EXAMPLE_TIME.isoformat(),
            "subject_ref": desk_worker.subject_ref,
            "revision": 1,
            "status": "active",
            "paused": None,
        },
        Program,
    )
    numb = msgspec.convert({**DESK_WORKER, "red_flags": {"saddle_numbness": True}}, AssessmentInput)
    try:
        generate(example_assessment(numb, assessment_rules), request, index, program_rules)
    except ReferralRequired as referral:
        refused = {
            "type": type_uri(public_url, REFERRAL_REQUIRED),
            "title": BY_SLUG[REFERRAL_REQUIRED].title,
            "status": 422,
            "detail": referral.message,
            "instance": "/v1/programs",
            "reasons": referral.reasons,
        }
    else:  # pragma: no cover - any red flag refers
        raise AssertionError("a red flag must refer the person")
    stored = models.Program(
        id=PROGRAM_ID,
        assessment_id=program.assessment_id,
        subject_ref=program.subject_ref,
        ruleset_version=program.ruleset_version,
        parameters=msgspec.to_builtins(program.parameters),
        created_at=EXAMPLE_TIME,
        revision=1,
        paused=None,
    )
    return {
        "createProgram": {"request": REQUEST, "201": program, "422": refused},
        "getProgram": {"200": program},
        "listPrograms": {"200": ProgramList(items=[services.summary(stored)], next_cursor=None)},
    }
