"""The program generator on the curated catalogue, without a database: shared by unit and property tests and by
`make bench-generator`."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import msgspec

from service.assessments.anatomy import Anatomy
from service.assessments.engine import assess
from service.assessments.rules import load_rules
from service.assessments.schemas import Assessment, AssessmentInput
from service.catalog.records import load_catalog
from service.programs.catalog_index import CatalogIndex, ExerciseEntry
from service.programs.generator import generate
from service.programs.rules import load_program_rules
from service.programs.schemas import ProgramBody, ProgramRequest

CATALOG = load_catalog()
ANATOMY = Anatomy.from_catalog(CATALOG)
ASSESSMENT_RULES = load_rules(
    known_muscles=ANATOMY.muscles,
    known_patterns=frozenset(p.slug for p in CATALOG.patterns),
    known_conditions=ANATOMY.conditions,
)
ASSESSED_ON = date(2026, 11, 24)
RULES = load_program_rules(catalog=CATALOG)
ASSESSMENT_ID = uuid.UUID(int=1)  # every generated case's; the generator never looks it up


def build_index(extra: list[ExerciseEntry] | None = None) -> CatalogIndex:
    return CatalogIndex.from_catalog(
        CATALOG, [*(ExerciseEntry.from_record(e) for e in CATALOG.exercises), *(extra or [])]
    )


INDEX = build_index()


def assessment_of(body: dict[str, Any]) -> Assessment:
    """The assessment the API would store for this body (the real engine, a fixed id)."""
    result = assess(msgspec.convert(body, AssessmentInput), ASSESSMENT_RULES, on=ASSESSED_ON, anatomy=ANATOMY)
    return msgspec.convert(
        {
            **msgspec.to_builtins(result),
            "id": str(ASSESSMENT_ID),
            "created_at": "2026-11-24T00:00:00Z",
            "subject_ref": body.get("subject_ref"),
            "input": body,
        },
        Assessment,
    )


STARTS_ON = date(2026, 11, 30)  # a Monday: the generator has no clock, the API fills in the day it is made


def program_for(body: dict[str, Any], index: CatalogIndex = INDEX, **parameters: Any) -> ProgramBody:
    request = msgspec.convert(
        {"assessment_id": str(ASSESSMENT_ID), "starts_on": STARTS_ON.isoformat(), **parameters}, ProgramRequest
    )
    return generate(assessment_of(body), request, index, RULES)
