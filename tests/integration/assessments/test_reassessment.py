"""Issue 18, item 4, through the app: a new assessment names the previous one (`previous_assessment_id`), its answer
compares tests, findings and pain with it, and the next program starts from the new findings. The previous one
must be the caller's, made before, of the same person; erasing it erases the comparisons that hold its numbers."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import msgspec
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from devkit.keys import make_key
from devkit.personas import DESK_WORKER
from service.app import pain_mcid
from service.assessments import services
from service.assessments.examples import FOUR_WEEKS_LATER
from service.assessments.rules import load_rules
from service.assessments.schemas import Assessment, AssessmentInput
from service.db.oneshot import StatementPool
from service.graphql.inputs import camel
from service.lib.errors import NotFound, Unprocessable
from service.outcomes.rules import load_outcome_rules
from service.settings import Settings

Client = AsyncTestClient[Litestar]
Headers = dict[str, str]
SCOPES = ["assessments:read", "assessments:write", "programs:read", "programs:write"]
# The desk worker four weeks into the program (service.assessments.examples), without the id it names there.
LATER = {k: v for k, v in FOUR_WEEKS_LATER.items() if k != "previous_assessment_id"}


@pytest.fixture(scope="module")
async def coach(settings: Settings) -> Headers:
    key = await make_key(settings, "reassessing-coach", SCOPES)
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture(scope="module")
async def other_coach(settings: Settings) -> Headers:
    key = await make_key(settings, "other-reassessing-coach", SCOPES)
    return {"Authorization": f"Bearer {key}"}


def _person() -> str:
    return f"reassessed-{uuid.uuid4()}"


async def _assess(client: Client, headers: Headers, body: dict[str, Any], **extra: str) -> Any:
    return await client.post("/v1/assessments", json=body, headers={**headers, **extra})


async def _first_and_later(client: Client, headers: Headers, **extra: str) -> tuple[dict[str, Any], dict[str, Any]]:
    subject = _person()
    first = await _assess(client, headers, {**DESK_WORKER, "subject_ref": subject})
    assert first.status_code == 201, first.text
    later = await _assess(
        client, headers, {**LATER, "subject_ref": subject, "previous_assessment_id": first.json()["id"]}, **extra
    )
    assert later.status_code == 201, later.text
    return first.json(), later.json()


def _trends(comparison: dict[str, Any]) -> dict[str, str]:
    found = {t["test"]: t["trend"] for t in comparison["tests"]}
    return found | {f"{f['type']}:{f['target']}": f["trend"] for f in comparison["findings"]}


async def test_four_weeks_later_the_desk_worker_is_better_and_a_get_answers_the_same(
    client: Client, coach: Headers
) -> None:
    first, later = await _first_and_later(client, coach)
    assert first["comparison"] is None and first["input"]["previous_assessment_id"] is None
    assert later["input"]["previous_assessment_id"] == first["id"]
    comparison = later["comparison"]
    assert comparison["previous_assessment_id"] == first["id"]
    assert comparison["previous_created_at"] == first["created_at"]
    by = _trends(comparison)
    assert by["tests.straight_leg_raise_deg.left"] == "improved"  # 60° to 72°
    assert by["tests.straight_leg_raise_deg.right"] == "unchanged"  # 62° to 64°
    assert by["tests.thomas_test.left"] == "improved" and by["tests.single_leg_bridge_seconds.left"] == "improved"
    assert by["pattern:lower_crossed_syndrome"] == "improved"  # present to likely
    assert by["trigger_point:iliotibial_band"] == "resolved" and by["trigger_point:piriformis"] == "unchanged"
    assert by["overactive:iliotibial_band"] == "resolved"
    [thomas] = [t for t in comparison["tests"] if t["test"] == "tests.thomas_test.left"]
    assert (thomas["before_result"], thomas["after_result"], thomas["before"]) == ("positive", "negative", None)
    assert comparison["pain"] == {
        "before": 4,
        "after": 2,
        "trend": "improved",
        "mcid_reached": True,
        "summary": "Your pain went from 4/10 to 2/10: improved (a meaningful change).",
    }
    again = await client.get(f"/v1/assessments/{later['id']}", headers=coach)
    assert again.status_code == 200 and again.json() == later
    listed = await client.get("/v1/assessments", params={"subject_ref": later["subject_ref"]}, headers=coach)
    assert listed.json()["items"] == [later, first]


async def test_an_unknown_id_and_another_clients_assessment_look_the_same(
    client: Client, coach: Headers, other_coach: Headers
) -> None:
    theirs = (await _assess(client, other_coach, DESK_WORKER)).json()
    answers = []
    for previous in (str(uuid.uuid4()), theirs["id"]):
        response = await _assess(client, coach, {**LATER, "previous_assessment_id": previous})
        assert response.status_code == 422, response.text
        problem = response.json()
        assert problem["errors"] == [
            {"field": "previous_assessment_id", "message": "no assessment of yours has this id"}
        ]
        assert problem["detail"] == f"previous_assessment_id: no assessment of yours has this id ('{previous}')"
        answers.append({k: v for k, v in problem.items() if k != "detail"})
    assert answers[0] == answers[1]
    # Theirs is untouched, and still compares nothing.
    assert (await client.get(f"/v1/assessments/{theirs['id']}", headers=other_coach)).json() == theirs


async def test_a_malformed_id_is_a_400_naming_the_field(client: Client, coach: Headers) -> None:
    response = await _assess(client, coach, {**LATER, "previous_assessment_id": "last-week"})
    assert response.status_code == 400, response.text
    assert [e["field"] for e in response.json()["errors"]] == ["previous_assessment_id"]


async def test_another_persons_assessment_is_refused_naming_both_fields(client: Client, coach: Headers) -> None:
    first = (await _assess(client, coach, {**DESK_WORKER, "subject_ref": _person()})).json()
    response = await _assess(client, coach, {**LATER, "subject_ref": _person(), "previous_assessment_id": first["id"]})
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == ["previous_assessment_id", "subject_ref"]
    # Without a subject_ref on one side nothing says it is another person: it is compared.
    anonymous = await _assess(client, coach, {**LATER, "subject_ref": None, "previous_assessment_id": first["id"]})
    assert anonymous.status_code == 201 and anonymous.json()["comparison"]["previous_assessment_id"] == first["id"]


def test_an_assessment_made_after_this_one_is_refused() -> None:
    """Ids are not ordered, so only the times say which came first (a clock that stepped back, say)."""
    rules = load_rules()
    previous = services.new_row(uuid.uuid4(), _input(DESK_WORKER), rules, _anatomy()).answer
    assert isinstance(previous, Assessment)
    ahead = msgspec.structs.replace(previous, created_at=datetime.now(UTC) + timedelta(minutes=5))
    body = _input({**LATER, "previous_assessment_id": str(previous.id)})
    with pytest.raises(Unprocessable) as refused:
        services.new_row(uuid.uuid4(), body, rules, _anatomy(), services.Previous(ahead, _mcid()))
    assert [e.field for e in refused.value.errors or []] == ["previous_assessment_id"]
    assert refused.value.detail == "previous_assessment_id: must be an assessment made before this one"


async def test_the_next_program_starts_from_the_new_findings(client: Client, coach: Headers) -> None:
    first, later = await _first_and_later(client, coach)
    programs = []
    for assessment in (first, later):
        response = await client.post("/v1/programs", json={"assessment_id": assessment["id"]}, headers=coach)
        assert response.status_code == 201, response.text
        programs.append(response.json())
    old, new = ({(f["type"], f["target"]) for f in p["findings"]} for p in programs)
    assert programs[1]["assessment_id"] == later["id"]
    # The IT band was tender and short four weeks ago, and is neither now: only the old program works on it.
    assert ("trigger_point", "iliotibial_band") in old
    assert not {target for _, target in new} & {"iliotibial_band", "latissimus_dorsi"}
    assert {target for kind, target in new if kind == "trigger_point"} <= set(later["trigger_points"])
    assert {target for kind, target in new if kind == "overactive"} <= {m["muscle"] for m in later["overactive"]}


async def test_erasing_the_previous_assessment_erases_the_comparisons_with_it(
    client: Client, coach: Headers, settings: Settings
) -> None:
    """The comparison holds the erased assessment's numbers (its tests, its pain): it goes, with the link, from the
    stored row and from the stored idempotent reply; the later assessment's own findings stay."""
    key = f"reassess-{uuid.uuid4()}"
    first, later = await _first_and_later(client, coach, **{"Idempotency-Key": key})
    assert (await client.delete(f"/v1/assessments/{first['id']}", headers=coach)).status_code == 204
    kept = (await client.get(f"/v1/assessments/{later['id']}", headers=coach)).json()
    assert kept["comparison"] is None and kept["input"]["previous_assessment_id"] is None
    assert kept == {**later, "comparison": None, "input": {**later["input"], "previous_assessment_id": None}}
    assert await _stored_mentions(settings, later["id"], first["id"]) == 0
    # No replay of the erased numbers: the key runs again and finds no previous assessment.
    body = {**LATER, "subject_ref": later["subject_ref"], "previous_assessment_id": first["id"]}
    retried = await _assess(client, coach, body, **{"Idempotency-Key": key})
    assert retried.status_code == 422 and retried.json()["errors"][0]["field"] == "previous_assessment_id"
    assert (await client.delete(f"/v1/assessments/{later['id']}", headers=coach)).status_code == 204


async def _stored_mentions(settings: Settings, later_id: str, erased_id: str) -> int:
    """Rows of the later assessment, and stored replies of the client, that still mention the erased id."""
    conn = await asyncpg.connect(settings.database_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        rows = await conn.fetchval(
            "SELECT count(*) FROM assessments WHERE id = $1 AND (previous_assessment_id IS NOT NULL "
            "OR comparison IS NOT NULL OR input::text LIKE '%' || $2 || '%')",
            uuid.UUID(later_id),
            erased_id,
        )
        replies = await conn.fetchval(
            "SELECT count(*) FROM idempotency_keys WHERE response_body::text LIKE '%' || $1 || '%'", erased_id
        )
    finally:
        await conn.close()
    return int(rows) + int(replies)


async def test_the_database_refuses_to_leave_a_comparison_without_its_assessment(
    client: Client, coach: Headers, settings: Settings
) -> None:
    """A delete that skipped services.delete (which erases the comparisons first) fails instead of leaving them."""
    first, later = await _first_and_later(client, coach)
    conn = await asyncpg.connect(settings.database_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        with pytest.raises(asyncpg.ForeignKeyViolationError):
            await conn.execute("DELETE FROM assessments WHERE id = $1", uuid.UUID(first["id"]))
        with pytest.raises(asyncpg.CheckViolationError):
            await conn.execute(
                "UPDATE assessments SET previous_assessment_id = NULL WHERE id = $1", uuid.UUID(later["id"])
            )
    finally:
        await conn.close()
    assert (await client.get(f"/v1/assessments/{later['id']}", headers=coach)).json() == later


async def test_a_previous_assessment_erased_during_the_reassessment_is_refused(
    client: Client, coach: Headers, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Erased between its lookup and the insert: the foreign key catches it, and the answer is the usual 422."""
    first = (await _assess(client, coach, DESK_WORKER)).json()
    found = msgspec.convert(first, Assessment)
    assert (await client.delete(f"/v1/assessments/{first['id']}", headers=coach)).status_code == 204

    async def looked_up_before_the_erasure(*_: object) -> Assessment:
        return found

    monkeypatch.setattr(services, "_previous", looked_up_before_the_erasure)
    response = await _assess(client, coach, {**LATER, "previous_assessment_id": first["id"]})
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "previous_assessment_id"


COMPARISON = """
  comparison {
    previousAssessmentId previousCreatedAt
    tests { test trend summary before after beforeResult afterResult }
    findings { type target before after trend summary }
    pain { before after trend mcidReached summary }
  }
"""
CREATE = (
    "mutation ($input: AssessmentInput!) { createAssessment(input: $input) { id input { previousAssessmentId } "
    + COMPARISON
    + " } }"
)
READ = "query ($id: ID!) { assessment(id: $id) { id " + COMPARISON + " } }"


def _camel(value: Any) -> Any:
    """REST's answer spelt as GraphQL's: keys in camelCase (values, enums included, are the same)."""
    if isinstance(value, dict):
        return {camel(k): _camel(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_camel(v) for v in value]
    return value


async def test_graphql_answers_the_same_comparison_as_rest(client: Client, coach: Headers) -> None:
    first = (await _assess(client, coach, {**DESK_WORKER, "subject_ref": _person()})).json()
    later = {
        "subjectRef": first["subject_ref"],
        "previousAssessmentId": first["id"],
        "pain": LATER["pain"],
        "movementScreen": {"overheadSquat": LATER["movement_screen"]["overhead_squat"]},
        "tests": _camel(LATER["tests"]),
        "tenderSpots": LATER["tender_spots"],
        "lifestyle": _camel(LATER["lifestyle"]),
        "screening": [{"code": c, "answer": a} for c, a in {**LATER["red_flags"], **LATER["screening"]}.items()],
    }
    created = await client.post("/graphql", json={"query": CREATE, "variables": {"input": later}}, headers=coach)
    answer = created.json()
    assert "errors" not in answer, answer
    made = answer["data"]["createAssessment"]
    assert made["input"]["previousAssessmentId"] == first["id"]
    rest = (await client.get(f"/v1/assessments/{made['id']}", headers=coach)).json()
    expected = _camel(rest["comparison"])
    expected["previousCreatedAt"] = expected["previousCreatedAt"].replace("+00:00", "Z")
    assert made["comparison"] == expected and expected["findings"] and expected["pain"]
    read = await client.post("/graphql", json={"query": READ, "variables": {"id": made["id"]}}, headers=coach)
    assert read.json()["data"]["assessment"]["comparison"] == expected


async def test_graphql_names_the_field_it_refuses(client: Client, coach: Headers) -> None:
    variables = {"input": {"previousAssessmentId": str(uuid.uuid4())}}
    answer = (await client.post("/graphql", json={"query": CREATE, "variables": variables}, headers=coach)).json()
    error = answer["errors"][0]
    assert error["extensions"]["status"] == 422
    assert error["extensions"]["errors"] == [
        {"field": "input.previousAssessmentId", "message": "no assessment of yours has this id"}
    ]


def _input(body: dict[str, Any]) -> AssessmentInput:
    return msgspec.convert(body, AssessmentInput)


def _anatomy() -> Any:
    from service.assessments.anatomy import Anatomy
    from service.catalog.records import load_catalog

    return Anatomy.from_catalog(load_catalog())


def _mcid() -> Any:
    return pain_mcid(load_outcome_rules())


async def test_a_program_reads_the_assessment_as_its_get_shows_it(
    client: Client, coach: Headers, settings: Settings, engine: AsyncEngine
) -> None:
    """A program reads its assessment on the statement pool (services.clients_one: the server builds its JSON, the
    client's own only): the same assessment as its GET, comparison included, and none of another client's."""
    first, later = await _first_and_later(client, coach)
    statements = StatementPool(settings)  # this test's own: the app's lives in the app's event loop
    async with engine.connect() as connection:
        client_id = (
            await connection.execute(text("SELECT client_id FROM assessments WHERE id = CAST(:id AS uuid)"), first)
        ).scalar_one()
    try:
        for made in (first, later):
            read = await services.clients_one(statements, client_id, uuid.UUID(made["id"]))
            shown = await client.get(f"/v1/assessments/{made['id']}", headers=coach)
            assert msgspec.json.decode(msgspec.json.encode(read)) == shown.json()
        assert later["comparison"] is not None
        with pytest.raises(NotFound):
            await services.clients_one(statements, uuid.uuid4(), uuid.UUID(first["id"]))
    finally:
        await statements.close()
