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
    if exc.reasons is not None:
        # A referral keeps the conventional client-error code (generic clients and tools know it); `type` ends in
        # /referral-required and `reasons` says why, as in the REST problem.
        extensions["reasons"] = exc.reasons
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
    """Parse and validation errors (no original error), problems we raised on purpose, and variables graphql-core
    could not coerce (an unknown enum value…), which it reports as a bare GraphQLError wrapped in another."""
    code = (error.extensions or {}).get("code")
    if error.original_error is None or code in CLIENT_CODES:
        return True
    original = error.original_error
    return code is None and isinstance(original, GraphQLError) and original.original_error is None
