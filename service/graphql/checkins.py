"""Check-ins over GraphQL (issue 18): recorded against one of the caller's programs and decided on, by the same calls as
REST (service.checkins.services). The types mirror REST's field for field, in camelCase, with one difference:
GraphQL has no maps, so the symptom re-screen is a list of {code, answer} (as an assessment's screening is), turned
into REST's object before the shared validation, whose errors then name the list's index (`input.symptoms[2]`)."""

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Annotated, Any

import msgspec
import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from service.checkins import schemas as s
from service.checkins import services
from service.clients.auth import require
from service.clients.scopes import Scope
from service.db.tenancy import tenant_session
from service.graphql.connections import Connection, check_first
from service.graphql.context import Info
from service.graphql.decisions import Decision, decision_of
from service.graphql.inputs import IDEMPOTENCY_KEY, idempotency_key_of, named_as_arguments, plain, to_struct
from service.graphql.owned import erase
from service.graphql.permissions import requires
from service.lib.errors import Invalid, NotFound
from service.lib.pagination import DEFAULT_LIMIT, MAX_LIMIT

strawberry.enum(s.CheckInKind, description="routine: the daily mobility routine; session: a strength session.")
CheckInKind = s.CheckInKind


@strawberry.type(description="One prescription as it was done.")
class ItemDone:
    prescription: str = strawberry.field(description="Its id in the program revision the check-in was done against.")
    sets: int = strawberry.field(description="Sets done (0: skipped).")
    reps: int | None = strawberry.field(description="Reps per set.")
    seconds: int | None = strawberry.field(description="Seconds per set: a hold or a duration.")
    load_kg: float | None = strawberry.field(description="The load in kg, where loaded.")


@strawberry.type(description="One answer of the symptom re-screen: a red-flag screening question, by code.")
class SymptomAnswer:
    code: str = strawberry.field(description="The screening question's code (the `screening` query lists them).")
    answer: bool = strawberry.field(description="Yes (true) or no (false).")


@strawberry.type(description="A daily routine or strength session as the person did it and felt it, and what followed.")
class CheckIn:
    id: strawberry.ID = strawberry.field(description="The check-in's id (a UUID).")
    program_id: strawberry.ID = strawberry.field(description="The program it belongs to.")
    revision: int = strawberry.field(
        description="The program revision it was done against: its prescription ids are that revision's."
    )
    date: dt.date = strawberry.field(description="The day it was done.")
    kind: CheckInKind = strawberry.field(description="A daily routine or a strength session.")
    items: list[ItemDone] = strawberry.field(description="Each prescription done.")
    pain_before: int = strawberry.field(description="Pain before, 0 (none) to 10 (worst imaginable).")
    pain_during: int = strawberry.field(description="The worst pain during, 0-10.")
    pain_after: int = strawberry.field(description="Pain after, 0-10.")
    pain_next_morning: int | None = strawberry.field(description="Pain the next morning, 0-10; null until given.")
    effort: int | None = strawberry.field(description="How hard it felt: RPE 0-10.")
    symptoms: list[SymptomAnswer] = strawberry.field(description="The symptom re-screen's answers.")
    created_at: dt.datetime = strawberry.field(description="When it was recorded.")
    updated_at: dt.datetime = strawberry.field(description="When it was last changed.")
    decision: Decision | None = strawberry.field(
        description="What the program does next, decided over the 7 days up to the check-in's date."
    )

    @classmethod
    def from_domain(cls, c: s.CheckIn) -> "CheckIn":
        return cls(
            id=strawberry.ID(str(c.id)),
            program_id=strawberry.ID(str(c.program_id)),
            revision=c.revision,
            date=c.date,
            kind=c.kind,
            items=[ItemDone(**msgspec.structs.asdict(item)) for item in c.items],
            pain_before=c.pain_before,
            pain_during=c.pain_during,
            pain_after=c.pain_after,
            pain_next_morning=c.pain_next_morning,
            effort=c.effort,
            symptoms=[SymptomAnswer(code=code, answer=answer) for code, answer in c.symptoms.items()],
            created_at=c.created_at,
            updated_at=c.updated_at,
            decision=decision_of(c.decision),
        )


async def program_check_ins(
    root: Any,
    info: Info,
    first: Annotated[int, strawberry.argument(description=f"Page size, 1 to {MAX_LIMIT}.")] = DEFAULT_LIMIT,
    after: Annotated[str | None, strawberry.argument(description="An `endCursor`.")] = None,
) -> Connection[CheckIn]:
    """A program's `checkIns`: batched across the programs of a list (one page of each in one statement)."""
    check_first(first)
    with named_as_arguments():  # a cursor that is not ours names `after`, as REST names `cursor`
        page = await info.context.loaders.check_ins.load((uuid.UUID(str(root.id)), first, after))
    return Connection.of(page, CheckIn.from_domain)


def check_ins_field() -> Any:
    """A program's and a summary's `checkIns`: one resolver for both (a field object belongs to one type)."""
    return strawberry.field(
        resolver=program_check_ins,
        description="Its check-ins, most recently recorded first, each with the decision made after it (batched).",
        permission_classes=[requires(Scope.programs_read)],
    )


@strawberry.input(description="One prescription as it was done.")
class ItemDoneInput:
    prescription: str = strawberry.field(description="Its id in the program's current revision, e.g. `p3`.")
    sets: int = strawberry.field(description="Sets done, 0 (skipped) to 20.")
    reps: int | None = strawberry.field(default=None, description="Reps per set, 0 to 200.")
    seconds: int | None = strawberry.field(default=None, description="Seconds per set (a hold), 0 to 3600.")
    load_kg: float | None = strawberry.field(default=None, description="The load in kg, 0 to 500, where loaded.")


@strawberry.input(description="One answer of the symptom re-screen.")
class SymptomAnswerInput:
    code: str = strawberry.field(description="A red-flag screening question's code (the `screening` query lists them).")
    answer: bool = strawberry.field(description="Yes (true) or no (false); a yes refers the person and pauses.")


@strawberry.input(description="The same fields as the REST body, in camelCase; ranges are checked the same way.")
class CheckInInput:
    date: dt.date = strawberry.field(description="The day it was done, within the program and not in the future.")
    kind: CheckInKind = strawberry.field(description="A daily routine or a strength session.")
    items: list[ItemDoneInput] | None = strawberry.field(
        default=None, description="Each prescription done (up to 40), by its id in the program's current revision."
    )
    pain_before: int = strawberry.field(description="Pain before, 0 (none) to 10 (worst imaginable).")
    pain_during: int = strawberry.field(description="The worst pain during, 0-10.")
    pain_after: int = strawberry.field(description="Pain after, 0-10.")
    pain_next_morning: int | None = strawberry.field(
        default=None, description="0-10, from the next morning on; usually sent later with `updateCheckIn`."
    )
    effort: int | None = strawberry.field(default=None, description="How hard it felt: RPE 0-10.")
    symptoms: list[SymptomAnswerInput] | None = strawberry.field(
        default=None,
        description="The symptom re-screen: red-flag questions answered again, each code once. A yes refers the "
        "person to a clinician and pauses the program.",
    )


@strawberry.input(description="What changes in a recorded check-in: each field given replaces the recorded one.")
class CheckInUpdateInput:
    items: list[ItemDoneInput] | None = strawberry.field(default=None, description="Replaces the items done.")
    pain_before: int | None = strawberry.field(default=None, description="Pain before, 0-10.")
    pain_during: int | None = strawberry.field(default=None, description="The worst pain during, 0-10.")
    pain_after: int | None = strawberry.field(default=None, description="Pain after, 0-10.")
    pain_next_morning: int | None = strawberry.field(
        default=None, description="0-10, the morning after: usually what is sent later."
    )
    effort: int | None = strawberry.field(default=None, description="How hard it felt: RPE 0-10.")
    symptoms: list[SymptomAnswerInput] | None = strawberry.field(
        default=None, description="The symptom re-screen's answers, replacing those recorded; each code once."
    )


def _symptoms_as_map(body: dict[str, Any]) -> tuple[dict[str, Any], Callable[[str], str]]:
    """REST's body (symptoms as an object by code), and the rewrite of REST's error paths (`symptoms.<code>`) to
    the GraphQL list's (`symptoms[<index>]`)."""
    answers = body.get("symptoms")
    if answers is None:
        return body, lambda path: path
    by_code: dict[str, bool] = {}
    for index, item in enumerate(answers):
        if item["code"] in by_code:
            raise Invalid.field(f"symptoms[{index}]", f"code {item['code']!r} is answered twice")
        by_code[item["code"]] = item["answer"]
    index_of = {item["code"]: i for i, item in enumerate(answers)}

    def rewrite(path: str) -> str:
        head, _, code = path.partition(".")
        return f"symptoms[{index_of[code]}]" if head == "symptoms" and code in index_of else path

    return {**body, "symptoms": by_code}, rewrite


def _rest_body(input: Any) -> tuple[dict[str, Any], Callable[[str], str]]:
    return _symptoms_as_map(plain(input))


@strawberry.type
class CheckInQuery:
    @strawberry.field(
        description="One check-in of one of your programs, or null.", permission_classes=[requires(Scope.programs_read)]
    )
    async def check_in(
        self,
        info: Info,
        program_id: Annotated[strawberry.ID, strawberry.argument(description="The program's id.")],
        id: Annotated[strawberry.ID, strawberry.argument(description="The check-in's id.")],
    ) -> CheckIn | None:
        principal = require(info.context.principal, Scope.programs_read)
        async with tenant_session(info.context.session_factory, principal.client_id) as session:
            try:
                found = await services.get(session, str(program_id), str(id))
            except NotFound:
                return None
        return CheckIn.from_domain(found)


@strawberry.type
class CheckInMutation:
    @strawberry.mutation(
        description=(
            "Record a daily routine or strength session of one of your programs as done, then decide what the "
            "program does next (`decision`); a decision that changes the program makes a new revision. A paused "
            "program refuses it with an error whose `extensions.type` ends in `/program-paused`. A non-empty "
            "`idempotencyKey` makes retries safe, as the REST header does (GraphQL and REST keys are separate)."
        ),
        permission_classes=[requires(Scope.programs_write)],
    )
    async def record_check_in(
        self,
        info: Info,
        program_id: Annotated[strawberry.ID, strawberry.argument(description="One of your programs.")],
        input: Annotated[CheckInInput, strawberry.argument(description="What was done, and how it felt.")],
        idempotency_key: Annotated[str | None, strawberry.argument(description=IDEMPOTENCY_KEY)] = None,
    ) -> CheckIn:
        principal = require(info.context.principal, Scope.programs_write)
        runtime = info.context.runtime
        body, rewrite = _rest_body(input)
        with named_as_arguments("input", rewrite=rewrite):
            check_in = to_struct(body, s.CheckInInput)
            created = await services.create(
                runtime.session_factory,
                runtime.statements,
                principal.client_id,
                str(program_id),
                check_in,
                idempotency_key_of(idempotency_key),
                runtime.follow_up,
            )
        return CheckIn.from_domain(created.as_(s.CheckIn))

    @strawberry.mutation(
        description=(
            "Change a recorded check-in (the next morning's pain, usually): each field given replaces the recorded "
            "one; the date and kind stay. Then the program is decided on again over the check-in's date."
        ),
        permission_classes=[requires(Scope.programs_write)],
    )
    async def update_check_in(
        self,
        info: Info,
        program_id: Annotated[strawberry.ID, strawberry.argument(description="The program's id.")],
        id: Annotated[strawberry.ID, strawberry.argument(description="The check-in's id.")],
        input: Annotated[CheckInUpdateInput, strawberry.argument(description="The fields to replace.")],
    ) -> CheckIn:
        principal = require(info.context.principal, Scope.programs_write)
        runtime = info.context.runtime
        body, rewrite = _rest_body(input)
        # The service refuses a change that names nothing as REST's `body`: here, the `input`.
        with named_as_arguments("input", rewrite=rewrite, renamed={"body": "input"}):
            change = to_struct(body, s.CheckInUpdate)
            async with tenant_session(runtime.session_factory, principal.client_id) as session, session.begin():
                updated = await services.update(session, str(program_id), str(id), change, runtime.follow_up)
        return CheckIn.from_domain(updated)

    @strawberry.mutation(
        description=(
            "Erase a check-in of one of your programs; decisions already made after it stay, as do the revisions "
            "they made. False when there is none."
        ),
        permission_classes=[requires(Scope.programs_write)],
    )
    async def delete_check_in(
        self,
        info: Info,
        program_id: Annotated[strawberry.ID, strawberry.argument(description="The program's id.")],
        id: Annotated[strawberry.ID, strawberry.argument(description="The check-in's id.")],
    ) -> bool:
        async def delete(session: AsyncSession, check_in_id: str) -> None:
            await services.delete(session, str(program_id), check_in_id)

        return await erase(info, Scope.programs_write, delete, str(id))
