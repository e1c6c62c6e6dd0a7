"""Security review F8 (issue 12): REST's `Idempotency-Key` and GraphQL's `idempotencyKey` are separate namespaces.

Before: GraphQL stored its key K as sha256(K) in the same (client, operation, key) space as REST's header, so a
REST request with `Idempotency-Key: sha256(K)` and the same body replayed what the GraphQL mutation had created
(or was refused as a reused key with another body), and the other way round. Retries through one door still replay.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from devkit.keys import make_key
from devkit.personas import DESK_WORKER
from service.assessments.schemas import AssessmentInput
from service.programs.schemas import ProgramRequest
from service.settings import Settings

Client = AsyncTestClient[Litestar]
Headers = dict[str, str]

CREATE_ASSESSMENT = """
mutation ($input: AssessmentInput!, $key: String) { createAssessment(input: $input, idempotencyKey: $key) { id } }
"""
GENERATE_PROGRAM = """
mutation ($input: ProgramInput!, $key: String) { generateProgram(input: $input, idempotencyKey: $key) { id } }
"""


@pytest.fixture(scope="module")
async def app_key(settings: Settings) -> Headers:
    scopes = ["assessments:read", "assessments:write", "programs:read", "programs:write"]
    return {"Authorization": f"Bearer {await make_key(settings, 'f8-two-doors', scopes)}"}


def person(subject: str) -> tuple[dict[str, Any], dict[str, Any], bytes]:
    """The same assessment as a GraphQL input and as the REST body whose bytes GraphQL's request digest hashes."""
    pain = {"regions": ["lower_back"], "intensity": 4, "duration": "chronic"}
    answers = {**DESK_WORKER["red_flags"], **DESK_WORKER["screening"]}  # screened, so that it can have a program
    graphql_input = {
        "subjectRef": subject,
        "pain": pain,
        "tenderSpots": ["hamstrings"],
        "screening": [{"code": code, "answer": answer} for code, answer in answers.items()],
    }
    rest = {"subject_ref": subject, "pain": pain, "tender_spots": ["hamstrings"], "screening": answers}
    return graphql_input, rest, msgspec.json.encode(msgspec.convert(rest, AssessmentInput))


async def graphql_create(client: Client, headers: Headers, query: str, variables: dict[str, Any]) -> str:
    response = await client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
    result = response.json()
    assert response.status_code == 200 and not result.get("errors"), result
    (created,) = result["data"].values()
    return str(created["id"])


async def rest_create(client: Client, headers: Headers, path: str, body: bytes, key: str) -> Any:
    return await client.post(
        path, content=body, headers={**headers, "Content-Type": "application/json", "Idempotency-Key": key}
    )


async def test_f8_graphql_key_is_not_replayed_over_rest(client: Client, app_key: Headers) -> None:
    key = f"f8-{uuid.uuid4()}"
    graphql_input, _, rest_body = person(f"f8-g2r-{uuid.uuid4().hex[:8]}")
    first = await graphql_create(client, app_key, CREATE_ASSESSMENT, {"input": graphql_input, "key": key})

    stored = hashlib.sha256(key.encode()).hexdigest()  # what the GraphQL door used to store
    response = await rest_create(client, app_key, "/v1/assessments", rest_body, stored)
    assert response.status_code == 201, response.text
    assert "idempotent-replayed" not in response.headers
    assert response.json()["id"] != first  # a resource of its own, not the GraphQL one


async def test_f8_graphql_key_used_over_rest_with_another_body_is_no_reuse(client: Client, app_key: Headers) -> None:
    key = f"f8-{uuid.uuid4()}"
    graphql_input, _, _ = person(f"f8-other-{uuid.uuid4().hex[:8]}")
    await graphql_create(client, app_key, CREATE_ASSESSMENT, {"input": graphql_input, "key": key})
    _, _, another_body = person("f8-someone-else")
    response = await rest_create(
        client, app_key, "/v1/assessments", another_body, hashlib.sha256(key.encode()).hexdigest()
    )
    assert response.status_code == 201, response.text  # not a 422 "key reused": the namespaces do not meet


async def test_f8_rest_key_is_not_replayed_over_graphql(client: Client, app_key: Headers) -> None:
    graphql_key = f"f8-{uuid.uuid4()}"
    graphql_input, _, rest_body = person(f"f8-r2g-{uuid.uuid4().hex[:8]}")
    response = await rest_create(
        client, app_key, "/v1/assessments", rest_body, hashlib.sha256(graphql_key.encode()).hexdigest()
    )
    assert response.status_code == 201, response.text
    created = await graphql_create(client, app_key, CREATE_ASSESSMENT, {"input": graphql_input, "key": graphql_key})
    assert created != response.json()["id"]


async def test_f8_program_keys_are_separate_too(client: Client, app_key: Headers) -> None:
    _, rest, _ = person(f"f8-program-{uuid.uuid4().hex[:8]}")
    assessment = (await client.post("/v1/assessments", json=rest, headers=app_key)).json()["id"]
    key = f"f8-{uuid.uuid4()}"
    graphql_input = {"assessmentId": assessment, "weeks": 4, "sessionMinutes": 30}
    first = await graphql_create(client, app_key, GENERATE_PROGRAM, {"input": graphql_input, "key": key})
    body = msgspec.json.encode(
        msgspec.convert({"assessment_id": assessment, "weeks": 4, "session_minutes": 30}, ProgramRequest)
    )
    response = await rest_create(client, app_key, "/v1/programs", body, hashlib.sha256(key.encode()).hexdigest())
    assert response.status_code == 201, response.text
    assert "idempotent-replayed" not in response.headers and response.json()["id"] != first


async def test_f8_each_door_still_replays_its_own_retries(client: Client, app_key: Headers) -> None:
    graphql_input, _, rest_body = person(f"f8-same-{uuid.uuid4().hex[:8]}")
    key = f"f8-{uuid.uuid4()}"
    variables = {"input": graphql_input, "key": key}
    first = await graphql_create(client, app_key, CREATE_ASSESSMENT, variables)
    assert await graphql_create(client, app_key, CREATE_ASSESSMENT, variables) == first

    # The same key string over REST is a key of the REST namespace: its own resource, then replayed.
    once = await rest_create(client, app_key, "/v1/assessments", rest_body, key)
    again = await rest_create(client, app_key, "/v1/assessments", rest_body, key)
    assert once.status_code == again.status_code == 201
    assert once.json()["id"] != first
    assert again.json() == once.json() and again.headers["idempotent-replayed"] == "true"
