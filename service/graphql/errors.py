"""Domain problems as GraphQL errors: the same message and field errors REST would give, in `extensions`."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

from graphql import GraphQLError

from service.problems import PROBLEM_BASE, ProblemError

P = ParamSpec("P")
T = TypeVar("T")


# The conventional code for a request the client must change (Apollo's and graphql-java's spelling).
CLIENT_ERROR_CODE = "BAD_USER_INPUT"


def as_graphql_error(exc: ProblemError) -> GraphQLError:
    code = CLIENT_ERROR_CODE if exc.status_code < 500 else "INTERNAL_SERVER_ERROR"
    extensions: dict[str, object] = {"code": code, "type": PROBLEM_BASE + exc.kind, "status": exc.status_code}
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


# Codes of errors the client caused or must fix: answered, never logged or masked as server failures.
CLIENT_CODES = frozenset({CLIENT_ERROR_CODE, "UNAUTHENTICATED", "FORBIDDEN"})


def is_client_error(error: GraphQLError) -> bool:
    """Parse and validation errors (no original error) and problems we raised on purpose."""
    return error.original_error is None or (error.extensions or {}).get("code") in CLIENT_CODES
