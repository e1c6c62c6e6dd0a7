"""Application factory. Nothing happens at import time: settings and data are passed in."""

from __future__ import annotations

import hmac
import os
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, cast

from litestar import Litestar, Response, get
from litestar.connection import ASGIConnection
from litestar.di import Provide
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, YamlRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme, Server, Tag
from litestar.plugins.prometheus import PrometheusController
from litestar.response import Redirect
from litestar.types import Message, Scope
from sqlalchemy import text

from service.assessments.anatomy import Anatomy
from service.assessments.controllers import AssessmentController, ScreeningController
from service.assessments.examples import assessment_examples
from service.assessments.reassessment import PainMcid
from service.assessments.rules import load_rules
from service.catalog.cache import CatalogCache
from service.catalog.controllers import catalog_controller
from service.catalog.records import CatalogData, load_catalog
from service.catalog.vocabulary import Vocabulary
from service.checkins.controllers import CheckInController, FollowUpController
from service.checkins.examples import checkin_examples
from service.checkins.followup import FollowUp
from service.checkins.outcome_controllers import OutcomeController
from service.checkins.rules import RED_FLAG_LEVELS, load_checkin_rules
from service.checkins.schemas import CheckInInput, CheckInUpdate
from service.clients.auth import RATE_LIMIT_STATE_KEY, SECURITY_SCHEME, Access, KeyLookups
from service.clients.controllers import ClientController
from service.clients.examples import client_examples
from service.dashboard.controllers import dashboard_router
from service.db.engine import create_engine, create_session_factory
from service.db.oneshot import StatementPool
from service.docs.pages import ScalarPage, docs_assets_router, favicon
from service.docs.problem_pages import problem_pages_router
from service.graphql.cache import GraphQLCache
from service.graphql.schema import graphql_controller
from service.outcomes.rules import OutcomeRules, load_outcome_rules
from service.outcomes.schemas import OutcomeRequest
from service.programs.controllers import ProgramController
from service.programs.examples import program_examples
from service.programs.index_cache import CatalogIndexCache
from service.programs.rules import load_program_rules
from service.runtime import RealignApp, Runtime, runtime_of
from service.settings import Settings
from service.web.json_depth import json_depth_middleware
from service.web.observability import assign_request_id, forget_process, observe_middleware, watch_pool
from service.web.openapi_components import describe_components, route_types
from service.web.openapi_document import (
    add_examples,
    parameters_without_null,
    publish_constraints,
    share_enums,
    strict_bodies,
)
from service.web.openapi_examples import add_problem_examples
from service.web.openapi_headers import declare_headers
from service.web.problem_types import publish as publish_problem_types
from service.web.problems import EXCEPTION_HANDLERS, Problem, ProblemError
from service.web.ratelimit import Quota, create_limiter
from service.web.strictness import StrictRequests, declare_not_acceptable
from service.web.transport import cors_config, wrap_transport

API_VERSION = "0.1.0"
DESCRIPTION = """\
Realign answers three questions for fitness apps: what exercises exist and what they do, what is out of balance
in a person, and what they should do about it (a four-phase corrective program: release → lengthen → strengthen →
integrate).

Errors are RFC 9457 problem documents (`application/problem+json`); each `type` is a page of the service saying what
it means and what to do, all listed at `/problems`. Lists take `limit` (default 20, max 500) and
an opaque `cursor`, and answer `{"items": [...], "next_cursor": ...}`. Catalogue responses carry an `ETag`; send it
back in `If-None-Match` to get a 304. GraphQL lives at `/graphql`.
"""


@get("/docs", include_in_schema=False)
async def docs_redirect() -> Redirect:
    return Redirect(path="/schema")


@get("/", include_in_schema=False)
async def root_redirect() -> Redirect:
    """A person who opens the service's address in a browser lands on its documentation."""
    return Redirect(path="/docs")


async def metrics_guard(connection: ASGIConnection[Any, Any, Any, Any], _handler: BaseRouteHandler) -> None:
    """/metrics is for the operator's scraper, not the public: its per-route traffic and pool figures describe the
    deployment. It needs `Authorization: Bearer <REALIGN_METRICS_TOKEN>`, compared in constant time; without a
    token configured the route is not registered at all (create_app), so every method answers as for a path that
    does not exist, rather than a 404 here and a 405 naming the route's methods there."""
    expected = runtime_of(connection).settings.metrics_token or ""
    scheme, _, token = (connection.headers.get("authorization") or "").strip().partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), expected.encode()):
        challenge = 'Bearer realm="metrics"' + (', error="invalid_token"' if scheme else "")
        raise ProblemError(
            401, "Send the metrics token as `Authorization: Bearer <token>`.", headers={"WWW-Authenticate": challenge}
        )


class MetricsController(PrometheusController):
    path = "/metrics"
    include_in_schema = False
    guards = [metrics_guard]


@get("/healthz", include_in_schema=False)
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Resource-Policy": "same-origin",
}
_SECURITY_HEADERS = [(name.lower().encode(), value.encode()) for name, value in SECURITY_HEADERS.items()]
# Paths that answer with one client's data: no cache, shared or private, may keep a copy of any of their answers.
# Decided here by path rather than per controller, so that errors (answered outside the handlers), 405s and
# unrouted paths under them are covered too; catalogue responses keep their own `public, max-age`.
_TENANT_PATHS = re.compile(r"/(?:v1/(?:me|assessments|programs)|graphql)(?:/|$)")


async def add_response_headers(message: Message, scope: Scope) -> None:
    """Security headers on every response; rate-limit headers where the request was counted.

    Works on the encoded header list of the start message (one pass to see what is there, then appends): it runs
    on every response, cached catalogue reads included."""
    if message["type"] != "http.response.start":
        return
    headers = message.get("headers")
    if not isinstance(headers, list):
        headers = message["headers"] = list(headers or ())
    present = {name.lower() for name, _ in headers}
    for name, value in _SECURITY_HEADERS:
        if name not in present:
            headers.append((name, value))
    if _TENANT_PATHS.match(scope["path"]):
        if b"cache-control" in present:
            headers[:] = [(name, value) for name, value in headers if name.lower() != b"cache-control"]
        headers.append((b"cache-control", b"no-store"))
    # Also the id of the server's access-log line for this response. Requests no route matched (404, 405) and
    # errors handled outside the route middleware get the header here.
    rid = assign_request_id(scope)
    if b"x-request-id" not in present:
        headers.append((b"x-request-id", rid.encode("latin-1")))
    runtime = runtime_of(scope)
    if b"allow" in present and scope.get("method") == "OPTIONS":
        # Litestar 2 answers OPTIONS with the methods of one handler only (litestar#4169, fixed in v3):
        # list every method served on the path.
        allow = runtime.allow_by_path.get(scope.get("path_template") or "")
        if allow:
            headers[:] = [(name, value) for name, value in headers if name.lower() != b"allow"]
            headers.append((b"allow", allow.encode("latin-1")))
    if runtime.settings.expose_worker:
        headers.append((b"x-served-by", str(os.getpid()).encode()))
    decision = scope.get("state", {}).get(RATE_LIMIT_STATE_KEY)
    if decision is not None:
        for name, value in decision.headers().items():
            encoded = name.lower().encode("latin-1")
            if encoded not in present:
                headers.append((encoded, value.encode("latin-1")))


def forwarded_client_middleware(settings: Settings) -> list[DefineMiddleware]:
    """uvicorn's X-Forwarded-For handling, applied by the app and only for REALIGN_TRUSTED_PROXIES (none by default).

    The per-IP rate limit counts `scope["client"]`, so whoever may rewrite it may pick their own bucket. uvicorn
    rewrites it by default for any peer on loopback (`forwarded_allow_ips`), and an ASGI app cannot undo that: the
    peer's address is gone before the app runs. So every launch of the service turns uvicorn's own handling off
    (`proxy_headers=False`, service.web.server.uvicorn_options) and the trust is decided here, from Settings alone: the
    same under `make serve`, the bench server, the tests' live server and the test client. The `Forwarded` header
    is never read. The middleware (rather than our own parser) picks the rightmost untrusted address of the chain,
    which is what a chain of proxies appending to the header calls for."""
    if not settings.trusted_proxies:
        return []
    from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

    # cast: uvicorn types ASGI apps with its own TypedDicts, the same protocol as Litestar's.
    return [DefineMiddleware(cast(Any, ProxyHeadersMiddleware), trusted_hosts=list(settings.trusted_proxies))]


def pain_mcid(outcomes: OutcomeRules) -> PainMcid:
    """The NPRS's meaningful change as reassessments compare pain by it: the outcome rules own the number, and the
    assessments domain, below outcomes, may not read them itself."""
    mcid = outcomes.measures.nprs.mcid
    return PainMcid(points=mcid.points, percent=mcid.percent)


def create_app(settings: Settings, catalog: CatalogData | None = None) -> RealignApp:
    if not settings.key_pepper:
        raise RuntimeError("REALIGN_KEY_PEPPER is not set: API keys cannot be checked (`make run` makes one).")
    catalog = catalog if catalog is not None else load_catalog()
    vocabulary = Vocabulary.from_catalog(catalog)
    anatomy = Anatomy.from_catalog(catalog)
    assessment_rules = load_rules(
        known_muscles=anatomy.muscles,
        known_patterns=frozenset(p.slug for p in catalog.patterns),
        known_conditions=anatomy.conditions,
    )
    program_rules = load_program_rules(catalog=catalog)
    engine = create_engine(settings)
    statements = StatementPool(settings)
    session_factory = create_session_factory(engine)
    watch_pool(engine)
    catalog_cache = CatalogCache(
        session_factory, max_age=settings.catalog_cache_seconds, check_seconds=settings.catalog_check_seconds
    )
    graphql_cache = GraphQLCache()
    catalog_cache.on_change(graphql_cache.clear)
    program_catalog = CatalogIndexCache(session_factory, catalog, catalog_cache)
    outcome_rules = load_outcome_rules()
    follow_up = FollowUp(
        rules=load_checkin_rules(assessment_rules.screening),
        outcomes=outcome_rules,
        screening=assessment_rules.screening,
        program_rules=program_rules,
        catalogs=program_catalog,
    )
    runtime = Runtime(
        settings=settings,
        engine=engine,
        statements=statements,
        session_factory=session_factory,
        access=Access(
            key_lookups=KeyLookups(statements, settings.key_pepper.encode()),
            limiter=create_limiter(settings.redis_url),
            key_quota=Quota.parse("per-key", settings.rate_limit),
            anonymous_quota=Quota.parse("per-ip", settings.anonymous_rate_limit),
            public_catalog=settings.public_catalog,
        ),
        assessment_rules=assessment_rules,
        anatomy=anatomy,
        pain_mcid=pain_mcid(outcome_rules),
        program_rules=program_rules,
        catalog_cache=catalog_cache,
        program_catalog=program_catalog,
        graphql_cache=graphql_cache,
        outcome_rules=outcome_rules,
        follow_up=follow_up,
    )

    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await runtime.close()
            forget_process()

    @get("/readyz", include_in_schema=False)
    async def ready() -> Response[dict[str, str]]:
        try:
            async with session_factory() as session:
                await session.execute(text("SELECT 1"))
        except Exception:
            return Response({"status": "unavailable"}, status_code=503, headers={"Retry-After": "2"})
        return Response({"status": "ok"})

    openapi = OpenAPIConfig(
        title="Realign API",
        version=API_VERSION,
        description=DESCRIPTION,
        path="/schema",
        servers=[Server(url="/")],
        tags=[
            Tag(name="catalogue", description="Muscles, equipment, conditions, patterns and exercises."),
            Tag(name="clients", description="The calling client and its key."),
            Tag(name="assessments", description="Muscle-imbalance assessments with red-flag screening."),
            Tag(name="programs", description="Four-phase corrective programs generated from assessments."),
        ],
        components=Components(
            security_schemes={
                SECURITY_SCHEME: SecurityScheme(
                    type="http",
                    scheme="bearer",
                    description="An API key (`rl_live_…`) created with `python -m service keys create CLIENT`.",
                )
            }
        ),
        render_plugins=[ScalarPage(path="/"), JsonRenderPlugin(), YamlRenderPlugin()],
        create_examples=False,
    )
    # Undeclared query parameters and non-JSON bodies refused, from what each route declares (known once built).
    strict_requests = StrictRequests()
    app = RealignApp(
        dependencies={"runtime": Provide(lambda: runtime, use_cache=True, sync_to_thread=False)},
        route_handlers=[
            catalog_controller(vocabulary, session_factory, catalog_cache),
            ClientController,
            AssessmentController,
            ScreeningController,
            ProgramController,
            CheckInController,
            FollowUpController,
            OutcomeController,
            graphql_controller(settings, vocabulary, catalog_cache, graphql_cache),
            root_redirect,
            docs_redirect,
            docs_assets_router(),
            favicon,
            problem_pages_router(),
            dashboard_router(),
            *([MetricsController] if settings.metrics_token else []),
            healthz,
            ready,
        ],
        exception_handlers=EXCEPTION_HANDLERS,
        middleware=[
            *forwarded_client_middleware(settings),
            observe_middleware,
            strict_requests,
            json_depth_middleware(settings.max_body_bytes),
        ],
        openapi_config=openapi,
        lifespan=[lifespan],
        signature_types=[Problem],
        request_max_body_size=settings.max_body_bytes,
        before_send=[add_response_headers],
        cors_config=cors_config(settings.cors_origins),
        debug=settings.debug,
        logging_config=None,  # logging is the process's (service.web.observability.configure_logging), not the app's
    )
    strict_requests.learn(app)
    # gzip and HEAD around everything below Litestar's entry, the cached catalogue reads and CORS included.
    app.asgi_handler = wrap_transport(app.asgi_handler)
    methods: dict[str, set[str]] = {}
    for route in app.routes:
        # path_format is the route's path with its parameter types dropped, as Litestar puts it in `path_template`.
        methods.setdefault(route.path_format, set()).update(route.methods)
    for served in methods.values():
        served |= {"OPTIONS", *(["HEAD"] if "GET" in served else [])}  # HEAD: service.web.transport.answer_head
    runtime.allow_by_path.update({path: ", ".join(sorted(m)) for path, m in methods.items()})
    app.runtime = runtime
    add_examples(
        app.openapi_schema,
        catalog,
        settings.public_url,
        assessment_examples(assessment_rules, runtime.pain_mcid),
        program_examples(catalog, assessment_rules, program_rules, settings.public_url),
        checkin_examples(catalog, assessment_rules, program_rules, follow_up.rules, outcome_rules),
        client_examples(),
    )
    declare_not_acceptable(app.openapi_schema)
    add_problem_examples(app.openapi_schema, settings.public_url)
    screening_questions = {code: q.question for code, q in assessment_rules.screening.questions().items()}
    publish_constraints(app.openapi_schema, catalog, screening_questions)
    red_flags = {
        code: q.question for code, q in assessment_rules.screening.questions().items() if q.level in RED_FLAG_LEVELS
    }
    symptoms = {(name, "symptoms"): red_flags for name in ("CheckInInput", "CheckInUpdate", "CheckIn")}
    strict_bodies(app.openapi_schema, [CheckInInput, CheckInUpdate, OutcomeRequest], symptoms)
    parameters_without_null(app.openapi_schema)
    share_enums(app.openapi_schema, catalog)
    describe_components(app.openapi_schema, route_types(app, Problem))
    declare_headers(app.openapi_schema, private_paths=_TENANT_PATHS)
    publish_problem_types(app.openapi_schema, settings.public_url)
    return app
