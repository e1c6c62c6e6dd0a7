"""Schemathesis against the API's contracts, over real HTTP and real PostgreSQL.

The committed documents drive the generation (a sibling test proves they are what the app serves). Every default
check runs, on positive and negative data; SCHEMATHESIS_MAX_EXAMPLES sets the examples per operation (100 by
default, as in CI). Calls are authenticated with a key holding every scope; Schemathesis also tries each secured
operation without it.

Some rules cannot be described by a schema: a cursor is valid only when the API returned it, an Idempotency-Key
names one request (reusing it with another body is rightly a 422), a program's `assessment_id` (and a reassessment's
`previous_assessment_id`) must be one of the caller's assessments and its `exclude_exercises` exercises of the
catalogue (imports included, so no enum), and GraphQL cannot state numeric ranges (`first` in 1..500, the
assessment's measurements, a program's weeks) or that `subjectRef` is no email. An assessment's answers must agree
with each other (one screening code answered one way, a condition that stands for an answer not answered "no", a
pregnancy's weeks within its trimester, a side of weight shift only with the shift, a clearance not dated in the
future), GraphQL's screening codes are strings, and a program request that names a condition its assessment did not
screen is rightly asked for the screening (422). For positive cases only, those generated values are replaced by
valid ones (a cursor fetched for the same query, a fresh key, the desk worker's assessment, catalogue exercises,
numbers folded into the ranges the REST bodies declare, a plain subject reference, consistent answers), so
"schema-valid data is accepted" is checked against what the API documents. Negative cases keep whatever was
generated; the integration tests assert the rejections.
"""

from __future__ import annotations

import os
import re
import uuid
import zlib
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import graphql as gql
import msgspec
import pytest
import requests
import schemathesis
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation import GenerationMode

from devkit.personas import DESK_WORKER
from devkit.programs import ASSESSMENT_RULES
from service.assessments.schemas import AssessmentInput, FieldTests
from service.catalog.records import load_catalog
from service.lib.pagination import MAX_LIMIT
from service.programs.schemas import ProgramRequest
from service.settings import Settings
from service.web.openapi_document import numeric_bounds
from tests.conftest import server_process
from tests.contract.followup_arguments import MUTATIONS as FOLLOW_UP_MUTATIONS
from tests.contract.followup_arguments import FollowUp, valid_follow_up

CONTRACTS = Path(__file__).resolve().parents[2] / "openapi"
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "100"))
BOTH_MODES = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]

rest = schemathesis.openapi.from_path(CONTRACTS / "openapi.json")
rest.config.generation.update(modes=BOTH_MODES, max_examples=MAX_EXAMPLES, deterministic=True)
graphql = schemathesis.graphql.from_path(CONTRACTS / "schema.graphql")
graphql.config.generation.update(modes=BOTH_MODES, max_examples=MAX_EXAMPLES, deterministic=True)


def _is_positive(case: schemathesis.Case) -> bool:
    return case.meta is not None and case.meta.generation.mode.is_positive


def _use_a_fresh_idempotency_key(case: schemathesis.Case) -> None:
    """One key per request, as documented: examples that share a key but not a body rightly get 422."""
    if _is_positive(case) and case.headers and "Idempotency-Key" in case.headers:
        case.headers["Idempotency-Key"] = f"schemathesis-{uuid.uuid4()}"


def _use_a_real_cursor(case: schemathesis.Case, base_url: str, key: str) -> None:
    if not (_is_positive(case) and case.query and "cursor" in case.query):
        return
    params = {k: v for k, v in case.query.items() if k not in {"cursor", "limit"}}
    auth = {"Authorization": f"Bearer {key}"}
    first_page = requests.get(base_url + case.path, params={**params, "limit": 1}, headers=auth, timeout=10)
    next_cursor = first_page.json().get("next_cursor") if first_page.ok else None
    if next_cursor:
        case.query["cursor"] = next_cursor
    else:
        del case.query["cursor"]


EXERCISES = sorted(e.slug for e in load_catalog().exercises)


def _real_exercises(generated: list[Any]) -> list[str]:
    """As many catalogue exercises as were generated (each once): a made-up slug is rightly a 400."""
    return list(dict.fromkeys(EXERCISES[zlib.crc32(str(slug).encode()) % len(EXERCISES)] for slug in generated))


# Conditions that stand for screening answers: named on a program request, the assessment is screened again.
SCREENED_CONDITIONS = frozenset(ASSESSMENT_RULES.screening.condition_answers) | {"pregnancy"}
SCREENING_CODES = sorted(ASSESSMENT_RULES.screening.codes())


PREVIOUS = "previous_assessment_id"


def _use_a_real_assessment(case: schemathesis.Case, assessment_id: str) -> None:
    """A program is generated from one of the caller's assessments, and a reassessment names one; any other id is
    rightly a 422. The desk worker was not screened for the conditions that stand for answers: naming one rightly
    asks for the screening."""
    reassessment = case.path == "/v1/assessments" and isinstance(case.body, dict) and case.body.get(PREVIOUS)
    if _is_positive(case) and case.method == "POST" and reassessment:
        case.body[PREVIOUS] = assessment_id  # a reassessment names one of the caller's too
    if _is_positive(case) and case.method == "POST" and case.path == "/v1/programs" and isinstance(case.body, dict):
        case.body["assessment_id"] = assessment_id
        if isinstance(case.body.get("exclude_exercises"), list):
            case.body["exclude_exercises"] = _real_exercises(case.body["exclude_exercises"])
        if isinstance(case.body.get("conditions"), list):
            case.body["conditions"] = [c for c in case.body["conditions"] if c not in SCREENED_CONDITIONS]
        if isinstance(case.body.get("days"), list) and case.body.get("sessions_per_week") is not None:
            case.body["sessions_per_week"] = len(case.body["days"])  # the two must agree (a 400 says so)


def _trimester(weeks: int) -> int:
    return 1 if weeks < 14 else 2 if weeks < 28 else 3


def _consistent_answers(body: dict[str, Any]) -> None:
    """The answers of one assessment body made to agree (service.assessments.validation refuses each disagreement
    with a 400); field names as in the REST body."""
    flags = body.get("red_flags") or {}
    screening = body.get("screening")
    if isinstance(screening, dict):
        screening.update({code: value for code, value in flags.items() if value is not None and code in screening})
    answers = {**(screening or {}), **{k: v for k, v in flags.items() if v is not None}}
    pregnancy = body.get("pregnancy")
    if isinstance(body.get("conditions"), list):
        implied = ASSESSMENT_RULES.screening.condition_answers
        body["conditions"] = [
            c
            for c in body["conditions"]
            if answers.get(implied.get(c, "")) is not False
            and not (c == "pregnancy" and isinstance(pregnancy, dict) and pregnancy.get("pregnant") is False)
        ]
    if isinstance(pregnancy, dict) and pregnancy.get("weeks") is not None and pregnancy.get("trimester") is not None:
        pregnancy["trimester"] = _trimester(pregnancy["weeks"])
    screen = body.get("movement_screen")
    if isinstance(screen, dict) and "asymmetric_weight_shift" not in (screen.get("overhead_squat") or []):
        screen.pop("weight_shift_to", None)
    clearance = body.get("clearance")
    if isinstance(clearance, dict) and str(clearance.get("date", "")) > _today().isoformat():
        clearance["date"] = (_today() - timedelta(days=1)).isoformat()


def _today() -> date:
    return datetime.now(UTC).date()  # the service's day


def _use_consistent_answers(case: schemathesis.Case) -> None:
    if _is_positive(case) and case.method == "POST" and case.path == "/v1/assessments" and isinstance(case.body, dict):
        _consistent_answers(case.body)


def _camel(name: str) -> str:
    return re.sub(r"_(\w)", lambda m: m.group(1).upper(), name)


def _snake(name: str) -> str:
    return re.sub(r"[A-Z]", lambda m: "_" + m.group(0).lower(), name)


def _fields(node: gql.ObjectValueNode) -> dict[str, gql.ValueNode]:
    return {f.name.value: f.value for f in node.fields}


def _replace(node: gql.ObjectValueNode, **values: gql.ValueNode | None) -> gql.ObjectValueNode:
    """`node` with these fields set to new values (None: dropped)."""
    kept = [f for f in node.fields if f.name.value not in values]
    added = [gql.ObjectFieldNode(name=gql.NameNode(value=k), value=v) for k, v in values.items() if v is not None]
    return gql.ObjectValueNode(fields=tuple(kept + added))


def _screening_answers(node: gql.ListValueNode) -> gql.ListValueNode:
    """GraphQL's codes are strings: each made a real code (an unknown one is rightly a 400), each listed once."""
    by_code: dict[str, gql.ObjectValueNode] = {}
    for item in node.values:
        if not isinstance(item, gql.ObjectValueNode):
            return node
        code = _fields(item).get("code")
        if isinstance(code, gql.StringValueNode):
            real = (
                code.value
                if code.value in SCREENING_CODES
                else SCREENING_CODES[zlib.crc32(code.value.encode()) % len(SCREENING_CODES)]
            )
            item = _replace(item, code=gql.StringValueNode(value=real))
            by_code.setdefault(real, item)
    return gql.ListValueNode(values=tuple(by_code.values()))


def _consistent_input(node: gql.ObjectValueNode) -> gql.ObjectValueNode:
    """An assessment's or a program's GraphQL input with the agreements of `_consistent_answers`."""
    fields = _fields(node)
    conditions = fields.get("conditions")
    if not isinstance(conditions, gql.ListValueNode):
        conditions = None
    if "assessmentId" in fields:  # a program's: conditions that would ask for screening again are left out
        if conditions is None:
            return node
        kept = [
            v for v in conditions.values if not (isinstance(v, gql.EnumValueNode) and v.value in SCREENED_CONDITIONS)
        ]
        return _replace(node, conditions=gql.ListValueNode(values=tuple(kept)))
    flags = fields.get("redFlags")
    answers = {
        _snake(name): value.value
        for name, value in (_fields(flags).items() if isinstance(flags, gql.ObjectValueNode) else [])
        if isinstance(value, gql.BooleanValueNode)
    }
    screening = fields.get("screening")
    if isinstance(screening, gql.ListValueNode):
        items = []
        for item in screening.values:
            code = _fields(item).get("code") if isinstance(item, gql.ObjectValueNode) else None
            if isinstance(item, gql.ObjectValueNode) and isinstance(code, gql.StringValueNode):
                if code.value in answers:
                    item = _replace(item, answer=gql.BooleanValueNode(value=answers[code.value]))
                answer = _fields(item).get("answer")
                if isinstance(answer, gql.BooleanValueNode):
                    answers.setdefault(code.value, answer.value)
            items.append(item)
        node = _replace(node, screening=gql.ListValueNode(values=tuple(items)))
    pregnancy = fields.get("pregnancy")
    not_pregnant = isinstance(pregnancy, gql.ObjectValueNode) and any(
        isinstance(v, gql.BooleanValueNode) and not v.value for k, v in _fields(pregnancy).items() if k == "pregnant"
    )
    if conditions is not None:
        implied = ASSESSMENT_RULES.screening.condition_answers
        kept = [
            v
            for v in conditions.values
            if not isinstance(v, gql.EnumValueNode)
            or (answers.get(implied.get(v.value, "")) is not False and not (v.value == "pregnancy" and not_pregnant))
        ]
        node = _replace(node, conditions=gql.ListValueNode(values=tuple(kept)))
    return node


def _consistent_part(name: str, node: gql.ObjectValueNode) -> gql.ObjectValueNode:
    """One part of an assessment's GraphQL input made self-consistent, as `_consistent_answers` does."""
    fields = _fields(node)
    if name == "movementScreen":
        squat = fields.get("overheadSquat")
        codes = [v.value for v in squat.values] if isinstance(squat, gql.ListValueNode) else []  # type: ignore[attr-defined]
        if "weightShiftTo" in fields and "asymmetric_weight_shift" not in codes:
            return _replace(node, weightShiftTo=None)
    if name == "pregnancy":
        weeks, trimester = fields.get("weeks"), fields.get("trimester")
        if isinstance(weeks, gql.IntValueNode) and isinstance(trimester, gql.IntValueNode):
            return _replace(node, trimester=gql.IntValueNode(value=str(_trimester(int(weeks.value)))))
    if name == "clearance":
        day = fields.get("date")
        if isinstance(day, gql.StringValueNode) and day.value > _today().isoformat():
            return _replace(node, date=gql.StringValueNode(value=(_today() - timedelta(days=1)).isoformat()))
    return node


def _numeric_ranges() -> dict[str, tuple[float, float]]:
    """camelCase input field → (min, max), read from the REST body's own constraints; a per-side test (an object
    of `left`/`right`) is keyed by its own field name. Two fields of one name (a program's `weeks`, a pregnancy's)
    share the range both accept."""
    bounds = numeric_bounds(AssessmentInput)
    ranges: dict[str, tuple[float, float]] = {}

    def add(name: str, low: float, high: float) -> None:
        known_low, known_high = ranges.get(name, (low, high))
        ranges[name] = (max(low, known_low), min(high, known_high))

    for name, (low, high) in numeric_bounds(ProgramRequest)["ProgramRequest"].items():
        if low is not None and high is not None:
            add(_camel(name), low, high)
    for fields in bounds.values():
        for name, (low, high) in fields.items():
            if low is not None and high is not None and name not in {"left", "right"}:
                add(_camel(name), low, high)
    for field in msgspec.inspect.type_info(FieldTests).fields:  # type: ignore[union-attr]
        for member in getattr(field.type, "types", (field.type,)):
            while isinstance(member, msgspec.inspect.Metadata):  # a described per-side test: its struct is inside
                member = member.type
            sides = bounds.get(getattr(member, "cls", type(None)).__name__, {})
            low, high = sides.get("left", (None, None))
            if low is not None and high is not None:
                ranges[_camel(field.name)] = (low, high)
    return ranges


RANGES = _numeric_ranges()


class _DomainValidArguments(gql.Visitor):
    """Folds numbers into their documented ranges, drops generated `after` cursors, lists each code once, gives
    every idempotency key to one request, makes `subjectRef` a plain reference (no email, no control characters) and
    a `pattern` filter a pattern's slug (no control characters either),
    generates programs from the caller's assessment and catalogue exercises, and asks stats for a range that ends
    after it starts: the documented rules a GraphQL schema cannot state."""

    def __init__(self, assessment_id: str, follow_up: FollowUp) -> None:
        super().__init__()
        self.side_range: tuple[float, float] | None = None
        self.assessment_id = assessment_id
        self.follow_up = follow_up

    def enter_object_field(self, node: gql.ObjectFieldNode, *_: Any) -> Any:
        if node.name.value in RANGES and isinstance(node.value, gql.ObjectValueNode):
            self.side_range = RANGES[node.name.value]  # left/right of a per-side test share its range
        return None

    def leave_object_field(self, node: gql.ObjectFieldNode, *_: Any) -> Any:
        name = node.name.value
        if name == "screening" and isinstance(node.value, gql.ListValueNode):
            return gql.ObjectFieldNode(name=node.name, value=_screening_answers(node.value))
        if name in {"movementScreen", "pregnancy", "clearance"} and isinstance(node.value, gql.ObjectValueNode):
            return gql.ObjectFieldNode(name=node.name, value=_consistent_part(name, node.value))
        if name == "subjectRef" and isinstance(node.value, gql.StringValueNode):
            return gql.ObjectFieldNode(name=node.name, value=gql.StringValueNode(value="subject-1"))
        if name == "pattern" and isinstance(node.value, gql.StringValueNode):  # AssessmentFilter's
            return gql.ObjectFieldNode(name=node.name, value=gql.StringValueNode(value="lower_crossed_syndrome"))
        if name == "assessmentId":  # only ProgramInput has it as an input field
            return gql.ObjectFieldNode(name=node.name, value=gql.StringValueNode(value=self.assessment_id))
        if name == "previousAssessmentId" and not isinstance(node.value, gql.NullValueNode):  # a reassessment's
            return gql.ObjectFieldNode(name=node.name, value=gql.StringValueNode(value=self.assessment_id))
        if name in {"excludeExercises", "exercises"} and isinstance(node.value, gql.ListValueNode):
            slugs = _real_exercises([gql.print_ast(v) for v in node.value.values])
            return gql.ObjectFieldNode(
                name=node.name, value=gql.ListValueNode(values=tuple(gql.StringValueNode(value=s) for s in slugs))
            )
        bounds = self.side_range if name in {"left", "right"} else RANGES.get(name)
        if bounds and isinstance(node.value, gql.IntValueNode | gql.FloatValueNode):
            low, high = bounds
            value = min(max(float(node.value.value), low), high)
            literal = (
                gql.IntValueNode(value=str(int(value)))
                if isinstance(node.value, gql.IntValueNode)
                else (gql.FloatValueNode(value=repr(value)))
            )
            return gql.ObjectFieldNode(name=node.name, value=literal)
        return None

    def leave_object_value(self, node: gql.ObjectValueNode, *_: Any) -> Any:
        # A program's strength days: 2 to 4 of them, as many as `sessionsPerWeek` when both are given.
        fields = {f.name.value: f.value for f in node.fields}
        days = fields.get("days")
        if not isinstance(days, gql.ListValueNode):
            return None
        chosen = tuple({gql.print_ast(v): v for v in days.values}.values())[:4]
        if len(chosen) < 2:
            chosen = (gql.EnumValueNode(value="mon"), gql.EnumValueNode(value="thu"))
        spw = fields.get("sessionsPerWeek")
        count = gql.IntValueNode(value=str(len(chosen))) if isinstance(spw, gql.IntValueNode) else spw
        return _replace(node, days=gql.ListValueNode(values=chosen), sessionsPerWeek=count)

    def leave_list_value(self, node: gql.ListValueNode, *_: Any) -> Any:
        # Codes and regions are listed once each (uniqueItems in the REST body; GraphQL cannot say it).
        if node.values and all(isinstance(v, gql.EnumValueNode) for v in node.values):
            unique = list({v.value: v for v in node.values}.values())  # type: ignore[attr-defined]
            return gql.ListValueNode(values=tuple(unique))
        return None

    def leave_field(self, node: gql.FieldNode, *_: Any) -> Any:
        if node.name.value == "stats":
            return _valid_stats_range(node)
        if node.name.value in FOLLOW_UP_MUTATIONS:
            return valid_follow_up(node, self.follow_up)
        return None

    def leave_argument(self, node: gql.ArgumentNode, *_: Any) -> Any:
        if node.name.value == "input" and isinstance(node.value, gql.ObjectValueNode):
            return gql.ArgumentNode(name=node.name, value=_consistent_input(node.value))
        if node.name.value == "after":
            return gql.REMOVE
        if node.name.value == "limit" and isinstance(node.value, gql.IntValueNode):  # the stats lists: 1..100
            limit = abs(int(node.value.value)) % STATS_MAX_LIMIT + 1
            return gql.ArgumentNode(name=node.name, value=gql.IntValueNode(value=str(limit)))
        if node.name.value == "subjectRef" and isinstance(node.value, gql.StringValueNode):
            return gql.ArgumentNode(name=node.name, value=gql.StringValueNode(value="subject-1"))
        if node.name.value == "idempotencyKey" and isinstance(node.value, gql.StringValueNode):
            fresh = gql.StringValueNode(value=f"schemathesis-{uuid.uuid4()}")
            return gql.ArgumentNode(name=node.name, value=fresh)
        if node.name.value == "first" and isinstance(node.value, gql.IntValueNode):
            first = abs(int(node.value.value)) % MAX_LIMIT + 1
            return gql.ArgumentNode(name=node.name, value=gql.IntValueNode(value=str(first)))
        return None


STATS_MAX_LIMIT = 100
STATS_MAX_DAYS = 999  # under stats' 1,000 buckets whatever the bucket size


def _valid_stats_range(node: gql.FieldNode) -> gql.FieldNode:
    """`stats(from, to)` needs `to` after `from`, within the bucket limit: moved into (from, from + 999 days]."""
    arguments = {a.name.value: a for a in node.arguments}
    start, end = arguments.get("from"), arguments.get("to")
    if not (
        start and end and isinstance(start.value, gql.StringValueNode) and isinstance(end.value, gql.StringValueNode)
    ):
        return node
    try:
        first, last = date.fromisoformat(start.value.value), date.fromisoformat(end.value.value)
    except ValueError:
        return node
    first = min(first, date(9000, 1, 1))
    last = min(max(last, first + timedelta(days=1)), first + timedelta(days=STATS_MAX_DAYS))
    dates = {"from": first, "to": last}
    fixed = tuple(
        gql.ArgumentNode(name=a.name, value=gql.StringValueNode(value=dates[a.name.value].isoformat()))
        if a.name.value in dates
        else a
        for a in node.arguments
    )
    return gql.FieldNode(
        alias=node.alias, name=node.name, arguments=fixed, directives=node.directives, selection_set=node.selection_set
    )


def _use_valid_arguments(case: schemathesis.Case, assessment_id: str, follow_up: FollowUp) -> None:
    if _is_positive(case) and isinstance(case.body, str):
        case.body = gql.print_ast(gql.visit(gql.parse(case.body), _DomainValidArguments(assessment_id, follow_up)))


def _credentials(case: schemathesis.Case, key: str) -> dict[str, str]:
    """The key, unless this case is about headers being wrong or missing (Schemathesis drops Authorization)."""
    headers = case.meta.components.get(ParameterLocation.HEADER) if case.meta else None
    return {} if headers is not None and headers.mode.is_negative else {"Authorization": f"Bearer {key}"}


@pytest.fixture(scope="session")
def production_server(settings: Settings) -> Iterator[str]:
    """The service as `make serve` runs it: `python -m service serve` with two worker processes (issue 12 asks for
    Schemathesis against the live multi-worker server); limits high enough for Schemathesis' bursts."""
    env = {"REALIGN_RATE_LIMIT": settings.rate_limit, "REALIGN_ANONYMOUS_RATE_LIMIT": settings.anonymous_rate_limit}
    with server_process(["service", "serve", "--workers", "2"], settings, env) as base:
        yield base


@pytest.fixture(scope="session")
def desk_worker_assessment(production_server: str, full_access_key: str) -> str:
    """An assessment of the key's client, for the programs generated from it and the reassessments that name it
    (without a subject reference, so that a generated one never names another person)."""
    response = requests.post(
        f"{production_server}/v1/assessments",
        json={**DESK_WORKER, "subject_ref": None},
        headers={"Authorization": f"Bearer {full_access_key}"},
        timeout=10,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


@pytest.fixture(scope="session")
def follow_up_records(production_server: str, full_access_key: str) -> FollowUp:
    """A program of the key's client that began two weeks ago, a check-in of it and its assessment: what the
    check-in and outcome mutations' positive cases are recorded against."""
    auth = {"Authorization": f"Bearer {full_access_key}"}
    assessment = requests.post(f"{production_server}/v1/assessments", json=DESK_WORKER, headers=auth, timeout=10)
    assert assessment.status_code == 201, assessment.text
    starts_on = (_today() - timedelta(days=14)).isoformat()
    request = {"assessment_id": assessment.json()["id"], "starts_on": starts_on}
    program = requests.post(f"{production_server}/v1/programs", json=request, headers=auth, timeout=30)
    assert program.status_code == 201, program.text
    day = (_today() - timedelta(days=1)).isoformat()
    check_in = {"date": day, "kind": "routine", "pain_before": 2, "pain_during": 2, "pain_after": 2}
    url = f"{production_server}/v1/programs/{program.json()['id']}/check-ins"
    recorded = requests.post(url, json=check_in, headers=auth, timeout=30)
    assert recorded.status_code == 201, recorded.text
    return FollowUp(program.json()["id"], recorded.json()["id"], assessment.json()["id"])


@rest.parametrize()
def test_rest_api_honours_its_contract(
    case: schemathesis.Case, production_server: str, full_access_key: str, desk_worker_assessment: str
) -> None:
    _use_a_real_cursor(case, production_server, full_access_key)
    _use_a_fresh_idempotency_key(case)
    _use_a_real_assessment(case, desk_worker_assessment)
    _use_consistent_answers(case)
    case.call_and_validate(base_url=production_server, headers=_credentials(case, full_access_key))


@graphql.parametrize()
def test_graphql_api_honours_its_schema(
    case: schemathesis.Case,
    production_server: str,
    full_access_key: str,
    desk_worker_assessment: str,
    follow_up_records: FollowUp,
) -> None:
    _use_valid_arguments(case, desk_worker_assessment, follow_up_records)
    case.call_and_validate(
        base_url=f"{production_server}/graphql", headers={"Authorization": f"Bearer {full_access_key}"}
    )
