"""GraphQL inputs → the REST body types, so that both front doors validate through the same msgspec structs."""

from __future__ import annotations

import hashlib
from enum import Enum
from typing import Any, TypeVar

import msgspec

from service.idempotency.services import request_hash
from service.problems import FieldError, ProblemError, body_field

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


def idempotency(key: str | None, body: msgspec.Struct) -> tuple[str | None, str]:
    """(stored key, request digest) for a creating mutation's `idempotencyKey` and decoded input.

    Any string works as a GraphQL key (there is no header-safe alphabet to respect): its digest is what is stored.
    """
    stored = hashlib.sha256(key.encode()).hexdigest() if key else None
    return stored, request_hash(msgspec.json.encode(body))
