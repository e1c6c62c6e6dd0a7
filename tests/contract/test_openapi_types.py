"""Issue 17, finding 6: the committed OpenAPI document keeps its types through client generation.

Generators (openapi-python-client, openapi-typescript) make one type per inline enum, read a parameter's type from
the `oneOf` branch and drop the keywords beside it, and read any security requirement as a required key.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from service.catalog.records import load_catalog
from service.catalog.vocabulary import Vocabulary

DOCUMENT = json.loads((Path(__file__).resolve().parents[2] / "openapi" / "openapi.json").read_text())
SCHEMAS = DOCUMENT["components"]["schemas"]


def _walk(node: Any, path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from _walk(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, f"{path}/{index}")


def _operations() -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, methods in DOCUMENT["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def _parameter(operation_id: str, name: str) -> dict[str, Any]:
    operation = next(op for _, _, op in _operations() if op["operationId"] == operation_id)
    return next(p for p in operation.get("parameters", []) if p["name"] == name)


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def test_every_enum_is_one_named_component() -> None:
    """An inline enum becomes a new type in every generated client; the same values twice become two types."""
    inline = [path for path, node in _walk(DOCUMENT) if "enum" in node and path.count("/") != 3]
    assert inline == []
    value_sets = [frozenset(schema["enum"]) for schema in SCHEMAS.values() if "enum" in schema]
    assert len(value_sets) == len(set(value_sets)), "two components list the same values"


def test_catalogue_slugs_are_shared_components() -> None:
    vocabulary = Vocabulary.from_catalog(load_catalog())
    expected = {
        "MuscleSlug": vocabulary.muscles,
        "EquipmentSlug": vocabulary.equipment,
        "ConditionSlug": vocabulary.conditions,
        "TenderSpotSlug": vocabulary.tender_spots,
    }
    for name, values in expected.items():
        assert SCHEMAS[name] == {**SCHEMAS[name], "type": "string", "enum": list(values)}
    assert _parameter("listExercises", "muscle")["schema"] == _ref("MuscleSlug")
    input_ = SCHEMAS["AssessmentInput"]["properties"]
    assert _ref("TenderSpotSlug") in [b.get("items") for b in input_["tender_spots"]["oneOf"]]
    assert _ref("ConditionSlug") in [b.get("items") for b in input_["conditions"]["oneOf"]]
    program = SCHEMAS["ProgramRequest"]["properties"]
    assert _ref("EquipmentSlug") in [b.get("items") for b in program["available_equipment"]["oneOf"]]
    assert program["conditions"]["items"] == _ref("ConditionSlug")
    assert SCHEMAS["Restrictions"]["properties"]["conditions"]["items"] == _ref("ConditionSlug")


def test_array_query_parameters_type_their_items() -> None:
    """`equipment` was `oneOf: [array of string, null]` with the enum beside it: generated as `list[str]`."""
    for name, items in (
        ("equipment", "EquipmentSlug"),
        ("available_equipment", "EquipmentSlug"),
        ("exclude_condition", "ConditionSlug"),
    ):
        schema = _parameter("listExercises", name)["schema"]
        assert schema["type"] == "array" and schema["items"] == _ref(items), name
    assert _parameter("getScreening", "regions")["schema"]["items"] == _ref("PainRegion")


def test_parameters_carry_their_type_on_the_schema_itself() -> None:
    """Generators read a parameter's type from the `oneOf` branch and drop what sits beside it (`items`, `format`,
    `enum`, `pattern`). A string or a list is never null: `?q=null` searches for "null"."""
    beside = [
        (op["operationId"], p["name"], sorted(set(p["schema"]) - {"oneOf", "description", "examples", "default"}))
        for _, _, op in _operations()
        for p in op.get("parameters", [])
        if "oneOf" in p["schema"]
    ]
    assert [b for b in beside if b[2]] == []
    nullable_strings = [
        (operation_id, name)
        for operation_id, name, _ in beside
        if {"type": "string"} in _parameter(operation_id, name)["schema"]["oneOf"]
        or any(b.get("type") == "array" for b in _parameter(operation_id, name)["schema"]["oneOf"])
    ]
    assert nullable_strings == []


def test_instants_are_date_times() -> None:
    date_time = {"type": "string", "format": "date-time"}
    for operation_id, name in (
        ("listExercises", "updated_since"),
        ("listAssessments", "created_after"),
        ("listAssessments", "created_before"),
    ):
        schema = _parameter(operation_id, name)["schema"]
        assert {k: schema.get(k) for k in date_time} == date_time, name


def test_path_ids_are_uuids_as_in_the_bodies() -> None:
    ids = [
        (path, p["schema"])
        for path, _, op in _operations()
        for p in op.get("parameters", [])
        if p["in"] == "path" and p["name"].endswith("_id")
    ]
    assert len(ids) == 21  # assessments, programs, their check-ins, revisions, progress and outcome measures
    assert all(schema.get("type") == "string" and schema.get("format") == "uuid" for _, schema in ids), ids
    assert SCHEMAS["Program"]["properties"]["assessment_id"]["format"] == "uuid"


def test_public_catalogue_needs_no_key_and_the_rest_do() -> None:
    """`security: [{}, {apiKey: []}]` is read as a required key by openapi-python-client (AuthenticatedClient)."""
    assert "security" not in DOCUMENT
    for path, method, operation in _operations():
        if "catalogue" in operation["tags"] or path == "/v1/screening":
            assert operation.get("security", []) == [], (method, path)
        else:
            assert operation["security"] == [{"apiKey": []}], (method, path)


def test_a_shared_enum_keeps_the_parameters_default() -> None:
    """`view` defaults to `flat`: with the enum a component, the default stays on the parameter (openapi-python-client
    reads it beside `allOf` with the reference)."""
    assert _parameter("listMuscles", "view")["schema"] == {"allOf": [_ref("MuscleView")], "default": "flat"}
