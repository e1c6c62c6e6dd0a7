"""Issue 17: clients generated from the committed contracts build with no warning and work first time.

Three clients, made with the tools integrators use from openapi/openapi.json and openapi/schema.graphql as
committed: Python (openapi-python-client), TypeScript (openapi-typescript + openapi-fetch, `tsc --strict`) and typed
GraphQL in Python (ariadne-codegen). Each runs the same flow against the live test server (flow_*.py, ts/flow.ts):
a filtered catalogue page, a full sync by cursor, a conditional GET (REST), an assessment created with an
idempotency key and replayed, a program generated, read and listed, and both erased. The flows report what they saw;
the checks are here, against what the API answers to plain HTTP.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import httpx
import pytest

from devkit.personas import DESK_WORKER
from tests.clients.conftest import HERE, run
from tests.conftest import PROJECT_ROOT

CONTRACTS = PROJECT_ROOT / "openapi"
SYNC_PAGE = 50  # the flows sync the catalogue 50 at a time: several pages
FILTER = {"muscle": "gluteus_maximus", "available_equipment": "bodyweight", "limit": "5"}  # as the flows filter


def no_warnings(output: str, quiet_lines: tuple[str, ...] = ()) -> None:
    """A generator's output holds nothing but its progress lines: any warning (or error) fails."""
    said = [line for line in output.splitlines() if line.strip() and not line.startswith(quiet_lines)]
    assert not [line for line in said if "warn" in line.lower() or "error" in line.lower() or "⚠" in line], output


@pytest.fixture(scope="module")
def expected(live_server: str) -> dict[str, Any]:
    """What plain HTTP answers: the filtered page and every exercise slug, in the API's order."""
    with httpx.Client(base_url=live_server) as http:
        filtered = [e["slug"] for e in http.get("/v1/exercises", params=FILTER).raise_for_status().json()["items"]]
        slugs: list[str] = []
        params: dict[str, Any] = {"limit": SYNC_PAGE}
        while True:
            page = http.get("/v1/exercises", params=params).raise_for_status().json()
            slugs += [e["slug"] for e in page["items"]]
            if page["next_cursor"] is None:
                break
            params["cursor"] = page["next_cursor"]
    assert filtered and len(slugs) == len(set(slugs)) > SYNC_PAGE  # more than one page
    return {"filtered": filtered, "slugs": slugs}


@pytest.fixture(scope="module")
def assessment_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The desk worker as a REST body: every question that applies is answered, so a program can be made."""
    path = tmp_path_factory.mktemp("flow") / "assessment.json"
    path.write_text(json.dumps(DESK_WORKER))
    return path


def type_check(python_tools: Path, flow: Path, generated: Path) -> None:
    """mypy --strict over a flow with the generated client's types: a lost type (a filter typed `list[str]`, a key
    demanded where the API needs none) is an error here before it is a surprise at run time."""
    command = [python_tools / "mypy", "--config-file", HERE / "mypy-flows.ini", "--cache-dir", generated / ".mypy"]
    run([*command, flow], MYPYPATH=str(generated))


def flow_output(output: str) -> dict[str, Any]:
    seen: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    return seen


def check_rest_flow(seen: dict[str, Any], expected: dict[str, Any]) -> None:
    assert seen["filtered"] == expected["filtered"]
    assert seen["synced"] == expected["slugs"]
    conditional = seen["conditional"]
    assert conditional["etag"] and conditional["status"] == 304 and conditional["body"] == ""
    assessment = seen["assessment"]
    assert assessment["statuses"] == [201, 201] and assessment["replayed_header"] == "true"
    assert len(set(assessment["ids"])) == 1 and assessment["status"] == "ok"
    program = seen["program"]
    assert program["status"] == 201 and program["read_id"] == program["id"] and program["weeks"] == 4
    assert program["listed"] == [program["id"]]
    assert seen["erased"]["statuses"] == [204, 204] and seen["erased"]["then"] == 404


def test_python_client(
    python_tools: Path,
    live_server: str,
    full_access_key: str,
    expected: dict[str, Any],
    assessment_file: Path,
    tmp_path: Path,
) -> None:
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"package_name_override": "realign_client", "project_name_override": "realign"}))
    output = run(
        [
            python_tools / "openapi-python-client",
            "generate",
            "--path",
            CONTRACTS / "openapi.json",
            "--config",
            config,
            "--meta",
            "none",
            "--output-path",
            tmp_path / "realign_client",
        ],
        PATH=f"{python_tools}:{os.environ['PATH']}",  # its post-generation hooks run ruff
    )
    no_warnings(output, quiet_lines=("Generating",))
    type_check(python_tools, HERE / "flow_openapi_python.py", tmp_path)
    flow = [python_tools / "python", HERE / "flow_openapi_python.py", live_server, full_access_key, assessment_file]
    seen = flow_output(run(flow, PYTHONPATH=str(tmp_path), timeout=120))
    check_rest_flow(seen, expected)
    assert seen["changed_since_2000"] == expected["slugs"][:SYNC_PAGE]  # every exercise changed since 2000


def test_typescript_client(
    node_tools: Path, live_server: str, full_access_key: str, expected: dict[str, Any], assessment_file: Path
) -> None:
    for source in ("flow.ts", "tsconfig.json"):
        shutil.copy(HERE / "ts" / source, node_tools)
    shutil.rmtree(node_tools / "dist", ignore_errors=True)
    bin_ = node_tools / "node_modules" / ".bin"
    # --default-non-nullable=false: by default openapi-typescript makes a property with a default required, in request
    # bodies too (a program request would have to send `weeks` and `session_minutes`).
    generate = [
        bin_ / "openapi-typescript",
        CONTRACTS / "openapi.json",
        "-o",
        "schema.d.ts",
        "--default-non-nullable=false",
    ]
    no_warnings(run(generate, cwd=node_tools), quiet_lines=("✨", "🚀"))
    compiled = run([bin_ / "tsc", "--strict", "-p", "tsconfig.json"], cwd=node_tools)
    assert compiled.strip() == ""  # tsc says nothing when the program type-checks
    flow = ["node", node_tools / "dist" / "flow.js", live_server, full_access_key, assessment_file]
    seen = flow_output(run(flow, cwd=node_tools, timeout=120))
    check_rest_flow(seen, expected)
    assert seen["erased"]["problem_status"] == 404  # the 404 parsed as the contract's Problem


def test_graphql_client(
    python_tools: Path,
    live_server: str,
    full_access_key: str,
    expected: dict[str, Any],
    assessment_file: Path,
    tmp_path: Path,
) -> None:
    config = tmp_path / "pyproject.toml"
    config.write_text(
        "[tool.ariadne-codegen]\n"
        f'schema_path = "{CONTRACTS / "schema.graphql"}"\n'
        f'queries_path = "{HERE / "queries.graphql"}"\n'
        'target_package_name = "realign_graphql"\n'
        f'target_package_path = "{tmp_path}"\n'
        '[tool.ariadne-codegen.scalars.DateTime]\ntype = "datetime.datetime"\n'
        '[tool.ariadne-codegen.scalars.Date]\ntype = "datetime.date"\n'
    )
    no_warnings(run([python_tools / "ariadne-codegen", "--config", config]))
    type_check(python_tools, HERE / "flow_graphql_python.py", tmp_path)
    flow = [python_tools / "python", HERE / "flow_graphql_python.py", live_server, full_access_key, assessment_file]
    seen = flow_output(run(flow, PYTHONPATH=str(tmp_path), timeout=120))
    assert seen["filtered"] == expected["filtered"]
    assert seen["synced"] == expected["slugs"]
    assert len(set(seen["assessment"]["ids"])) == 1 and seen["assessment"]["status"] == "ok"
    program = seen["program"]
    assert program["read_id"] == program["id"] and program["weeks"] == 4 and program["listed"] == [program["id"]]
    assert seen["erased"] == {"results": [True, True], "then": None}
