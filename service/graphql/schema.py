"""The GraphQL schema, assembled from per-domain query mixins, with abuse limits."""

from __future__ import annotations

from typing import Any

import strawberry
from litestar import Controller
from strawberry.extensions import MaxAliasesLimiter, MaxTokensLimiter, QueryDepthLimiter
from strawberry.litestar import make_graphql_controller

from service.graphql.catalog import CatalogQuery
from service.graphql.context import context_getter
from service.settings import Settings


@strawberry.type
class Query(CatalogQuery):
    pass


def build_schema(settings: Settings) -> strawberry.Schema:
    # Instances rather than classes: each carries its configured limit (strawberry's stubs only name classes).
    limits: list[Any] = [
        QueryDepthLimiter(max_depth=settings.graphql_max_depth),
        MaxTokensLimiter(max_token_count=settings.graphql_max_tokens),
        MaxAliasesLimiter(max_alias_count=settings.graphql_max_aliases),
    ]
    return strawberry.Schema(query=Query, extensions=limits)


def graphql_controller(settings: Settings) -> type[Controller]:
    controller = make_graphql_controller(
        build_schema(settings), path="/graphql", context_getter=context_getter, graphql_ide="graphiql"
    )
    controller.include_in_schema = False
    return controller
