"""A nesting limit on JSON request bodies (and GraphQL `variables` in a query string), checked before decoding.

msgspec and the standard library both decode JSON recursively: about 1,000 levels of `[` end in a RecursionError,
which surfaced as a 500 (issue 12, F4). No request of this API needs more than a handful of levels, so anything
nested deeper than MAX_JSON_DEPTH is a 400 problem before any decoder sees it.

The check costs two `bytes.count` calls on an ordinary body: a document with at most MAX_JSON_DEPTH brackets in
all cannot be nested deeper. Only a bracket-heavy body is scanned, in C-level passes (strings blanked by one regex,
the brackets kept by `bytes.translate`, the running depth by `itertools.accumulate`): 1 MB of brackets, the largest
body accepted, takes about 30 ms.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Callable
from itertools import accumulate
from typing import Any
from urllib.parse import parse_qs

from litestar.types import ASGIApp, Receive, Scope, Send

from service.lib.errors import Invalid

MAX_JSON_DEPTH = 32

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_OPENERS, _CLOSERS = b"[{", b"]}"
# Every byte but the brackets is deleted; openers become +1 and closers -1 (0xff as a signed byte).
_DEPTH_STEPS = bytes.maketrans(_OPENERS + _CLOSERS, b"\x01\x01\xff\xff")
_NOT_BRACKETS = bytes(b for b in range(256) if b not in _OPENERS + _CLOSERS)


def json_depth_exceeds(document: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether `document`, read as JSON, nests arrays and objects more than `limit` deep (brackets inside strings
    do not count). Malformed JSON is left to the decoder: only the nesting is judged here."""
    if document.count(b"[") + document.count(b"{") <= limit:
        return False
    brackets = _STRING.sub(b'""', document).translate(_DEPTH_STEPS, _NOT_BRACKETS)
    return max(accumulate(array("b", brackets)), default=0) > limit


def _too_deep(field: str) -> Exception:
    return Invalid.field(field, f"JSON nested more than {MAX_JSON_DEPTH} levels deep")


def json_depth_middleware(max_body_bytes: int) -> Callable[[ASGIApp], ASGIApp]:
    """Route-level: read the request body once, refuse it when nested too deep, and hand it on unchanged.

    A body larger than `max_body_bytes` is handed on as it streams, for Litestar to refuse with a 413."""

    def wrap(app: ASGIApp) -> ASGIApp:
        return _DepthChecked(app, max_body_bytes)

    return wrap


class _DepthChecked:
    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        app = self.app
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        query = scope.get("query_string", b"")
        if b"variables" in query:  # GraphQL over GET
            for value in parse_qs(query.decode("latin-1")).get("variables", ()):
                if json_depth_exceeds(value.encode()):
                    raise _too_deep("variables")
        if scope["method"] in ("GET", "HEAD", "OPTIONS"):  # type: ignore[typeddict-item]
            await app(scope, receive, send)
            return
        first = await self._read_body(receive)
        if first["type"] == "http.disconnect":
            # The client left, or its body timed out (service.web.server_protocol), before the body was complete:
            # there is nobody to answer, and a handler would only fail on the missing body (a logged 500).
            return
        if first["type"] == "http.request" and not first["more_body"] and json_depth_exceeds(first["body"]):
            raise _too_deep("body")
        replayed = False

        async def replay() -> Any:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return first

        await app(scope, replay, send)

    async def _read_body(self, receive: Receive) -> Any:
        """The whole body as one `http.request` message; or, past the size limit, what came so far with
        `more_body` set (the rest follows from `receive`); or a disconnect."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message: Any = await receive()
            if message["type"] != "http.request":
                return message
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            more = bool(message.get("more_body", False))
            if not more or size > self.max_body_bytes:
                return {"type": "http.request", "body": b"".join(chunks), "more_body": more}
