"""An integrator's flow with the typed GraphQL client ariadne-codegen generated from openapi/schema.graphql and
tests/clients/queries.graphql.

Run by tests/clients/test_generated_clients.py in the generators' own virtual environment, with the generated
package importable: `python flow_graphql_python.py BASE_URL API_KEY ASSESSMENT_JSON` (the assessment as the REST
body; GraphQL takes the screening answers as a list). GraphQL has no conditional GET (no ETag on POST /graphql),
so that step is REST's alone. Prints what it saw as one JSON object for the test to check.
"""

from __future__ import annotations

import asyncio
import json
import sys
import uuid
from pathlib import Path
from typing import Any

from realign_graphql import (
    AssessmentInput,
    AssessmentStatus,
    Client,
    EquipmentSlug,
    ExerciseFilter,
    MuscleSlug,
    ProgramInput,
)


async def main(base_url: str, api_key: str, assessment: dict[str, Any]) -> dict[str, Any]:
    public = Client(url=f"{base_url}/graphql")
    keyed = Client(url=f"{base_url}/graphql", headers={"Authorization": f"Bearer {api_key}"})
    seen: dict[str, Any] = {}

    # A filtered catalogue page.
    filter_ = ExerciseFilter(muscle=MuscleSlug.gluteus_maximus, available_equipment=[EquipmentSlug.bodyweight])
    page = await public.filtered_exercises(filter_=filter_, first=5)
    assert 0 < len(page.exercises.nodes) <= 5
    seen["filtered"] = [e.slug for e in page.exercises.nodes]

    # The whole catalogue by cursor.
    synced: list[str] = []
    after: str | None = None
    while True:
        batch = await public.exercise_page(first=50, after=after)
        synced += [edge.node.slug for edge in batch.exercises.edges]
        if not batch.exercises.page_info.has_next_page:
            break
        after = batch.exercises.page_info.end_cursor
    seen["synced"] = synced

    # An assessment created with an idempotency key, then replayed.
    answers = assessment.get("screening", {})
    graphql_input = {**assessment, "screening": [{"code": c, "answer": a} for c, a in answers.items()]}
    body = AssessmentInput.model_validate(graphql_input)
    key = str(uuid.uuid4())
    created = (await keyed.create_assessment(input=body, idempotency_key=key)).create_assessment
    replayed = (await keyed.create_assessment(input=body, idempotency_key=key)).create_assessment
    assert created.status == AssessmentStatus.ok, created
    seen["assessment"] = {"ids": [created.id, replayed.id], "status": created.status.value}

    # A program generated from it, read back, found in the list.
    made = (await keyed.generate_program(input=ProgramInput(assessment_id=created.id, weeks=4))).generate_program
    read = (await keyed.read_program(id=made.id)).program
    assert read is not None
    listed = (await keyed.list_programs(assessment_id=created.id)).programs
    seen["program"] = {
        "id": made.id,
        "read_id": read.id,
        "weeks": len(read.schedule.weeks),
        "listed": [edge.node.id for edge in listed.edges],
    }

    # Erased: the program, then the assessment, which is then gone.
    erased = [
        (await keyed.erase_program(id=made.id)).delete_program,
        (await keyed.erase_assessment(id=created.id)).delete_assessment,
    ]
    gone = (await keyed.read_assessment(id=created.id)).assessment
    seen["erased"] = {"results": erased, "then": gone}

    return seen


if __name__ == "__main__":
    base_url, api_key, assessment_path = sys.argv[1:4]
    print(json.dumps(asyncio.run(main(base_url, api_key, json.loads(Path(assessment_path).read_text())))))
