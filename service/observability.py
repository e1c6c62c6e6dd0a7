"""Request ids, structured logs and Prometheus metrics.

Every request gets an id: the caller's `X-Request-ID` when it is a sane token, a new one otherwise; it is echoed in
the response and stamped on every log line written while the request runs. Logs are JSON lines and never carry
request headers (so never an API key).
"""

from __future__ import annotations

import json
import logging
import re
import uuid
import weakref
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

from litestar.datastructures import MutableScopeHeaders
from litestar.plugins.prometheus import PrometheusConfig
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from prometheus_client import REGISTRY
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.ext.asyncio import AsyncEngine

REQUEST_ID_HEADER = "x-request-id"
_SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
request_id: ContextVar[str | None] = ContextVar("request_id", default=None)


def request_id_of(scope: Scope) -> str:
    """The caller's X-Request-ID when it is a sane token, else a new id."""
    offered = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"x-request-id"), "")
    return offered if _SANE_ID.match(offered) else uuid.uuid4().hex


def request_id_middleware(app: ASGIApp) -> ASGIApp:
    """Route-level: sets the id for the logs of a routed request (app.add_response_headers covers 404s too)."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        rid = request_id_of(scope)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableScopeHeaders.from_message(message)["X-Request-ID"] = rid
            await send(message)

        token = request_id.set(rid)
        try:
            await app(scope, receive, send_with_id)
        finally:
            request_id.reset(token)

    return middleware


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if (rid := request_id.get()) is not None:
            entry["request_id"] = rid
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: str = "INFO") -> None:
    """JSON lines on stderr for the service and the server (uvicorn's access log writes no headers)."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True


class _PoolCollector(Collector):
    """Connection-pool use of every live engine of this process, read at scrape time."""

    def __init__(self) -> None:
        self.engines: weakref.WeakSet[AsyncEngine] = weakref.WeakSet()

    def collect(self) -> Iterator[GaugeMetricFamily]:
        in_use = GaugeMetricFamily("realign_db_pool_connections_in_use", "Connections checked out of the pool.")
        idle = GaugeMetricFamily("realign_db_pool_connections_idle", "Connections idle in the pool.")
        pools = [engine.sync_engine.pool for engine in list(self.engines)]
        in_use.add_metric([], sum(getattr(pool, "checkedout", lambda: 0)() for pool in pools))
        idle.add_metric([], sum(getattr(pool, "checkedin", lambda: 0)() for pool in pools))
        yield in_use
        yield idle


_pool_collector: _PoolCollector | None = None


def watch_pool(engine: AsyncEngine) -> None:
    global _pool_collector
    if _pool_collector is None:  # registered once per process, however many apps are made
        _pool_collector = _PoolCollector()
        REGISTRY.register(_pool_collector)
    _pool_collector.engines.add(engine)


def prometheus_config() -> PrometheusConfig:
    # Labelled by route template (group_path), not raw path, so that ids do not explode the label set.
    return PrometheusConfig(
        app_name="realign",
        prefix="realign",
        group_path=True,
        exclude=["^/metrics", "^/healthz", "^/readyz"],
    )
