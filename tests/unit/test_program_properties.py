"""Properties of the program generator over generated assessments and parameters (3,000 cases per run).

Assessment bodies come from the assessment property suite's strategy (every part optional, values in range); the
parameters cover the request's whole range, random equipment subsets (often none at all), random exclusions and
declared conditions. Each case runs the real assessment engine, then the generator on the curated catalogue.
"""

from __future__ import annotations

from typing import Any

import msgspec
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from devkit.programs import CATALOG, INDEX, RULES, assessment_of, program_for
from service.assessments.schemas import AssessmentStatus
from service.programs.catalog_index import SPINAL_LOAD_RANK
from service.programs.generator import ReferralRequired
from service.programs.rules import Restriction
from service.programs.schemas import ProgramBody
from tests.program_view import finding_of, sessions, slots
from tests.unit.test_assessment_properties import CODES as SCREENING_CODES
from tests.unit.test_assessment_properties import RED_FLAGS as RED_FLAG_CODES
from tests.unit.test_assessment_properties import bodies

EQUIPMENT = sorted(e.slug for e in CATALOG.equipment)
EXERCISES = sorted(e.slug for e in CATALOG.exercises)
CONDITIONS = sorted(c.slug for c in CATALOG.conditions)
PHASES = ["release", "lengthen", "strengthen", "integrate"]

WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
parameters = st.fixed_dictionaries(
    {},
    optional={
        "weeks": st.integers(1, 12),
        "sessions_per_week": st.integers(2, 4),
        "days": st.lists(st.sampled_from(WEEKDAYS), unique=True, min_size=2, max_size=4),
        "session_minutes": st.integers(20, 180),
        "level": st.sampled_from(["beginner", "intermediate", "advanced"]),
        "available_equipment": st.none()
        | st.just([])
        | st.lists(st.sampled_from(EQUIPMENT), unique=True, max_size=len(EQUIPMENT)),
        "exclude_exercises": st.lists(st.sampled_from(EXERCISES), unique=True, max_size=12),
        "conditions": st.lists(st.sampled_from(CONDITIONS), unique=True, max_size=3),
    },
).map(lambda d: {k: v for k, v in d.items() if k != "sessions_per_week" or "days" not in d})  # they must agree

PROPERTIES = settings(max_examples=3000, deadline=None)
RECORDS = {e.slug: e for e in CATALOG.exercises}
FIRST_WEEK_OF_TRIMESTER = {1: 1, 2: 14, 3: 28}


def irritability_of(pain: dict[str, Any] | None) -> str:
    """CLINICAL.md §3 with the rules file's numbers: high, then moderate, else low (no pain region: low)."""
    if not pain or not pain.get("regions"):
        return "low"
    for level in ("high", "moderate"):
        test = getattr(RULES.irritability, level)
        if (pain.get("intensity") or 0) >= test.intensity_at_least or pain.get("duration") in test.durations:
            return level
    return "low"


def restriction_applies(restriction: Restriction, body: dict[str, Any], conditions: list[str]) -> bool:
    """The rules file's `when`, read independently of the generator."""
    when = restriction.when
    irritability = irritability_of(body.get("pain"))
    pregnancy = body.get("pregnancy") or {}
    week = pregnancy.get("weeks", FIRST_WEEK_OF_TRIMESTER.get(pregnancy.get("trimester", 0)))
    return (
        (when.condition is None or when.condition in conditions)
        and (when.pregnancy_from_week is None or week is None or week >= when.pregnancy_from_week)
        and (not when.age_bands or body.get("age_band") in when.age_bands)
        and (not when.irritability or irritability in when.irritability)
    )


def used_exercises(program: ProgramBody) -> set[str]:
    used = set()
    for p in program.phases:
        for item in p.items:
            used.add(item.exercise.slug)
            used.update(item.alternatives)
            if item.start_with is not None:
                used.add(item.start_with.exercise.slug)
    used.update(s.slug for s in slots(program))
    return used


UNLOADED = {"bodyweight", "mat", "step", "wall", "bench", "exercise_ball"}


def check_doses(program: ProgramBody, body: dict[str, Any]) -> None:
    """CLINICAL.md §5, week by week: stretches are 2-4 holds of 20-30 s; activation and bodyweight work never "add
    load" and never say to add weight; no effort above what the irritability allows; a loaded lift says how to
    choose its weight."""
    cap = RULES.dose.rpe_at_most[irritability_of(body.get("pain"))]

    # Weekly training volume (sets x reps or seconds) rises at most 20 % over the last full week; every fourth week
    # is lighter.
    last_full = None
    every = slots(program)
    for week in program.schedule.weeks:
        volume = sum(
            i.dose.sets * (i.dose.reps or i.dose.hold_seconds or i.dose.duration_seconds or 1)
            for i in every
            if i.week == week.week and i.kind == "training"
        )
        if week.week % RULES.schedule.lighter_week_every and volume:
            assert last_full is None or volume <= last_full * RULES.schedule.weekly_rise_at_most, (week.week, volume)
            last_full = volume
    for item in every:
        if item.day == "mon" or item.kind != "routine":  # the routine is the same every day
            record = RECORDS[item.slug]
            dose, words = item.dose, (item.dose.intensity or "").lower()
            assert "add load" not in words, (item.slug, words)
            if record.modality == "static_stretch" and dose.hold_seconds is not None:
                assert 2 <= dose.sets <= 4 and 20 <= dose.hold_seconds <= 30, (item.slug, dose)
                assert dose.sets * dose.hold_seconds >= 60, (item.slug, dose)  # 60 s a day (CLINICAL.md §5)
            if record.modality == "activation" or set(record.equipment) <= UNLOADED:
                assert "adding weight" not in words.replace("never by adding weight", ""), (item.slug, words)
                assert "choose a weight" not in words, (item.slug, words)
            if record.modality == "strength":
                rpe = int(words.split("rpe ")[1].split()[0])
                assert rpe <= cap, (item.slug, words, cap)
                if dose.reps is not None and not set(record.equipment) <= UNLOADED:
                    assert "choose a weight" in words, (item.slug, words)


def check_restrictions(program: ProgramBody, body: dict[str, Any]) -> None:
    """Movement restrictions (CLINICAL.md §4), judged by a model of the rules file written here, not the generator's:
    nothing a restriction that applies forbids is used, and the program's safety notes hold exactly the notes of the
    restrictions that apply (so it cannot contradict them)."""
    applies = [r for r in RULES.restrictions if restriction_applies(r, body, program.parameters.conditions)]
    for slug in used_exercises(program):
        record = RECORDS[slug]
        assert record.positions, slug  # every curated exercise describes its movement
        for restriction in applies:
            assert not set(record.positions) & set(restriction.positions), (slug, restriction.id)
            assert not set(record.demands) & set(restriction.demands), (slug, restriction.id)
            assert record.modality not in restriction.modalities, (slug, restriction.id)
            assert not set(record.equipment) & set(restriction.equipment), (slug, restriction.id)
            limit = restriction.spinal_load_at_most
            assert limit is None or SPINAL_LOAD_RANK[record.spinal_load] <= SPINAL_LOAD_RANK[limit], (
                slug,
                restriction.id,
            )
    notes = {" ".join(r.note.split()): r.id for r in RULES.restrictions}
    assert sorted(notes[n] for n in program.safety_notes if n in notes) == sorted(r.id for r in applies)


@PROPERTIES
@given(bodies, parameters)
def test_every_program_keeps_the_rules(body: dict[str, Any], params: dict[str, Any]) -> None:
    if assessment_of(body).status is not AssessmentStatus.ok:
        event("referred or incomplete: no program")
        with pytest.raises(ReferralRequired):
            program_for(body, **params)
        return
    program = program_for(body, **params)
    p = program.parameters
    event(f"program for {len(assessment_of(body).patterns)} pattern(s)")

    # Four phases, in order; each filled, or saying why not.
    assert [(phase.key, phase.order) for phase in program.phases] == [(k, i) for i, k in enumerate(PHASES, 1)]
    for phase in program.phases:
        assert phase.items or phase.gaps, phase.key

    # Equipment within the available set; nothing excluded or contraindicated; spinal load within the limits.
    available = set(p.available_equipment)
    assert "bodyweight" in available
    if params.get("available_equipment") is not None:
        assert available == {*params["available_equipment"], "bodyweight"}
    excluded = {e.exercise for e in program.excluded}
    assert set(params.get("exclude_exercises", [])) <= excluded
    for slug in used_exercises(program):
        entry = INDEX.exercises[slug]
        assert entry.equipment <= available, slug
        assert not set(entry.contraindications) & set(p.conditions), slug
        assert slug not in excluded, slug

    check_restrictions(program, body)
    check_doses(program, body)
    # The assessment's warning signs go with the program (CLINICAL.md §1: always safety-net).
    netting = assessment_of(body).safety_netting
    assert netting and set(netting) <= set(program.safety_notes)

    # Items explain themselves and are not repeated.
    prescribed = [item.exercise.slug for phase in program.phases for item in phase.items]
    assert len(prescribed) == len(set(prescribed))
    for phase in program.phases:
        for item in phase.items:
            assert item.rationale and finding_of(program, item).summary
            assert item.exercise.slug not in item.alternatives
            if item.start_with is not None:
                assert 1 <= item.start_with.until_week < p.weeks

    # The schedule: every week and session, each within the time budget, phases in order within a session.
    assert [w.week for w in program.schedule.weeks] == list(range(1, p.weeks + 1))
    for week in program.schedule.weeks:
        assert {s.day for s in week.sessions} <= set(p.days) and len(p.days) == p.sessions_per_week
        for session in week.sessions:
            assert 0 <= session.estimated_minutes <= p.session_minutes
        for session in sessions(program, week.week):
            orders = [PHASES.index(i.phase) for i in session if i.kind == "training"]
            assert orders == sorted(orders)


@settings(max_examples=300, deadline=None)
@given(bodies, parameters)
def test_same_input_same_program(body: dict[str, Any], params: dict[str, Any]) -> None:
    try:
        first = msgspec.json.encode(program_for(body, **params))
    except ReferralRequired:
        return
    assert msgspec.json.encode(program_for(body, **params)) == first


# People who answered every screening question "no" (so nearly all reach a program), some of them pregnant with
# their obstetric provider's clearance at a known week, a known trimester or neither.
pregnancies = st.none() | st.fixed_dictionaries(
    {"pregnant": st.just(True), "obstetric_clearance": st.just(True)},
    optional={"weeks": st.integers(0, 42), "trimester": st.integers(1, 3)},
)
screened_bodies = st.tuples(bodies, pregnancies).map(
    lambda pair: {
        **pair[0],
        "red_flags": dict.fromkeys(RED_FLAG_CODES, False),
        "screening": dict.fromkeys(SCREENING_CODES, False),
        **({"pregnancy": pair[1]} if pair[1] else {}),
    }
)


@PROPERTIES
@given(screened_bodies, parameters)
def test_no_program_breaks_a_restriction_or_contradicts_its_safety_notes(
    body: dict[str, Any], params: dict[str, Any]
) -> None:
    try:
        program = program_for(body, **params)
    except ReferralRequired:
        event("referred (severe pain that nothing explains)")
        return
    applying = [r for r in RULES.restrictions if restriction_applies(r, body, program.parameters.conditions)]
    event(f"{len(applying)} restriction(s)")
    check_restrictions(program, body)
    check_doses(program, body)
    # The assessment's warning signs go with the program (CLINICAL.md §1: always safety-net).
    netting = assessment_of(body).safety_netting
    assert netting and set(netting) <= set(program.safety_notes)
