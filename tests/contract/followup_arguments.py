"""Schemathesis' positive GraphQL cases for check-ins and outcome measures, made what the API documents as valid where
a GraphQL schema cannot say it: the program, check-in and assessment are the caller's own (a generated id names
none, rightly an error), a check-in is dated within its program and not in the future, its prescriptions and symptom
codes are the program's and the screening's (generated ones are dropped: an unknown one is rightly a 400, and a yes
would pause the program for every later case), its pain and effort are 0-10, and an outcome measure carries its own
measure's answers, valid (`measure` alone cannot say which fields go with it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import graphql as gql


@dataclass(frozen=True)
class FollowUp:
    """The caller's own records the cases are pointed at."""

    program_id: str
    check_in_id: str
    assessment_id: str


ZERO_TO_TEN = {"painBefore", "painDuring", "painAfter", "painNextMorning", "effort"}
MUTATIONS = {"recordCheckIn", "updateCheckIn", "recordOutcome"}


def _parse(value: str) -> gql.ValueNode:
    return gql.parse_value(value)


ANSWERS = {
    "nprs": {"value": "4"},
    "odi": {"answers": "[2, 2, 1, 1, 0, 3, 2, 1, null, 2]"},
    "ndi": {"answers": "[1, 1, 2, 0, 0, 1, 2, 1, 1, 0]"},
    "psfs": {"activities": '[{name: "stairs", score: 4}, {name: "walking", score: 6}, {name: "lifting", score: 3}]'},
    "start_back": {"agree": "[true, false, false, true, false, false, true, false]", "bothersome": "moderately"},
}


def _check_in(node: gql.ObjectValueNode, *, recorded: bool) -> gql.ObjectValueNode:
    fields = []
    for field in node.fields:
        name, value = field.name.value, field.value
        if name in {"items", "symptoms"}:
            continue
        if name == "date":
            yesterday = datetime.now(UTC).date() - timedelta(days=1)
            value = gql.StringValueNode(value=yesterday.isoformat())
        if name in ZERO_TO_TEN and isinstance(value, gql.IntValueNode):
            value = gql.IntValueNode(value=str(min(max(int(value.value), 0), 10)))
        fields.append(gql.ObjectFieldNode(name=field.name, value=value))
    if recorded and not any(isinstance(f.value, gql.IntValueNode) for f in fields):  # a change names something
        fields = [f for f in fields if f.name.value != "effort"]
        fields.append(gql.ObjectFieldNode(name=gql.NameNode(value="effort"), value=gql.IntValueNode(value="3")))
    return gql.ObjectValueNode(fields=tuple(fields))


def _outcome(node: gql.ObjectValueNode) -> gql.ObjectValueNode:
    given = {f.name.value: f.value for f in node.fields}
    measure = given.get("measure")
    if not isinstance(measure, gql.EnumValueNode) or measure.value not in ANSWERS:
        return node
    kept = {name: value for name, value in given.items() if name in {"takenOn", "measure"}}
    kept |= {name: _parse(literal) for name, literal in ANSWERS[measure.value].items()}
    return gql.ObjectValueNode(
        fields=tuple(gql.ObjectFieldNode(name=gql.NameNode(value=k), value=v) for k, v in kept.items())
    )


def valid_follow_up(node: gql.FieldNode, records: FollowUp) -> gql.FieldNode:
    """`node` (a recordCheckIn, updateCheckIn or recordOutcome) with its arguments made valid."""
    name = node.name.value
    ids = {"programId": records.program_id, "assessmentId": records.assessment_id}
    if name == "updateCheckIn":
        ids["id"] = records.check_in_id
    arguments = []
    for argument in node.arguments:
        value = argument.value
        if argument.name.value in ids:
            value = gql.StringValueNode(value=ids[argument.name.value])
        elif argument.name.value == "input" and isinstance(value, gql.ObjectValueNode):
            value = _outcome(value) if name == "recordOutcome" else _check_in(value, recorded=name == "updateCheckIn")
        arguments.append(gql.ArgumentNode(name=argument.name, value=value))
    return gql.FieldNode(
        alias=node.alias,
        name=node.name,
        arguments=tuple(arguments),
        directives=node.directives,
        selection_set=node.selection_set,
    )
