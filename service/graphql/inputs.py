"""GraphQL inputs → the REST body types, so that both front doors validate through the same msgspec structs."""

from __future__ import annotations

from enum import Enum
from typing import Any, TypeVar

import msgspec

from service.idempotency.services import Key, graphql_key, request_hash
from service.web.problems import FieldError, ProblemError, body_field

T = TypeVar("T")


def plain(value: Any) -> Any:
    """A Strawberry input in the REST body's shape: enums to values, unset (None) fields dropped."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list):
        return [plain(item) for item in value]
    if hasattr(value, "__strawberry_definition__"):
        return {k: plain(v) for k, v in vars(value).items() if v is not None}
    return value


def to_struct(data: Any, type_: type[T]) -> T:
    """`data` (a Strawberry input) as `type_`; a value the body type refuses is a 400 naming its field."""
    try:
        return msgspec.convert(plain(data), type_)
    except msgspec.ValidationError as exc:
        message = str(exc)
        field = body_field(message) or "input"
        raise ProblemError(400, message, errors=[FieldError(field=field, message=message)]) from None


def idempotency(key: str | None, body: msgspec.Struct) -> tuple[Key | None, str]:
    """(key of the GraphQL namespace, request digest) for a creating mutation's `idempotencyKey` and decoded input;
    no key when it is absent or empty."""
    return graphql_key(key) if key else None, request_hash(msgspec.json.encode(body))
