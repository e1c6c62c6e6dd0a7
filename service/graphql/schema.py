"""The GraphQL schema, assembled from per-domain query mixins, with abuse limits."""

from __future__ import annotations

import logging
from typing import Any

import strawberry
from graphql import GraphQLError
from litestar import Controller, MediaType, Request, Response
from strawberry.extensions import (
    DisableIntrospection,
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
)
from strawberry.litestar import make_graphql_controller
from strawberry.types import ExecutionContext

from service.catalog.cache import CatalogCache
from service.catalog.vocabulary import Vocabulary
from service.clients.auth import graphql_guard
from service.docs.pages import graphiql_page
from service.graphql.assessment_mutations import assessment_mutation
from service.graphql.assessments import AssessmentQuery
from service.graphql.cache import GraphQLCache, graphql_cache_middleware
from service.graphql.catalog import SlugEnums, catalog_query
from service.graphql.checkins import CheckInMutation, CheckInQuery
from service.graphql.context import context_getter
from service.graphql.errors import ClientMistakes, is_client_error, is_unavailable
from service.graphql.outcomes import OutcomeMutation
from service.graphql.programs import ProgramQuery, program_mutation
from service.graphql.scalars import SCALAR_OVERRIDES
from service.graphql.stats import StatsQuery
from service.settings import Settings
from service.web.problems import ProblemError

logger = logging.getLogger("service.graphql")


class RealignSchema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        # A client's own mistake is answered, not logged as a server error; the database being out is a warning,
        # as REST logs it.
        for error in errors:
            if is_unavailable(error):
                logger.warning("database unavailable in GraphQL at %s: %s", error.path, error.original_error)
        server_errors = [e for e in errors if not is_client_error(e) and not is_unavailable(e)]
        super().process_errors(server_errors, execution_context)


def _root(name: str, description: str, parts: tuple[type, ...]) -> type:
    """One root type of the per-domain ones, as strawberry's merge_types makes it, with a description."""
    return strawberry.type(type(name, parts, {}), description=description)


def build_schema(settings: Settings, vocabulary: Vocabulary) -> strawberry.Schema:
    enums = SlugEnums.from_vocabulary(vocabulary)
    query = _root(
        "Query",
        "Reading: the catalogue (public), your assessments, programs and their check-ins, and activity stats.",
        (catalog_query(enums), AssessmentQuery, ProgramQuery, CheckInQuery, StatsQuery),
    )
    mutation = _root(
        "Mutation",
        "Writing: creating and erasing your assessments and programs, their check-ins and outcome measures.",
        (assessment_mutation(enums), program_mutation(enums), CheckInMutation, OutcomeMutation),
    )
    # Factories, so that each request gets fresh extensions carrying the configured limits.
    extensions: list[Any] = [
        lambda: QueryDepthLimiter(max_depth=settings.graphql_max_depth),
        lambda: MaxTokensLimiter(max_token_count=settings.graphql_max_tokens),
        lambda: MaxAliasesLimiter(max_alias_count=settings.graphql_max_aliases),
        # Unexpected failures reach the client as a bare "Unexpected error." and are logged in full.
        lambda: MaskErrors(should_mask_error=lambda error: not (is_client_error(error) or is_unavailable(error))),
        ClientMistakes,
    ]
    if not settings.graphql_introspection:
        extensions.append(DisableIntrospection)
    return RealignSchema(query=query, mutation=mutation, extensions=extensions, scalar_overrides=dict(SCALAR_OVERRIDES))


def graphql_controller(
    settings: Settings, vocabulary: Vocabulary, catalog_cache: CatalogCache, cache: GraphQLCache
) -> type[Controller]:
    view = make_graphql_controller(
        build_schema(settings, vocabulary), path="/graphql", context_getter=context_getter, graphql_ide="graphiql"
    )

    class GraphQLController(view):  # type: ignore[valid-type,misc]
        """Strawberry's view, with its HTTP-level refusals answered as problem documents like every other 4xx."""

        include_in_schema = False
        guards = [graphql_guard]
        # Repeated catalogue-only queries are answered from memory, per catalogue version (service.graphql.cache).
        middleware = [graphql_cache_middleware(catalog_cache, cache)]

        async def render_graphql_ide(self, request: Request[Any, Any, Any]) -> Response[str]:
            # The vendored GraphiQL under a content security policy, instead of strawberry's page from unpkg.
            return graphiql_page()

        async def execute_request(
            self, request: Request[Any, Any, Any], context: Any, root_value: Any
        ) -> Response[Any]:
            # Strawberry answers a batch, a mutation over GET, an unsupported content type, a body that is not
            # JSON or a missing query with a text/plain 4xx: re-raised as a ProblemError, the exception handlers
            # shape it as application/problem+json.
            response: Response[Any] = await super().execute_request(request, context, root_value)
            status = response.status_code or 200
            if status >= 400 and response.media_type == MediaType.TEXT:
                # The reason may echo the client's text (an unknown operationName), lone surrogates included, which
                # no UTF-8 document can carry: those are spelt as escapes.
                detail = str(response.content).encode(errors="backslashreplace").decode()
                raise ProblemError(status, detail.rstrip(".") + ".")
            return response

        def parse_json(self, data: str | bytes) -> Any:
            # A JSON body that is not an object (null, a string, a number) is no GraphQL request; strawberry would
            # fail on it with an AttributeError (a 500). A list goes on to be refused as a batch.
            try:
                parsed = super().parse_json(data)
            except UnicodeDecodeError:  # strawberry catches JSONDecodeError only: this one was a 500
                raise ProblemError(400, "The request body is not UTF-8: JSON must be.") from None
            if not isinstance(parsed, dict | list):
                raise ProblemError(400, 'The request body must be a JSON object: {"query": ..., "variables": ...}.')
            return parsed

    return GraphQLController
