"""An integrator's flow with the Python client openapi-python-client generated from openapi/openapi.json.

Run by tests/clients/test_generated_clients.py in the generators' own virtual environment, with the generated
package importable: `python flow_openapi_python.py BASE_URL API_KEY ASSESSMENT_JSON`. It stops at the first
surprise (an AssertionError) and prints what it saw as one JSON object for the test to check.
"""

from __future__ import annotations

import json
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from realign_client import AuthenticatedClient, Client
from realign_client.api.assessments import create_assessment, delete_assessment, get_assessment
from realign_client.api.catalogue import get_exercise, list_exercises
from realign_client.api.programs import create_program, delete_program, get_program, list_programs
from realign_client.models import (
    Assessment,
    AssessmentInput,
    EquipmentSlug,
    Exercise,
    ExerciseDetail,
    ExerciseList,
    MuscleSlug,
    Program,
    ProgramList,
    ProgramRequest,
)
from realign_client.types import UNSET


def main(base_url: str, api_key: str, assessment: dict[str, Any]) -> dict[str, Any]:
    public = Client(base_url=base_url, raise_on_unexpected_status=True)
    keyed = AuthenticatedClient(base_url=base_url, token=api_key, raise_on_unexpected_status=True)
    seen: dict[str, Any] = {}

    # A filtered catalogue page: the filters are the contract's enums, not strings.
    page = list_exercises.sync(
        client=public, muscle=MuscleSlug.GLUTEUS_MAXIMUS, available_equipment=[EquipmentSlug.BODYWEIGHT], limit=5
    )
    assert isinstance(page, ExerciseList), page
    assert 0 < len(page.items) <= 5 and all(isinstance(e, Exercise) for e in page.items)
    seen["filtered"] = [e.slug for e in page.items]

    # The whole catalogue by cursor, as a sync job does (small pages: several of them).
    synced: list[str] = []
    cursor: str | None = None
    while True:
        batch = list_exercises.sync(client=public, limit=50, cursor=UNSET if cursor is None else cursor)
        assert isinstance(batch, ExerciseList), batch
        synced += [e.slug for e in batch.items]
        if batch.next_cursor is None:
            break
        cursor = batch.next_cursor
    seen["synced"] = synced
    # What changed since an instant: a datetime, not a string to format by hand.
    since = list_exercises.sync(client=public, updated_since=datetime(2000, 1, 1, tzinfo=UTC), limit=50)
    assert isinstance(since, ExerciseList), since
    seen["changed_since_2000"] = [e.slug for e in since.items]

    # A conditional GET: the ETag of a first answer turns the second into a 304 with no body.
    first = get_exercise.sync_detailed(synced[0], client=public)
    assert first.status_code == 200 and isinstance(first.parsed, ExerciseDetail), first
    etag = first.headers["ETag"]
    again = get_exercise.sync_detailed(synced[0], client=public.with_headers({"If-None-Match": etag}))
    seen["conditional"] = {"etag": etag, "status": int(again.status_code), "body": again.content.decode()}

    # An assessment created with an idempotency key, then the same request replayed.
    body = AssessmentInput.from_dict(assessment)
    key = str(uuid.uuid4())
    created = create_assessment.sync_detailed(client=keyed, body=body, idempotency_key=key)
    replayed = create_assessment.sync_detailed(client=keyed, body=body, idempotency_key=key)
    assert isinstance(created.parsed, Assessment) and isinstance(replayed.parsed, Assessment), created
    seen["assessment"] = {
        "statuses": [int(created.status_code), int(replayed.status_code)],
        "ids": [str(created.parsed.id), str(replayed.parsed.id)],
        "replayed_header": replayed.headers.get("Idempotent-Replayed"),
        "status": created.parsed.status.value,
    }
    assessment_id = created.parsed.id

    # A program generated from it, read back, found in the list.
    made = create_program.sync_detailed(client=keyed, body=ProgramRequest(assessment_id=assessment_id, weeks=4))
    assert isinstance(made.parsed, Program), made
    program_id = made.parsed.id
    read = get_program.sync(program_id, client=keyed)
    assert isinstance(read, Program), read
    listed = list_programs.sync(client=keyed, assessment_id=assessment_id)
    assert isinstance(listed, ProgramList), listed
    seen["program"] = {
        "status": int(made.status_code),
        "id": str(program_id),
        "read_id": str(read.id),
        "weeks": len(read.schedule.weeks),
        "listed": [str(p.id) for p in listed.items],
    }

    # Erased: the program, then the assessment, which is then gone.
    erased = [
        int(delete_program.sync_detailed(program_id, client=keyed).status_code),
        int(delete_assessment.sync_detailed(assessment_id, client=keyed).status_code),
    ]
    gone = get_assessment.sync_detailed(assessment_id, client=keyed)
    seen["erased"] = {"statuses": erased, "then": int(gone.status_code)}
    return seen


if __name__ == "__main__":
    base_url, api_key, assessment_path = sys.argv[1:4]
    print(json.dumps(main(base_url, api_key, json.loads(Path(assessment_path).read_text()))))
