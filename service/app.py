"""Application factory. Nothing happens at import time: settings and data are passed in."""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar, Response, get
from litestar.config.cors import CORSConfig
from litestar.datastructures import MutableScopeHeaders
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, ScalarRenderPlugin, YamlRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme, Server, Tag
from litestar.plugins.prometheus import PrometheusController
from litestar.response import Redirect
from litestar.types import Message, Scope
from sqlalchemy import text

from service.assessments.controllers import AssessmentController
from service.assessments.rules import load_rules
from service.catalog.controllers import catalog_controller
from service.catalog.records import CatalogData, load_catalog
from service.catalog.vocabulary import Vocabulary
from service.clients.auth import RATE_LIMIT_STATE_KEY, SECURITY_SCHEME
from service.clients.controllers import ClientController
from service.db.engine import create_engine, create_session_factory
from service.graphql.schema import graphql_controller
from service.http_cache import CatalogCache
from service.observability import prometheus_config, request_id_middleware, request_id_of, watch_pool
from service.openapi_document import add_examples, publish_constraints
from service.problems import EXCEPTION_HANDLERS, Problem
from service.ratelimit import Quota, create_limiter
from service.settings import Settings

API_VERSION = "0.1.0"
DESCRIPTION = """\
Realign answers three questions for fitness apps: what exercises exist and what they do, what is out of balance
in a person, and what they should do about it (a four-phase corrective program: release → lengthen → strengthen →
integrate).

Errors are RFC 9457 problem documents (`application/problem+json`). Lists take `limit` (default 20, max 500) and
an opaque `cursor`, and answer `{"items": [...], "next_cursor": ...}`. Catalogue responses carry an `ETag`; send it
back in `If-None-Match` to get a 304. GraphQL lives at `/graphql`.
"""


@get("/docs", include_in_schema=False)
async def docs_redirect() -> Redirect:
    return Redirect(path="/schema")


class MetricsController(PrometheusController):
    path = "/metrics"
    include_in_schema = False


@get("/healthz", include_in_schema=False)
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Resource-Policy": "same-origin",
}


def _untyped(path: str) -> str:
    """`/v1/assessments/{assessment_id:str}` → `/v1/assessments/{assessment_id}`."""
    return re.sub(r"\{(\w+):[^}]*\}", r"{\1}", path)


async def add_response_headers(message: Message, scope: Scope) -> None:
    """Security headers on every response; rate-limit headers where the request was counted."""
    if message["type"] == "http.response.start":
        headers = MutableScopeHeaders.from_message(message)
        for name, value in SECURITY_HEADERS.items():
            headers.setdefault(name, value)
        if "x-request-id" not in headers:  # requests no route matched (404, 405) skip the middleware
            headers["X-Request-ID"] = request_id_of(scope)
        if scope.get("method") == "OPTIONS" and "allow" in headers:
            # Litestar 2 answers OPTIONS with the methods of one handler only (litestar#4169, fixed in v3):
            # list every method served on the path.
            allow = scope["app"].state.allow_by_path.get(_untyped(scope.get("path_template") or ""))
            if allow:
                headers["Allow"] = allow
        if scope["app"].state.get("expose_worker"):
            headers["X-Served-By"] = str(os.getpid())
        decision = scope.get("state", {}).get(RATE_LIMIT_STATE_KEY)
        if decision is not None:
            for name, value in decision.headers().items():
                headers.setdefault(name, value)


def create_app(settings: Settings, catalog: CatalogData | None = None) -> Litestar:
    if not settings.key_pepper:
        raise RuntimeError("REALIGN_KEY_PEPPER is not set: API keys cannot be checked (`make run` makes one).")
    catalog = catalog if catalog is not None else load_catalog()
    vocabulary = Vocabulary.from_catalog(catalog)
    known_muscles = frozenset(vocabulary.muscles)
    assessment_rules = load_rules(
        known_muscles=known_muscles, known_patterns=frozenset(p.slug for p in catalog.patterns)
    )
    engine = create_engine(settings)
    session_factory = create_session_factory(engine)
    limiter = create_limiter(settings.redis_url)
    watch_pool(engine)
    metrics = prometheus_config()
    key_quota = Quota.parse("per-key", settings.rate_limit)
    anonymous_quota = Quota.parse("per-ip", settings.anonymous_rate_limit)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        app.state.engine = engine
        app.state.session_factory = session_factory
        app.state.key_pepper = settings.key_pepper.encode()
        app.state.public_catalog = settings.public_catalog
        app.state.expose_worker = settings.expose_worker
        app.state.assessment_rules = assessment_rules
        app.state.known_muscles = known_muscles
        app.state.limiter = limiter
        app.state.catalog_cache = CatalogCache(
            session_factory, max_age=settings.catalog_cache_seconds, check_seconds=settings.catalog_check_seconds
        )
        app.state.key_quota = key_quota
        app.state.anonymous_quota = anonymous_quota
        try:
            yield
        finally:
            await limiter.close()
            await engine.dispose()

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
        render_plugins=[ScalarRenderPlugin(path="/"), JsonRenderPlugin(), YamlRenderPlugin()],
        create_examples=False,
    )
    app = Litestar(
        route_handlers=[
            catalog_controller(vocabulary),
            ClientController,
            AssessmentController,
            graphql_controller(settings, vocabulary),
            docs_redirect,
            MetricsController,
            healthz,
            ready,
        ],
        exception_handlers=EXCEPTION_HANDLERS,
        middleware=[request_id_middleware, metrics.middleware],
        openapi_config=openapi,
        lifespan=[lifespan],
        signature_types=[Problem],
        request_max_body_size=settings.max_body_bytes,
        before_send=[add_response_headers],
        cors_config=CORSConfig(allow_origins=list(settings.cors_origins)) if settings.cors_origins else None,
        debug=settings.debug,
        logging_config=None,  # logging is the process's (service.observability.configure_logging), not the app's
    )
    methods: dict[str, set[str]] = {}
    for route in app.routes:
        methods.setdefault(_untyped(route.path), set()).update(route.methods)
    app.state.allow_by_path = {path: ", ".join(sorted(m | {"OPTIONS"})) for path, m in methods.items()}
    add_examples(app.openapi_schema, catalog)
    publish_constraints(app.openapi_schema, catalog)
    return app
