"""The rules' condition language, evaluated against an assessment input (the grammar is in rules.py's docstring).

Pure: a condition and an input give the matched leaves, in rule order, each with the input paths it read.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from service.assessments.rules import Condition
from service.assessments.schemas import AssessmentInput


@dataclass(frozen=True, slots=True)
class Match:
    """One matched leaf: the input paths it read, the fact it contributes and, for list items, the item."""

    paths: tuple[str, ...]
    fact: str
    item: str | None = None
    side: str | None = None
    """`left` or `right` when the leaf read one side of a paired test."""


@functools.cache
def _parts(path: str) -> tuple[str, ...]:
    return tuple(path.split("."))  # the rules name a few dozen paths: split each once


def resolve(data: AssessmentInput, path: str) -> object:
    """The input's value at a dotted field path (None where a part is absent)."""
    value: object = data
    for part in _parts(path):
        if value is None:
            return None
        value = getattr(value, part)
    return value


def _format(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return format(value, ".10g")
    return str(value).replace("_", " ")


def _side_of(path: str) -> str | None:
    last = _parts(path)[-1]
    return last if last in ("left", "right") else None


def evaluate(cond: Condition, data: AssessmentInput) -> list[Match]:
    if cond.all_ is not None:
        matched: list[Match] = []
        for child in cond.all_:
            found = evaluate(child, data)
            if not found:
                return []
            matched.extend(found)
        return matched
    if cond.any_ is not None:
        return [m for child in cond.any_ for m in evaluate(child, data)]
    return _evaluate_leaf(cond, data)


def _evaluate_leaf(cond: Condition, data: AssessmentInput) -> list[Match]:
    path = cond.path
    assert path is not None  # guaranteed by rules.py
    value = resolve(data, path)
    if cond.absent:
        # An absent field is no input to point at: the match names no path.
        return [Match((), cond.says.format(value="absent"))] if value is None else []
    if value is None:
        return []
    if isinstance(value, list):
        if cond.contains is not None:
            wanted: frozenset[str] | None = frozenset((cond.contains,))
        elif cond.contains_any is not None:
            wanted = frozenset(cond.contains_any)
        else:  # nonempty
            wanted = None
        return [
            Match((f"{path}[{index}]",), cond.says.format(value=_format(item)), str(item))
            for index, item in enumerate(value)
            if wanted is None or item in wanted
        ]
    if cond.differs_by_more_than is not None and cond.paired_with is not None:
        other = resolve(data, cond.paired_with)
        if not isinstance(value, int | float) or not isinstance(other, int | float):
            return []
        larger = max(value, other)
        if larger <= 0:
            return []
        difference = abs(value - other) / larger
        if difference <= cond.differs_by_more_than:
            return []
        fact = cond.says.format(value=_format(value), other=_format(other), difference=f"{round(difference * 100)}%")
        weaker = _side_of(path) if value < other else _side_of(cond.paired_with)
        return [Match((path, cond.paired_with), fact, side=weaker)]
    if _compare(cond, value):
        return [Match((path,), cond.says.format(value=_format(value)), side=_side_of(path))]
    return []


def _compare(cond: Condition, value: object) -> bool:
    if cond.eq is not None:
        return bool(value == cond.eq)
    if cond.in_ is not None:
        return value in cond.in_
    if not isinstance(value, int | float) or isinstance(value, bool):
        return False
    if cond.lt is not None:
        return value < cond.lt
    if cond.lte is not None:
        return value <= cond.lte
    if cond.gt is not None:
        return value > cond.gt
    if cond.gte is not None:
        return value >= cond.gte
    return False
