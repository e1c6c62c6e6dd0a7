"""REST front door of outcome measures, under the assessment they measure. It lives with check-ins because recording a
measure decides over the assessment's programs (service.checkins.measures); reading and erasing are the outcomes
domain's own (service.outcomes.services)."""

from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, get, post
from litestar.params import JSONBody, Parameter, PathParameter

from service.assessments.controllers import AssessmentId
from service.checkins import measures
from service.checkins import schemas as s
from service.clients.auth import SECURED, principal_of, require, requires_scope
from service.clients.responses import SECURED_PROBLEMS
from service.clients.scopes import Scope
from service.db.tenancy import tenant_session
from service.idempotency import services as idempotency
from service.idempotency.header import IdempotencyKey, created_response
from service.lib.errors import NotFound
from service.lib.pagination import MAX_LIMIT
from service.outcomes import schemas as outcome_schemas
from service.outcomes import services as outcomes
from service.runtime import RuntimeDep
from service.web.bodies import StrictJSON
from service.web.problems import problem_spec
from service.web.strictness import UNSUPPORTED_MEDIA_TYPE

NOT_FOUND = problem_spec("No assessment with that id for this client, or no such measure of it.")
OutcomeId = Annotated[
    str, PathParameter(description="The measure's id (a UUID).", max_length=64, schema_extra={"format": "uuid"})
]


class OutcomeController(Controller):
    path = "/v1/assessments/{assessment_id:str}/outcomes"
    tags = ["outcomes"]
    security = SECURED
    opt = {"tenant_owned": True}

    @post(
        "/",
        operation_id="createOutcome",
        summary="Record an outcome measure (NPRS, ODI, NDI, PSFS, STarT Back)",
        description=(
            "Scores the answers as CLINICAL.md §8 says (ODI and NDI as a % of the sections answered, PSFS as the "
            "mean, STarT Back's total, subscale and risk stratum), with the band and, from the second taking of a "
            "measure on, the change against the first (absolute, %, meaningful change reached or not). Invalid "
            "answers get a 400 naming each. Then each of the assessment's programs running on `taken_on` is decided "
            "on (`decisions`), as after a check-in."
        ),
        guards=[requires_scope(Scope.assessments_write)],
        dto=StrictJSON[outcome_schemas.OutcomeRequest],
        return_dto=None,
        status_code=201,
        responses={
            **SECURED_PROBLEMS,
            404: NOT_FOUND,
            409: problem_spec("A request with this Idempotency-Key is still in flight."),
            413: problem_spec("The body is larger than 1 MiB."),
            415: UNSUPPORTED_MEDIA_TYPE,
            422: problem_spec("This Idempotency-Key was used with a different body."),
        },
    )
    async def create(
        self,
        request: Request[Any, Any, Any],
        runtime: RuntimeDep,
        assessment_id: AssessmentId,
        data: JSONBody[outcome_schemas.OutcomeRequest],
        idempotency_key: IdempotencyKey = None,
    ) -> Response[s.RecordedOutcome]:
        principal = require(await principal_of(request), Scope.assessments_write)
        key = idempotency.check_key(idempotency_key) if idempotency_key is not None else None
        async with tenant_session(runtime.session_factory, principal.client_id) as session, session.begin():
            created = await measures.record(session, principal.client_id, assessment_id, data, key, runtime.follow_up)
        return created_response(created, f"/v1/assessments/{created.field('assessment_id')}/outcomes")

    @get(
        "/",
        operation_id="listOutcomes",
        summary="List an assessment's outcome measures, in the order taken",
        description="Each with its score and its change against the first taking of the same measure.",
        guards=[requires_scope(Scope.assessments_read)],
        responses={**SECURED_PROBLEMS, 404: NOT_FOUND},
    )
    async def list_all(
        self,
        request: Request[Any, Any, Any],
        runtime: RuntimeDep,
        assessment_id: AssessmentId,
        limit: Annotated[int, Parameter(ge=1, le=MAX_LIMIT, description="Page size.")] = MAX_LIMIT,
        cursor: Annotated[str | None, Parameter(max_length=512, description="`next_cursor` of the last page.")] = None,
    ) -> outcome_schemas.OutcomeList:
        principal = require(await principal_of(request), Scope.assessments_read)
        async with tenant_session(runtime.session_factory, principal.client_id) as session:
            page, next_cursor = await outcomes.page(
                session, measures.assessment_id_of(assessment_id), runtime.outcome_rules, limit=limit, cursor=cursor
            )
        return outcome_schemas.OutcomeList(items=page, next_cursor=next_cursor)

    @get(
        "/{outcome_id:str}",
        operation_id="getOutcome",
        summary="Get one outcome measure",
        description="As recorded, with its score and its change against the first taking of the same measure.",
        guards=[requires_scope(Scope.assessments_read)],
        responses={**SECURED_PROBLEMS, 404: NOT_FOUND},
    )
    async def get_one(
        self, request: Request[Any, Any, Any], runtime: RuntimeDep, assessment_id: AssessmentId, outcome_id: OutcomeId
    ) -> outcome_schemas.Outcome:
        principal = require(await principal_of(request), Scope.assessments_read)
        async with tenant_session(runtime.session_factory, principal.client_id) as session:
            taken = await outcomes.for_assessment(
                session, measures.assessment_id_of(assessment_id), runtime.outcome_rules
            )
        found = next((outcome for outcome in taken if str(outcome.id) == outcome_id.lower()), None)
        if found is None:
            raise NotFound(f"No outcome measure with id '{outcome_id}' of assessment '{assessment_id}'.")
        return found

    @delete(
        "/{outcome_id:str}",
        operation_id="deleteOutcome",
        summary="Erase an outcome measure",
        description=(
            "Erases the measure and the stored reply of the request that recorded it; later measures' changes are "
            "then against the next first taking. Decisions already made after it stay. A 204 with no body."
        ),
        guards=[requires_scope(Scope.assessments_write)],
        responses={**SECURED_PROBLEMS, 404: NOT_FOUND},
    )
    async def erase(
        self, request: Request[Any, Any, Any], runtime: RuntimeDep, assessment_id: AssessmentId, outcome_id: OutcomeId
    ) -> None:
        principal = require(await principal_of(request), Scope.assessments_write)
        async with tenant_session(runtime.session_factory, principal.client_id) as session, session.begin():
            await outcomes.delete(session, measures.assessment_id_of(assessment_id), outcome_id)
