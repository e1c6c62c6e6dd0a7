"""Request bodies decoded once, strictly, as the handler's `data`.

Litestar converts `data` with msgspec's lenient rules (`strict=False`: "4" becomes 4, 0 becomes false), and the
controllers then decoded the raw body again, strictly, because that is the contract. `StrictJSON[T]` is a DTO that
does the one strict decode in Litestar's place (service.web.problems.decode_strictly: a wrongly typed field is a
400 naming it) and documents the body exactly as a plain `data: T` would, so the OpenAPI document is unchanged.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any, TypeVar

import msgspec
from litestar.dto import AbstractDTO
from litestar.dto.data_structures import DTOFieldDefinition
from litestar.openapi.spec import Reference, Schema
from litestar.typing import FieldDefinition

from service.web.problems import decode_strictly

T = TypeVar("T")


class StrictJSON(AbstractDTO[T]):
    """`data` of a JSON body as `T`, decoded strictly; use as the handler's `dto` (with `return_dto=None`)."""

    @classmethod
    def generate_field_definitions(cls, model_type: type[Any]) -> Generator[DTOFieldDefinition, None, None]:
        yield from ()  # no transfer model: the body decodes straight into T

    @classmethod
    def detect_nested_field(cls, field_definition: FieldDefinition) -> bool:
        return False

    @classmethod
    def create_for_field_definition(
        cls, field_definition: FieldDefinition, handler_id: str, backend_cls: Any = None
    ) -> None:
        return None  # nothing to build: see generate_field_definitions

    @classmethod
    def create_openapi_schema(
        cls, field_definition: FieldDefinition, handler_id: str, schema_creator: Any
    ) -> Reference | Schema:
        schema: Reference | Schema = schema_creator.for_field_definition(field_definition)
        return schema

    def decode_bytes(self, value: bytes) -> Any:
        return decode_strictly(value, self.model_type)

    def decode_builtins(self, value: dict[str, Any]) -> Any:
        return msgspec.convert(value, self.model_type, strict=True)
