"""HTTP transport around the whole app (#17): gzip for large responses, HEAD on every GET route, CORS settings.

`wrap_transport` wraps the app's ASGI handler: below Litestar's entry (which sets the scope's app and state and wraps
`send` in the before_send hooks), above the CORS middleware and the router. So:

- HEAD is answered before routing looks for a HEAD handler: as the GET of the same path, status and headers alike,
  without the body. No route declares HEAD, so the OpenAPI document lists each operation once (HEAD is GET without
  its content by definition, RFC 9110 §9.3.2).
- Compression sees every response, the catalogue's cached fast path included, and sets `Vary` after the CORS
  middleware (which overwrites `Vary` with `Origin`).

Litestar's `compression_config` is not used: it installs its middleware inside each route's stack, below the app's
and the controllers' middleware, so the catalogue's fast path (service.catalog.cache.cached_read_middleware) would
bypass it; it takes `gzip;q=0` for a yes (a substring test); it keeps a strong ETag on the compressed body; and it
compresses every response anew: a cached 500-exercise page went from 1.3 to 11 ms a request. Here a response with
an ETag is compressed once and its gzip body reused.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from typing import TYPE_CHECKING, Final

from litestar.config.cors import CORSConfig

from service.lib.singleflight import LruCache

if TYPE_CHECKING:
    from litestar.types import ASGIApp, HTTPResponseStartEvent, Message, Receive, Scope, Send

# Smaller responses gain a few hundred bytes at most and cost a compressor: problems, 304s, /healthz stay plain.
MINIMUM_SIZE: Final = 1024
# Measured on the test catalogue: a 500-exercise page (263 KB) takes 7.3 ms at level 6 -> 50.6 KB (level 9: 11.5 ms,
# 50.1 KB); a program (52 KB) 1.1 ms -> 10.5 KB at level 6, 0.6 ms -> 11.1 KB at level 4, against 5.9 ms for the
# whole uncompressed GET. A body with an ETag is compressed once per process (`_zipped`), so it gets the denser
# level; every other body is compressed on each request, so it gets the cheaper one.
LEVEL_KEPT: Final = 6
LEVEL_PER_REQUEST: Final = 4
# Compressed bodies kept, by ETag: as many as the catalogue cache keeps uncompressed (a fraction of its memory).
KEPT_ENTRIES: Final = 5000
# A response announcing more bytes than this is sent as it is: compressing the docs page's 4.9 MB Scalar bundle (a
# streamed static file, compressed anew on each request) took about 100 ms of CPU per anonymous request, 2026-12-04,
# an amplification the hardening issue rules out. Serving precompressed copies of the vendored assets would restore
# the saving.
LARGEST_COMPRESSED: Final = 1024 * 1024

# Methods the API serves (HEAD through `answer_head`), and the response headers a browser app may read beyond the
# CORS-safelisted ones (Cache-Control, Content-Type, Content-Length...): validators, where a created resource is,
# the rate-limit fields (service.web.ratelimit), when to come back, idempotent replays, the request id.
CORS_METHODS: Final = ["GET", "HEAD", "POST", "DELETE", "OPTIONS"]
CORS_EXPOSED_HEADERS: Final = [
    "ETag",
    "Location",
    "RateLimit",
    "RateLimit-Policy",
    "Retry-After",
    "Idempotent-Replayed",
    "X-Request-ID",
]


def cors_config(origins: tuple[str, ...]) -> CORSConfig | None:
    if not origins:
        return None
    return CORSConfig(
        allow_origins=list(origins),
        allow_methods=list(CORS_METHODS),  # type: ignore[arg-type]  # litestar's Method literal, spelled as strings
        expose_headers=list(CORS_EXPOSED_HEADERS),
    )


def q_weight(params: Iterable[str]) -> float:
    """The weight (`q`) among the parameters of an Accept or Accept-Encoding item (RFC 9110 §12.4.2): 1 when none is
    given, 0 when it is no number."""
    weight = 1.0
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            try:
                weight = float(value.strip())
            except ValueError:
                weight = 0.0
    return weight


def accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether `Accept-Encoding` allows gzip (RFC 9110 §12.5.3): named with a non-zero weight, or covered by `*`
    with one. Litestar's own test is a substring match, which takes `gzip;q=0` for a yes."""
    if not accept_encoding:
        return False
    star = False
    for item in accept_encoding.split(","):
        coding, _, params = item.partition(";")
        coding = coding.strip().lower()
        if coding not in ("gzip", "x-gzip", "*"):
            continue
        weight = q_weight(params.split(";"))
        if coding == "*":
            star = weight > 0
        else:
            return weight > 0
    return star


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return None


def _gzip(body: bytes, level: int) -> bytes:
    compressor = zlib.compressobj(level, zlib.DEFLATED, 31)  # wbits 16+15: the gzip container
    return compressor.compress(body) + compressor.flush()


class Compression:
    """gzip for responses of at least MINIMUM_SIZE bytes to requests whose Accept-Encoding allows it.

    Every response gets `Vary: Accept-Encoding` (304s included: RFC 9110 §15.4.5).

    ETags (RFC 9110 §8.8.3): the catalogue's ETag is a hash of the uncompressed body. A strong ETag names one exact
    byte sequence, so the gzip and the identity bodies must not share one; a weak ETag may be shared by semantically
    equivalent representations, and If-None-Match compares weakly (§13.1.2), so a client sending `W/"…"` back still
    gets its 304 (service.catalog.cache drops a `W/` prefix). So the simplest correct rule: a response to a request
    that accepts gzip carries the weak form of its ETag, 200 and 304 alike, compressed or not (the ETag then depends
    on the request's Accept-Encoding only, which `Vary` names); a request that does not accept gzip gets the strong
    ETag of the identity body it receives.

    A strong ETag also promises the same bytes for the same tag, so the gzip body of a response with one is kept,
    keyed by tag and length, and reused: the cached catalogue reads are not compressed again on each request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._kept: LruCache[tuple[bytes, int], bytes] = LruCache(KEPT_ENTRIES)

    def _zipped(self, body: bytes, etag: bytes | None) -> bytes:
        if etag is None or etag.startswith(b"W/"):
            return _gzip(body, LEVEL_PER_REQUEST)
        key = (etag, len(body))
        zipped = self._kept.get(key)
        if zipped is None:
            zipped = _gzip(body, LEVEL_KEPT)
            self._kept.put(key, zipped)
        return zipped

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        accepted = accepts_gzip(_header(scope, b"accept-encoding"))
        held: HTTPResponseStartEvent | None = None  # the start of a response that may yet be compressed
        etag: bytes | None = None  # its ETag as the app sent it
        stream: zlib._Compress | None = None  # the compressor of a response sent in several parts

        async def compressing(message: Message) -> None:
            nonlocal held, etag, stream
            if message["type"] == "http.response.start":
                headers, etag, encoded = _negotiated(list(message.get("headers") or ()), weak_etag=accepted)
                message["headers"] = headers
                if accepted and not encoded and message["status"] not in (204, 304) and not _too_large(headers):
                    held = message
                    return
            elif message["type"] == "http.response.body" and stream is not None:
                more = message.get("more_body", False)
                message["body"] = stream.compress(message.get("body", b"")) + (b"" if more else stream.flush())
            elif message["type"] == "http.response.body" and held is not None:
                start, held = held, None
                body, more = message.get("body", b""), message.get("more_body", False)
                if more or len(body) >= MINIMUM_SIZE:
                    headers = [(n, v) for n, v in start["headers"] if n.lower() != b"content-length"]
                    headers.append((b"content-encoding", b"gzip"))
                    if more:  # streamed: the length is not known
                        stream = zlib.compressobj(LEVEL_PER_REQUEST, zlib.DEFLATED, 31)
                        message["body"] = stream.compress(body)
                    else:
                        message["body"] = zipped = self._zipped(body, etag)
                        headers.append((b"content-length", str(len(zipped)).encode()))
                    start["headers"] = headers
                await send(start)
            await send(message)

        await self.app(scope, receive, compressing)


def _negotiated(
    headers: list[tuple[bytes, bytes]], *, weak_etag: bool
) -> tuple[list[tuple[bytes, bytes]], bytes | None, bool]:
    """The headers with `Accept-Encoding` in `Vary` and, where gzip was negotiated, the ETag made weak; the ETag as
    it was; whether the body already has a content coding (then it is left alone)."""
    etag, encoded, vary_at = None, False, None
    for index, (name, value) in enumerate(headers):
        lowered = name.lower()
        if lowered == b"vary":
            vary_at = index
        elif lowered == b"etag":
            etag = value
            if weak_etag and not value.startswith(b"W/"):
                headers[index] = (name, b"W/" + value)
        elif lowered == b"content-encoding":
            encoded = True
    if vary_at is None:
        headers.append((b"vary", b"Accept-Encoding"))
    else:
        name, value = headers[vary_at]
        fields = {field.strip().lower() for field in value.split(b",")}
        if b"accept-encoding" not in fields and b"*" not in fields:
            headers[vary_at] = (name, value + b", Accept-Encoding")
    return headers, etag, encoded


def _too_large(headers: list[tuple[bytes, bytes]]) -> bool:
    length = next((value for name, value in headers if name.lower() == b"content-length"), None)
    return length is not None and length.isdigit() and int(length) > LARGEST_COMPRESSED


# In the scope's state of a HEAD request, which the app sees as a GET.
HEAD_STATE_KEY: Final = "head"
# Set in a request's scope state by the server when its body timed out (service.web.server_protocol answered it with
# a 408), for the request metrics (service.web.observability).
BODY_TIMED_OUT_STATE_KEY: Final = "body_timed_out"


def answer_head(app: ASGIApp) -> ASGIApp:
    """HEAD answered as the GET of the same path, with its status and headers (Content-Length, Content-Encoding,
    ETag... as the GET would send them) and no body.

    The app sees a copy of the scope that says GET (uvicorn's access log keeps the original, HEAD); the shared
    state records the method for the request metrics (service.web.observability)."""

    async def head_as_get(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":  # type: ignore[typeddict-item]
            await app(scope, receive, send)
            return

        async def without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        scope.setdefault("state", {})[HEAD_STATE_KEY] = True
        await app({**scope, "method": "GET"}, receive, without_body)  # type: ignore[arg-type]

    return head_as_get


def wrap_transport(handler: ASGIApp) -> ASGIApp:
    """The app's ASGI handler with compression and HEAD around it (see the module's docstring)."""
    return answer_head(Compression(handler))
