"""What one running app holds, typed: built once by `create_app`, handed to controllers by dependency injection
(`RuntimeDep`) and to GraphQL through its context; code that runs below the handlers (guards, ASGI middleware,
the response-headers hook) reaches it with `runtime_of(scope)`.

It replaces a bag of untyped attributes on the app's state: a reader sees every part and its type here. This module
imports nothing of the domains at run time (only for type checking), so any module may import it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from litestar import Litestar
from litestar.di import NamedDependency
from litestar.params import SkipValidation

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

    from service.assessments.anatomy import Anatomy
    from service.assessments.reassessment import PainMcid
    from service.assessments.rules import RuleSet
    from service.catalog.cache import CatalogCache
    from service.checkins.followup import FollowUp
    from service.clients.auth import Access
    from service.db.oneshot import StatementPool
    from service.graphql.cache import GraphQLCache
    from service.outcomes.rules import OutcomeRules
    from service.programs.index_cache import CatalogIndexCache
    from service.programs.rules import ProgramRules
    from service.settings import Settings


@dataclass(frozen=True, kw_only=True)
class Runtime:
    settings: Settings
    engine: AsyncEngine
    statements: StatementPool  # one-statement work: key lookups and creates (service.db.oneshot)
    session_factory: async_sessionmaker[AsyncSession]
    access: Access  # keys, scopes and rate limits (service.clients.auth)
    assessment_rules: RuleSet
    anatomy: Anatomy
    pain_mcid: PainMcid  # the NPRS's meaningful change, from the outcome rules, for reassessments' pain
    program_rules: ProgramRules
    outcome_rules: OutcomeRules  # the measures' scoring, directions and MCIDs (outcomes, stats)
    catalog_cache: CatalogCache
    program_catalog: CatalogIndexCache
    graphql_cache: GraphQLCache
    follow_up: FollowUp  # decisions and revisions after check-ins and outcome measures (service.checkins)
    # The methods served on each route path, for OPTIONS' `Allow`; filled once the app's routes exist.
    allow_by_path: dict[str, str] = field(default_factory=dict)

    async def close(self) -> None:
        await self.access.limiter.close()
        await self.engine.dispose()
        await self.statements.close()


class RealignApp(Litestar):
    """The Litestar app with its runtime: an attribute of a known type, not an entry in the untyped state."""

    runtime: Runtime


def runtime_of(scope: Any) -> Runtime:
    """The runtime of the app serving this ASGI scope (or connection: anything with `scope["app"]`)."""
    app = scope["app"] if isinstance(scope, dict) else scope.scope["app"]
    return cast(RealignApp, app).runtime


# A handler parameter `runtime: RuntimeDep` receives the app's runtime (create_app declares the dependency).
# Validation is skipped: it is the app's own object, not input.
RuntimeDep = NamedDependency[SkipValidation[Runtime]]
