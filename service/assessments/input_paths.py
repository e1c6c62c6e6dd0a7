"""The assessment input's fields by dotted path (`tests.straight_leg_raise_deg.left`) and their types: what the rules
file's conditions name, checked when the rules load (service.assessments.rules)."""

from __future__ import annotations

import msgspec.inspect as mi

from service.assessments.schemas import AssessmentInput

INPUT_TYPE = mi.type_info(AssessmentInput)
OPERATORS = (
    "eq",
    "in_",
    "lt",
    "lte",
    "gt",
    "gte",
    "contains",
    "contains_any",
    "nonempty",
    "absent",
    "differs_by_more_than",
)
NUMERIC = (mi.FloatType, mi.IntType)


def strip_optional(t: mi.Type) -> mi.Type:
    """The type without its documentation wrapper (`Metadata`) and its `| None`."""
    while True:
        if isinstance(t, mi.Metadata):
            t = t.type
        elif isinstance(t, mi.UnionType) and sum(not isinstance(m, mi.NoneType) for m in t.types) == 1:
            t = next(m for m in t.types if not isinstance(m, mi.NoneType))
        else:
            return t


def field_type(path: str) -> mi.Type | None:
    """The type of the input field at a dotted path (optionality removed), or None when no such field exists."""
    current: mi.Type = INPUT_TYPE
    for part in path.split("."):
        current = strip_optional(current)
        if not isinstance(current, mi.StructType):
            return None
        found = next((f for f in current.fields if f.encode_name == part), None)
        if found is None:
            return None
        current = found.type
    return strip_optional(current)


def values_ok(t: mi.Type, values: list[str]) -> list[str]:
    """The values that the (enum or free string) type does not accept."""
    if isinstance(t, mi.EnumType):
        allowed = {member.value for member in t.cls}
        return [v for v in values if v not in allowed]
    if isinstance(t, mi.StrType):
        return []
    return values
