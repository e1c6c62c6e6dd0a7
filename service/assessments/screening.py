"""Screening (CLINICAL.md §1): which questions apply to a person, what their answers mean, and the level of concern.

The questions, their levels, clusters and messages are data (the `screening` section of rules.yaml); this module
types them, checks them when they load, and applies them. It is pure: the same input, rules and day give the same
outcome. Three-valued logic throughout: a fact or answer is true, false or not known, and "not known" is never
read as "no": it makes the answer that decides it missing, when a screen that applies needs it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

import msgspec

from service.assessments.schemas import (
    AssessmentInput,
    ClinicianRole,
    ConcernLevel,
    Evidence,
    FormField,
    FormQuestion,
    FormScreen,
    MissingAnswer,
    Pain,
    PainDuration,
    PainRegion,
    Pregnancy,
    ScreeningForm,
)

LEVEL_ORDER = (ConcernLevel.emergency, ConcernLevel.urgent, ConcernLevel.routine, ConcernLevel.proceed)
FACT_PREFIX = "fact."


class Flag(StrEnum):
    nerve_root = "nerve_root"


class _Data(msgspec.Struct, forbid_unknown_fields=True, kw_only=True, frozen=True):
    """Base of the screening section's records."""


class Question(_Data, frozen=True):
    code: str
    question: str
    level: ConcernLevel
    means: str
    source: str
    flag: Flag | None = None
    only_with: list[str] = []
    """Asked only when one of these screens applies too (the straight-leg raise belongs to the lumbar screen)."""
    only_regions: list[str] = []
    """Asked only when one of these pain regions is reported (the knee's question is not the shoulder's)."""


class Applies(_Data, frozen=True):
    always: bool = False
    regions: list[str] = []
    screens: list[str] = []
    pregnant: bool = False
    fact: str | None = None
    """With `regions`: the screen applies only when this fact is true too (a knee injury, not any knee pain)."""


class Screen(_Data, frozen=True):
    slug: str
    title: str
    applies: Applies
    safety_net: str
    questions: list[Question]
    needs: list[str] = []
    """Facts this screen needs known (the stage of a pregnancy): missing when not known."""


class Cluster(_Data, frozen=True):
    id: str
    reason: str
    level: ConcernLevel
    screen: str
    all: list[str]
    means: str
    source: str
    any: list[str] = []


class Fact(_Data, frozen=True):
    name: str
    field: str
    question: str


class Messages(_Data, frozen=True):
    emergency: str
    urgent: str
    routine: str


class ClearancePolicy(_Data, frozen=True):
    max_age_days: int
    only_by: dict[str, list[ClinicianRole]] = {}

    def lifts(self, reason: str, role: ClinicianRole) -> bool:
        return reason not in self.only_by or role in self.only_by[reason]


class UnexplainedPain(_Data, frozen=True):
    refer_at_least: int


class NerveRoot(_Data, frozen=True):
    condition: str
    neural_below_degrees: float
    not_read_as_muscle: list[str]
    not_read_as_tight: list[str]
    not_read_as_asymmetry: list[str]


class ScreeningRules(_Data, frozen=True):
    messages: Messages
    clearance: ClearancePolicy
    unexplained_pain: UnexplainedPain
    condition_answers: dict[str, str]
    facts: list[Fact]
    screens: list[Screen]
    clusters: list[Cluster]
    nerve_root: NerveRoot

    def questions(self) -> dict[str, Question]:
        """Every question by its code (about fifty: built where needed, once per call)."""
        return {q.code: q for s in self.screens for q in s.questions}

    def codes(self) -> frozenset[str]:
        return frozenset(q.code for s in self.screens for q in s.questions)

    def message(self, level: ConcernLevel) -> str:
        return str(getattr(self.messages, level.value))


# ---------------------------------------------------------------- facts (the few inputs screens read besides answers)

# Each fact maps an input to True, False or None (not known). Their fields and questions are in the rules file.
KNOWN_FACTS = frozenset(
    {"age_50_plus", "new_pain", "injury", "osteoporosis", "pregnancy_stage_known", "pregnant_without_clearance"}
)


def is_pregnant(data: AssessmentInput) -> bool:
    return bool((data.pregnancy and data.pregnancy.pregnant) or "pregnancy" in (data.conditions or ()))


def fact_value(name: str, data: AssessmentInput) -> bool | None:
    pain = data.pain
    pregnancy = data.pregnancy
    if name == "age_50_plus":
        return None if data.age_band is None else data.age_band.value in ("50_64", "65_plus")
    if name == "new_pain":
        if pain is None:
            return None
        if pain.new_pain or pain.duration is PainDuration.acute:
            return True  # "acute" is under six weeks: new pain, whatever new_pain says
        if pain.new_pain is False or pain.duration is not None:
            return False
        return None
    if name == "injury":
        return None if pain is None or pain.trauma is None else pain.trauma
    if name == "osteoporosis":
        return "osteoporosis" in (data.conditions or ())
    if name == "pregnancy_stage_known":
        return None if pregnancy is None or (pregnancy.weeks is None and pregnancy.trimester is None) else True
    if name == "pregnant_without_clearance":
        if not is_pregnant(data):
            return False
        if pregnancy is None or pregnancy.obstetric_clearance is None:
            return None
        return not pregnancy.obstetric_clearance
    raise KeyError(name)  # guarded at load: every fact named in the rules is one of KNOWN_FACTS


# ---------------------------------------------------------------- answers


@dataclass(frozen=True)
class Answer:
    value: bool
    path: str
    """Where it arrived: `screening.<code>`, `red_flags.<code>` or `conditions[i]`."""


def answers_of(data: AssessmentInput, rules: ScreeningRules) -> dict[str, Answer]:
    """Every screening answer, whichever field it arrived in. A condition that stands for an answer counts as a
    yes, whatever the field of that answer says (validate_input refuses the contradiction in one body; a program
    request's conditions are new facts)."""
    answers: dict[str, Answer] = {}
    if data.red_flags is not None:
        for code in data.red_flags.__struct_fields__:
            value = getattr(data.red_flags, code)
            if value is not None:
                answers[code] = Answer(value, f"red_flags.{code}")
    for code, value in (data.screening or {}).items():
        answers.setdefault(code, Answer(value, f"screening.{code}"))
    for index, condition in enumerate(data.conditions or ()):
        stated = rules.condition_answers.get(condition)
        if stated is not None:
            answers[stated] = Answer(True, f"conditions[{index}]")
    return answers


# ---------------------------------------------------------------- which screens and questions apply


def _regions(data: AssessmentInput) -> frozenset[str]:
    return frozenset(r.value for r in (data.pain.regions or [])) if data.pain else frozenset()


@dataclass
class Applicable:
    screens: list[Screen]
    questions: list[tuple[Screen, Question]]
    missing_facts: list[tuple[Screen, str]]


def applicable(data: AssessmentInput, rules: ScreeningRules) -> Applicable:
    regions = _regions(data)
    applied: list[Screen] = []
    gated: list[tuple[Screen, str]] = []
    for screen in rules.screens:  # in file order: a screen names only screens above it (checked at load)
        rule = screen.applies
        names = {s.slug for s in applied}
        hit = (
            rule.always
            or bool(regions & set(rule.regions))
            or bool(names & set(rule.screens))
            or (rule.pregnant and is_pregnant(data))
        )
        if hit and rule.fact is not None:
            known = fact_value(rule.fact, data)
            if known is None:
                gated.append((screen, rule.fact))  # cannot tell whether it applies: what decides it is missing
            hit = bool(known)
        if hit:
            applied.append(screen)
    names = {s.slug for s in applied}
    questions = [
        (screen, q)
        for screen in applied
        for q in screen.questions
        if (not q.only_with or names & set(q.only_with)) and (not q.only_regions or regions & set(q.only_regions))
    ]
    needs = [(screen, fact) for screen in applied for fact in screen.needs if fact_value(fact, data) is None]
    return Applicable(screens=applied, questions=questions, missing_facts=gated + needs)


# ---------------------------------------------------------------- the outcome


@dataclass(frozen=True)
class Concern:
    reason: str
    level: ConcernLevel
    evidence: Evidence


@dataclass
class Outcome:
    screens: list[str]
    concerns: list[Concern]
    missing: list[MissingAnswer]
    flags: dict[Flag, list[str]] = field(default_factory=dict)
    """Each raised flag with the input paths that raised it."""

    def worst(self) -> ConcernLevel:
        return min((c.level for c in self.concerns), key=LEVEL_ORDER.index, default=ConcernLevel.proceed)


def _truth(item: str, answers: dict[str, Answer], data: AssessmentInput) -> bool | None:
    if item.startswith(FACT_PREFIX):
        return fact_value(item.removeprefix(FACT_PREFIX), data)
    answer = answers.get(item)
    return None if answer is None else answer.value


def _all(values: list[bool | None]) -> bool | None:
    if any(v is False for v in values):
        return False
    return True if all(v is True for v in values) else None


def _any(values: list[bool | None]) -> bool | None:
    if any(v is True for v in values):
        return True
    return False if all(v is False for v in values) else None


def _item_paths(items: Iterable[str], answers: dict[str, Answer], rules: ScreeningRules) -> list[str]:
    facts = {f.name: f.field for f in rules.facts}
    paths = []
    for item in items:
        if item.startswith(FACT_PREFIX):
            paths.append(facts[item.removeprefix(FACT_PREFIX)])
        elif item in answers:
            paths.append(answers[item].path)
    return list(dict.fromkeys(paths))


def screen(data: AssessmentInput, rules: ScreeningRules) -> Outcome:
    answers = answers_of(data, rules)
    found = applicable(data, rules)
    facts = {f.name: f for f in rules.facts}
    missing: dict[str, MissingAnswer] = {}
    for screen_, q in found.questions:
        if q.code not in answers and q.code not in missing:
            missing[q.code] = MissingAnswer(
                field=f"screening.{q.code}", code=q.code, question=q.question, screen=screen_.slug
            )

    def fact_missing(screen_slug: str, name: str) -> None:
        fact = facts[name]
        missing.setdefault(
            fact.field,
            MissingAnswer(
                field=fact.field, code=fact.field.rsplit(".", 1)[-1], question=fact.question, screen=screen_slug
            ),
        )

    for screen_, name in found.missing_facts:
        fact_missing(screen_.slug, name)

    concerns: list[Concern] = []
    flags: dict[Flag, list[str]] = {}
    questions = rules.questions()
    for code, answer in answers.items():
        asked = questions.get(code)
        if asked is None or not answer.value:
            continue
        if asked.flag is not None:
            flags.setdefault(asked.flag, []).append(answer.path)
        if asked.level is not ConcernLevel.proceed:
            concerns.append(
                Concern(
                    code,
                    asked.level,
                    Evidence(rule=f"screening.{code}", inputs=[answer.path], summary=asked.means, basis=asked.source),
                )
            )

    applied = {s.slug for s in found.screens}
    for cluster in rules.clusters:
        if cluster.screen not in applied:
            continue  # a cluster weighs answers in its screen's context (new pain after 50 is a back-pain rule)
        verdict = _all([_truth(i, answers, data) for i in cluster.all])
        if cluster.any and verdict is not False:
            either = _any([_truth(i, answers, data) for i in cluster.any])
            verdict = False if either is False or verdict is False else (True if verdict and either else None)
        if verdict:
            items = [*cluster.all, *(i for i in cluster.any if _truth(i, answers, data))]
            evidence = Evidence(
                rule=cluster.id,
                inputs=_item_paths(items, answers, rules),
                summary=cluster.means,
                basis=cluster.source,
            )
            concerns.append(Concern(cluster.reason, cluster.level, evidence))
        elif verdict is None:
            for item in [*cluster.all, *cluster.any]:
                if item.startswith(FACT_PREFIX) and _truth(item, answers, data) is None:
                    fact_missing(cluster.screen, item.removeprefix(FACT_PREFIX))

    concerns.sort(key=lambda c: (LEVEL_ORDER.index(c.level), c.reason))
    return Outcome(
        screens=[s.slug for s in found.screens], concerns=concerns, missing=list(missing.values()), flags=flags
    )


# ---------------------------------------------------------------- load-time checks


class ScreeningRulesError(ValueError):
    pass


def check(rules: ScreeningRules, source: str, pain_regions: frozenset[str], red_flags: Iterable[str]) -> None:
    """Refuse a screening section that would silently ignore an answer or read a name it does not define."""

    def fail(message: str) -> ScreeningRulesError:
        return ScreeningRulesError(f"{source}: screening: {message}")

    seen_screens: set[str] = set()
    codes: set[str] = set()
    facts = {f.name for f in rules.facts}
    unknown_facts = facts - KNOWN_FACTS
    if unknown_facts:
        raise fail(f"facts the code does not compute: {', '.join(sorted(unknown_facts))}")
    for screen_ in rules.screens:
        if screen_.slug in seen_screens:
            raise fail(f"screen {screen_.slug} is defined twice")
        a = screen_.applies
        if not (a.always or a.regions or a.screens or a.pregnant):
            raise fail(f"screen {screen_.slug} never applies")
        for name in a.screens:
            if name not in seen_screens:
                raise fail(f"screen {screen_.slug} applies with {name}, which is not defined above it")
        bad_regions = set(a.regions) - pain_regions
        if bad_regions:
            raise fail(f"screen {screen_.slug} names unknown pain region(s) {', '.join(sorted(bad_regions))}")
        for name in [*([a.fact] if a.fact else []), *screen_.needs]:
            if name not in facts:
                raise fail(f"screen {screen_.slug} reads undefined fact {name}")
        seen_screens.add(screen_.slug)
        if not screen_.questions:
            raise fail(f"screen {screen_.slug} asks nothing")
        for q in screen_.questions:
            if q.code in codes:
                raise fail(f"question code {q.code} is used twice")
            codes.add(q.code)
            if (
                q.level is ConcernLevel.proceed
                and q.flag is None
                and not any(q.code in c.all + c.any for c in rules.clusters)
            ):
                raise fail(f"question {q.code} changes nothing (level proceed, no flag, in no cluster)")
            if set(q.only_with) - seen_screens:
                raise fail(f"question {q.code} is asked only with an undefined screen")
            if set(q.only_regions) - pain_regions:
                raise fail(f"question {q.code} names an unknown pain region")
    missing_flags = set(red_flags) - codes
    if missing_flags:
        raise fail(f"no question for red flag(s) {', '.join(sorted(missing_flags))}")
    reasons: set[str] = set()
    for cluster in rules.clusters:
        if cluster.screen not in seen_screens:
            raise fail(f"{cluster.id}: unknown screen {cluster.screen}")
        if cluster.reason in codes or cluster.reason in reasons:
            raise fail(f"{cluster.id}: reason {cluster.reason} is already a code or another cluster's reason")
        reasons.add(cluster.reason)
        if cluster.level is ConcernLevel.proceed:
            raise fail(f"{cluster.id}: a cluster at level proceed changes nothing")
        for item in [*cluster.all, *cluster.any]:
            known = item.removeprefix(FACT_PREFIX) in facts if item.startswith(FACT_PREFIX) else item in codes
            if not known:
                raise fail(f"{cluster.id}: {item} is neither a question code nor a defined fact")
    for condition, code in rules.condition_answers.items():
        if code not in codes:
            raise fail(f"condition {condition} stands for unknown question {code}")
    routine = {q.code for s in rules.screens for q in s.questions if q.level is ConcernLevel.routine}
    routine |= {c.reason for c in rules.clusters if c.level is ConcernLevel.routine}
    for reason in rules.clearance.only_by:
        if reason not in routine:
            raise fail(f"clearance.only_by: {reason} is not a routine concern (only those can be cleared)")


# ---------------------------------------------------------------- the form an app renders (GET /v1/screening)


def form(
    rules: ScreeningRules, version: str, regions: Iterable[str], *, pregnant: bool, injury: bool | None
) -> ScreeningForm:
    """The questions that apply to a person with these pain regions, pregnancy and injury, screen by screen."""
    person = AssessmentInput(
        pain=Pain(regions=[PainRegion(r) for r in regions], trauma=injury),
        pregnancy=Pregnancy(pregnant=True) if pregnant else None,
    )
    found = applicable(person, rules)
    facts = {f.name: f for f in rules.facts}
    asked = {id(q) for _, q in found.questions}

    def fields(screen_: Screen) -> list[FormField]:
        names = [*screen_.needs, *([screen_.applies.fact] if screen_.applies.fact else [])]
        for cluster in rules.clusters:
            if cluster.screen == screen_.slug:
                names += [
                    i.removeprefix(FACT_PREFIX) for i in [*cluster.all, *cluster.any] if i.startswith(FACT_PREFIX)
                ]
        return [FormField(field=facts[n].field, question=facts[n].question) for n in dict.fromkeys(names)]

    screens = [
        FormScreen(
            slug=s.slug,
            title=s.title,
            questions=[
                FormQuestion(code=q.code, question=q.question, level=q.level, source=q.source)
                for q in s.questions
                if id(q) in asked
            ],
            may_also_need=fields(s),
        )
        for s in found.screens
    ]
    undecided = [
        FormField(field=facts[name].field, question=facts[name].question)
        for s, name in found.missing_facts
        if s not in found.screens
    ]
    return ScreeningForm(ruleset_version=version, screens=screens, undecided=undecided)
