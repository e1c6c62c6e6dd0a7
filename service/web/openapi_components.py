"""Each component schema described by its own type's docstring (#17 item 8).

Litestar copies the description of the first field that refers to a struct or an enum onto the component itself
(`SchemaCreator.process_schema_result` applies the field's metadata to the schema it registers): `Dose` read "The
usual prescription; programs adapt it to the person." and `ProgramDose` a stale field text. Which field comes first
depends on the order routes are visited, which varies with the hash seed: the same code gave `AssessmentInput` a
description in one process and none in the next, and the committed document went stale at random. So every
component's description is set here from the docstring of the class it is named after, or removed without one."""

from __future__ import annotations

import inspect
import sys
from enum import Enum

import msgspec
from litestar.openapi.spec import OpenAPI


def _docstrings() -> dict[str, set[str]]:
    """Class name → the docstrings of the service's structs and enums of that name (the class's own, not
    inherited)."""
    found: dict[str, set[str]] = {}
    for name, module in list(sys.modules.items()):
        if not name.startswith("service."):
            continue
        for value in list(vars(module).values()):
            if not (isinstance(value, type) and issubclass(value, msgspec.Struct | Enum)) or value.__module__ != name:
                continue
            doc = value.__dict__.get("__doc__")
            found.setdefault(value.__name__, set())
            if doc:
                found[value.__name__].add(inspect.cleandoc(doc))
    return found


def describe_components(document: OpenAPI) -> None:
    docstrings = _docstrings()
    for name, schema in ((document.components.schemas if document.components else None) or {}).items():
        docs = docstrings.get(name, set())
        schema.description = next(iter(docs)) if len(docs) == 1 else None
