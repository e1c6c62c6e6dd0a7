"""Words in programs (issue 15, finding 6; CLINICAL.md §7): plain, honest, second-person text for end users."""

from __future__ import annotations

import re

from devkit.personas import DESK_WORKER
from devkit.programs import program_for
from service.programs.schemas import ProgramBody
from tests.unit.test_program_restrictions import person


def rationales(program: ProgramBody) -> list[str]:
    return [item.rationale for phase in program.phases for item in phase.items]


def test_release_rationales_promise_no_stretch_that_may_not_follow() -> None:
    """Issue 15: every release rationale promised "so the stretches that follow work"."""
    for body in (DESK_WORKER, person("neck", "lower_back", intensity=2)):
        program = program_for(body, weeks=4)
        assert program.phases[0].items
        assert not [r for r in rationales(program) if "stretches that follow" in r]


def test_no_rationale_says_a_plural_area_is_a_site() -> None:
    """Issue 15: end users read "the calves is a usual site"."""
    program = program_for(DESK_WORKER, weeks=4, available_equipment=["foam_roller"])
    assert not [r for r in rationales(program) if " is a usual site" in r]


def test_a_stand_in_says_why_the_first_choice_is_out() -> None:
    """Issue 15: boilerplate "stands in for X, which the available equipment, the level, the person's conditions or
    the exclusions rule out here"."""
    program = program_for(DESK_WORKER, weeks=4, available_equipment=[])
    stand_ins = [r for r in rationales(program) if "stands in for" in r]
    assert stand_ins
    for text in stand_ins:
        assert "rule out here" not in text
        assert re.search(r"stands in for [^:]+: \S", text), text  # a reason follows
    assert any("which is not in your equipment" in text for text in stand_ins)


def test_a_gap_asks_for_the_cheapest_equipment_that_would_serve() -> None:
    """Issue 15: a home user was told they "would need: cable_machine" when a band would do."""
    program = program_for(DESK_WORKER, weeks=4, available_equipment=[])
    asks = [g.reason for phase in program.phases for g in phase.gaps if "would need" in g.reason]
    assert asks
    assert not [a for a in asks if "cable machine" in a and "resistance band" not in a]
    assert any("resistance band" in a for a in asks)


def test_a_home_user_without_a_table_or_low_bar_gets_no_inverted_row() -> None:
    """Issue 15: `inverted_row` was prescribed to people with no bar or table."""
    without = program_for(DESK_WORKER, weeks=4, available_equipment=["resistance_band", "dumbbell"])
    used = {item.exercise.slug for phase in without.phases for item in phase.items}
    used |= {slug for phase in without.phases for item in phase.items for slug in item.alternatives}
    assert "inverted_row" not in used
    with_table = program_for(
        DESK_WORKER, weeks=4, available_equipment=["sturdy_table_or_low_bar"], exclude_exercises=["band_pull_apart"]
    )
    offered = {item.exercise.slug for phase in with_table.phases for item in phase.items}
    offered |= {slug for phase in with_table.phases for item in phase.items for slug in item.alternatives}
    assert "inverted_row" in offered  # the control: with a table or low bar it can be prescribed
