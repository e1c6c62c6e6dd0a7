"""The rules' condition language, compiled to functions of an assessment input (the grammar is in rules.py's
docstring).

Pure: a condition and an input give the matched leaves, in rule order, each with the input paths it read.

A condition is compiled once into a closure (`compile_condition`) rather than interpreted on every assessment: the
operator is picked, the path split and the facts that do not depend on the input written when the rules load, so
an assessment only reads its values and compares them. The compiled closures rely on rules.py's validation (a
leaf has a path and exactly one operator, list operators name list fields, comparisons scalar ones).
"""

from __future__ import annotations

import operator
import string
from collections.abc import Callable
from typing import NamedTuple

from service.assessments.rules import Condition
from service.assessments.schemas import AssessmentInput


class Match(NamedTuple):
    """One matched leaf: the input paths it read, the fact it contributes and, for list items, the item."""

    paths: tuple[str, ...]
    fact: str
    item: str | None = None
    side: str | None = None
    """`left` or `right` when the leaf read one side of a paired test."""


Evaluator = Callable[[AssessmentInput], list[Match]]
"""A compiled condition: the matched leaves for an input (empty when the condition does not hold)."""

Reader = Callable[[AssessmentInput], object]


def reader(path: str) -> Reader:
    """A function reading the input's value at a dotted field path (None where a part is absent)."""
    parts = tuple(path.split("."))

    def read(data: AssessmentInput) -> object:
        value: object = data
        for part in parts:
            if value is None:
                return None
            value = getattr(value, part)
        return value

    return read


def compile_condition(cond: Condition) -> Evaluator:
    if cond.all_ is not None:
        return _all_of([compile_condition(child) for child in cond.all_])
    if cond.any_ is not None:
        return _any_of([compile_condition(child) for child in cond.any_])
    return _leaf(cond)


def _all_of(children: list[Evaluator]) -> Evaluator:
    def all_of(data: AssessmentInput) -> list[Match]:
        matched: list[Match] = []
        for child in children:
            found = child(data)
            if not found:
                return []
            matched += found
        return matched

    return all_of


def _any_of(children: list[Evaluator]) -> Evaluator:
    def any_of(data: AssessmentInput) -> list[Match]:
        matched: list[Match] = []
        for child in children:
            matched += child(data)
        return matched

    return any_of


def _leaf(cond: Condition) -> Evaluator:
    path = cond.path
    assert path is not None  # guaranteed by rules.py
    if cond.absent:
        return _absent(path, cond.says)
    if cond.contains is not None:
        return _wanted_items(path, cond.says, [cond.contains])
    if cond.contains_any is not None:
        return _wanted_items(path, cond.says, cond.contains_any)
    if cond.nonempty is not None:
        return _every_item(path, cond.says)
    if cond.differs_by_more_than is not None and cond.paired_with is not None:
        return _differs(path, cond.paired_with, cond.differs_by_more_than, cond.says)
    return _comparison(path, _test(cond), cond.says)


def _absent(path: str, says: str) -> Evaluator:
    read = reader(path)
    fact = says.format(value="absent")

    def absent(data: AssessmentInput) -> list[Match]:
        # An absent field is no input to point at: the match names no path.
        return [Match((), fact)] if read(data) is None else []

    return absent


def _wanted_items(path: str, says: str, wanted: list[str]) -> Evaluator:
    """`contains` / `contains_any`: the list's items among `wanted`, each a match."""
    read = reader(path)
    # An item equals a wanted value (a str, or a StrEnum whose str is that value), so its fact is known beforehand.
    facts = {item: says.format(value=_format(item)) for item in wanted}

    def wanted_items(data: AssessmentInput) -> list[Match]:
        value = read(data)
        if not isinstance(value, list) or facts.keys().isdisjoint(value):
            return []  # the usual answer, found without building a list
        return [
            Match((f"{path}[{index}]",), facts[item], str(item)) for index, item in enumerate(value) if item in facts
        ]

    return wanted_items


def _every_item(path: str, says: str) -> Evaluator:
    """`nonempty`: every item of the list, each a match."""
    read = reader(path)

    def every_item(data: AssessmentInput) -> list[Match]:
        value = read(data)
        if not isinstance(value, list):
            return []
        return [
            Match((f"{path}[{index}]",), says.format(value=_format(item)), str(item))
            for index, item in enumerate(value)
        ]

    return every_item


def _differs(path: str, paired_with: str, more_than: float, says: str) -> Evaluator:
    """`differs_by_more_than`: two numeric fields whose difference, as a fraction of the larger, exceeds the value."""
    read, read_other = reader(path), reader(paired_with)
    side, other_side = _side_of(path), _side_of(paired_with)

    def differs(data: AssessmentInput) -> list[Match]:
        value = read(data)
        if value is None:
            return []
        other = read_other(data)
        if not isinstance(value, int | float) or not isinstance(other, int | float):
            return []
        larger = max(value, other)
        if larger <= 0:
            return []
        difference = abs(value - other) / larger
        if difference <= more_than:
            return []
        fact = says.format(value=_format(value), other=_format(other), difference=f"{round(difference * 100)}%")
        return [Match((path, paired_with), fact, side=side if value < other else other_side)]

    return differs


def _comparison(path: str, test: Callable[[object], bool], says: str) -> Evaluator:
    """A scalar field against one operand (`eq`, `in`, `lt`, `lte`, `gt`, `gte`)."""
    read = reader(path)
    paths, side = (path,), _side_of(path)
    fact_of = _fact_of(says)

    def comparison(data: AssessmentInput) -> list[Match]:
        value = read(data)
        if value is None or not test(value):
            return []
        return [Match(paths, fact_of(value), side=side)]

    return comparison


_BOUNDS: tuple[tuple[str, Callable[[float, float], bool]], ...] = (
    ("lt", operator.lt),
    ("lte", operator.le),
    ("gt", operator.gt),
    ("gte", operator.ge),
)


def _test(cond: Condition) -> Callable[[object], bool]:
    """The leaf's operator as a test of the value read (never None)."""
    if cond.eq is not None:
        expected = cond.eq
        return lambda value: bool(value == expected)
    if cond.in_ is not None:
        allowed = tuple(cond.in_)
        return lambda value: value in allowed
    for name, compare in _BOUNDS:
        bound = getattr(cond, name)
        if bound is not None:
            return _bounded(compare, bound)
    return lambda value: False


def _bounded(compare: Callable[[float, float], bool], bound: float) -> Callable[[object], bool]:
    def test(value: object) -> bool:
        # Numbers only: a yes/no field is an int to Python, but never a measurement.
        return isinstance(value, int | float) and not isinstance(value, bool) and compare(value, bound)

    return test


def _fact_of(says: str) -> Callable[[object], str]:
    """How a matched value becomes the leaf's fact: a `says` without placeholders (often "") is the same for all."""
    if any(name is not None for _, name, _, _ in string.Formatter().parse(says)):
        return lambda value: says.format(value=_format(value))
    fixed = says.format()  # still formatted once: "{{" reads as "{"
    return lambda value: fixed


def _format(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return format(value, ".10g")
    return str(value).replace("_", " ")


def _side_of(path: str) -> str | None:
    last = path.rsplit(".", 1)[-1]
    return last if last in ("left", "right") else None
