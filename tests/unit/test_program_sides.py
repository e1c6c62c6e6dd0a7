"""Sides (issue 15, finding 5; CLINICAL.md §2): the weaker or tighter side of an asymmetry gets the extra work."""

from __future__ import annotations

from typing import Any

from devkit.programs import INDEX, program_for
from service.programs.schemas import ProgramBody
from tests.program_view import slots
from tests.unit.test_program_restrictions import person


def doses(program: ProgramBody) -> list[tuple[str, str, Any]]:
    return [(s.phase, s.slug, s.dose) for s in slots(program)]


def test_a_74_percent_bridge_gap_puts_the_extra_set_on_the_weaker_left_side() -> None:
    """Issue 15, finding 5: single-leg bridge 9 s left, 35 s right; both sides got the same dose."""
    body = person("lower_back", intensity=2, tests={"single_leg_bridge_seconds": {"left": 9, "right": 35}})
    program = program_for(body, weeks=4)
    favoured = {(phase, slug, d.weaker_side) for phase, slug, d in doses(program) if d.weaker_side is not None}
    assert favoured, "no item favours a side"
    assert {side for _, _, side in favoured} == {"left"}
    for phase, slug, _ in favoured:
        assert phase in ("lengthen", "strengthen", "integrate")
        entry = INDEX.exercises[slug]
        assert entry.dose.per_side
        assert "gluteus_maximus" in entry.primary_muscles or any(
            "gluteus_maximus" in INDEX.ancestors.get(m, ()) for m in entry.primary_muscles
        )


def test_a_tighter_right_hamstring_is_stretched_with_the_right_side_favoured() -> None:
    body = person("lower_back", intensity=2, tests={"straight_leg_raise_deg": {"left": 80, "right": 62}})
    program = program_for(body, weeks=4)
    favoured = {(slug, d.weaker_side) for phase, slug, d in doses(program) if d.weaker_side is not None}
    assert favoured and {side for _, side in favoured} == {"right"}


def test_even_sides_favour_neither() -> None:
    body = person("lower_back", intensity=2, tests={"single_leg_bridge_seconds": {"left": 30, "right": 32}})
    assert all(d.weaker_side is None for _, _, d in doses(program_for(body, weeks=4)))
