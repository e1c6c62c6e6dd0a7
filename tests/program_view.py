"""A program of shape 3 read the way an app reads it (issue 16): prescriptions and findings looked up by id, each
week's dose from the dose table. The tests judge programs through these helpers; `render_day` is the renderer the
issue asks for, and works on the JSON of one GET alone."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from service.programs.schemas import Finding, ProgramBody, ProgramDose, ProgramItem, StartWith

WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


@dataclass(frozen=True)
class Prescription:
    phase: str
    item: ProgramItem | StartWith


@dataclass(frozen=True)
class Slot:
    """One prescription on one day: in the daily routine, or a strength session's preparation or training."""

    week: int
    day: str
    kind: str  # routine | preparation | training
    phase: str
    slug: str
    dose: ProgramDose
    id: str


@dataclass(frozen=True)
class Entry:
    finding: Finding
    reason: str


def prescriptions(program: ProgramBody) -> dict[str, Prescription]:
    found: dict[str, Prescription] = {}
    for phase in program.phases:
        for item in phase.items:
            found[item.id] = Prescription(phase.key.value, item)
            if item.start_with is not None:
                found[item.start_with.id] = Prescription(phase.key.value, item.start_with)
    return found


def findings(program: ProgramBody) -> dict[str, Finding]:
    return {f.id: f for f in program.findings}


def finding_of(program: ProgramBody, item: ProgramItem) -> Finding:
    return findings(program)[item.finding]


def also_serves(program: ProgramBody, item: ProgramItem) -> list[Finding]:
    by_id = findings(program)
    return [by_id[i] for i in item.also_serves]


def unaddressed(program: ProgramBody) -> list[Entry]:
    by_id = findings(program)
    return [Entry(by_id[u.finding], u.reason) for u in program.unaddressed]


def dose_of(program: ProgramBody, prescription: str, week: int) -> ProgramDose:
    """The prescription's own dose, changed by the change that holds in `week`."""
    return program.schedule.dose(prescription, prescriptions(program)[prescription].item.dose, week)


def slots(program: ProgramBody) -> list[Slot]:
    """Every prescription on every day of every week (the routine on all seven days)."""
    by_id = prescriptions(program)

    def slot(week: int, day: str, kind: str, pid: str) -> Slot:
        found = by_id[pid]
        dose = program.schedule.dose(pid, found.item.dose, week)
        return Slot(week, day, kind, found.phase, found.item.exercise.slug, dose, pid)

    every = []
    for week in program.schedule.weeks:
        for day in WEEKDAYS:
            every += [slot(week.week, day, "routine", pid) for pid in week.routine.items]
            for session in week.sessions:
                if session.day.value == day:
                    every += [slot(week.week, day, "preparation", pid) for pid in session.preparation]
                    every += [slot(week.week, day, "training", pid) for pid in session.items]
    return every


def sessions(program: ProgramBody, week: int) -> list[list[Slot]]:
    """The strength sessions of a week, each its preparation and training slots."""
    held = [s for s in slots(program) if s.week == week and s.kind != "routine"]
    return [[s for s in held if s.day == session.day.value] for session in program.schedule.weeks[week - 1].sessions]


# ---------------------------------------------------------------- the renderer (on the JSON of one GET)


def _dose_text(dose: dict[str, Any]) -> str:
    amount = (
        f"{dose['reps']} reps"
        if "reps" in dose
        else f"{dose['hold_seconds']} s hold"
        if "hold_seconds" in dose
        else f"{dose.get('duration_seconds', 0)} s"
    )
    text = f"{dose['sets']} x {amount}" + (" each side" if dose.get("per_side") else "")
    if dose.get("tempo"):
        text += f", tempo {dose['tempo']}"
    if dose.get("rest_seconds"):
        text += f", rest {dose['rest_seconds']} s"
    if dose.get("weaker_side"):
        text += f", one extra set on the {dose['weaker_side']} side, first"
    if dose.get("intensity"):
        text += f" ({dose['intensity']})"
    return text


def render_day(program: dict[str, Any], week: int, day: str) -> str:
    """The printable text of one day: the routine, and the strength session when there is one, with every name,
    dose, cue and rest, from the program's JSON alone."""
    by_id: dict[str, dict[str, Any]] = {}
    for phase in program["phases"]:
        for item in phase["items"]:
            by_id[item["id"]] = item
            if item.get("start_with"):
                by_id[item["start_with"]["id"]] = item["start_with"]
    schedule = program["schedule"]

    def dose(pid: str) -> dict[str, Any]:
        for change in schedule["dose_changes"]:
            if pid in change["prescriptions"] and change["from_week"] <= week <= change["to_week"]:
                return by_id[pid]["dose"] | change["dose"]
        return dict(by_id[pid]["dose"])

    def block(title: str, ids: list[str]) -> list[str]:
        lines = [title]
        for pid in ids:
            item = by_id[pid]
            lines.append(f"- {item['exercise']['name']}: {_dose_text(dose(pid))}")
            lines += [f"    * {cue}" for cue in item.get("cues", [])]
        return lines

    this_week = schedule["weeks"][week - 1]
    routine = this_week["routine"]
    lines = [f"Week {week}, {day}"]
    lines += block(f"Daily routine (about {routine['estimated_minutes']} min)", routine["items"])
    session = next((s for s in this_week["sessions"] if s["day"] == day), None)
    if session is None:
        lines.append("Rest day from strength work.")
    else:
        warm_up = schedule["warm_up"]
        lines.append(f"Strength session (about {session['estimated_minutes']} min)")
        lines.append(f"Warm-up, {warm_up['minutes']} min:")
        lines += [f"  {step}" for step in warm_up["steps"]]
        if session["preparation"]:
            lines += block("Preparation", session["preparation"])
        lines += block("Training", session["items"])
    return "\n".join(lines)
