"""Which GraphQL errors are the client's (answered as they are) and which are ours (masked and logged)."""

from __future__ import annotations

from graphql import GraphQLError, located_error

from service.graphql.errors import as_graphql_error, is_client_error
from service.web.problems import ProblemError


def test_parse_validation_and_coercion_errors_are_the_clients() -> None:
    assert is_client_error(GraphQLError("Syntax Error: Expected Name"))
    # How graphql-core reports a variable holding an unknown enum value.
    coercion = GraphQLError("Value 'jetpack' does not exist in 'EquipmentSlug' enum.")
    assert is_client_error(GraphQLError("Variable '$input' has invalid value", original_error=coercion))


def test_problems_raised_on_purpose_are_the_clients() -> None:
    assert is_client_error(located_error(as_graphql_error(ProblemError(400, "weeks: too many")), path=["x"]))


def test_unexpected_failures_are_ours() -> None:
    assert not is_client_error(located_error(KeyError("oops"), path=["x"]))
    wrapped_bug = GraphQLError("oops", original_error=KeyError("oops"))
    assert not is_client_error(located_error(wrapped_bug, path=["x"]))
    server_problem = located_error(as_graphql_error(ProblemError(503, "database down")), path=["x"])
    assert not is_client_error(server_problem)
