"""Every finding ends in the program (issue 15, finding 3; CLINICAL.md §2): served by an item, or listed in
`unaddressed` with the reason. The clinical review's programs as persona tests, and the rule as a property over
generated people."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import yaml
from hypothesis import event, given, settings

from devkit.personas import DESK_WORKER
from devkit.programs import CATALOG, INDEX, RULES, assessment_of, program_for
from service.assessments.schemas import Assessment
from service.programs.generator import ReferralRequired
from service.programs.rules import RULES_PATH, ProgramRulesError, load_program_rules
from service.programs.schemas import Finding, ProgramBody, ProgramItem
from tests.program_view import also_serves, finding_of, unaddressed
from tests.unit.test_program_properties import parameters, screened_bodies
from tests.unit.test_program_restrictions import person

if TYPE_CHECKING:
    pass

SERVING = {
    "trigger_point": {"release", "lengthen"},  # lengthen only where self-release never goes (the lower back)
    "overactive": {"release", "lengthen"},
    "underactive": {"strengthen", "integrate"},
}
# The lower back (CLINICAL.md §5: self-release never goes there), named here rather than read from the rules file.
LOWER_BACK = {"erector_spinae", "quadratus_lumborum", "multifidus", "thoracolumbar_fascia"}


def lower_back(muscle: str | None) -> bool:
    return muscle is not None and any(INDEX.covers(area, muscle) for area in LOWER_BACK)


def served_by(program: ProgramBody) -> list[tuple[str, ProgramItem, Finding]]:
    """(phase, item, finding) for every finding an item names: its `finding` and its `also_serves`."""
    return [
        (phase.key.value, item, finding)
        for phase in program.phases
        for item in phase.items
        for finding in (finding_of(program, item), *also_serves(program, item))
    ]


def accounted(program: ProgramBody, assessment: Assessment) -> dict[tuple[str, str], str]:
    """Each finding of the assessment -> "served" or "unaddressed"; missing when the program says nothing of it."""
    named = {(f.type.value, f.target) for _, _, f in served_by(program)}
    listed = {(u.finding.type.value, u.finding.target) for u in unaddressed(program)}

    def state(*keys: tuple[str, str]) -> str | None:
        if any(k in named for k in keys):
            return "served"
        if any(k in listed for k in keys):
            return "unaddressed"
        return None

    found: dict[tuple[str, str], str | None] = {}
    for p in assessment.patterns:
        found[("pattern", p.slug)] = state(("pattern", p.slug))
    for tp in assessment.trigger_points:
        found[("trigger_point", tp)] = state(("trigger_point", tp))
    for f in assessment.overactive:
        # The trigger point's finding carries every reason its muscle is overactive.
        found[("overactive", f.muscle)] = state(("overactive", f.muscle), ("trigger_point", f.muscle))
    for f in assessment.underactive:
        found[("underactive", f.muscle)] = state(("underactive", f.muscle))
    return {key: value for key, value in found.items() if value is not None} | {
        key: "missing" for key, value in found.items() if value is None
    }


def assert_every_finding_ends_in_the_program(program: ProgramBody, assessment: Assessment) -> None:
    states = accounted(program, assessment)
    missing = sorted(key for key, value in states.items() if value == "missing")
    assert not missing, f"findings the program says nothing of: {missing}"


# ---------------------------------------------------------------- the property


@settings(max_examples=3000, deadline=None)
@given(screened_bodies, parameters)
def test_every_finding_is_served_or_unaddressed_with_its_reason(body: dict[str, Any], params: dict[str, Any]) -> None:
    try:
        program = program_for(body, **params)
    except ReferralRequired:
        event("referred: no program")
        return
    assessment = assessment_of(body)
    event(f"{len(unaddressed(program))} unaddressed")

    # Every pattern, trigger point and muscle finding is served by an item or listed as unaddressed.
    assert_every_finding_ends_in_the_program(program, assessment)

    # Items name real findings of the assessment, in a phase that serves them; nothing is rolled on the lower back.
    real = {("pattern", p.slug) for p in assessment.patterns}
    real |= {("trigger_point", m) for m in assessment.trigger_points}
    real |= {("overactive", f.muscle) for f in assessment.overactive}
    real |= {("underactive", f.muscle) for f in assessment.underactive}
    for phase, item, finding in served_by(program):
        if finding.type.value == "baseline":
            assert item.finding == finding.id and not item.also_serves
            continue
        assert (finding.type.value, finding.target) in real, (phase, item.exercise.slug, finding.target)
        if finding.type.value in SERVING:
            assert phase in SERVING[finding.type.value], (phase, item.exercise.slug, finding.type, finding.target)
        if phase == "release":
            assert not lower_back(finding.target), (item.exercise.slug, finding.target)
            assert not any(lower_back(m) for m in INDEX.exercises[item.exercise.slug].primary_muscles) or (
                item.exercise.slug == "foam_roll_thoracic_spine"  # the upper back; its cues keep it off the lower
            ), item.exercise.slug
    # A finding is either served or unaddressed, never both, and listed once.
    served = {(f.type, f.target) for _, _, f in served_by(program)}
    listed = [(u.finding.type, u.finding.target) for u in unaddressed(program)]
    assert len(listed) == len(set(listed))
    assert not served & set(listed)
    # Each unaddressed finding says why: the reason of the gap its target became (after why it is never released).
    gaps = [g.reason for phase in program.phases for g in phase.gaps]
    never = {" ".join(n.reason.split()) for n in RULES.never_released}
    for entry in unaddressed(program):
        assert entry.reason and entry.reason != RULES.unmatched_findings.unserved, entry
        assert any(entry.reason.endswith(reason) for reason in gaps), entry
        if lower_back(entry.finding.target) and entry.finding.type.value != "underactive":
            assert any(entry.reason.startswith(n) for n in never), entry


# ---------------------------------------------------------------- the review's programs


KNEES_IN = {"overhead_squat": ["knees_move_inward", "low_back_arches", "excessive_forward_lean"]}


def items_for(program: ProgramBody, kind: str, muscle: str) -> list[tuple[str, ProgramItem]]:
    return [
        (phase, item)
        for phase, item, finding in served_by(program)
        if finding.type.value == kind and finding.target == muscle
    ]


def works(item: ProgramItem, area: str) -> bool:
    return any(INDEX.covers(area, m) for m in INDEX.exercises[item.exercise.slug].primary_muscles)


@pytest.mark.parametrize("equipment", [{}, {"available_equipment": ["resistance_band", "step"]}])
def test_knees_caving_in_with_lower_crossed_syndrome_gets_hip_abductor_work(equipment: dict[str, Any]) -> None:
    """Review finding 1: the gluteus medius was 'explained' by lower crossed syndrome, whose slots train only the
    gluteus maximus, so the knees caving in got no hip-abductor work."""
    body = person("lower_back", movement_screen=KNEES_IN)
    assessment = assessment_of(body)
    assert "lower_crossed_syndrome" in {p.slug for p in assessment.patterns if p.band.value in ("likely", "present")}
    assert "gluteus_medius" in {f.muscle for f in assessment.underactive}
    program = program_for(body, weeks=6, **equipment)
    serving = items_for(program, "underactive", "gluteus_medius")
    assert serving, "no item serves the underactive gluteus medius"
    assert all(phase in ("strengthen", "integrate") for phase, _ in serving)
    assert any(works(item, "gluteus_medius") for _, item in serving), [i.exercise.slug for _, i in serving]
    assert_every_finding_ends_in_the_program(program, assessment)


@pytest.mark.parametrize(
    "thomas", [None, {"left": "negative", "right": "negative"}], ids=["no_thomas_test", "negative_thomas_test"]
)
def test_overactive_hip_flexors_are_stretched_without_a_positive_thomas_test(thomas: dict[str, str] | None) -> None:
    """Review finding 2: the hip flexors were stretched only when the Thomas test was positive, even when the low
    back arching in the squat had marked them overactive."""
    body = person("lower_back", movement_screen={"overhead_squat": ["low_back_arches", "excessive_forward_lean"]})
    body.pop("tests")
    if thomas is not None:
        body["tests"] = {"thomas_test": thomas}
    assessment = assessment_of(body)
    assert "hip_flexors" in {f.muscle for f in assessment.overactive}
    program = program_for(body, weeks=6)
    stretched = [item for phase, item in items_for(program, "overactive", "hip_flexors") if phase == "lengthen"]
    assert stretched and all(works(item, "hip_flexors") for item in stretched)
    lengthen = next(p for p in program.phases if p.key == "lengthen")
    assert "hip_flexors" in lengthen.focus_muscles
    assert_every_finding_ends_in_the_program(program, assessment)


def test_hip_flexors_not_found_overactive_wait_for_the_thomas_test() -> None:
    """The control: with a negative Thomas test and nothing marking the hip flexors overactive, lower crossed
    syndrome alone does not stretch them; a positive test does."""
    body = person("lower_back", movement_screen={"overhead_squat": []})
    bridge = {"single_leg_bridge_seconds": {"left": 10, "right": 10}}  # weak glutes: lower crossed syndrome likely
    body["tests"] = {"thomas_test": {"left": "negative", "right": "negative"}, **bridge}
    assessment = assessment_of(body)
    assert "lower_crossed_syndrome" in {p.slug for p in assessment.patterns if p.band.value in ("likely", "present")}
    assert not {"hip_flexors", "iliopsoas", "rectus_femoris"} & {f.muscle for f in assessment.overactive}
    program = program_for(body, weeks=6)
    assert "hip_flexors" not in next(p for p in program.phases if p.key == "lengthen").focus_muscles
    positive = program_for(
        {**body, "tests": {"thomas_test": {"left": "positive", "right": "negative"}, **bridge}}, weeks=6
    )
    assert "hip_flexors" in next(p for p in positive.phases if p.key == "lengthen").focus_muscles


@pytest.mark.parametrize("spot", ["erector_spinae", "quadratus_lumborum"])
@pytest.mark.parametrize(
    "constraints",
    [{}, {"available_equipment": []}, {"conditions": ["knee_pain"]}],
    ids=["gym", "no_equipment", "knee_pain"],
)
def test_a_tender_lower_back_is_never_rolled(spot: str, constraints: dict[str, Any]) -> None:
    """Review finding 3: a tender lumbar erector was answered with foam_roll_thoracic_spine, whose own cue says keep
    off the lower back (CLINICAL.md §5: self-release never on the lower back)."""
    body = person("lower_back", tender_spots=[spot, "gastrocnemius"])
    assessment = assessment_of(body)
    assert spot in assessment.trigger_points
    program = program_for(body, weeks=6, **constraints)
    release = next(p for p in program.phases if p.key == "release")
    for item in release.items:
        assert not lower_back(finding_of(program, item).target)
        assert not any(lower_back(f.target) for f in also_serves(program, item))
        assert item.exercise.slug != "massage_ball_quadratus_lumborum"
    assert not any(lower_back(m) for m in release.focus_muscles)
    assert not any(lower_back(g.muscle) for g in release.gaps)
    # Stretched or moved instead, or listed with the reason.
    serving = items_for(program, "trigger_point", spot)
    listed = [u for u in unaddressed(program) if (u.finding.type.value, u.finding.target) == ("trigger_point", spot)]
    assert bool(serving) != bool(listed)
    for phase, item in serving:
        assert phase == "lengthen"
        assert INDEX.exercises[item.exercise.slug].modality in ("static_stretch", "dynamic_stretch", "mobility")
        if (
            finding_of(program, item).target == spot
        ):  # named after the tender spot (not a stretch of another area that covers it)
            assert "lower back" in item.rationale
    for entry in listed:
        assert "lower back" in entry.reason
    assert_every_finding_ends_in_the_program(program, assessment)


def test_a_tender_lower_back_at_the_gym_gets_a_stretch() -> None:
    program = program_for(person("lower_back", tender_spots=["erector_spinae"]), weeks=6)
    serving = items_for(program, "trigger_point", "erector_spinae")
    assert [phase for phase, _ in serving] == ["lengthen"]
    assert "foam_roll_thoracic_spine" not in {i.exercise.slug for p in program.phases for i in p.items}


def test_a_release_area_on_the_lower_back_fails_the_rules(tmp_path: Path) -> None:
    raw = yaml.safe_load(RULES_PATH.read_text(encoding="utf-8"))
    raw["patterns"]["lower_crossed_syndrome"]["release"].append({"muscle": "erector_spinae"})
    raw["baseline"]["release"][0] = {"muscle": "quadratus_lumborum"}
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(ProgramRulesError) as raised:
        load_program_rules(path, catalog=CATALOG)
    assert "patterns.lower_crossed_syndrome.release: erector_spinae is never released" in str(raised.value)
    assert "baseline.release: quadratus_lumborum is never released" in str(raised.value)


# ---------------------------------------------------------------- served, unaddressed, and what says so


def test_the_desk_worker_keeps_the_articles_release_and_every_finding_is_served() -> None:
    program = program_for(DESK_WORKER)
    assessment = assessment_of(DESK_WORKER)
    assert set(accounted(program, assessment).values()) == {"served"}
    assert unaddressed(program) == []
    # The soleus is rolled with the calves and the rectus abdominis trained by the core slot: named, not skipped.
    assert items_for(program, "overactive", "soleus")
    assert items_for(program, "underactive", "rectus_abdominis")
    # The lats and the back extensors the arching back marks overactive are stretched, not rolled.
    for muscle in ("latissimus_dorsi", "erector_spinae"):
        assert {phase for phase, _ in items_for(program, "overactive", muscle)} == {"lengthen"}


def test_a_gap_leaves_its_findings_unaddressed_with_the_gaps_reason() -> None:
    home = program_for(DESK_WORKER, available_equipment=[])
    release = next(p for p in home.phases if p.key == "release")
    gap = next(g for g in release.gaps if g.muscle == "iliotibial_band")
    entry = next(u for u in unaddressed(home) if u.finding.target == "iliotibial_band")
    assert entry.finding.type == "trigger_point" and entry.reason == gap.reason
    assert "foam roller" in entry.reason
    assert_every_finding_ends_in_the_program(home, assessment_of(DESK_WORKER))
