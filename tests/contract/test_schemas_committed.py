"""The committed contracts are what the app serves: regenerate with `make schemas` when this fails."""

from __future__ import annotations

import json
from pathlib import Path

from litestar import Litestar
from litestar.testing import AsyncTestClient

from service.schema_export import graphql_sdl, openapi_document

OPENAPI_DIR = Path(__file__).resolve().parents[2] / "openapi"


def test_openapi_json_is_current() -> None:
    committed = json.loads((OPENAPI_DIR / "openapi.json").read_text())
    assert committed == openapi_document(), "openapi/openapi.json is stale: run `make schemas`"


def test_graphql_sdl_is_current() -> None:
    assert (OPENAPI_DIR / "schema.graphql").read_text() == graphql_sdl(), "openapi/schema.graphql is stale"


async def test_served_document_is_the_committed_one(client: AsyncTestClient[Litestar]) -> None:
    served = (await client.get("/schema/openapi.json")).json()
    assert served == json.loads((OPENAPI_DIR / "openapi.json").read_text())
    assert not any(path.startswith("/graphql") for path in served["paths"])
    operations = [op for methods in served["paths"].values() for op in methods.values()]
    assert operations and all(op.get("operationId") and op.get("summary") for op in operations)


def test_examples_are_valid_resources() -> None:
    import msgspec

    from service.catalog import schemas
    from service.catalog.records import load_catalog
    from service.web.openapi_document import response_examples
    from service.web.problems import Problem

    types = {
        "listExercises": schemas.ExerciseList,
        "getExercise": schemas.ExerciseDetail,
        "listMuscles": schemas.MuscleList,
        "getMuscle": schemas.MuscleDetail,
        "listEquipment": schemas.EquipmentList,
        "getEquipment": schemas.Equipment,
        "listConditions": schemas.ConditionList,
        "listPatterns": schemas.PatternList,
    }
    examples = response_examples(load_catalog())
    assert set(examples) == set(types)
    for operation, by_status in examples.items():
        for status, value in by_status.items():
            expected = types[operation] if status.startswith("2") else Problem
            msgspec.convert(msgspec.to_builtins(value), expected)


def test_program_examples_are_what_the_service_answers() -> None:
    import msgspec

    from service.assessments.rules import load_rules
    from service.catalog.records import load_catalog
    from service.programs.examples import program_examples
    from service.programs.rules import load_program_rules
    from service.programs.schemas import Program, ProgramRequest
    from service.web.problems import Problem

    catalog = load_catalog()
    rules = load_rules(
        known_muscles=frozenset(m.slug for m in catalog.muscles),
        known_patterns=frozenset(p.slug for p in catalog.patterns),
    )
    examples = program_examples(catalog, rules, load_program_rules(catalog=catalog))["createProgram"]
    request = msgspec.convert(examples["request"], ProgramRequest)
    program = msgspec.convert(msgspec.to_builtins(examples["201"]), Program)
    assert program.assessment_id == request.assessment_id and len(program.schedule.weeks) == request.weeks
    assert [x.exercise for x in program.excluded if "request" in x.reason] == request.exclude_exercises
    refused = msgspec.convert(examples["422"], Problem)
    assert refused.type.endswith("/referral-required") and refused.reasons == ["saddle_numbness"]


def test_assessment_examples_are_what_the_service_answers() -> None:
    """The desk worker's documented assessment is `ok`, and the documented screening form asks exactly the questions
    the documented assessment answers (so an app that renders the form can send that body)."""
    import msgspec

    from service.app import pain_mcid
    from service.assessments.examples import DESK_WORKER, assessment_examples
    from service.assessments.rules import load_rules
    from service.assessments.schemas import Assessment, AssessmentInput, ScreeningForm
    from service.outcomes.rules import load_outcome_rules

    examples = assessment_examples(load_rules(), pain_mcid(load_outcome_rules()))
    msgspec.convert(examples["createAssessment"]["request"], AssessmentInput)
    created = msgspec.convert(msgspec.to_builtins(examples["createAssessment"]["201"]), Assessment)
    assert created.status == "ok" and created.level == "proceed" and created.patterns
    # The assessment read back is the reassessment four weeks later: it names the created one and compares with it.
    reassessment = msgspec.convert(msgspec.to_builtins(examples["getAssessment"]["200"]), Assessment)
    assert reassessment.input.previous_assessment_id == created.id and reassessment.comparison is not None
    assert reassessment.comparison.previous_assessment_id == created.id
    assert reassessment.comparison.pain is not None and reassessment.comparison.pain.mcid_reached
    screening_form = msgspec.convert(msgspec.to_builtins(examples["getScreening"]["200"]), ScreeningForm)
    asked = {q.code for s in screening_form.screens for q in s.questions}
    assert asked == {*DESK_WORKER["red_flags"], *DESK_WORKER["screening"]}
    document = json.loads((OPENAPI_DIR / "openapi.json").read_text())
    media = document["paths"]["/v1/screening"]["get"]["responses"]["200"]["content"]["application/json"]
    assert media["examples"]["example"]["value"] == msgspec.to_builtins(examples["getScreening"]["200"])


def test_every_schema_has_an_intentional_name() -> None:
    """Issue 17, finding 1: two schemas were titled `Dose` (and two `Level`), so the document named them after their
    modules (`programs_schemas_Dose`) and openapi-python-client dropped every program type."""
    names = list(json.loads((OPENAPI_DIR / "openapi.json").read_text())["components"]["schemas"])
    assert [n for n in names if "_schemas_" in n or "_enums_" in n] == []
    assert {"Dose", "ProgramDose", "Level", "ConcernLevel"} <= set(names)
