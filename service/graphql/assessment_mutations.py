"""Assessment mutations over GraphQL: create (REST's POST /v1/assessments, a reassessment included) and erase. Their
own module, beside the types and queries of service.graphql.assessments."""

import datetime as dt
from typing import Annotated

import strawberry

from service.assessments import schemas as s
from service.assessments import services
from service.clients.auth import require
from service.clients.scopes import Scope
from service.graphql.assessment_enums import AgeBand, ClinicianRole
from service.graphql.assessment_inputs import (
    FieldTestsInput,
    LifestyleInput,
    MovementScreenInput,
    PainInput,
    PregnancyInput,
    RedFlagsInput,
    ScreeningAnswerInput,
    screening_as_map,
    screening_paths,
)
from service.graphql.assessments import Assessment
from service.graphql.catalog import SlugEnums
from service.graphql.context import Info
from service.graphql.inputs import IDEMPOTENCY_KEY, idempotency_key_of, named_as_arguments, plain, to_struct
from service.graphql.owned import erase
from service.graphql.permissions import requires


def assessment_mutation(enums: SlugEnums) -> type:
    """Mutations on assessments; tender spots and conditions are typed as the catalogue's slugs."""
    TenderSpotSlug, ConditionSlug = enums.tender_spot, enums.condition

    @strawberry.input(description="What the clinician asks the program to avoid.")
    class RestrictionsInput:
        conditions: list[ConditionSlug] | None = strawberry.field(  # type: ignore[valid-type]
            default=None, description="Conditions to respect; each once."
        )
        exercises: list[str] | None = strawberry.field(
            default=None, description="Exercise slugs never to prescribe; each once."
        )

    @strawberry.input(
        description=(
            "A clinician's clearance to train: it turns a `routine` referral into a program, with these "
            "restrictions. `emergency` and `urgent` concerns cannot be cleared here."
        )
    )
    class ClearanceInput:
        role: ClinicianRole = strawberry.field(description="Who gave the clearance.")
        date: dt.date = strawberry.field(description="The day the clinician cleared the person (not in the future).")
        restrictions: RestrictionsInput | None = strawberry.field(
            default=None, description="What the clinician asks the program to avoid."
        )

    @strawberry.input(description="The same fields as the REST body, in camelCase; ranges are checked the same way.")
    class AssessmentInput:
        subject_ref: str | None = strawberry.field(
            default=None, description="Your opaque reference for the person; never a name or an email."
        )
        previous_assessment_id: strawberry.ID | None = strawberry.field(
            default=None,
            description=(
                "For a reassessment: the person's earlier assessment (yours, made before, of the same `subjectRef` "
                "when both have one); the answer's `comparison` compares with it."
            ),
        )
        age_band: AgeBand | None = strawberry.field(default=None, description="The person's age range.")
        lifestyle: LifestyleInput | None = strawberry.field(default=None, description="Habits.")
        pain: PainInput | None = strawberry.field(default=None, description="Pain, if any.")
        red_flags: RedFlagsInput | None = strawberry.field(
            default=None, description="Answers to the first eight lumbar questions (or give them in `screening`)."
        )
        screening: list[ScreeningAnswerInput] | None = strawberry.field(
            default=None,
            description=(
                "Screening answers; each code once. A question that applies and is not answered makes the "
                "assessment `incomplete`."
            ),
        )
        pregnancy: PregnancyInput | None = strawberry.field(default=None, description="Pregnancy, if it applies.")
        conditions: list[ConditionSlug] | None = strawberry.field(  # type: ignore[valid-type]
            default=None, description="Diagnosed conditions known for this person, e.g. `osteoporosis`."
        )
        clearance: ClearanceInput | None = strawberry.field(
            default=None, description="A clinician's clearance to train, if the person has one."
        )
        movement_screen: MovementScreenInput | None = strawberry.field(
            default=None, description="What the movement screen showed."
        )
        tests: FieldTestsInput | None = strawberry.field(default=None, description="Field test results.")
        tender_spots: list[TenderSpotSlug] | None = strawberry.field(  # type: ignore[valid-type]
            default=None, description="Muscles the person reports or a trainer palpates as tender."
        )

    @strawberry.type
    class AssessmentMutation:
        @strawberry.mutation(
            description=(
                "Assess a person; a non-empty `idempotencyKey` makes retries safe, as the REST header does "
                "(GraphQL and REST keys are separate)."
            ),
            permission_classes=[requires(Scope.assessments_write)],
        )
        async def create_assessment(
            self,
            info: Info,
            input: Annotated[AssessmentInput, strawberry.argument(description="The person's answers.")],
            idempotency_key: Annotated[str | None, strawberry.argument(description=IDEMPOTENCY_KEY)] = None,
        ) -> Assessment:
            principal = require(info.context.principal, Scope.assessments_write)
            body = plain(input)
            runtime = info.context.runtime
            with named_as_arguments("input", rewrite=screening_paths(body)):
                created = await services.create(
                    runtime.session_factory,
                    runtime.statements,
                    principal.client_id,
                    to_struct(screening_as_map(body), s.AssessmentInput),
                    idempotency_key_of(idempotency_key),
                    rules=runtime.assessment_rules,
                    anatomy=runtime.anatomy,
                    pain_mcid=runtime.pain_mcid,
                )
            return Assessment.from_domain(created.as_(s.Assessment))

        @strawberry.mutation(
            description="Erase one of your assessments and everything derived from it; false when there is none.",
            permission_classes=[requires(Scope.assessments_write)],
        )
        async def delete_assessment(
            self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="The assessment's id.")]
        ) -> bool:
            return await erase(info, Scope.assessments_write, services.delete, str(id))

    return AssessmentMutation
