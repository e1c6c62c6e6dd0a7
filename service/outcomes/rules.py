"""The outcome-measure rules (rules.yaml next to this file) as typed data, validated when loaded."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import msgspec
import yaml

RULES_PATH = Path(__file__).with_name("rules.yaml")


class _Rule(msgspec.Struct, forbid_unknown_fields=True, kw_only=True, frozen=True):
    pass


class Range(_Rule, frozen=True):
    low: int
    high: int


class Mcid(_Rule, frozen=True):
    """A change is meaningful at `points` (in the score's units), or at `percent` of the baseline, or (PSFS) at
    `one_item_points` on any one item."""

    points: float
    percent: float | None = None
    one_item_points: float | None = None


class Band(_Rule, frozen=True):
    at_most: float
    band: str


class Measure(_Rule, frozen=True):
    name: str
    better: Literal["lower", "higher"]
    mcid: Mcid
    source: str
    range: Range | None = None
    items: int | None = None
    item_range: Range | None = None
    skipped_at_most: int = 0
    activities: Range | None = None
    bands: list[Band] = []


class StartBackAdvice(_Rule, frozen=True):
    low: str
    medium: str
    high: str


class StartBack(_Rule, frozen=True):
    name: str
    items: int
    subscale_items: list[int]
    bothersome_scores: list[str]
    low_total_at_most: int
    high_subscale_at_least: int
    advice: StartBackAdvice
    source: str


class Measures(_Rule, frozen=True):
    nprs: Measure
    odi: Measure
    ndi: Measure
    psfs: Measure
    start_back: StartBack


class OutcomeRules(_Rule, frozen=True):
    version: str
    measures: Measures


class OutcomeRulesError(ValueError):
    """The rules file is invalid."""


def load_outcome_rules(path: Path = RULES_PATH) -> OutcomeRules:
    try:
        rules = msgspec.convert(yaml.safe_load(path.read_text(encoding="utf-8")), OutcomeRules)
    except (OSError, yaml.YAMLError, msgspec.ValidationError) as exc:
        raise OutcomeRulesError(f"{path.name}: {exc}") from exc
    for key in ("odi", "ndi"):
        measure: Measure = getattr(rules.measures, key)
        if not measure.bands or measure.bands[-1].at_most != 100:
            raise OutcomeRulesError(f"{path.name}: measures.{key}.bands must end at 100")
        if measure.items is None or measure.item_range is None:
            raise OutcomeRulesError(f"{path.name}: measures.{key} needs items and item_range")
    return rules
