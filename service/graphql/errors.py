"""Domain problems as GraphQL errors: the same message and field errors REST would give, in `extensions`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import ExecutionResult, GraphQLError
from strawberry.extensions import SchemaExtension

from service.db.errors import database_unavailable
from service.lib.errors import DomainError, FieldError
from service.settings import DEFAULT_PUBLIC_URL
from service.web.problem_types import type_uri
from service.web.problems import ProblemError, problem_of

# The conventional code for a request the client must change (Apollo's and graphql-java's spelling).
CLIENT_ERROR_CODE = "BAD_USER_INPUT"


def as_graphql_error(error: ProblemError | DomainError, public_url: str = DEFAULT_PUBLIC_URL) -> GraphQLError:
    """A problem, or a domain error through the problem REST would answer, as a GraphQL error: the same message,
    with the code, problem type (the absolute URI REST gives, on the service at `public_url`), status and field
    errors in `extensions`."""
    exc = problem_of(error) if isinstance(error, DomainError) else error
    code = CLIENT_ERROR_CODE if exc.status_code < 500 else "INTERNAL_SERVER_ERROR"
    extensions: dict[str, object] = {"code": code, "type": type_uri(public_url, exc.kind), "status": exc.status_code}
    if exc.errors:
        extensions["errors"] = [{"field": e.field, "message": e.message} for e in exc.errors]
    if exc.reasons is not None:
        # A referral keeps the conventional client-error code (generic clients and tools know it); `type` ends in
        # /referral-required and `reasons` says why, as in the REST problem.
        extensions["reasons"] = exc.reasons
    return GraphQLError(exc.detail, extensions=extensions)


# Codes of errors the client caused or must fix: answered, never logged or masked as server failures.
CLIENT_CODES = frozenset({CLIENT_ERROR_CODE, "UNAUTHENTICATED", "FORBIDDEN"})


def is_client_error(error: GraphQLError) -> bool:
    """Parse and validation errors (no original error), problems we raised on purpose (translated or not yet:
    a 4xx ProblemError from any resolver), and variables graphql-core could not coerce (an unknown enum value…),
    which it reports as a bare GraphQLError wrapped in another."""
    code = (error.extensions or {}).get("code")
    if error.original_error is None or code in CLIENT_CODES:
        return True
    original = error.original_error
    if isinstance(original, DomainError):
        return True
    if isinstance(original, ProblemError):
        return original.status_code < 500
    return code is None and isinstance(original, GraphQLError) and original.original_error is None


# REST answers these with a 503 problem and Retry-After; GraphQL answers 200 with this code (retry shortly).
UNAVAILABLE_CODE = "SERVICE_UNAVAILABLE"


class DatabaseUnavailable(Exception):
    """What a resolver's lost connection or cancelled statement becomes (service.web.problems.database_unavailable)."""


def is_unavailable(error: GraphQLError) -> bool:
    """The database failed to answer, whether or not the error has been translated yet."""
    if (error.extensions or {}).get("code") == UNAVAILABLE_CODE:
        return True
    return error.original_error is not None and database_unavailable(error.original_error)


def _translated(error: GraphQLError, public_url: str) -> GraphQLError:
    """`error` as as_graphql_error words it when a resolver raised a ProblemError, where it was raised; the
    database failing to answer as a retryable SERVICE_UNAVAILABLE error, not a masked "Unexpected error."."""
    if is_unavailable(error) and not isinstance(error.original_error, DatabaseUnavailable):
        return GraphQLError(
            "The database is unavailable or did not answer in time; retry shortly.",
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            original_error=DatabaseUnavailable(type(error.original_error).__name__),
            extensions={"code": UNAVAILABLE_CODE, "type": type_uri(public_url, "unavailable"), "status": 503},
        )
    if not isinstance(error.original_error, ProblemError | DomainError):
        return error
    problem = error.original_error
    return GraphQLError(
        problem.detail,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=as_graphql_error(problem, public_url),
    )


def _lone_surrogate(value: Any, path: str) -> tuple[str, str] | None:
    """(path, character) of the first lone surrogate in a variable's value or keys, or None."""
    if isinstance(value, str):
        if value.isascii():
            return None
        try:
            value.encode()  # UTF-8 refuses exactly the surrogates
        except UnicodeEncodeError as exc:
            return path, value[exc.start]
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            found = _lone_surrogate(key, path) or _lone_surrogate(item, f"{path}.{key}")
            if found:
                return found
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found = _lone_surrogate(item, f"{path}[{i}]")
            if found:
                return found
    return None


class ClientMistakes(SchemaExtension):
    """What a client got wrong is answered as a client error wherever it shows, not as "Unexpected error.":

    - a variable holding a lone surrogate (JSON can spell one, GraphQL strings cannot hold one, and neither UTF-8
      nor PostgreSQL can store one) is refused before anything executes, naming the variable;
    - a ProblemError or domain error raised by any resolver, nested ones included (`overactiveMuscles(limit: 0)`),
      becomes the error `as_graphql_error` makes: the one place resolvers' errors are translated.
    """

    def on_execute(self) -> Iterator[None]:
        found = None
        for name, value in (self.execution_context.variables or {}).items():
            found = _lone_surrogate(name, name) or _lone_surrogate(value, name)
            if found:
                break
        if found:
            path, char = found
            name = path.split(".")[0].split("[")[0]
            message = f"holds a lone surrogate (U+{ord(char):04X}): GraphQL strings must be valid Unicode"
            problem = ProblemError(
                400, f"Variable '${name}' at '{path}' {message}.", errors=[FieldError(field=path, message=message)]
            )
            # A result set here is what strawberry answers instead of executing the operation.
            errors = [as_graphql_error(problem, self._public_url())]
            self.execution_context.result = ExecutionResult(data=None, errors=errors)
        yield

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        errors = getattr(result, "errors", None)
        if errors:
            public_url = self._public_url()
            result.errors = [_translated(e, public_url) for e in errors]  # type: ignore[union-attr]

    def _public_url(self) -> str:
        runtime = getattr(self.execution_context.context, "runtime", None)
        return runtime.settings.public_url if runtime is not None else DEFAULT_PUBLIC_URL
