"""Scheduling (CLINICAL.md §6): every week's daily mobility routine and strength sessions, the doses they hold and
the reassessments.

A week is the routine, the same every day (release and lengthen: the key stretches first, then release, up to
`routine_minutes_at_most`), and a strength session on each of the person's days: the warm-up, the preparation the
routine had no room for, then up to `training_items_at_most` training items, least practised first, within the
session's minutes. A session the day after another never holds an item whose muscle groups the day before loaded.
Then the week's training volume is governed: every fourth week (and the last) is lighter, no week rises more than
20 % over the last full one, and a week whose load rises not at all (CLINICAL.md §5). Where a dose differs from the
prescription's own, the change is listed once, for every prescription it applies to, with only the fields that
change.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

import msgspec

from service.catalog.enums import Phase
from service.programs.catalog_index import CatalogIndex, ExerciseEntry
from service.programs.generator.dosing import DosePlan
from service.programs.generator.items import Planned
from service.programs.rules import Stage
from service.programs.schemas import (
    DoseChange,
    DosePatch,
    FindingType,
    ProgramDose,
    Reassessment,
    Routine,
    Schedule,
    Session,
    WarmUp,
    Week,
    Weekday,
)

# The program's phases in order: how the program lists them.
PHASES = (Phase.release, Phase.lengthen, Phase.strengthen, Phase.integrate)
PREPARATION = (Phase.release, Phase.lengthen)  # the daily routine's phases
TRAINING = (Phase.strengthen, Phase.integrate)  # the strength sessions' phases, whose weekly volume is governed
WEEKDAYS = list(Weekday)


@dataclass(frozen=True)
class Prescribed:
    """What one planned item is in one week: its prescription id, exercise and dose."""

    id: str
    entry: ExerciseEntry
    dose: ProgramDose
    seconds: int  # the dose's time (DosePlan.seconds), computed once a week


def muscle_groups(entry: ExerciseEntry, catalog: CatalogIndex) -> frozenset[str]:
    """The groups an exercise loads: each primary muscle's ancestor just below its body region (calves, glutes,
    hamstrings…), or the muscle itself where it sits right under the region (erector spinae, latissimus dorsi)."""
    groups = set()
    for muscle in entry.primary_muscles:
        node = catalog.muscles.get(muscle)
        while node is not None and node.parent is not None:
            parent = catalog.muscles.get(node.parent)
            if parent is None or parent.parent is None:
                break
            node = parent
        groups.add(node.slug if node is not None else muscle)
    return frozenset(groups)


def _overlap(a: frozenset[str], b: frozenset[str], catalog: CatalogIndex) -> bool:
    return any(catalog.covers(x, y) or catalog.covers(y, x) for x in a for y in b)


def _measure(dose: ProgramDose) -> int:
    return dose.reps or dose.hold_seconds or dose.duration_seconds or 1


def _lighter(dose: ProgramDose, share: float) -> ProgramDose:
    """About `share` of the work: fewer sets, or fewer reps where there is one set."""
    if dose.sets > 1:
        return msgspec.structs.replace(dose, sets=max(1, round(dose.sets * share)))
    if dose.reps is not None:
        return msgspec.structs.replace(dose, reps=max(1, round(dose.reps * share)))
    return dose


def _at_most_sets(dose: ProgramDose, sets: int) -> ProgramDose:
    return msgspec.structs.replace(dose, sets=sets) if dose.sets > sets else dose


def _shed(dose: ProgramDose) -> ProgramDose:
    if dose.sets > 1:
        return msgspec.structs.replace(dose, sets=dose.sets - 1)
    if dose.reps is not None:
        return msgspec.structs.replace(dose, reps=dose.reps - 1)
    if dose.hold_seconds is not None:
        return msgspec.structs.replace(dose, hold_seconds=dose.hold_seconds - 1)
    return msgspec.structs.replace(dose, duration_seconds=(dose.duration_seconds or 2) - 1)


def _govern(
    training: dict[int, ProgramDose], count: dict[int, int], light: bool, ceiling: float | None, share: float
) -> None:
    """CLINICAL.md §5, in place, on the week's training items (the routine keeps its doses): a lighter week keeps
    about `share` of the work of the last full week (`ceiling` is then that share of it), or of its own doses when
    there is none yet; any other week sheds sets, from the item doing the most, until its volume (sets x reps or
    seconds, times the sessions that hold the item) is within `ceiling`."""
    if light:
        for i, dose in training.items():
            training[i] = _lighter(dose, share)
    if ceiling is None:
        return
    volume = training_volume(training, count)
    while volume > ceiling:
        # A set goes first; where every item is down to one set, a rep (or a second of a hold).
        heavy = [i for i in sorted(training) if training[i].sets > 1] or [
            i for i in sorted(training) if _measure(training[i]) > 1
        ]
        if not heavy:
            return
        most = max(heavy, key=lambda i: (training[i].sets * _measure(training[i]) * count[i], -i))
        before = training[most]
        training[most] = after = _shed(before)
        volume -= (before.sets * _measure(before) - after.sets * _measure(after)) * count[most]


def training_volume(training: dict[int, ProgramDose], count: dict[int, int]) -> int:
    return sum(dose.sets * _measure(dose) * count[i] for i, dose in training.items())


def _routine_rank(plan: Planned) -> int:
    """Key stretches (0: a finding calls for them) first, then release of findings, then upkeep."""
    if plan.target.finding.type is FindingType.baseline:
        return 2
    return 1 if plan.phase is Phase.release else 0


@dataclass
class _Day:
    """The strength session before the one being filled: its absolute day number and the groups it loaded."""

    number: int
    groups: frozenset[str]


class _Weeks:
    """Fills the weeks one after the other; `done` counts how often each item was trained (least practised first)."""

    def __init__(self, planned: list[Planned], doses: DosePlan, catalog: CatalogIndex, days: list[Weekday]) -> None:
        self.planned, self.doses, self.days = planned, doses, days
        self.rules = doses.rules.schedule
        self.groups: dict[str, frozenset[str]] = {}  # exercise slug -> the muscle groups it loads
        self.overlaps: dict[tuple[frozenset[str], frozenset[str]], bool] = {}
        self.catalog = catalog
        self.done = [0] * len(planned)
        self.last: _Day | None = None
        self.last_full: float | None = None
        # Each training item's stage when a week last held it, and its stage and sets when a full week last did.
        self.held_stage: dict[int, Stage] = {}
        self.full: dict[int, tuple[Stage, int]] = {}
        self.splits: dict[tuple[str, ...], tuple[frozenset[int], frozenset[int]]] = {}
        self.preparation = sorted(
            (i for i, p in enumerate(planned) if p.phase in PREPARATION), key=lambda i: (_routine_rank(planned[i]), i)
        )
        self.training = [i for i, p in enumerate(planned) if p.phase in TRAINING]

    def overlap(self, a: frozenset[str], b: frozenset[str]) -> bool:
        """Whether groups `a` and `b` share a muscle (the same few pairs come up week after week)."""
        if (a, b) not in self.overlaps:
            self.overlaps[(a, b)] = _overlap(a, b, self.catalog)
        return self.overlaps[(a, b)]

    def groups_of(self, entry: ExerciseEntry) -> frozenset[str]:
        if entry.slug not in self.groups:
            self.groups[entry.slug] = muscle_groups(entry, self.catalog)
        return self.groups[entry.slug]

    def cost(self, seconds: int, training: bool) -> int:
        """A dose's time in a session: the dose's own, the change to it, and setting up its station for training."""
        return seconds + (self.rules.station_setup_seconds if training else 0) + self.rules.change_seconds

    def routine(self, week: list[Prescribed]) -> tuple[list[int], list[int]]:
        """The routine's items and, in its order, what it has no room for."""
        room = self.rules.routine_minutes_at_most * 60
        routine, left = [], []
        for i in self.preparation:
            cost = self.cost(week[i].seconds, training=False)
            if _routine_rank(self.planned[i]) == 0 or cost <= room:  # a key stretch is done every day, always
                routine.append(i)
                room -= cost
            else:
                left.append(i)
        return routine, left

    def halves(self, week: list[Prescribed]) -> tuple[frozenset[int], frozenset[int]]:
        """The week's training items in two halves that share no muscle group, as even as the groups allow: strength
        days in a row alternate between them, so the second day has work the first did not load (all of it in one
        half when every item shares a group with another)."""
        key = tuple(week[i].entry.slug for i in self.training)  # the weeks with the same exercises split the same
        if key in self.splits:
            return self.splits[key]
        groups = {i: self.groups_of(week[i].entry) for i in self.training}
        component = {i: i for i in self.training}  # union-find over "shares a muscle group"

        def root(i: int) -> int:
            while component[i] != i:
                i = component[i]
            return i

        for a, b in itertools.combinations(self.training, 2):
            if root(a) != root(b) and self.overlap(groups[a], groups[b]):
                component[root(b)] = root(a)
        together: dict[int, list[int]] = {}
        for i in self.training:
            together.setdefault(root(i), []).append(i)
        first: list[int] = []
        second: list[int] = []
        for members in sorted(together.values(), key=lambda m: (-len(m), m[0])):
            (first if len(first) <= len(second) else second).extend(members)
        self.splits[key] = frozenset(first), frozenset(second)
        return self.splits[key]

    def session(
        self, week: list[Prescribed], number: int, left: list[int], budget: int, allowed: frozenset[int] | None
    ) -> tuple[list[int], list[int]]:
        """One strength session's preparation and training items (indexes into `planned`), the training items among
        `allowed` (None: any). A session with no training item is none: it holds nothing."""
        budget -= self.rules.warm_up.minutes * 60
        preparation = []
        room = budget * self.rules.preparation_share
        for i in sorted(left, key=lambda i: (self.done[i], i)):
            cost = self.cost(week[i].seconds, training=False)
            if cost <= room:
                preparation.append(i)
                room -= cost
                budget -= cost
        after_yesterday = self.last is not None and number - self.last.number == 1
        chosen: list[int] = []
        loaded: frozenset[str] = frozenset()
        for i in sorted(self.training, key=lambda i: (self.done[i], i)):
            if allowed is not None and i not in allowed:
                continue
            if len(chosen) == self.rules.training_items_at_most:
                break
            groups = self.groups_of(week[i].entry)  # the week's exercise: an easier start loads its own muscles
            if after_yesterday and self.last is not None and self.overlap(groups, self.last.groups):
                continue
            cost = self.cost(week[i].seconds, training=True)
            if cost <= budget:
                chosen.append(i)
                budget -= cost
                loaded |= groups
        if not chosen:
            return [], []
        for i in preparation + chosen:
            self.done[i] += 1
        self.last = _Day(number, loaded) if chosen else self.last
        key = {i: (PHASES.index(self.planned[i].phase), i) for i in chosen}
        return preparation, sorted(chosen, key=key.__getitem__)


def build_schedule(
    planned: list[Planned],
    doses: DosePlan,
    catalog: CatalogIndex,
    days: list[Weekday],
    minutes: int,
    starts_on: date,
    tests: list[str],
) -> Schedule:
    """The weeks, the dose runs and the reassessments (see the module's docstring)."""
    rules = doses.rules.schedule
    filler = _Weeks(planned, doses, catalog, days)
    halves = _halves_of(days)
    weeks: list[Week] = []
    held: dict[str, list[tuple[int, ProgramDose]]] = {}  # prescription id -> (week, dose) for each week holding it
    # What an item is in a week depends on the week's stage and on whether its easier start still holds: each is
    # worked out once.
    prescribed: dict[tuple[int, bool, str], Prescribed] = {}
    for number in range(1, doses.weeks + 1):
        stage = doses.stage(number)
        week = []
        for index, plan in enumerate(planned):
            starting = plan.start is not None and number <= plan.until_week and plan.item.start_with is not None
            made = prescribed.get((index, starting, stage.name))
            if made is None:
                entry = plan.start if starting and plan.start is not None else plan.exercise
                pid = plan.item.start_with.id if starting and plan.item.start_with is not None else plan.item.id
                dose = doses.dose(entry, plan.phase, number)
                made = prescribed[(index, starting, stage.name)] = Prescribed(pid, entry, dose, doses.seconds(dose))
            week.append(made)
        routine, left = filler.routine(week)
        split = filler.halves(week) if any(half is not None for half in halves.values()) else None
        allowed = {day: None if (half := halves[day]) is None or split is None else split[half] for day in days}
        sessions = [
            filler.session(week, (number - 1) * 7 + WEEKDAYS.index(day), left, minutes * 60, allowed[day])
            for day in days
        ]
        held_doses = {i: week[i].dose for i in routine}
        held_doses |= {i: week[i].dose for prep, train in sessions for i in (*prep, *train)}
        trained = Counter(i for _, train in sessions for i in train)
        count = {i: trained[i] for i in held_doses}
        training = {i: d for i, d in held_doses.items() if planned[i].phase in TRAINING}
        light = number in doses.lighter
        starts = number > 1 and doses.stage(number - 1) is not stage
        # One variable at a time (CLINICAL.md §5): a week whose load rises keeps the volume of the last full week.
        load_rises = starts and stage.load > doses.stage(number - 1).load
        rise = rules.lighter_week_share if light else 1.0 if load_rises else rules.weekly_rise_at_most
        ceiling = filler.last_full * rise if filler.last_full is not None else None
        used = {}  # the stage each training item is dosed at this week
        for i, dose in training.items():
            used[i] = stage
            was, full = filler.held_stage.get(i), filler.full.get(i)
            if light and was is not None and was.load < stage.load:
                # A lighter week never raises an item's load: it keeps the stage the item was last done at.
                used[i] = was
                training[i] = doses.dose_at(week[i].entry, planned[i].phase, was)
            elif full is not None and full[0].load < stage.load:
                # Nor does a week raise an item's load and volume together: its sets stay as in its last full week.
                training[i] = _at_most_sets(dose, full[1])
        governed = dict(training)
        _govern(training, count, light, ceiling, rules.lighter_week_share)
        for i, dose in training.items():
            if dose.reps != governed[i].reps:
                training[i] = doses.with_fewer_reps(week[i].entry, planned[i].phase, used[i], dose)
            filler.held_stage[i] = used[i]
            if not light:
                filler.full[i] = (used[i], training[i].sets)
        held_doses |= training
        if not light and (volume := training_volume(training, count)):
            filler.last_full = volume  # a week whose sessions held no training sets no reference
        for i, dose in sorted(held_doses.items()):
            held.setdefault(week[i].id, []).append((number, dose))

        held_seconds = {
            i: doses.seconds(d) if d is not week[i].dose else week[i].seconds for i, d in held_doses.items()
        }

        def seconds(indexes: list[int], training: bool, held: dict[int, int] = held_seconds) -> int:
            return sum(map(held.__getitem__, indexes)) + len(indexes) * filler.cost(0, training)

        trained_on = [day for day, (_, train) in zip(days, sessions, strict=True) if train]
        weeks.append(
            Week(
                week=number,
                stage=stage.name,
                lighter=light,
                routine=Routine(
                    items=[week[i].id for i in routine], estimated_minutes=math.ceil(seconds(routine, False) / 60)
                ),
                sessions=[
                    Session(
                        day=day,
                        preparation=[week[i].id for i in prep],
                        items=[week[i].id for i in train],
                        estimated_minutes=math.ceil(
                            (rules.warm_up.minutes * 60 + seconds(prep, False) + seconds(train, True)) / 60
                        ),
                    )
                    for day, (prep, train) in zip(days, sessions, strict=True)
                    if train
                ],
                rest_days=[d for d in WEEKDAYS if d not in trained_on],
                no_strength_work=_no_strength_work(days, trained_on, rules.no_training_day),
                move_on_when=" ".join(doses.rules.irritability.move_on_when.split()) if starts else None,
            )
        )
    return Schedule(
        days=days,
        warm_up=WarmUp(minutes=rules.warm_up.minutes, steps=list(rules.warm_up.steps)),
        weeks=weeks,
        dose_changes=dose_changes(
            held,
            {p.item.id: p.item.dose for p in planned}
            | {p.item.start_with.id: p.item.start_with.dose for p in planned if p.item.start_with is not None},
        ),
        reassessments=[
            Reassessment(week=w, date=starts_on + timedelta(days=7 * w - 1), tests=tests)
            for w in sorted(doses.lighter | {doses.weeks})
        ],
    )


def _halves_of(days: list[Weekday]) -> dict[Weekday, int | None]:
    """For each strength day, the half of the training items it holds (0 or 1) when it is one of strength days in a
    row (Sunday then Monday counts), alternating along the row; None for a day on its own, which may hold any."""
    numbers = {WEEKDAYS.index(day) for day in days}
    halves: dict[Weekday, int | None] = {}
    for day in days:
        n = WEEKDAYS.index(day)
        if (n - 1) % 7 in numbers or (n + 1) % 7 in numbers:
            # Count back to the start of the row (a row of at most four days never closes on itself).
            back = 0
            while (n - back - 1) % 7 in numbers:
                back += 1
            halves[day] = back % 2
        else:
            halves[day] = None
    return halves


DAY_NAMES: dict[Weekday, str] = dict(
    zip(WEEKDAYS, ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"], strict=True)
)


def _no_strength_work(days: list[Weekday], trained_on: list[Weekday], text: str) -> str | None:
    """Why a chosen strength day holds no session this week, naming it; None when every one does."""
    missing = [DAY_NAMES[d] for d in days if d not in trained_on]
    if not missing:
        return None
    named = missing[0] if len(missing) == 1 else f"{', '.join(missing[:-1])} and {missing[-1]}"
    return " ".join(text.split()).format(days=named)


def dose_changes(held: dict[str, list[tuple[int, ProgramDose]]], own: dict[str, ProgramDose]) -> list[DoseChange]:
    """Each prescription's doses other than its own `dose`, one run per stretch of the weeks holding it in which the
    dose does not change (a week that does not hold it neither ends nor extends a run); then the runs that change the
    same fields the same way in the same weeks become one change listing all their prescriptions. `held` gives each
    prescription's (week, dose) in the weeks holding it, in order; `own` its own dose."""
    runs: list[_Run] = []
    for pid, weeks in held.items():
        current: _Run | None = None
        for number, dose in weeks:
            if dose == own[pid]:
                current = None
            elif current is not None and current.dose == dose:
                current.last = number
            else:
                current = _Run(pid, number, number, dose)
                runs.append(current)
    changes: dict[tuple[int, int, bytes], DoseChange] = {}
    for run in sorted(runs, key=lambda run: (int(run.prescription.removeprefix("p")), run.first)):
        patch = _patch(own[run.prescription], run.dose)
        key = (run.first, run.last, msgspec.json.encode(patch))
        if key in changes:
            changes[key].prescriptions.append(run.prescription)
        else:
            changes[key] = DoseChange(
                prescriptions=[run.prescription], from_week=run.first, to_week=run.last, dose=patch
            )
    return list(changes.values())


@dataclass
class _Run:
    """A prescription's dose in a stretch of the weeks holding it."""

    prescription: str
    first: int
    last: int
    dose: ProgramDose


def _patch(own: ProgramDose, dose: ProgramDose) -> DosePatch:
    """The fields of `dose` that differ from `own`. A patch cannot clear a field (null means unchanged); no dose rule
    clears one over the weeks, and the week property tests would catch one that did."""
    fields = {}
    for name in ProgramDose.__struct_fields__:
        value = getattr(dose, name)
        if value != getattr(own, name):
            if value is None:
                raise ValueError(f"a dose change cannot clear {name}")
            fields[name] = value
    return DosePatch(**fields)
