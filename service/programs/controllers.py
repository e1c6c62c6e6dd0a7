"""REST front door of programs. Each handler opens a tenant session: the caller sees only its own."""

import uuid
from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, get, post
from litestar.params import JSONBody, Parameter, PathParameter

from service.assessments.schemas import SUBJECT_REF_PATTERN
from service.clients.auth import SECURED, principal_of, require, requires_scope
from service.clients.responses import SECURED_PROBLEMS
from service.clients.scopes import Scope
from service.db.tenancy import tenant_session
from service.idempotency import services as idempotency
from service.idempotency.header import IN_FLIGHT, IdempotencyKey, created_response
from service.lib.pagination import DEFAULT_LIMIT, MAX_LIMIT
from service.programs import schemas, services
from service.runtime import RuntimeDep
from service.web.bodies import StrictJSON
from service.web.problems import problem_spec
from service.web.strictness import UNSUPPORTED_MEDIA_TYPE

NOT_FOUND = problem_spec("No program with that id for this client.")
ProgramId = Annotated[
    str, PathParameter(description="The program's id (a UUID).", max_length=64, schema_extra={"format": "uuid"})
]


class ProgramController(Controller):
    path = "/v1/programs"
    tags = ["programs"]
    security = SECURED
    opt = {"tenant_owned": True}

    @post(
        "/",
        operation_id="createProgram",
        summary="Generate a corrective program from an assessment",
        description=(
            "Generates a four-phase program (release → lengthen → strengthen → integrate) for one of your "
            "assessments, within the person's equipment, time and level, leaving out contraindicated and excluded "
            "exercises (listed in `excluded` with the reason). Each exercise is prescribed once, with an `id`, its "
            "instructions and cues; the `schedule` gives every week a daily mobility routine and strength sessions "
            "on the person's `days` that refer to those ids, and lists each dose once per run of weeks. "
            "Deterministic: the same assessment, parameters and ruleset version give the same program. An "
            "assessment with status `refer` gets none: a 422 whose `type` ends in `/referral-required` and whose "
            "`reasons` say why."
        ),
        guards=[requires_scope(Scope.programs_write)],
        dto=StrictJSON[schemas.ProgramRequest],
        return_dto=None,
        status_code=201,
        responses={
            **SECURED_PROBLEMS,
            409: IN_FLIGHT,
            413: problem_spec("The body is larger than 1 MiB."),
            415: UNSUPPORTED_MEDIA_TYPE,
            422: problem_spec(
                "`assessment_id` names no assessment of yours (`errors` names the field); the assessment refers "
                "the person to a clinician (`type` ends in `/referral-required`, `reasons` lists why); or this "
                "Idempotency-Key was used with a different body."
            ),
        },
    )
    async def create(
        self,
        request: Request[Any, Any, Any],
        runtime: RuntimeDep,
        data: JSONBody[schemas.ProgramRequest],
        idempotency_key: IdempotencyKey = None,
    ) -> Response[schemas.Program]:
        principal = require(await principal_of(request), Scope.programs_write)
        key = idempotency.check_key(idempotency_key) if idempotency_key is not None else None
        created = await services.create(
            runtime.statements,
            principal.client_id,
            data,
            key,
            catalogs=runtime.program_catalog,
            rules=runtime.program_rules,
            assessment_rules=runtime.assessment_rules,
            anatomy=runtime.anatomy,
        )
        return created_response(created, "/v1/programs")

    @get(
        "/{program_id:str}",
        operation_id="getProgram",
        summary="Get one program",
        description=(
            "The whole program: its parameters, the findings it answers, the phases with every prescription, the "
            "week-by-week schedule, what was excluded and the safety notes. A program of another client is a 404."
        ),
        guards=[requires_scope(Scope.programs_read)],
        responses={
            **SECURED_PROBLEMS,
            404: NOT_FOUND,
            410: problem_spec(
                "The program was made in an older program shape, which this API no longer serves (its summary in "
                "the list says `retired`): generate a new one from the same assessment."
            ),
        },
    )
    async def get_one(
        self, request: Request[Any, Any, Any], runtime: RuntimeDep, program_id: ProgramId
    ) -> schemas.Program:
        principal = require(await principal_of(request), Scope.programs_read)
        async with tenant_session(runtime.session_factory, principal.client_id) as session:
            return await services.get(session, program_id)

    @get(
        "/",
        operation_id="listPrograms",
        summary="List programs, newest first",
        description="Summaries (no phases or schedule): `GET /v1/programs/{id}` gives a whole program.",
        guards=[requires_scope(Scope.programs_read)],
        responses=SECURED_PROBLEMS,
    )
    async def list_all(
        self,
        request: Request[Any, Any, Any],
        runtime: RuntimeDep,
        assessment_id: Annotated[uuid.UUID | None, Parameter(description="Only those generated from it.")] = None,
        subject_ref: Annotated[
            str | None, Parameter(max_length=128, pattern=SUBJECT_REF_PATTERN, description="Only this subject.")
        ] = None,
        limit: Annotated[int, Parameter(ge=1, le=MAX_LIMIT, description="Page size.")] = DEFAULT_LIMIT,
        cursor: Annotated[str | None, Parameter(max_length=512, description="`next_cursor` of the last page.")] = None,
    ) -> schemas.ProgramList:
        principal = require(await principal_of(request), Scope.programs_read)
        flt = services.ProgramFilter(assessment_id=assessment_id, subject_ref=subject_ref)
        async with tenant_session(runtime.session_factory, principal.client_id) as session:
            page = await services.list_programs(session, flt, limit=limit, cursor=cursor)
        return schemas.ProgramList(items=page.items, next_cursor=page.next_cursor)

    @delete(
        "/{program_id:str}",
        operation_id="deleteProgram",
        summary="Erase a program",
        description=(
            "Erases the program and the stored reply of the request that created it (an Idempotency-Key replay "
            "then creates it anew). Its assessment stays. A 204 with no body."
        ),
        guards=[requires_scope(Scope.programs_write)],
        responses={**SECURED_PROBLEMS, 404: NOT_FOUND},
    )
    async def erase(self, request: Request[Any, Any, Any], runtime: RuntimeDep, program_id: ProgramId) -> None:
        principal = require(await principal_of(request), Scope.programs_write)
        async with tenant_session(runtime.session_factory, principal.client_id) as session, session.begin():
            await services.delete(session, program_id)
