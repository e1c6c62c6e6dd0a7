"""Cached answers to catalogue-only GraphQL queries, per catalogue version.

A GraphQL request whose exact bytes (method, query string, content type, accept, body: so the same query text,
variables and operation name) were answered before gets that answer again without parsing, validating or
executing anything, as long as the catalogue has not changed since. Only what is safe to share is kept:

- every operation of the document is a `query` whose root fields are catalogue fields (`exercises`, `muscle`, …;
  never assessments, never introspection, never a mutation);
- it was executed successfully: status 200, JSON, no `errors` (so a document over the depth, token or alias
  limits, or with a bad argument, is never kept: it fails the same way each time);
- the catalogue version did not change while it ran.

The cache follows CatalogCache: the same version check (at most every `check_seconds`), emptied with it. Access
is decided on a hit as on a miss: the key is checked (401), the request is counted against its quota (429) and,
when the catalogue is private (REALIGN_PUBLIC_CATALOG=false), a hit needs a key with `catalog:read`; whenever
any of these refuses, the request takes the normal way, which answers exactly as it would have. Identical
catalogue-only requests that arrive while one is executing wait for it and then look again (a cold cache is not
a stampede); when its answer was not kept, each executes on its own. Any other request passes straight through.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

import msgspec
from graphql import FieldNode, GraphQLError, OperationDefinitionNode, OperationType, parse
from litestar.types import ASGIApp, Message, Receive, ReceiveMessage, Scope, Send

from service.catalog.cache import CatalogCache
from service.clients.auth import check_catalog_access
from service.lib.singleflight import LruCache, SingleFlight
from service.web.problems import ProblemError

logger = logging.getLogger("service.graphql.cache")

# The catalogue's root query fields (service.graphql.catalog.catalog_query); the schema test keeps this honest.
CATALOG_ROOT_FIELDS = frozenset({"exercises", "exercise", "muscles", "muscle", "equipment", "conditions", "patterns"})
MAX_CACHED_REQUEST_BYTES = 64 * 1024
MAX_ENTRIES = 1000

_Key = tuple[bytes, bytes, bytes, bytes, bytes]
_Answer = tuple[int, tuple[tuple[bytes, bytes], ...], bytes]


def is_catalog_only(query: str) -> bool:
    """Whether every operation of `query` is a query reading catalogue root fields only (False if unparsable)."""
    try:
        document = parse(query)
    except GraphQLError:
        return False
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if not operations:
        return False
    for operation in operations:
        if operation.operation is not OperationType.QUERY:
            return False
        for selection in operation.selection_set.selections:
            # A fragment at the root could name anything: not kept (it still runs normally).
            if not isinstance(selection, FieldNode):
                return False
            if selection.name.value not in CATALOG_ROOT_FIELDS and selection.name.value != "__typename":
                return False
    return True


def _query_text(scope: Scope, body: bytes) -> str | None:
    if scope["method"] == "GET":  # type: ignore[typeddict-item]
        from urllib.parse import parse_qs

        values = parse_qs(scope["query_string"].decode("latin-1")).get("query")
        return values[0] if values else None
    try:
        payload = msgspec.json.decode(body)
    except msgspec.DecodeError:
        return None
    query = payload.get("query") if isinstance(payload, dict) else None
    return query if isinstance(query, str) else None


def _succeeded(status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> bool:
    if status != 200:
        return False
    content_type = next((v for k, v in headers if k.lower() == b"content-type"), b"")
    if not content_type.startswith(b"application/json"):
        return False
    try:
        payload = msgspec.json.decode(body)
    except msgspec.DecodeError:
        return False
    return isinstance(payload, dict) and "data" in payload and not payload.get("errors")


class GraphQLCache:
    """The kept answers (LRU, at most `max_entries`) and the executions in flight, by request key.

    An execution answers its own client, so it cannot be shared as a computation: the request executing a key
    claims it, and identical requests wait for it to finish, then look for its answer (SingleFlight.claim)."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self._entries: LruCache[_Key, _Answer] = LruCache(max_entries)
        self._running: SingleFlight[_Key, None] = SingleFlight()

    def clear(self) -> None:
        self._entries.clear()

    def running(self, key: _Key) -> asyncio.Future[None] | None:
        """Done when the request executing `key` (if any) has finished, its answer kept or not."""
        return self._running.running(key)

    def executing(self, key: _Key) -> asyncio.Future[None] | None:
        """Note that `key` is being executed (unless another request already is); pass the result to executed()."""
        return self._running.claim(key)

    def executed(self, key: _Key, running: asyncio.Future[None] | None) -> None:
        self._running.release(key, running)

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: _Key) -> _Answer | None:
        return self._entries.get(key)

    def put(self, key: _Key, answer: _Answer) -> None:
        self._entries.put(key, answer)


async def _read_body(receive: Receive) -> tuple[list[ReceiveMessage], bytes, bool]:
    """The request's messages up to MAX_CACHED_REQUEST_BYTES; whether the whole body was read."""
    messages: list[ReceiveMessage] = []
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            return messages, b"", False
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        if not message.get("more_body", False):
            return messages, b"".join(chunks), True
        if size > MAX_CACHED_REQUEST_BYTES:
            return messages, b"", False


def _replaying(messages: list[ReceiveMessage], receive: Receive) -> Receive:
    pending = list(messages)

    async def replay() -> ReceiveMessage:
        if pending:
            return pending.pop(0)
        return await receive()

    return replay


def _header(scope: Scope, name: bytes) -> bytes:
    return next((v for k, v in scope["headers"] if k == name), b"")


async def _may_reuse(scope: Scope) -> bool:
    """The guard's and the catalogue permission's decisions, taken here; False sends the request the normal way."""
    try:
        await check_catalog_access(scope)
    except ProblemError:
        return False
    return True


def graphql_cache_middleware(catalog_cache: CatalogCache, cache: GraphQLCache) -> Callable[[ASGIApp], ASGIApp]:
    """Controller-level middleware of /graphql: answers repeated catalogue-only queries from `cache`, emptied with
    `catalog_cache` whenever the catalogue changes."""

    def wrap(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            method = scope.get("method")
            if scope["type"] != "http" or method not in ("GET", "POST"):
                await app(scope, receive, send)
                return
            await catalog_cache.refresh()  # empties both caches when the catalogue changed
            messages, body, complete = await _read_body(receive) if method == "POST" else ([], b"", True)
            replay = _replaying(messages, receive)
            if not complete:
                await app(scope, replay, send)
                return
            key: _Key = (
                method.encode(),
                scope["query_string"],
                _header(scope, b"content-type"),
                _header(scope, b"accept"),
                body,
            )
            answer = cache.get(key)
            if answer is None:
                query = _query_text(scope, body)
                if query is None or not is_catalog_only(query):
                    await app(scope, replay, send)  # never kept: no waiting for twins, no capture
                    return
                if (running := cache.running(key)) is not None:
                    await asyncio.wait(
                        [running]
                    )  # an identical request is executing: its answer may be kept, then reused
                    answer = cache.get(key)
            if answer is not None and await _may_reuse(scope):
                status, headers, content = answer
                await send({"type": "http.response.start", "status": status, "headers": list(headers)})
                await send({"type": "http.response.body", "body": content, "more_body": False})
                return

            version = catalog_cache.version
            start: dict[str, Any] = {}
            chunks: list[bytes] = []
            streamed = False

            async def capture(message: Message) -> None:
                nonlocal streamed
                if message["type"] == "http.response.start":
                    start["status"] = message["status"]
                    start["headers"] = [(bytes(k), bytes(v)) for k, v in message.get("headers", ())]
                elif message["type"] == "http.response.body":
                    chunks.append(message.get("body", b""))
                    streamed = streamed or message.get("more_body", False)
                await send(message)

            executing = cache.executing(key)
            try:
                await app(scope, replay, capture)
                if not start or streamed or version is None or catalog_cache.version != version:
                    return
                content = b"".join(chunks)
                if _succeeded(
                    start["status"], start["headers"], content
                ):  # the query is catalogue-only (checked above)
                    cache.put(key, (start["status"], tuple(start["headers"]), content))
            finally:
                cache.executed(key, executing)

        return middleware

    return wrap
