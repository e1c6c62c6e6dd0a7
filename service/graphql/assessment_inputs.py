"""The assessment's input over GraphQL (`createAssessment(input:)`): the REST body's parts, camelCase, as input
types; `service.graphql.inputs.to_struct` turns them into the REST body struct, so both doors validate alike."""

from collections.abc import Callable
from typing import Any

import strawberry

from service.graphql.assessment_enums import (
    ActivityLevel,
    Compensation,
    OneSide,
    PainDuration,
    PainRegion,
    ThomasResult,
    TrainingExperience,
)
from service.lib.errors import Invalid

YES_NO = "Yes (true) or no (false); null when not answered."


@strawberry.input(description="Habits.")
class LifestyleInput:
    sitting_hours_per_day: float | None = strawberry.field(
        default=None, description="Hours spent sitting on a typical day, 0 to 24."
    )
    activity_level: ActivityLevel | None = strawberry.field(
        default=None, description="How active the person is day to day."
    )
    training_experience: TrainingExperience | None = strawberry.field(
        default=None, description="How much strength training the person has done."
    )


@strawberry.input(description="Pain, if any.")
class PainInput:
    regions: list[PainRegion] | None = strawberry.field(default=None, description="Where it hurts; each region once.")
    intensity: int | None = strawberry.field(default=None, description="How bad it is, 0 (none) to 10 (worst).")
    duration: PainDuration | None = strawberry.field(
        default=None, description="acute: under 6 weeks; subacute: 6 to 12 weeks; chronic: over 12 weeks."
    )
    new_pain: bool | None = strawberry.field(
        default=None, description="The pain is new (not a known, long-standing one)."
    )
    trauma: bool | None = strawberry.field(
        default=None, description="The pain began with an injury (a fall, a twist, a blow)."
    )


@strawberry.input(description="One screening answer: `GET /v1/screening` (or the `screening` query) lists the codes.")
class ScreeningAnswerInput:
    code: str = strawberry.field(description="The question's code.")
    answer: bool = strawberry.field(description="Yes (true) or no (false).")


@strawberry.input(description="Pregnancy; leave it out when it does not apply.")
class PregnancyInput:
    pregnant: bool = strawberry.field(description="The person is pregnant.")
    weeks: int | None = strawberry.field(default=None, description="Weeks of pregnancy, 0 to 42.")
    trimester: int | None = strawberry.field(default=None, description="Trimester, 1 to 3, when weeks are not known.")
    obstetric_clearance: bool | None = strawberry.field(
        default=None, description="A midwife, obstetrician or doctor has cleared exercise in this pregnancy."
    )


@strawberry.input(
    description="The first eight lumbar screening questions. " + YES_NO + " The same answers may come in `screening`."
)
class RedFlagsInput:
    saddle_numbness: bool | None = strawberry.field(default=None, description="Numbness around the groin or buttocks.")
    bladder_or_bowel_dysfunction: bool | None = strawberry.field(
        default=None, description="New trouble controlling the bladder or bowel."
    )
    progressive_leg_weakness_or_numbness: bool | None = strawberry.field(
        default=None, description="Weakness or numbness in the legs that is getting worse."
    )
    significant_trauma: bool | None = strawberry.field(default=None, description="A serious fall or accident.")
    fever_or_unexplained_weight_loss: bool | None = strawberry.field(
        default=None, description="A fever, or weight lost without trying."
    )
    history_of_cancer: bool | None = strawberry.field(default=None, description="Cancer now or in the past.")
    constant_night_pain: bool | None = strawberry.field(
        default=None, description="Pain at night that rest does not ease."
    )
    diagnosed_acute_disc_injury: bool | None = strawberry.field(
        default=None, description="A clinician has diagnosed a recent disc injury."
    )


@strawberry.input(description="What was seen in the movement screen.")
class MovementScreenInput:
    overhead_squat: list[Compensation] | None = strawberry.field(
        default=None, description="Compensations seen in the overhead squat; each once."
    )
    weight_shift_to: OneSide | None = strawberry.field(
        default=None, description="With `asymmetric_weight_shift`: the side the weight shifts to."
    )


@strawberry.input(description="A straight-leg raise per side: the hip's angle in degrees at the end of the raise.")
class SidesDegreesInput:
    left: float | None = strawberry.field(default=None, description="The left leg, 0 to 180 degrees.")
    right: float | None = strawberry.field(default=None, description="The right leg, 0 to 180 degrees.")


@strawberry.input(description="A modified Thomas test per side.")
class SidesThomasInput:
    left: ThomasResult | None = strawberry.field(default=None, description="The left side's result.")
    right: ThomasResult | None = strawberry.field(default=None, description="The right side's result.")


@strawberry.input(description="A single-leg bridge per side: seconds held with a level pelvis.")
class SidesSecondsInput:
    left: float | None = strawberry.field(default=None, description="On the left leg, 0 to 600 seconds.")
    right: float | None = strawberry.field(default=None, description="On the right leg, 0 to 600 seconds.")


@strawberry.input(description="Field test results.")
class FieldTestsInput:
    straight_leg_raise_deg: SidesDegreesInput | None = strawberry.field(
        default=None, description="Passive straight-leg raise, per side."
    )
    thomas_test: SidesThomasInput | None = strawberry.field(default=None, description="Modified Thomas test, per side.")
    sit_and_reach_cm: float | None = strawberry.field(
        default=None,
        description="Sit-and-reach in cm relative to the toes, -50 to 50: 0 reaches the toes, negative falls short.",
    )
    single_leg_bridge_seconds: SidesSecondsInput | None = strawberry.field(
        default=None, description="Single-leg bridge hold, per side."
    )


def screening_as_map(body: dict[str, Any]) -> dict[str, Any]:
    """GraphQL has no maps: its screening answers come as a list of {code, answer}, REST's as an object."""
    answers = body.get("screening")
    if answers is None:
        return body
    by_code: dict[str, bool] = {}
    for index, item in enumerate(answers):
        if item["code"] in by_code:
            raise Invalid.field(f"screening[{index}]", f"code {item['code']!r} is answered twice")
        by_code[item["code"]] = item["answer"]
    return {**body, "screening": by_code}


def screening_paths(body: dict[str, Any]) -> Callable[[str], str]:
    """REST names a screening answer by its code (`screening.<code>`), GraphQL's list by its index."""
    index = {item["code"]: i for i, item in enumerate(body.get("screening") or ())}

    def rewrite(path: str) -> str:
        head, _, code = path.partition(".")
        return f"screening[{index[code]}]" if head == "screening" and code in index else path

    return rewrite
