"""Request ids, structured logs and Prometheus metrics.

Every request gets an id: the caller's `X-Request-ID` when it is a sane token, a new one otherwise; it is echoed in
the response and stamped on every log line written while the request runs. Logs are JSON lines and never carry
request headers (so never an API key).
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
import weakref
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

from litestar.types import ASGIApp, Message, Receive, Scope, Send
from prometheus_client import REGISTRY, Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from service.web.transport import BODY_TIMED_OUT_STATE_KEY, HEAD_STATE_KEY

REQUEST_ID_HEADER = "x-request-id"
_SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
request_id: ContextVar[str | None] = ContextVar("request_id", default=None)


def request_id_of(scope: Scope) -> str:
    """The caller's X-Request-ID when it is a sane token, else a new id."""
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            offered = value.decode("latin-1")
            if _SANE_ID.match(offered):
                return offered
            break
    return os.urandom(16).hex()


_STATE_KEY = "request_id"


def assign_request_id(scope: Scope) -> str:
    """The request's id, chosen once (`request_id_of`) and kept in its scope, and made the id of the log lines
    written from here on in the running task.

    Called wherever a request's code may run first: the route middleware, the error handlers and the response
    headers hook, since errors are handled (and unrouted requests answered) outside the route middleware. Setting
    it there matters: uvicorn starts the task of a request that arrived during the previous response from inside
    that response's `send`, so the task inherits the previous request's id until this request sets its own."""
    state = scope.setdefault("state", {})
    rid = state.get(_STATE_KEY)
    if rid is None:
        rid = state[_STATE_KEY] = request_id_of(scope)
    request_id.set(rid)
    return rid


_METRICS_EXCLUDED = ("/metrics", "/healthz", "/readyz")
_APP_NAME = "realign"


class _Metrics:
    """The request metrics, under the names and labels of Litestar's Prometheus middleware, made once per process.

    Labels: method, path (the route template, never the raw path), status_code, app_name."""

    def __init__(self, prefix: str = "realign") -> None:
        labels = ["method", "path", "status_code", "app_name"]
        self.requests = Counter(f"{prefix}_requests_total", "Total requests", labels)
        self.duration = Histogram(f"{prefix}_request_duration_seconds", "Request duration, in seconds", labels)
        self.in_progress = Gauge(
            f"{prefix}_requests_in_progress",
            "Total requests currently in progress",
            labels,
            multiprocess_mode="livesum",
        )
        self.errors = Counter(f"{prefix}_requests_error_total", "Total errors in requests", labels)
        # Label children, looked up once per (method, path, status) instead of on every request.
        self._finished: dict[tuple[str, str, int], tuple[Any, Any, Any]] = {}
        self._running: dict[tuple[str, str], Any] = {}

    def running(self, method: str, path: str) -> Any:
        child = self._running.get((method, path))
        if child is None:
            child = self._running[(method, path)] = self.in_progress.labels(method, path, 200, _APP_NAME)
        return child

    def finished(self, method: str, path: str, status: int, seconds: float) -> None:
        children = self._finished.get((method, path, status))
        if children is None:
            labels = (method, path, status, _APP_NAME)
            error = self.errors.labels(*labels) if status >= 500 else None
            children = (self.requests.labels(*labels), self.duration.labels(*labels), error)
            self._finished[(method, path, status)] = children
        requests, duration, error = children
        requests.inc()
        duration.observe(seconds)
        if error is not None:
            error.inc()


_metrics: _Metrics | None = None


def request_metrics() -> _Metrics:
    global _metrics
    if _metrics is None:  # registered once per process, however many apps are made
        _metrics = _Metrics()
    return _metrics


def observe_middleware(app: ASGIApp) -> ASGIApp:
    """Route-level: the request id (echoed, and on every log line of the request) and the request metrics.

    Plain ASGI with one wrapped `send`: this runs on every request, cached catalogue reads included, so it makes
    no Request object and looks label children up once. app.add_response_headers covers unrouted requests."""
    metrics = request_metrics()

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        rid = assign_request_id(scope)
        rid_header = (b"x-request-id", rid.encode("latin-1"))
        path = scope.get("path_template") or scope["path"]
        counted = not path.startswith(_METRICS_EXCLUDED)
        # Until the app starts an answer: 499 (nginx's "client closed request") if it never does, or 408 if the
        # server cut off a body that was too slow and answered for it (service.web.server_protocol).
        status = 499

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = message.get("headers")
                if isinstance(headers, list):
                    headers.append(rid_header)
                else:
                    message["headers"] = [*(headers or ()), rid_header]
            await send(message)

        if not counted:
            try:
                await app(scope, receive, send_with_id)
            finally:
                request_id.set(None)  # not reset: the value before may be another request's (assign_request_id)
            return
        # A HEAD reaches the app as a GET (service.web.transport.answer_head); it is counted as what it was.
        method: str = "HEAD" if scope["state"].get(HEAD_STATE_KEY) else scope["method"]  # type: ignore[typeddict-item]
        running = metrics.running(method, path)
        running.inc()
        started = time.perf_counter()
        try:
            await app(scope, receive, send_with_id)
        finally:
            running.dec()
            if status == 499 and scope["state"].get(BODY_TIMED_OUT_STATE_KEY):
                status = 408
            metrics.finished(method, path, status, time.perf_counter() - started)
            request_id.set(None)

    return middleware


# Anything shaped like an API key (service.clients.keys: `rl_live_` and base62), the underscores percent-encoded or
# not. Keys belong in the Authorization header, which is never logged, but a client may put one in a query string
# (uvicorn's access log writes the URL) or an X-Request-ID, and an error message may quote a value it was given.
_KEY_LIKE = re.compile(r"rl(?:_|%5f)live(?:_|%5f)[0-9a-z]+", re.IGNORECASE)
REDACTED_KEY = "rl_live_[redacted]"


def redact_keys(text: str) -> str:
    return _KEY_LIKE.sub(REDACTED_KEY, text)


class JsonFormatter(logging.Formatter):
    """One JSON line per record. Key-shaped strings are redacted from the whole line (message, its arguments,
    traceback, request id), whichever logger wrote it."""

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
        return redact_keys(json.dumps(entry, ensure_ascii=False))


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


def multiprocess_dir() -> str | None:
    """prometheus-client's multiprocess mode: set for every worker of a multi-worker server (service.web.server)."""
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def _pool_numbers(engines: weakref.WeakSet[AsyncEngine]) -> tuple[int, int]:
    pools = [engine.sync_engine.pool for engine in list(engines)]
    in_use = sum(getattr(pool, "checkedout", lambda: 0)() for pool in pools)
    idle = sum(getattr(pool, "checkedin", lambda: 0)() for pool in pools)
    return in_use, idle


_POOL_IN_USE = ("realign_db_pool_connections_in_use", "Connections checked out of the pool.")
_POOL_IDLE = ("realign_db_pool_connections_idle", "Connections idle in the pool.")


class _PoolCollector(Collector):
    """Connection-pool use of every live engine of this process, read at scrape time."""

    def __init__(self) -> None:
        self.engines: weakref.WeakSet[AsyncEngine] = weakref.WeakSet()

    def collect(self) -> Iterator[GaugeMetricFamily]:
        in_use, idle = _pool_numbers(self.engines)
        yield GaugeMetricFamily(*_POOL_IN_USE, value=in_use)
        yield GaugeMetricFamily(*_POOL_IDLE, value=idle)


class _PoolGauges:
    """The same pool figures in multiprocess mode, where /metrics reads the workers' files, not this process:
    each worker writes its own on every checkout and checkin, and the scrape sums the live workers'."""

    def __init__(self) -> None:
        self.engines: weakref.WeakSet[AsyncEngine] = weakref.WeakSet()
        self.in_use = Gauge(*_POOL_IN_USE, multiprocess_mode="livesum")
        self.idle = Gauge(*_POOL_IDLE, multiprocess_mode="livesum")

    def update(self, *_: Any) -> None:
        in_use, idle = _pool_numbers(self.engines)
        self.in_use.set(in_use)
        self.idle.set(idle)

    def watch(self, engine: AsyncEngine) -> None:
        self.engines.add(engine)
        pool = engine.sync_engine.pool
        for name in ("checkout", "checkin", "close", "invalidate"):
            event.listen(pool, name, self.update)
        self.update()


_pool_collector: _PoolCollector | None = None
_pool_gauges: _PoolGauges | None = None


def watch_pool(engine: AsyncEngine) -> None:
    global _pool_collector, _pool_gauges
    if multiprocess_dir():
        if _pool_gauges is None:
            _pool_gauges = _PoolGauges()
        _pool_gauges.watch(engine)
        return
    if _pool_collector is None:  # registered once per process, however many apps are made
        _pool_collector = _PoolCollector()
        REGISTRY.register(_pool_collector)
    _pool_collector.engines.add(engine)


def forget_process() -> None:
    """At a worker's exit in multiprocess mode: its live gauges (requests in progress, pool) stop counting."""
    if multiprocess_dir():
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(os.getpid())
