"""Outcome measures as decisions read them (issue 18): each measure taken after its first (the baseline) becomes a
change against that baseline, with its MCID reached or not (service.outcomes.scoring.change). PSFS compares the
activities named both times, so that one activity's rise of 3 points can count. STarT Back stratifies at baseline
and has no change."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from service.checkins.decisions import MeasureChange
from service.outcomes import schemas as s
from service.outcomes.rules import OutcomeRules
from service.outcomes.scoring import against_first, score


@dataclass(frozen=True)
class Taken:
    """A measure as recorded: what was answered, on which day."""

    taken_on: date
    answers: s.OutcomeInput


def changes_of(taken: Sequence[Taken], rules: OutcomeRules) -> list[MeasureChange]:
    """For every measure, each later taking against the first, in the order they were taken."""
    ordered = sorted(taken, key=lambda t: t.taken_on)
    scored = [(t.answers, score(t.answers, rules)) for t in ordered]
    return [
        MeasureChange(measure=current.measure.value, taken_on=t.taken_on, mcid_reached=moved.mcid_reached)
        for t, (_, current), moved in zip(ordered, scored, against_first(scored, rules), strict=True)
        if moved is not None
    ]
