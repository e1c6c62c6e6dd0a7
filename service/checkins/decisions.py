"""Decisions over check-ins and outcome measures (CLINICAL.md §3 and §8): deterministic, explained, pure.

A decision is made on a day (`Situation.on`) over the 7 days up to it (the window), against the person's baseline
pain (their assessment's). The rules of rules.yaml are tried most serious first, and the first that applies is the
decision; the others' findings are not lost, they are the reasons a later decision will read again:

1. refer: a red-flag answer in any check-in so far (the question's own level and message); pain rising over the last
   three windows; no meaningful change in pain or function by the end of week 6 (a change once reached, in any week's
   check-ins or any measure, counts; nothing is concluded from no check-ins and no measures).
2. regress: a check-in in the window broke the pain limits (during above the limit, or too far above the baseline, or
   not settled to the baseline by the next morning); the prescriptions of those check-ins are named.
3. simplify: fewer than half the strength sessions done in a full window (not again within a window of the last
   simplification: the new plan gets a whole window first).
4. progress: a full window with most sessions done, every check-in within the pain limits and settled by the next
   morning.
5. hold: otherwise.

The rules read few check-ins one by one: those of the window that broke the pain limits, and those that answered
yes to a re-screen question. Of the others they read totals by day (pain means by window, days with a session, days
with a session not settled). A decision is made over that `Summary` of the check-ins, which the service reads from
totals kept by day and, only when a day holds some, the notable check-ins (service.checkins.history): a program's
check-ins run to a hundred and more, and reading each of them in full cost a check-in ~6 µs of CPU per check-in the
program already had (PostgreSQL building its JSON, the worker decoding and reading it). `summarize` makes the same
summary of a list.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import pairwise

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


class Day(msgspec.Struct, frozen=True, array_like=True):
    """The totals of one day's check-ins (all of them, the notable ones too)."""

    date: date
    count: int
    pain_before: int  # the sum of the day's
    pain_during: int  # the sum of the day's
    session: bool  # a strength session was checked in
    unsettled: bool  # a strength session without its next-morning pain


@dataclass(frozen=True)
class Summary:
    """What a decision on a day reads of the check-ins up to it: totals by `days` (in no particular order), and in
    full the `notable` ones: those of the window that broke the pain limits, and those that answered yes to a
    re-screen question (`is_notable`)."""

    days: Sequence[Day]
    notable: Sequence[CheckInInput]

    def adding(self, check_in: CheckInInput, on: date, baseline: int, rules: CheckInRules) -> Summary:
        """With one more check-in (one not stored yet)."""
        if check_in.date > on:
            return self
        others = [day for day in self.days if day.date != check_in.date]
        same = [day for day in self.days if day.date == check_in.date]
        days = [*others, _totalled(check_in.date, [check_in], same)]
        notable = [*self.notable, check_in] if is_notable(check_in, on, baseline, rules) else self.notable
        return Summary(days, notable)


def summarize(check_ins: Iterable[CheckInInput], on: date, baseline: int, rules: CheckInRules) -> Summary:
    """The summary of a list of check-ins for a decision on `on` (those after it are not read)."""
    by_day: dict[date, list[CheckInInput]] = {}
    for check_in in check_ins:
        if check_in.date <= on:
            by_day.setdefault(check_in.date, []).append(check_in)
    notable = [c for day in by_day.values() for c in day if is_notable(c, on, baseline, rules)]
    return Summary([_totalled(day, these, []) for day, these in by_day.items()], notable)


def _totalled(day: date, check_ins: list[CheckInInput], totals: list[Day]) -> Day:
    sessions = [c for c in check_ins if c.kind is CheckInKind.session]
    return Day(
        date=day,
        count=len(check_ins) + sum(t.count for t in totals),
        pain_before=sum(c.pain_before for c in check_ins) + sum(t.pain_before for t in totals),
        pain_during=sum(c.pain_during for c in check_ins) + sum(t.pain_during for t in totals),
        session=bool(sessions) or any(t.session for t in totals),
        unsettled=any(c.pain_next_morning is None for c in sessions) or any(t.unsettled for t in totals),
    )


def _in_window(day: date, on: date, back: int = 0) -> bool:
    """Whether `day` is in the `back`-th 7-day window before the latest (0: the 7 days up to `on`)."""
    last = on - timedelta(days=WINDOW * back)
    return last - timedelta(days=WINDOW - 1) <= day <= last


def is_notable(check_in: CheckInInput, on: date, baseline: int, rules: CheckInRules) -> bool:
    """Whether a decision on `on` reads the check-in itself, not only its day's totals: it is in the window and broke
    the pain limits, or it answered yes to a re-screen question (service.checkins.history asks the database the same
    of the stored ones and their days; tests/integration/programs/test_check_in_days.py holds the two together)."""
    if any(check_in.symptoms.values()):
        return True
    return _in_window(check_in.date, on) and bool(_broken_limits(check_in, baseline, rules))


@dataclass(frozen=True)
class Situation:
    """Everything a decision reads."""

    starts_on: date
    on: date
    baseline_pain: int
    sessions_per_week: int
    session_minutes: int
    check_ins: Sequence[CheckInInput] = ()
    """The check-ins, all of them (those after `on` are not read); or, instead, their `summary`."""
    changes: Sequence[MeasureChange] = field(default=())
    simplified_on: date | None = None
    """The day of the last decision that made the sessions fewer or shorter, if any: a window that began before it
    judged the old plan, so it does not simplify again (the new plan gets a whole window first)."""
    summary: Summary | None = None
    """The check-ins as the service reads them (`Summary`), instead of `check_ins`."""

    def week(self) -> int:
        return (self.on - self.starts_on).days // WINDOW + 1

    def window(self, days: Sequence[Day], back: int = 0) -> list[Day]:
        """The days of the `back`-th 7-day window before the latest (0: the 7 days up to `on`) that have check-ins."""
        return [day for day in days if _in_window(day.date, self.on, back)]

    def windows_with_check_ins(self, days: Sequence[Day]) -> list[list[Day]]:
        """Every 7-day window back from `on` to the start that has check-ins, latest first (a week without check-ins
        says nothing of pain), each as its days."""
        windows = (self.on - self.starts_on).days // WINDOW + 1 if self.on >= self.starts_on else 0
        found: list[list[Day]] = [[] for _ in range(windows)]
        for day in days:
            back = (self.on - day.date).days // WINDOW
            if day.date <= self.on and back < windows:
                found[back].append(day)
        return [window for window in found if window]

    def full_window(self) -> bool:
        """Whether the program has run a whole window by `on`."""
        return (self.on - self.starts_on).days >= WINDOW - 1


def _mean(days: Sequence[Day], pain: str) -> float:
    """The mean of a pain over the check-ins of `days` (as statistics.fmean of them all gives it: an exact sum of
    integers, divided once)."""
    return sum(getattr(day, pain) for day in days) / sum(day.count for day in days)


def _order(check_in: CheckInInput) -> tuple[date, bytes]:
    """A total order (two check-ins of a day are told apart by all they say), so that the decision does not depend on
    the order they arrived in."""
    return (check_in.date, msgspec.json.encode(check_in))


def decide(situation: Situation, rules: CheckInRules, outcomes: OutcomeRules, screening: ScreeningRules) -> Decision:
    s = situation
    summary = s.summary if s.summary is not None else summarize(s.check_ins, s.on, s.baseline_pain, rules)
    so_far = [c for c in summary.notable if s.starts_on <= c.date <= s.on]
    window = s.window(summary.days)
    sessions = sum(1 for day in window if day.session)
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

    referral = _red_flags(so_far, screening) or _no_progress(s, summary.days, rules, outcomes)
    if referral is not None:
        reasons, level, message = referral
        return made(DecisionKind.refer, reasons, refer=DecisionReferral(level=level, message=message))

    in_window = [c for c in summary.notable if _in_window(c.date, s.on)]
    hurt = [(c, why) for c in in_window for why in _broken_limits(c, s.baseline_pain, rules)]
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
    unsettled = [day for day in window if day.unsettled]
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
        days = ", ".join(sorted(day.date.isoformat() for day in unsettled))
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


def _no_progress(s: Situation, days: Sequence[Day], rules: CheckInRules, outcomes: OutcomeRules) -> Concern | None:
    """Pain rising over the last windows, or no meaningful change in pain or function by the end of week 6."""
    refer = rules.refer
    means = []
    for back in range(refer.pain_rising_windows):
        window = s.window(days, back)
        if not window or s.on - timedelta(days=WINDOW * back + WINDOW - 1) < s.starts_on:
            break
        means.append(_mean(window, "pain_during"))
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
    windows = s.windows_with_check_ins(days)
    if not windows and not measured:
        return None  # nothing says how it is going: no check-in and no measure
    mcid = outcomes.measures.nprs.mcid
    for window in windows if s.baseline_pain > 0 else ():
        drop = s.baseline_pain - _mean(window, "pain_before")
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
