"""Each component schema described by its own type's docstring (#17 item 8).

Litestar copies the description of the first field that refers to a struct or an enum onto the component itself
(`SchemaCreator.process_schema_result` applies the field's metadata to the schema it registers): `Dose` read "The
usual prescription; programs adapt it to the person." and `ProgramDose` a stale field text. Which field comes first
depends on the order routes are visited, which varies with the hash seed: the same code gave `AssessmentInput` a
description in one process and none in the next, and the committed document went stale at random. So every
component's description is set here from the docstring of the class it is named after, among the types the routes
take and answer with, or removed without one."""

from __future__ import annotations

import inspect
from collections.abc import Iterable
from enum import Enum
from typing import Any, get_args

import msgspec
from litestar import Litestar
from litestar.openapi.spec import OpenAPI, Schema
from litestar.routes import HTTPRoute


def route_types(app: Litestar, *more: Any) -> list[Any]:
    """The annotations of every HTTP route's parameters and return value, and `more`."""
    found = list(more)
    for route in app.routes:
        for handler in route.route_handlers if isinstance(route, HTTPRoute) else ():
            signature = handler.parsed_fn_signature
            found += [signature.return_type.annotation, *(f.annotation for f in signature.parameters.values())]
    return found


def _classes(annotations: Iterable[Any]) -> dict[str, set[type]]:
    """Class name → the structs and enums of that name inside `annotations` (in lists, unions, generics...)."""
    found: dict[str, set[type]] = {}
    seen: set[Any] = set()

    def walk(info: Any) -> None:
        if isinstance(info, msgspec.inspect.Metadata):
            walk(info.type)
        elif isinstance(info, msgspec.inspect.StructType | msgspec.inspect.EnumType):
            if info.cls in seen:
                return
            seen.add(info.cls)
            found.setdefault(info.cls.__name__, set()).add(info.cls)
            for field in getattr(info, "fields", ()):
                walk(field.type)
        elif isinstance(info, msgspec.inspect.UnionType):
            for member in info.types:
                walk(member)
        elif isinstance(info, msgspec.inspect.DictType):
            walk(info.key_type)
            walk(info.value_type)
        elif hasattr(info, "item_type"):  # list, set, frozenset, variable-length tuple
            walk(info.item_type)

    def visit(annotation: Any) -> None:
        if isinstance(annotation, type) and issubclass(annotation, msgspec.Struct | Enum):
            walk(msgspec.inspect.type_info(annotation))
        else:  # a generic (Response[T], list[T], a union, Annotated...): look inside its arguments
            for argument in get_args(annotation):
                visit(argument)

    for annotation in annotations:
        visit(annotation)
    return found


def describe_components(document: OpenAPI, annotations: Iterable[Any]) -> None:
    """Each component's description: the docstring of the one struct or enum of its name in `annotations`."""
    classes = _classes(annotations)
    for name, schema in ((document.components.schemas if document.components else None) or {}).items():
        docs = {inspect.cleandoc(c.__dict__["__doc__"]) for c in classes.get(name, ()) if c.__dict__.get("__doc__")}
        schema.description = next(iter(docs)) if len(docs) == 1 else None
        for field, prop in (schema.properties or {}).items():
            if isinstance(prop, Schema) and prop.const is not None and not prop.description:
                # A tagged union's tag (msgspec's `tag_field`), which no annotation can describe.
                prop.description = f"Always `{prop.const}`: which kind of `{field}` this is."
