"""Scoring outcome measures exactly as CLINICAL.md §8 says, with the numbers of rules.yaml; pure functions.

An answer out of range, too many sections left out, or the wrong number of activities is an `Invalid` naming each
offending field (a 400 at the front doors)."""

from __future__ import annotations

from collections.abc import Sequence

from service.lib.errors import Invalid
from service.outcomes import schemas as s
from service.outcomes.rules import Measure, OutcomeRules


def score(data: s.OutcomeInput, rules: OutcomeRules) -> s.Score:
    measures = rules.measures
    if isinstance(data, s.Nprs):
        return s.Score(measure=s.Measure.nprs, ruleset_version=rules.version, score=float(data.value))
    if isinstance(data, s.Odi | s.Ndi):
        key = s.Measure.odi if isinstance(data, s.Odi) else s.Measure.ndi
        return _percent_of_answered(key, data.answers, getattr(measures, key.value), rules.version)
    if isinstance(data, s.Psfs):
        return _psfs(data, measures.psfs, rules.version)
    return _start_back(data, rules)


def _percent_of_answered(key: s.Measure, answers: list[int | None], measure: Measure, version: str) -> s.Score:
    """ODI and NDI: sum / (5 x answered) x 100; a section left out shrinks the denominator."""
    span = measure.item_range
    assert span is not None  # checked when the rules are loaded
    problems = [
        (f"answers[{i}]", f"must be {span.low} to {span.high} (or null when left out)")
        for i, value in enumerate(answers)
        if value is not None and not span.low <= value <= span.high
    ]
    answered = [value for value in answers if value is not None]
    skipped = len(answers) - len(answered)
    if skipped > measure.skipped_at_most:
        problems.append(
            ("answers", f"{skipped} left out: at most {measure.skipped_at_most} can be left out for a score")
        )
    if problems:
        raise Invalid(problems)
    percent = round(sum(answered) / (span.high * len(answered)) * 100, 1)
    band = next(b.band for b in measure.bands if percent <= b.at_most)
    return s.Score(measure=key, ruleset_version=version, score=percent, answered=len(answered), band=band)


def _psfs(data: s.Psfs, measure: Measure, version: str) -> s.Score:
    count, span = measure.activities, measure.item_range
    assert count is not None and span is not None
    problems = [
        (f"activities[{i}].score", f"must be {span.low} to {span.high}")
        for i, activity in enumerate(data.activities)
        if not span.low <= activity.score <= span.high
    ]
    if not count.low <= len(data.activities) <= count.high:
        problems.append(("activities", f"name {count.low} to {count.high} activities, not {len(data.activities)}"))
    names = [a.name.strip().lower() for a in data.activities]
    problems += [(f"activities[{i}].name", "is named twice") for i, n in enumerate(names) if n in names[:i]]
    if problems:
        raise Invalid(problems)
    mean = round(sum(a.score for a in data.activities) / len(data.activities), 2)
    return s.Score(measure=s.Measure.psfs, ruleset_version=version, score=mean, answered=len(data.activities))


def _start_back(data: s.StartBack, rules: OutcomeRules) -> s.Score:
    tool = rules.measures.start_back
    items = [int(agreed) for agreed in data.agree] + [int(data.bothersome.value in tool.bothersome_scores)]
    total = sum(items)
    subscale = sum(items[i - 1] for i in tool.subscale_items)
    if total <= tool.low_total_at_most:
        risk = "low"
    elif subscale >= tool.high_subscale_at_least:
        risk = "high"
    else:
        risk = "medium"
    return s.Score(
        measure=s.Measure.start_back,
        ruleset_version=rules.version,
        score=float(total),
        answered=tool.items,
        subscale=subscale,
        risk=risk,
        advice=" ".join(getattr(tool.advice, risk).split()),
    )


def change(
    measure: s.Measure,
    baseline: s.Score,
    current: s.Score,
    rules: OutcomeRules,
    items: tuple[list[int], list[int]] | None = None,
) -> s.Change:
    """The change from `baseline` to `current`; for PSFS, `items` (the baseline's and the current scores of the same
    activities) lets one activity's rise reach the MCID."""
    if measure is s.Measure.start_back:
        raise ValueError("STarT Back stratifies at baseline; it has no change")
    rule: Measure = getattr(rules.measures, measure.value)
    absolute = round(current.score - baseline.score, 2)
    gain = -absolute if rule.better == "lower" else absolute
    percent = round(absolute / baseline.score * 100, 1) if baseline.score else None
    reached = gain >= rule.mcid.points
    why = f"{abs(absolute):g} points {'better' if gain > 0 else 'worse' if gain < 0 else 'the same'}"
    if rule.mcid.percent is not None and baseline.score and gain / baseline.score * 100 >= rule.mcid.percent:
        reached = True
    if rule.mcid.one_item_points is not None and items is not None:
        before, after = items
        if any(b2 - b1 >= rule.mcid.one_item_points for b1, b2 in zip(before, after, strict=False)):
            reached = True
            why += f"; one activity rose by {rule.mcid.one_item_points:g} or more"
    threshold = f"{rule.mcid.points:g} points" + (f" or {rule.mcid.percent:g} %" if rule.mcid.percent else "")
    return s.Change(
        baseline=baseline.score,
        current=current.score,
        absolute=absolute,
        percent=percent,
        improved=gain > 0,
        mcid_reached=gain > 0 and reached,
        explanation=f"{why}; a meaningful change is {threshold}: {'reached' if gain > 0 and reached else 'not yet'}",
    )


def same_activities(before: s.OutcomeInput, after: s.OutcomeInput) -> tuple[list[int], list[int]] | None:
    """PSFS: the scores of the activities named both times, in the first taking's order."""
    if not isinstance(before, s.Psfs) or not isinstance(after, s.Psfs):
        return None
    then = {a.name.strip().lower(): a.score for a in before.activities}
    now = {a.name.strip().lower(): a.score for a in after.activities}
    both = [name for name in then if name in now]
    return [then[n] for n in both], [now[n] for n in both]


def against_first(taken: Sequence[tuple[s.OutcomeInput, s.Score]], rules: OutcomeRules) -> list[s.Change | None]:
    """Each of `taken` (answers and score, in the order taken) against the first taking of its measure: None for that
    first taking and for STarT Back (it stratifies at baseline); PSFS by the activities named both times."""
    firsts: dict[s.Measure, int] = {}
    found: list[s.Change | None] = []
    for index, (answers, scored) in enumerate(taken):
        first = firsts.setdefault(scored.measure, index)
        if first == index or scored.measure is s.Measure.start_back:
            found.append(None)
        else:
            before, baseline = taken[first]
            found.append(change(scored.measure, baseline, scored, rules, same_activities(before, answers)))
    return found
