"""Schemathesis against the API's contracts, over real HTTP and real PostgreSQL.

The committed documents drive the generation (a sibling test proves they are what the app serves). Every default
check runs, on positive and negative data; SCHEMATHESIS_MAX_EXAMPLES sets the examples per operation (100 by
default, as in CI). Calls are authenticated with a key holding every scope; Schemathesis also tries each secured
operation without it.

Two values cannot be described by a schema: a cursor is valid only when the API returned it, and GraphQL has no
way to state that `first` lies in 1..500. For positive cases only, generated values of those two are replaced by
valid ones (a cursor fetched for the same query; `first` folded into range), so "schema-valid data is accepted" is
checked against what the API documents. Negative cases keep whatever was generated; the rejection of foreign
cursors and out-of-range pages is asserted in the integration tests.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import graphql as gql
import requests
import schemathesis
from schemathesis.generation import GenerationMode

from service.pagination import MAX_LIMIT

CONTRACTS = Path(__file__).resolve().parents[2] / "openapi"
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "100"))
BOTH_MODES = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]

rest = schemathesis.openapi.from_path(CONTRACTS / "openapi.json")
rest.config.generation.update(modes=BOTH_MODES, max_examples=MAX_EXAMPLES, deterministic=True)
graphql = schemathesis.graphql.from_path(CONTRACTS / "schema.graphql")
graphql.config.generation.update(modes=BOTH_MODES, max_examples=MAX_EXAMPLES, deterministic=True)


def _is_positive(case: schemathesis.Case) -> bool:
    return case.meta is not None and case.meta.generation.mode.is_positive


def _use_a_real_cursor(case: schemathesis.Case, base_url: str) -> None:
    if not (_is_positive(case) and case.query and "cursor" in case.query):
        return
    params = {k: v for k, v in case.query.items() if k not in {"cursor", "limit"}}
    first_page = requests.get(base_url + case.path, params={**params, "limit": 1}, timeout=10)
    next_cursor = first_page.json().get("next_cursor") if first_page.ok else None
    if next_cursor:
        case.query["cursor"] = next_cursor
    else:
        del case.query["cursor"]


class _PagingArguments(gql.Visitor):
    """Folds `first` into 1..MAX_LIMIT and drops generated `after` cursors."""

    def leave_argument(self, node: gql.ArgumentNode, *_: Any) -> Any:
        if node.name.value == "after":
            return gql.REMOVE
        if node.name.value == "first" and isinstance(node.value, gql.IntValueNode):
            first = abs(int(node.value.value)) % MAX_LIMIT + 1
            return gql.ArgumentNode(name=node.name, value=gql.IntValueNode(value=str(first)))
        return None


def _use_valid_paging(case: schemathesis.Case) -> None:
    if _is_positive(case) and isinstance(case.body, str):
        case.body = gql.print_ast(gql.visit(gql.parse(case.body), _PagingArguments()))


@rest.parametrize()
def test_rest_api_honours_its_contract(case: schemathesis.Case, live_server: str, full_access_key: str) -> None:
    _use_a_real_cursor(case, live_server)
    case.call_and_validate(base_url=live_server, headers={"Authorization": f"Bearer {full_access_key}"})


@graphql.parametrize()
def test_graphql_api_honours_its_schema(case: schemathesis.Case, live_server: str, full_access_key: str) -> None:
    _use_valid_paging(case)
    case.call_and_validate(base_url=f"{live_server}/graphql", headers={"Authorization": f"Bearer {full_access_key}"})
