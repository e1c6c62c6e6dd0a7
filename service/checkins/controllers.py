"""REST front door of check-ins and program revisions. Each handler opens a tenant session: the caller sees only its
own programs, and so only their check-ins and revisions."""

from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.params import JSONBody, Parameter, PathParameter

from service.checkins import progress, services
from service.checkins import schemas as s
from service.clients.auth import SECURED, principal_of, require, requires_scope
from service.clients.responses import SECURED_PROBLEMS
from service.clients.scopes import Scope
from service.db.tenancy import tenant_session
from service.idempotency import services as idempotency
from service.idempotency.header import IdempotencyKey, created_response
from service.lib.pagination import DEFAULT_LIMIT, MAX_LIMIT
from service.programs.controllers import ProgramId
from service.runtime import RuntimeDep
from service.web.bodies import StrictJSON
from service.web.problems import problem_spec
from service.web.strictness import UNSUPPORTED_MEDIA_TYPE

CheckInId = Annotated[
    str, PathParameter(description="The check-in's id (a UUID).", max_length=64, schema_extra={"format": "uuid"})
]
NOT_FOUND = problem_spec("No program with that id for this client, or no check-in with that id in it.")
GONE = problem_spec("The program was made in an older program shape, which this API no longer serves.")
PAUSED = problem_spec(
    "The program is paused: a decision referred the person to a clinician (`type` ends in `/program-paused`). It "
    "takes no more check-ins."
)
DECIDES = (
    "After it, the program's check-ins of the 7 days up to its date (and the assessment's outcome measures) are "
    "decided on: `decision` says whether the program progresses, holds, regresses (the exercises that hurt go to "
    "easier ones), is simplified (fewer, shorter sessions) or is paused because the person should see a clinician, "
    "each with its reasons in plain words. A decision that changes the program makes a new revision of it "
    "(`decision.revision`), whose prescription ids later check-ins use."
)


class CheckInController(Controller):
    path = "/v1/programs/{program_id:str}/check-ins"
    tags = ["check-ins"]
    security = SECURED
    opt = {"tenant_owned": True}

    @post(
        "/",
        operation_id="createCheckIn",
        summary="Record a daily routine or strength session as done",
        description=(
            "Records what the person did (each prescription by its id in the program's current revision: sets, "
            "reps or seconds, load), their pain before, during (the worst) and after, effort, and the short "
            "symptom re-screen. The next morning's pain usually arrives later: send it with PATCH. " + DECIDES
        ),
        guards=[requires_scope(Scope.programs_write)],
        dto=StrictJSON[s.CheckInInput],
        return_dto=None,
        status_code=201,
        responses={
            **SECURED_PROBLEMS,
            404: NOT_FOUND,
            409: problem_spec(
                "The program is paused (`type` ends in `/program-paused`), or a request with this Idempotency-Key "
                "is still in flight."
            ),
            410: GONE,
            413: problem_spec("The body is larger than 1 MiB."),
            415: UNSUPPORTED_MEDIA_TYPE,
            422: problem_spec("This Idempotency-Key was used with a different body."),
        },
    )
    async def create(
        self,
        request: Request[Any, Any, Any],
        runtime: RuntimeDep,
        program_id: ProgramId,
        data: JSONBody[s.CheckInInput],
        idempotency_key: IdempotencyKey = None,
    ) -> Response[s.CheckIn]:
        principal = require(await principal_of(request), Scope.programs_write)
        key = idempotency.check_key(idempotency_key) if idempotency_key is not None else None
        created = await services.create(
            runtime.session_factory, runtime.statements, principal.client_id, program_id, data, key, runtime.follow_up
        )
        return created_response(created, f"/v1/programs/{created.field('program_id')}/check-ins")

    @get(
        "/",
        operation_id="listCheckIns",
        summary="List a program's check-ins, most recently recorded first",
        description="Each with the decision made after it was last recorded or changed.",
        guards=[requires_scope(Scope.programs_read)],
        responses={**SECURED_PROBLEMS, 404: NOT_FOUND, 410: GONE},
    )
    async def list_all(
        self,
        request: Request[Any, Any, Any],
        runtime: RuntimeDep,
        program_id: ProgramId,
        limit: Annotated[int, Parameter(ge=1, le=MAX_LIMIT, description="Page size.")] = DEFAULT_LIMIT,
        cursor: Annotated[str | None, Parameter(max_length=512, description="`next_cursor` of the last page.")] = None,
    ) -> s.CheckInList:
        principal = require(await principal_of(request), Scope.programs_read)
        async with tenant_session(runtime.session_factory, principal.client_id) as session:
            items, next_cursor = await services.list_check_ins(session, program_id, limit=limit, cursor=cursor)
        return s.CheckInList(items=items, next_cursor=next_cursor)

    @get(
        "/{check_in_id:str}",
        operation_id="getCheckIn",
        summary="Get one check-in",
        description="As recorded (or last changed), with the decision made after it.",
        guards=[requires_scope(Scope.programs_read)],
        responses={**SECURED_PROBLEMS, 404: NOT_FOUND, 410: GONE},
    )
    async def get_one(
        self, request: Request[Any, Any, Any], runtime: RuntimeDep, program_id: ProgramId, check_in_id: CheckInId
    ) -> s.CheckIn:
        principal = require(await principal_of(request), Scope.programs_read)
        async with tenant_session(runtime.session_factory, principal.client_id) as session:
            return await services.get(session, program_id, check_in_id)

    @patch(
        "/{check_in_id:str}",
        operation_id="updateCheckIn",
        summary="Change a check-in (the next morning's pain, usually)",
        description=(
            "Each field given replaces the recorded one; the date and kind stay. Then the program is decided on "
            "again over the check-in's date, as after recording it."
        ),
        guards=[requires_scope(Scope.programs_write)],
        dto=StrictJSON[s.CheckInUpdate],
        return_dto=None,
        responses={
            **SECURED_PROBLEMS,
            404: NOT_FOUND,
            409: PAUSED,
            410: GONE,
            413: problem_spec("The body is larger than 1 MiB."),
            415: UNSUPPORTED_MEDIA_TYPE,
        },
    )
    async def update(
        self,
        request: Request[Any, Any, Any],
        runtime: RuntimeDep,
        program_id: ProgramId,
        check_in_id: CheckInId,
        data: JSONBody[s.CheckInUpdate],
    ) -> s.CheckIn:
        principal = require(await principal_of(request), Scope.programs_write)
        async with tenant_session(runtime.session_factory, principal.client_id) as session, session.begin():
            return await services.update(session, program_id, check_in_id, data, runtime.follow_up)

    @delete(
        "/{check_in_id:str}",
        operation_id="deleteCheckIn",
        summary="Erase a check-in",
        description=(
            "Erases the check-in and the stored reply of the request that recorded it. Decisions already made after "
            "it stay, as do the revisions they made. A 204 with no body."
        ),
        guards=[requires_scope(Scope.programs_write)],
        responses={**SECURED_PROBLEMS, 404: NOT_FOUND, 410: GONE},
    )
    async def erase(
        self, request: Request[Any, Any, Any], runtime: RuntimeDep, program_id: ProgramId, check_in_id: CheckInId
    ) -> None:
        principal = require(await principal_of(request), Scope.programs_write)
        async with tenant_session(runtime.session_factory, principal.client_id) as session, session.begin():
            await services.delete(session, program_id, check_in_id)


class FollowUpController(Controller):
    """A program's revisions and progress."""

    path = "/v1/programs/{program_id:str}"
    tags = ["programs"]
    security = SECURED
    opt = {"tenant_owned": True}

    @get(
        "/revisions",
        operation_id="listProgramRevisions",
        summary="List a program's revisions, first to last",
        description=(
            "Revision 1 is the program as generated; each later one was made by a check-in or outcome decision, "
            "with what changed and why. The program's GET shows the last."
        ),
        guards=[requires_scope(Scope.programs_read)],
        responses={**SECURED_PROBLEMS, 404: NOT_FOUND, 410: GONE},
    )
    async def list_all(
        self, request: Request[Any, Any, Any], runtime: RuntimeDep, program_id: ProgramId
    ) -> s.RevisionList:
        principal = require(await principal_of(request), Scope.programs_read)
        async with tenant_session(runtime.session_factory, principal.client_id) as session:
            return s.RevisionList(items=await services.list_revisions(session, program_id))

    @get(
        "/revisions/{number:int}",
        operation_id="getProgramRevision",
        summary="Get one revision of a program, whole",
        description="The program as that revision made it, with what changed and the decision that made it.",
        guards=[requires_scope(Scope.programs_read)],
        responses={
            **SECURED_PROBLEMS,
            404: problem_spec("No program with that id, or no such revision of it."),
            410: GONE,
        },
    )
    async def get_one(
        self,
        request: Request[Any, Any, Any],
        runtime: RuntimeDep,
        program_id: ProgramId,
        number: Annotated[int, PathParameter(ge=1, le=100_000, description="The revision's number (1: as generated).")],
    ) -> s.RevisionDetail:
        principal = require(await principal_of(request), Scope.programs_read)
        async with tenant_session(runtime.session_factory, principal.client_id) as session:
            return await services.get_revision(session, program_id, number)

    @get(
        "/progress",
        operation_id="getProgramProgress",
        summary="How a program is going",
        description=(
            "Week by week from its check-ins: strength sessions done of those scheduled (adherence), daily routines "
            "done, pain before, the worst pain during and the next morning's; its assessment's outcome measures in "
            "the order taken, each with its change against the first and whether that reached the meaningful "
            "change; and every decision so far."
        ),
        guards=[requires_scope(Scope.programs_read)],
        responses={**SECURED_PROBLEMS, 404: NOT_FOUND, 410: GONE},
    )
    async def progress(self, request: Request[Any, Any, Any], runtime: RuntimeDep, program_id: ProgramId) -> s.Progress:
        principal = require(await principal_of(request), Scope.programs_read)
        async with tenant_session(runtime.session_factory, principal.client_id) as session:
            return await progress.progress(session, program_id, runtime.outcome_rules)
