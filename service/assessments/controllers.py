"""REST front door of assessments. Each handler opens a tenant session: the caller sees only its own."""

from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, get, post
from litestar.params import JSONBody, Parameter, PathParameter

from service.assessments import schemas, services
from service.assessments.schemas import SUBJECT_REF_PATTERN
from service.assessments.screening import form
from service.clients.auth import SECURED, principal_of, require, requires_scope
from service.clients.responses import SECURED_PROBLEMS
from service.clients.scopes import Scope
from service.db.tenancy import tenant_session
from service.idempotency import services as idempotency
from service.idempotency.header import IN_FLIGHT, IdempotencyKey, created_response
from service.lib.pagination import DEFAULT_LIMIT, MAX_LIMIT
from service.runtime import RuntimeDep
from service.web.bodies import StrictJSON
from service.web.problems import parse_instant, problem_spec
from service.web.strictness import UNSUPPORTED_MEDIA_TYPE

NOT_FOUND = problem_spec("No assessment with that id for this client.")
AssessmentId = Annotated[
    str, PathParameter(description="The assessment's id (a UUID).", max_length=64, schema_extra={"format": "uuid"})
]


class AssessmentController(Controller):
    path = "/v1/assessments"
    tags = ["assessments"]
    security = SECURED
    opt = {"tenant_owned": True}

    @post(
        "/",
        operation_id="createAssessment",
        summary="Assess a person",
        description=(
            "Runs the versioned rules over a questionnaire, a movement screen and field tests. Any red flag gives "
            "status `refer` (see a clinician before training) and no findings; otherwise patterns with scores, "
            "overactive and underactive muscles and trigger points, each with the inputs that caused it. A "
            "reassessment names the person's earlier assessment in `previous_assessment_id`: its `comparison` says "
            "how each test, finding and the pain changed since (resolved, improved, unchanged, worse or new), and "
            "a program generated from it starts from its own, new findings."
        ),
        guards=[requires_scope(Scope.assessments_write)],
        dto=StrictJSON[schemas.AssessmentInput],
        return_dto=None,
        status_code=201,
        responses={
            **SECURED_PROBLEMS,
            409: IN_FLIGHT,
            413: problem_spec("The body is larger than 1 MiB."),
            415: UNSUPPORTED_MEDIA_TYPE,
            422: problem_spec(
                "`previous_assessment_id` names no assessment of yours, one made after this one, or one of another "
                "`subject_ref` (`errors` names the fields); or this Idempotency-Key was used with a different body."
            ),
        },
    )
    async def create(
        self,
        request: Request[Any, Any, Any],
        runtime: RuntimeDep,
        data: JSONBody[schemas.AssessmentInput],
        idempotency_key: IdempotencyKey = None,
    ) -> Response[schemas.Assessment]:
        principal = require(await principal_of(request), Scope.assessments_write)
        key = idempotency.check_key(idempotency_key) if idempotency_key is not None else None
        created = await services.create(
            runtime.session_factory,
            runtime.statements,
            principal.client_id,
            data,
            key,
            rules=runtime.assessment_rules,
            anatomy=runtime.anatomy,
            pain_mcid=runtime.pain_mcid,
        )
        return created_response(created, "/v1/assessments")

    @get(
        "/{assessment_id:str}",
        operation_id="getAssessment",
        summary="Get one assessment",
        description=(
            "The assessment as created: its status, findings, referral or missing answers, and the input it was "
            "made from. An assessment of another client is a 404."
        ),
        guards=[requires_scope(Scope.assessments_read)],
        responses={**SECURED_PROBLEMS, 404: NOT_FOUND},
    )
    async def get_one(
        self, request: Request[Any, Any, Any], runtime: RuntimeDep, assessment_id: AssessmentId
    ) -> schemas.Assessment:
        principal = require(await principal_of(request), Scope.assessments_read)
        async with tenant_session(runtime.session_factory, principal.client_id) as session:
            return await services.get(session, assessment_id)

    @get(
        "/",
        operation_id="listAssessments",
        summary="List assessments, newest first",
        description="The calling client's assessments, whole, filtered by subject, status, pattern and creation time.",
        guards=[requires_scope(Scope.assessments_read)],
        responses=SECURED_PROBLEMS,
    )
    async def list_all(
        self,
        request: Request[Any, Any, Any],
        runtime: RuntimeDep,
        subject_ref: Annotated[
            str | None, Parameter(max_length=128, pattern=SUBJECT_REF_PATTERN, description="Only this subject.")
        ] = None,
        status: Annotated[schemas.Status | None, Parameter(description="ok, refer or incomplete.")] = None,
        pattern: Annotated[
            str | None,
            Parameter(max_length=80, pattern=services.NO_CONTROL_CHARACTERS, description="Only those showing it."),
        ] = None,
        created_after: Annotated[
            str | None, Parameter(description="RFC 3339, exclusive.", schema_extra={"format": "date-time"})
        ] = None,
        created_before: Annotated[
            str | None, Parameter(description="RFC 3339, exclusive.", schema_extra={"format": "date-time"})
        ] = None,
        limit: Annotated[int, Parameter(ge=1, le=MAX_LIMIT, description="Page size.")] = DEFAULT_LIMIT,
        cursor: Annotated[str | None, Parameter(max_length=512, description="`next_cursor` of the last page.")] = None,
    ) -> schemas.AssessmentList:
        principal = require(await principal_of(request), Scope.assessments_read)
        flt = services.AssessmentFilter(
            subject_ref=subject_ref,
            status=status.value if status else None,
            pattern=pattern,
            created_after=parse_instant("created_after", created_after),
            created_before=parse_instant("created_before", created_before),
        )
        async with tenant_session(runtime.session_factory, principal.client_id) as session:
            page = await services.list_assessments(session, flt, limit=limit, cursor=cursor)
        return schemas.AssessmentList(items=page.items, next_cursor=page.next_cursor)

    @delete(
        "/{assessment_id:str}",
        operation_id="deleteAssessment",
        summary="Erase an assessment and everything derived from it",
        description=(
            "Erases the assessment, the programs generated from it and the stored replies of the requests that "
            "created them (for the right to erasure). Later assessments compared with it keep their findings but "
            "lose that `comparison` and their `previous_assessment_id`, which would hold its numbers. A 204 with "
            "no body."
        ),
        guards=[requires_scope(Scope.assessments_write)],
        responses={**SECURED_PROBLEMS, 404: NOT_FOUND},
    )
    async def erase(self, request: Request[Any, Any, Any], runtime: RuntimeDep, assessment_id: AssessmentId) -> None:
        principal = require(await principal_of(request), Scope.assessments_write)
        async with tenant_session(runtime.session_factory, principal.client_id) as session, session.begin():
            await services.delete(session, assessment_id)


class ScreeningController(Controller):
    path = "/v1/screening"
    tags = ["assessments"]

    @get(
        "/",
        operation_id="getScreening",
        summary="The screening questions a person must answer",
        description=(
            "The screens that apply to a person with these pain regions (and pregnancy, and whether the pain began "
            "with an injury), each with its yes/no questions: their codes are the keys of an assessment's "
            "`screening` object. A question that applies and is not answered makes the assessment `incomplete`. "
            "Public: the questions are the same for every client."
        ),
        responses={400: problem_spec("A region is not a pain region.")},
    )
    async def form(
        self,
        runtime: RuntimeDep,
        regions: Annotated[
            list[schemas.PainRegion] | None,
            Parameter(
                description="Pain regions, the assessment's `pain.regions` (repeat the parameter).", max_items=12
            ),
        ] = None,
        pregnant: Annotated[bool, Parameter(description="The person is pregnant.")] = False,
        injury: Annotated[
            bool | None, Parameter(description="The pain began with an injury (`pain.trauma`); omit when not known.")
        ] = None,
    ) -> schemas.ScreeningForm:
        rules = runtime.assessment_rules
        chosen = list(dict.fromkeys(r.value for r in regions or []))
        return form(rules.screening, rules.version, chosen, pregnant=pregnant, injury=injury)
