"""GraphQL inputs → the REST body types, so that both front doors validate through the same msgspec structs."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from enum import Enum
from typing import Any, TypeVar

import msgspec

from service.idempotency.services import Key, graphql_key
from service.lib.errors import FieldError, Invalid, Unprocessable
from service.web.field_errors import every_error

T = TypeVar("T")

IDEMPOTENCY_KEY = (
    "Any string unique to this request: retrying with the same key and input answers the first result instead of "
    "creating again; the same key with another input is an error."
)


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


_SNAKE = re.compile(r"_([a-z0-9])")
# REST's names of a list's paging parameters, as GraphQL's connection arguments.
PAGING = {"cursor": "after", "limit": "first"}


def camel(path: str) -> str:
    """A REST field path in GraphQL's spelling: each name camelCased, indexes kept
    (`tests.straight_leg_raise_deg.left` → `tests.straightLegRaiseDeg.left`)."""
    return _SNAKE.sub(lambda m: m.group(1).upper(), path)


@contextmanager
def named_as_arguments(
    argument: str | None = None,
    *,
    renamed: Mapping[str, str] = PAGING,
    rewrite: Callable[[str], str] = lambda path: path,
) -> Iterator[None]:
    """Field errors raised inside (validation shared with REST names REST's snake_case body fields) name the
    GraphQL argument path instead: `rewrite` first (a REST path GraphQL spells otherwise), then camelCase, under
    `argument` (the input object the fields belong to); a field in `renamed` is that argument instead. The
    messages are the shared ones."""

    def path(field: str) -> str:
        if field in renamed:
            return renamed[field]
        spelt = camel(rewrite(field))
        return f"{argument}.{spelt}" if argument else spelt

    try:
        yield
    except Invalid as exc:
        raise Invalid([(path(e.field), e.message) for e in exc.errors]) from None
    except Unprocessable as exc:
        # Only a plain refusal names this request's fields (`assessmentId` names no assessment of yours); one of
        # a kind names another resource's (`screening-incomplete`: the answers the assessment lacks), left as is.
        if exc.errors and exc.kind is None:
            exc.errors = [FieldError(field=path(e.field), message=e.message) for e in exc.errors]
        raise
