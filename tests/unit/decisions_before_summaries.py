"""The decision over check-ins as it was made before summaries (service/checkins/decisions.py at 9732a85: over every
check-in in full), kept unchanged as the oracle the summarised decision is held to (test_checkin_decisions.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import pairwise
from statistics import fmean

import msgspec

from service.assessments.schemas import ConcernLevel
from service.assessments.screening import ScreeningRules
from service.checkins.rules import RED_FLAG_LEVELS, CheckInRules
from service.checkins.schemas import CheckInInput, CheckInKind, Decision, DecisionKind, DecisionReferral, Simplification
from service.outcomes.rules import OutcomeRules

WINDOW = 7  # days
Concern = tuple[list[str], ConcernLevel, str]  # reasons, level, message


@dataclass(frozen=True)
class MeasureChange:
    """An outcome measure's change against its baseline (service.outcomes.scoring.change), on the day it was taken."""

    measure: str
    taken_on: date
    mcid_reached: bool


@dataclass(frozen=True)
class Situation:
    """Everything a decision reads."""

    starts_on: date
    on: date
    baseline_pain: int
    sessions_per_week: int
    session_minutes: int
    check_ins: Sequence[CheckInInput] = ()
    changes: Sequence[MeasureChange] = field(default=())
    simplified_on: date | None = None
    """The day of the last decision that made the sessions fewer or shorter, if any: a window that began before it
    judged the old plan, so it does not simplify again (the new plan gets a whole window first)."""

    def week(self) -> int:
        return (self.on - self.starts_on).days // WINDOW + 1

    def window(self, back: int = 0) -> list[CheckInInput]:
        """The check-ins of the `back`-th 7-day window before the latest (0: the 7 days up to `on`), in no particular
        order: what depends on their order sorts them (`_order`)."""
        last = self.on - timedelta(days=WINDOW * back)
        first = last - timedelta(days=WINDOW - 1)
        return [c for c in self.check_ins if first <= c.date <= last]

    def windows_with_check_ins(self) -> list[list[CheckInInput]]:
        """Every 7-day window back from `on` to the start that has check-ins, latest first (a week without check-ins
        says nothing of pain); each in no particular order."""
        windows = (self.on - self.starts_on).days // WINDOW + 1 if self.on >= self.starts_on else 0
        found: list[list[CheckInInput]] = [[] for _ in range(windows)]
        for check_in in self.check_ins:
            back = (self.on - check_in.date).days // WINDOW
            if check_in.date <= self.on and back < windows:
                found[back].append(check_in)
        return [window for window in found if window]

    def full_window(self) -> bool:
        """Whether the program has run a whole window by `on`."""
        return (self.on - self.starts_on).days >= WINDOW - 1


def _order(check_in: CheckInInput) -> tuple[date, bytes]:
    """A total order (two check-ins of a day are told apart by all they say), so that the decision does not depend on
    the order they arrived in."""
    return (check_in.date, msgspec.json.encode(check_in))


def decide(situation: Situation, rules: CheckInRules, outcomes: OutcomeRules, screening: ScreeningRules) -> Decision:
    s = situation
    so_far = [c for c in s.check_ins if s.starts_on <= c.date <= s.on]
    window = s.window()
    sessions = len({c.date for c in window if c.kind is CheckInKind.session})
    adherence = round(min(1.0, sessions / s.sessions_per_week), 2) if s.full_window() else None

    def made(
        kind: DecisionKind,
        reasons: list[str],
        regress: list[str] | None = None,
        simplify: Simplification | None = None,
        refer: DecisionReferral | None = None,
    ) -> Decision:
        return Decision(
            kind=kind,
            ruleset_version=rules.version,
            made_on=s.on,
            week=s.week(),
            explanation=" ".join(getattr(rules.words, kind.value).split()),
            reasons=reasons,
            adherence=adherence,
            regress=regress or [],
            simplify=simplify,
            refer=refer,
        )

    referral = _red_flags(so_far, screening) or _no_progress(s, rules, outcomes)
    if referral is not None:
        reasons, level, message = referral
        return made(DecisionKind.refer, reasons, refer=DecisionReferral(level=level, message=message))

    hurt = [(c, why) for c in window for why in _broken_limits(c, s.baseline_pain, rules)]
    hurt.sort(key=lambda found: _order(found[0]))  # the reasons in an order that does not depend on arrival
    if hurt:
        items = sorted({i.prescription for c, _ in hurt for i in c.items}, key=lambda p: int(p[1:]))
        return made(DecisionKind.regress, [why for _, why in hurt], regress=items)

    if adherence is not None and adherence < rules.adherence.simplify_below:
        simpler = _simpler(s, rules)
        done = f"You did {sessions} of your {s.sessions_per_week} strength sessions in the last 7 days."
        if s.simplified_on is not None and s.simplified_on > s.on - timedelta(days=WINDOW):
            since = s.simplified_on.isoformat()
            return made(
                DecisionKind.hold, [done + f" Your sessions were made fewer or shorter on {since}: give them a week."]
            )
        if simpler is not None:
            return made(DecisionKind.simplify, [done], simplify=simpler)
        return made(DecisionKind.hold, [done + " Your sessions are already as few and as short as they go."])

    if adherence is None:
        return made(DecisionKind.hold, ["The program has not run a whole week yet."])
    unsettled = [c for c in window if c.kind is CheckInKind.session and c.pain_next_morning is None]
    if adherence >= rules.adherence.progress_at_least and not unsettled:
        return made(
            DecisionKind.progress,
            [
                f"You did {sessions} of your {s.sessions_per_week} strength sessions in the last 7 days, with pain "
                f"within the limits that settled by the next morning."
            ],
        )
    reasons = []
    if adherence < rules.adherence.progress_at_least:
        reasons.append(
            f"You did {sessions} of your {s.sessions_per_week} strength sessions in the last 7 days: moving on needs "
            f"{rules.adherence.progress_at_least:.0%} of them."
        )
    if unsettled:
        days = ", ".join(sorted({c.date.isoformat() for c in unsettled}))
        reasons.append(f"Your next-morning pain is not recorded for {days}: moving on needs it.")
    return made(DecisionKind.hold, reasons)


def _red_flags(check_ins: list[CheckInInput], screening: ScreeningRules) -> Concern | None:
    """Every red-flag yes so far, most serious level first: refer at that level, with its message."""
    questions = screening.questions()
    found = [
        (questions[code], check_in.date)
        for check_in in check_ins
        for code, yes in sorted(check_in.symptoms.items())
        if yes and code in questions and questions[code].level in RED_FLAG_LEVELS
    ]
    if not found:
        return None
    found.sort(key=lambda hit: (RED_FLAG_LEVELS.index(hit[0].level), hit[1], hit[0].code))
    level = found[0][0].level
    reasons = [f"On {day.isoformat()}: {' '.join(question.means.split())}." for question, day in found]
    return reasons, level, screening.message(level)


def _no_progress(s: Situation, rules: CheckInRules, outcomes: OutcomeRules) -> Concern | None:
    """Pain rising over the last windows, or no meaningful change in pain or function by the end of week 6."""
    refer = rules.refer
    means = []
    for back in range(refer.pain_rising_windows):
        window = s.window(back)
        if not window or s.on - timedelta(days=WINDOW * back + WINDOW - 1) < s.starts_on:
            break
        means.append(fmean(c.pain_during for c in window))
    if (
        len(means) == refer.pain_rising_windows
        and all(a > b for a, b in pairwise(means))
        and means[0] - means[-1] >= refer.pain_rising_by_at_least
    ):
        rising = ", then ".join(f"{m:.1f}" for m in reversed(means))
        return (
            [f"Your worst pain during exercise has risen week after week (on average {rising} out of 10)."],
            refer.level,
            " ".join(refer.message.split()),
        )
    if (s.on - s.starts_on).days < WINDOW * refer.no_change_by_week - 1:
        return None
    if any(c.mcid_reached for c in s.changes if c.taken_on <= s.on):
        return None
    measured = [c for c in s.changes if c.taken_on <= s.on]
    if s.baseline_pain == 0 and not measured:
        return None  # nothing to change: no pain, and no function measured
    windows = s.windows_with_check_ins()
    if not windows and not measured:
        return None  # nothing says how it is going: no check-in and no measure
    mcid = outcomes.measures.nprs.mcid
    for window in windows if s.baseline_pain > 0 else ():
        drop = s.baseline_pain - fmean(c.pain_before for c in window)
        if drop >= mcid.points or (mcid.percent is not None and drop / s.baseline_pain * 100 >= mcid.percent):
            return None  # pain fell by the NPRS MCID in some week: a meaningful change was reached
    return (
        [
            f"After {refer.no_change_by_week} weeks, neither your pain nor what you can do has changed as much as it "
            "should have."
        ],
        refer.level,
        " ".join(refer.message.split()),
    )


def _broken_limits(check_in: CheckInInput, baseline: int, rules: CheckInRules) -> list[str]:
    limits, day = rules.pain, check_in.date.isoformat()
    broken = []
    if check_in.pain_during > limits.during_at_most:
        broken.append(
            f"On {day} your worst pain during exercise was {check_in.pain_during}/10: more than "
            f"{limits.during_at_most}/10."
        )
    elif check_in.pain_during > baseline + limits.above_baseline_at_most:
        broken.append(
            f"On {day} your worst pain during exercise was {check_in.pain_during}/10: more than "
            f"{limits.above_baseline_at_most} above your usual {baseline}/10."
        )
    if check_in.pain_next_morning is not None and check_in.pain_next_morning > baseline:
        broken.append(
            f"The morning after {day} your pain was {check_in.pain_next_morning}/10: it had not settled to your usual "
            f"{baseline}/10."
        )
    return broken


def _simpler(s: Situation, rules: CheckInRules) -> Simplification | None:
    simplify = rules.simplify
    sessions = max(simplify.sessions_at_least, s.sessions_per_week - simplify.sessions_fewer_by)
    minutes = max(simplify.minutes_at_least, int(s.session_minutes * simplify.minutes_factor))
    if (sessions, minutes) == (s.sessions_per_week, s.session_minutes):
        return None
    return Simplification(sessions_per_week=sessions, session_minutes=min(minutes, s.session_minutes))
