"""The check-in rules (rules.yaml next to this file) as typed data, validated when loaded: every re-screen code must
be a red-flag question (level emergency or urgent) of the assessment's screening rules."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import msgspec
import yaml

from service.assessments.schemas import ConcernLevel
from service.assessments.screening import ScreeningRules

RULES_PATH = Path(__file__).with_name("rules.yaml")
RED_FLAG_LEVELS = (ConcernLevel.emergency, ConcernLevel.urgent)


class _Rule(msgspec.Struct, forbid_unknown_fields=True, kw_only=True, frozen=True):
    pass


class PainLimits(_Rule, frozen=True):
    during_at_most: Annotated[int, msgspec.Meta(ge=0, le=10)]
    above_baseline_at_most: Annotated[int, msgspec.Meta(ge=0, le=10)]


class Adherence(_Rule, frozen=True):
    progress_at_least: Annotated[float, msgspec.Meta(gt=0, le=1)]
    simplify_below: Annotated[float, msgspec.Meta(gt=0, le=1)]


class Simplify(_Rule, frozen=True):
    sessions_fewer_by: Annotated[int, msgspec.Meta(ge=1)]
    sessions_at_least: Annotated[int, msgspec.Meta(ge=1)]
    minutes_factor: Annotated[float, msgspec.Meta(gt=0, lt=1)]
    minutes_at_least: Annotated[int, msgspec.Meta(ge=1)]


class Refer(_Rule, frozen=True):
    pain_rising_windows: Annotated[int, msgspec.Meta(ge=2)]
    pain_rising_by_at_least: Annotated[float, msgspec.Meta(ge=0, le=10)]
    no_change_by_week: Annotated[int, msgspec.Meta(ge=1)]
    level: ConcernLevel
    message: str


class Words(_Rule, frozen=True):
    progress: str
    hold: str
    regress: str
    simplify: str
    refer: str


class CheckInRules(_Rule, frozen=True):
    version: str
    pain: PainLimits
    adherence: Adherence
    simplify: Simplify
    refer: Refer
    rescreen: list[str]
    words: Words


class CheckInRulesError(ValueError):
    """The rules file is invalid."""


def load_checkin_rules(screening: ScreeningRules, path: Path = RULES_PATH) -> CheckInRules:
    try:
        rules = msgspec.convert(yaml.safe_load(path.read_text(encoding="utf-8")), CheckInRules)
    except (OSError, yaml.YAMLError, msgspec.ValidationError) as exc:
        raise CheckInRulesError(f"{path.name}: {exc}") from exc
    questions = screening.questions()
    for code in rules.rescreen:
        question = questions.get(code)
        if question is None or question.level not in RED_FLAG_LEVELS:
            raise CheckInRulesError(f"{path.name}: rescreen: {code!r} is not a red-flag screening question")
    if rules.adherence.simplify_below > rules.adherence.progress_at_least:
        raise CheckInRulesError(f"{path.name}: adherence: simplify_below is above progress_at_least")
    return rules
