"""`Assessment.input`: the answers an assessment was made from, typed and in camelCase like the rest of the schema
(issue 17, item 10; it was an untyped `JSON` in REST's snake_case). The types mirror the `AssessmentInput` input
object field for field, with two differences: screening answers are a list of {code, answer} (GraphQL has no maps),
and slugs of the catalogue (conditions, tender spots, restricted exercises) are strings, since an answer stored
before a catalogue change may name a slug the current vocabulary no longer has.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import strawberry

from service.assessments import schemas as s
from service.graphql.assessment_enums import (
    ActivityLevel,
    AgeBand,
    ClinicianRole,
    Compensation,
    OneSide,
    PainDuration,
    PainRegion,
    ThomasResult,
    TrainingExperience,
)

YES_NO = "Yes (true), no (false), or null when not answered."


@strawberry.type(description="Habits, as answered.")
class Lifestyle:
    sitting_hours_per_day: float | None = strawberry.field(description="Hours spent sitting on a usual day.")
    activity_level: ActivityLevel | None = strawberry.field(description="How active the person is day to day.")
    training_experience: TrainingExperience | None = strawberry.field(
        description="How much strength training the person has done."
    )


@strawberry.type(description="Pain, as answered.")
class Pain:
    regions: list[PainRegion] | None = strawberry.field(description="Where it hurts.")
    intensity: int | None = strawberry.field(description="How bad it is, 0 (none) to 10 (worst imaginable).")
    duration: PainDuration | None = strawberry.field(
        description="acute: under 6 weeks; subacute: 6 to 12 weeks; chronic: over 12 weeks."
    )
    new_pain: bool | None = strawberry.field(description="The pain is new (not a known, long-standing one).")
    trauma: bool | None = strawberry.field(description="The pain began with an injury (a fall, a twist, a blow).")


@strawberry.type(description="The first eight lumbar screening questions, as answered. " + YES_NO)
class RedFlags:
    saddle_numbness: bool | None = strawberry.field(description="Numbness around the groin or buttocks.")
    bladder_or_bowel_dysfunction: bool | None = strawberry.field(
        description="New trouble controlling the bladder or bowel."
    )
    progressive_leg_weakness_or_numbness: bool | None = strawberry.field(
        description="Weakness or numbness in the legs that is getting worse."
    )
    significant_trauma: bool | None = strawberry.field(description="A serious fall or accident.")
    fever_or_unexplained_weight_loss: bool | None = strawberry.field(
        description="A fever, or weight lost without trying."
    )
    history_of_cancer: bool | None = strawberry.field(description="Cancer now or in the past.")
    constant_night_pain: bool | None = strawberry.field(description="Pain at night that rest does not ease.")
    diagnosed_acute_disc_injury: bool | None = strawberry.field(
        description="A clinician has diagnosed a recent disc injury."
    )


@strawberry.type(description="One screening answer: the question's code and the answer.")
class ScreeningAnswer:
    code: str = strawberry.field(description="The question's code (the `screening` query lists them).")
    answer: bool = strawberry.field(description="Yes (true) or no (false).")


@strawberry.type(description="Pregnancy, as answered.")
class Pregnancy:
    pregnant: bool = strawberry.field(description="The person is pregnant.")
    weeks: int | None = strawberry.field(description="Weeks of pregnancy.")
    trimester: int | None = strawberry.field(description="Trimester, when weeks are not known.")
    obstetric_clearance: bool | None = strawberry.field(
        description="A midwife, obstetrician or doctor has cleared exercise in this pregnancy."
    )


@strawberry.type(description="What a clinician asked the program to avoid, as given.")
class GivenRestrictions:
    conditions: list[str] = strawberry.field(description="Condition slugs to respect.")
    exercises: list[str] = strawberry.field(description="Exercise slugs never to prescribe.")


@strawberry.type(description="A clinician's clearance to train, as given.")
class Clearance:
    role: ClinicianRole = strawberry.field(description="Who gave the clearance.")
    date: dt.date = strawberry.field(description="The day the clinician cleared the person.")
    restrictions: GivenRestrictions | None = strawberry.field(description="What the clinician asked to avoid.")


@strawberry.type(description="What was seen in the movement screen.")
class MovementScreen:
    overhead_squat: list[Compensation] | None = strawberry.field(
        description="Compensations seen in the overhead squat."
    )
    weight_shift_to: OneSide | None = strawberry.field(
        description="With `asymmetric_weight_shift`: the side the weight shifts to."
    )


@strawberry.type(description="A measurement in degrees, per side.")
class SidesDegrees:
    left: float | None = strawberry.field(description="The left side, in degrees.")
    right: float | None = strawberry.field(description="The right side, in degrees.")


@strawberry.type(description="A positive or negative test, per side.")
class SidesThomas:
    left: ThomasResult | None = strawberry.field(description="The left side's result.")
    right: ThomasResult | None = strawberry.field(description="The right side's result.")


@strawberry.type(description="A hold in seconds, per side.")
class SidesSeconds:
    left: float | None = strawberry.field(description="The left side, in seconds.")
    right: float | None = strawberry.field(description="The right side, in seconds.")


@strawberry.type(description="Field test results, as measured.")
class FieldTests:
    straight_leg_raise_deg: SidesDegrees | None = strawberry.field(
        description="Straight-leg raise: how high each leg rises, in degrees."
    )
    thomas_test: SidesThomas | None = strawberry.field(description="Modified Thomas test, per side.")
    sit_and_reach_cm: float | None = strawberry.field(description="Sit-and-reach distance, in centimetres.")
    single_leg_bridge_seconds: SidesSeconds | None = strawberry.field(
        description="How long a single-leg bridge is held on each side, in seconds."
    )


@strawberry.type(description="The answers an assessment was made from, as `createAssessment` received them.")
class AssessmentAnswers:
    subject_ref: str | None = strawberry.field(description="Your opaque reference for the person.")
    previous_assessment_id: strawberry.ID | None = strawberry.field(
        description="The earlier assessment this one was compared with; null when none (or once it is erased)."
    )
    age_band: AgeBand | None = strawberry.field(description="The person's age range.")
    lifestyle: Lifestyle | None = strawberry.field(description="Habits.")
    pain: Pain | None = strawberry.field(description="Pain, if any.")
    red_flags: RedFlags | None = strawberry.field(description="Answers to the first eight lumbar questions.")
    screening: list[ScreeningAnswer] | None = strawberry.field(description="Screening answers, by code.")
    pregnancy: Pregnancy | None = strawberry.field(description="Pregnancy, if answered.")
    conditions: list[str] | None = strawberry.field(description="Diagnosed conditions (condition slugs).")
    clearance: Clearance | None = strawberry.field(description="A clinician's clearance to train, if given.")
    movement_screen: MovementScreen | None = strawberry.field(description="What the movement screen showed.")
    tests: FieldTests | None = strawberry.field(description="Field test results.")
    tender_spots: list[str] | None = strawberry.field(description="Muscle slugs reported or found tender.")

    @classmethod
    def from_domain(cls, a: s.AssessmentInput) -> AssessmentAnswers:
        tests, clearance, screen = a.tests, a.clearance, a.movement_screen
        return cls(
            subject_ref=a.subject_ref,
            previous_assessment_id=strawberry.ID(str(a.previous_assessment_id)) if a.previous_assessment_id else None,
            age_band=a.age_band,
            lifestyle=Lifestyle(**_fields(a.lifestyle)) if a.lifestyle else None,
            pain=Pain(**_fields(a.pain)) if a.pain else None,
            red_flags=RedFlags(**_fields(a.red_flags)) if a.red_flags else None,
            screening=[ScreeningAnswer(code=c, answer=v) for c, v in a.screening.items()]
            if a.screening is not None
            else None,
            pregnancy=Pregnancy(**_fields(a.pregnancy)) if a.pregnancy else None,
            conditions=a.conditions,
            clearance=Clearance(
                role=clearance.role,
                date=clearance.date,
                restrictions=GivenRestrictions(**_fields(clearance.restrictions)) if clearance.restrictions else None,
            )
            if clearance
            else None,
            movement_screen=MovementScreen(**_fields(screen)) if screen else None,
            tests=FieldTests(
                straight_leg_raise_deg=SidesDegrees(**_fields(tests.straight_leg_raise_deg))
                if tests.straight_leg_raise_deg
                else None,
                thomas_test=SidesThomas(**_fields(tests.thomas_test)) if tests.thomas_test else None,
                sit_and_reach_cm=tests.sit_and_reach_cm,
                single_leg_bridge_seconds=SidesSeconds(**_fields(tests.single_leg_bridge_seconds))
                if tests.single_leg_bridge_seconds
                else None,
            )
            if tests
            else None,
            tender_spots=a.tender_spots,
        )


def _fields(struct: object) -> dict[str, Any]:
    """A flat body struct's fields by name: the mirror type has the same ones."""
    return {name: getattr(struct, name) for name in struct.__struct_fields__}  # type: ignore[attr-defined]
