"""Schemathesis against the API's contracts, over real HTTP and real PostgreSQL.

The committed documents drive the generation (a sibling test proves they are what the app serves). Every default
check runs, on positive and negative data; SCHEMATHESIS_MAX_EXAMPLES sets the examples per operation (100 by
default, as in CI). Calls are authenticated with a key holding every scope; Schemathesis also tries each secured
operation without it.

Some rules cannot be described by a schema: a cursor is valid only when the API returned it, an Idempotency-Key
names one request (reusing it with another body is rightly a 422), a program's `assessment_id` must be one of the
caller's assessments and its `exclude_exercises` exercises of the catalogue (imports included, so no enum), and
GraphQL cannot state numeric ranges (`first` in 1..500, the assessment's measurements, a program's weeks) or that
`subjectRef` is no email. For positive cases only, those generated values are replaced by valid ones (a cursor
fetched for the same query, a fresh key, the desk worker's assessment, catalogue exercises, numbers folded into the
ranges the REST bodies declare, a plain subject reference), so "schema-valid data is accepted" is checked against
what the API documents. Negative cases keep whatever was generated; the integration tests assert the rejections.
"""

from __future__ import annotations

import os
import re
import uuid
import zlib
from collections.abc import Iterator
from datetime import date, timedelta
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
from service.assessments.schemas import AssessmentInput, FieldTests
from service.catalog.records import load_catalog
from service.lib.pagination import MAX_LIMIT
from service.programs.schemas import ProgramRequest
from service.settings import Settings
from service.web.openapi_document import numeric_bounds
from tests.conftest import server_process

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


def _use_a_real_assessment(case: schemathesis.Case, assessment_id: str) -> None:
    """A program is generated from one of the caller's assessments; any other id is rightly a 422."""
    if _is_positive(case) and case.method == "POST" and case.path == "/v1/programs" and isinstance(case.body, dict):
        case.body["assessment_id"] = assessment_id
        if isinstance(case.body.get("exclude_exercises"), list):
            case.body["exclude_exercises"] = _real_exercises(case.body["exclude_exercises"])


def _camel(name: str) -> str:
    return re.sub(r"_(\w)", lambda m: m.group(1).upper(), name)


def _numeric_ranges() -> dict[str, tuple[float, float]]:
    """camelCase input field → (min, max), read from the REST body's own constraints; a per-side test (an object
    of `left`/`right`) is keyed by its own field name."""
    bounds = numeric_bounds(AssessmentInput)
    ranges: dict[str, tuple[float, float]] = {}
    for name, (low, high) in numeric_bounds(ProgramRequest)["ProgramRequest"].items():
        if low is not None and high is not None:
            ranges[_camel(name)] = (low, high)
    for fields in bounds.values():
        for name, (low, high) in fields.items():
            if low is not None and high is not None and name not in {"left", "right"}:
                ranges[_camel(name)] = (low, high)
    for field in msgspec.inspect.type_info(FieldTests).fields:  # type: ignore[union-attr]
        for member in getattr(field.type, "types", (field.type,)):
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

    def __init__(self, assessment_id: str) -> None:
        super().__init__()
        self.side_range: tuple[float, float] | None = None
        self.assessment_id = assessment_id

    def enter_object_field(self, node: gql.ObjectFieldNode, *_: Any) -> Any:
        if node.name.value in RANGES and isinstance(node.value, gql.ObjectValueNode):
            self.side_range = RANGES[node.name.value]  # left/right of a per-side test share its range
        return None

    def leave_object_field(self, node: gql.ObjectFieldNode, *_: Any) -> Any:
        name = node.name.value
        if name == "subjectRef" and isinstance(node.value, gql.StringValueNode):
            return gql.ObjectFieldNode(name=node.name, value=gql.StringValueNode(value="subject-1"))
        if name == "pattern" and isinstance(node.value, gql.StringValueNode):  # AssessmentFilter's
            return gql.ObjectFieldNode(name=node.name, value=gql.StringValueNode(value="lower_crossed_syndrome"))
        if name == "assessmentId":  # only ProgramInput has it as an input field
            return gql.ObjectFieldNode(name=node.name, value=gql.StringValueNode(value=self.assessment_id))
        if name == "excludeExercises" and isinstance(node.value, gql.ListValueNode):
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

    def leave_list_value(self, node: gql.ListValueNode, *_: Any) -> Any:
        # Codes and regions are listed once each (uniqueItems in the REST body; GraphQL cannot say it).
        if node.values and all(isinstance(v, gql.EnumValueNode) for v in node.values):
            unique = list({v.value: v for v in node.values}.values())  # type: ignore[attr-defined]
            return gql.ListValueNode(values=tuple(unique))
        return None

    def leave_field(self, node: gql.FieldNode, *_: Any) -> Any:
        if node.name.value == "stats":
            return _valid_stats_range(node)
        return None

    def leave_argument(self, node: gql.ArgumentNode, *_: Any) -> Any:
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


def _use_valid_arguments(case: schemathesis.Case, assessment_id: str) -> None:
    if _is_positive(case) and isinstance(case.body, str):
        case.body = gql.print_ast(gql.visit(gql.parse(case.body), _DomainValidArguments(assessment_id)))


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
    """An assessment of the key's client, for the programs generated from it."""
    response = requests.post(
        f"{production_server}/v1/assessments",
        json=DESK_WORKER,
        headers={"Authorization": f"Bearer {full_access_key}"},
        timeout=10,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


@rest.parametrize()
def test_rest_api_honours_its_contract(
    case: schemathesis.Case, production_server: str, full_access_key: str, desk_worker_assessment: str
) -> None:
    _use_a_real_cursor(case, production_server, full_access_key)
    _use_a_fresh_idempotency_key(case)
    _use_a_real_assessment(case, desk_worker_assessment)
    case.call_and_validate(base_url=production_server, headers=_credentials(case, full_access_key))


@graphql.parametrize()
def test_graphql_api_honours_its_schema(
    case: schemathesis.Case, production_server: str, full_access_key: str, desk_worker_assessment: str
) -> None:
    _use_valid_arguments(case, desk_worker_assessment)
    case.call_and_validate(
        base_url=f"{production_server}/graphql", headers={"Authorization": f"Bearer {full_access_key}"}
    )
