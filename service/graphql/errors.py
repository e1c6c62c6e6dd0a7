"""Domain problems as GraphQL errors: the same message and field errors REST would give, in `extensions`."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

from graphql import GraphQLError

from service.problems import ProblemError

P = ParamSpec("P")
T = TypeVar("T")


def as_graphql_error(exc: ProblemError) -> GraphQLError:
    extensions: dict[str, object] = {"code": exc.kind, "status": exc.status_code}
    if exc.errors:
        extensions["errors"] = [{"field": e.field, "message": e.message} for e in exc.errors]
    return GraphQLError(exc.detail, extensions=extensions)


def translate_problems(resolver: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T]]:
    @functools.wraps(resolver)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return await resolver(*args, **kwargs)
        except ProblemError as exc:
            raise as_graphql_error(exc) from exc

    return wrapper
