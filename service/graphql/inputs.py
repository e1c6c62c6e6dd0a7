"""GraphQL inputs → the REST body types, so that both front doors validate through the same msgspec structs."""

from __future__ import annotations

from enum import Enum
from typing import Any, TypeVar

import msgspec

from service.idempotency.services import Key, graphql_key
from service.lib.errors import Invalid
from service.web.field_errors import every_error

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
    """`data` (a Strawberry input) as `type_`; values the body type refuses are a 400 naming every such field."""
    raw = plain(data)
    try:
        return msgspec.convert(raw, type_)
    except msgspec.ValidationError:
        raise Invalid(every_error(raw, type_)) from None


def idempotency_key_of(key: str | None) -> Key | None:
    """A creating mutation's `idempotencyKey` as a key of the GraphQL namespace; none when absent or empty. The
    request is compared by the same digest as REST's (service.idempotency.services.request_digest)."""
    return graphql_key(key) if key else None
