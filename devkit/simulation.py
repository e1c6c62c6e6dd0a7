"""A seeded simulation of people following their programs for 12 weeks (issue 18): each checks in after the
sessions they do, and at the end of every week the check-ins are decided on (service.checkins.decisions); a regress
or simplify decision revises the program (service.checkins.revisions), a refer stops it.

The people are the personas with varied pain, equipment and habits: how often they train (adherence), whether
their pain eases week by week (most), stays or worsens, and whether one of their exercises aggravates it (pain
during +3 and a worse next morning while it is in the program). Rare new red-flag symptoms are answered yes. What it
reports is what the rules do to such a population, not a clinical prediction.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache
from typing import Any

from devkit.personas import BOTH_PATTERNS, DESK_WORKER, UPPER_CROSSED
from devkit.programs import ASSESSMENT_RULES, INDEX, RULES, STARTS_ON, assessment_of, program_for
from service.assessments.schemas import Assessment, AssessmentStatus
from service.checkins.decisions import Situation, decide
from service.checkins.revisions import revise
from service.checkins.rules import load_checkin_rules
from service.checkins.schemas import CheckInInput, CheckInKind, DecisionKind, ItemDone
from service.outcomes.rules import load_outcome_rules
from service.programs.schemas import ProgramBody

CHECKIN_RULES = load_checkin_rules(ASSESSMENT_RULES.screening)
OUTCOME_RULES = load_outcome_rules()
WEEKS = 12
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PERSONAS = (DESK_WORKER, UPPER_CROSSED, BOTH_PATTERNS)
HOME = ["foam_roller", "resistance_band", "dumbbell", "step", "mat"]
RED_FLAG_CHANCE = 0.0005  # per check-in
SEED = 20261204


@dataclass
class Summary:
    people: int = 0
    programs: int = 0
    completed: int = 0
    ever: Counter[str] = field(default_factory=Counter)  # people with at least one decision of a kind
    decisions: Counter[str] = field(default_factory=Counter)
    referred_by: Counter[str] = field(default_factory=Counter)

    def lines(self) -> list[str]:
        kinds = ", ".join(f"{k} {self.ever[k]}" for k in ("progress", "regress", "simplify", "refer"))
        why = ", ".join(f"{k} {v}" for k, v in sorted(self.referred_by.items()))
        return [
            f"{self.people} people, {self.programs} with a program; {self.completed} followed it for {WEEKS} weeks",
            f"people with at least one decision: {kinds}",
            f"referred: {why or 'none'}",
            "decisions: " + ", ".join(f"{k} {v}" for k, v in sorted(self.decisions.items())),
        ]


@cache
def _program(persona: int, intensity: int, home: bool) -> tuple[Assessment, ProgramBody]:
    body = {**PERSONAS[persona], "pain": {**PERSONAS[persona]["pain"], "intensity": intensity}}
    parameters: dict[str, Any] = {"available_equipment": HOME} if home else {}
    return assessment_of(body), program_for(body, **parameters)


def _clamp(value: float) -> int:
    return max(0, min(10, round(value)))


def simulate(people: int, seed: int) -> Summary:
    summary = Summary(people=people)
    for n in range(people):
        rng = random.Random(seed * 1_000_003 + n)
        persona, intensity, home = rng.randrange(len(PERSONAS)), rng.randint(1, 6), rng.random() < 0.5
        assessment, program = _program(persona, intensity, home)
        if assessment.status is not AssessmentStatus.ok:
            continue
        summary.programs += 1
        _follow(rng, assessment, program, intensity, summary)
    return summary


def _follow(rng: random.Random, assessment: Assessment, program: ProgramBody, baseline: int, summary: Summary) -> None:
    adherence = rng.uniform(0.3, 1.0)
    trend = rng.choices([-0.3, 0.0, 0.4], weights=[75, 20, 5])[0]  # points a week: easing, steady, worsening
    slugs = {item.exercise.slug: item.id for phase in program.phases[2:] for item in phase.items}
    aggravating = {rng.choice(sorted(slugs))} if slugs and rng.random() < 0.4 else set()
    pain, regressed, check_ins, seen = float(baseline), {}, [], set()
    for week in range(1, WEEKS + 1):
        schedule = program.schedule.weeks[min(week, len(program.schedule.weeks)) - 1]
        prescribed = program.exercises()
        for offset, weekday in enumerate(WEEKDAYS):
            session = next((s for s in schedule.sessions if s.day.value == weekday), None)
            if session is None or rng.random() > adherence:
                continue
            done = [*session.preparation, *session.items]
            exercises = {prescribed[pid].slug for pid in done}
            hurt = bool(exercises & aggravating)
            flag = rng.random() < RED_FLAG_CHANCE
            check_ins.append(
                CheckInInput(
                    date=STARTS_ON + timedelta(days=7 * (week - 1) + offset),
                    kind=CheckInKind.session,
                    items=[ItemDone(prescription=pid, sets=1) for pid in done],
                    pain_before=_clamp(pain + rng.gauss(0, 0.5)),
                    pain_during=_clamp(pain + rng.gauss(0, 0.7) + (3 if hurt else 0)),
                    pain_after=_clamp(pain + rng.gauss(0, 0.5)),
                    pain_next_morning=None if rng.random() < 0.05 else _clamp(pain - 0.5 + (1.5 if hurt else 0)),
                    symptoms={"chest_pain": True} if flag else {},
                )
            )
        situation = Situation(
            starts_on=STARTS_ON,
            on=STARTS_ON + timedelta(days=7 * week - 1),
            baseline_pain=baseline,
            sessions_per_week=program.parameters.sessions_per_week,
            session_minutes=program.parameters.session_minutes,
            check_ins=check_ins,
        )
        decision = decide(situation, CHECKIN_RULES, OUTCOME_RULES, ASSESSMENT_RULES.screening)
        summary.decisions[decision.kind.value] += 1
        seen.add(decision.kind.value)
        if decision.kind is DecisionKind.refer:
            summary.referred_by[_referral(decision.reasons[0])] += 1
            break
        revised = revise(program, decision, assessment, INDEX, RULES, regressed)
        if revised is not None:
            program, regressed = revised.body, revised.regressed
        pain = max(0.0, pain + trend)
    else:
        summary.completed += 1
    summary.ever.update(seen)


def _referral(reason: str) -> str:
    if "risen week after week" in reason:
        return "pain rising"
    if reason.startswith("After "):
        return "no change by week 6"
    return "red flag"


if __name__ == "__main__":
    print("\n".join(simulate(1000, SEED).lines()))
