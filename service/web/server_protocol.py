"""uvicorn's h11 protocol with the limits it lacks: deadlines for the request head and body, and no ambiguous framing.

- uvicorn times a connection out only while it is idle after a response (`timeout_keep_alive`); a connection that
  sends nothing, or a byte of its head now and then, is kept for ever: a few hundred such connections hold a
  worker's sockets and memory (slowloris). Here the whole request head must arrive within `header_timeout`
  seconds of the connection opening or of the previous response completing, or the connection is closed.
- Nor does uvicorn time a request body: a client that sends a head announcing a body and then a byte of it now and
  then held its connection for as long as it liked, anonymously (a GraphQL POST needs no key). Here the whole body
  must arrive within `BODY_TIMEOUTS_PER_HEAD` header timeouts of its head, or the request gets a 408 problem (when
  nothing of an answer was sent yet) and the connection is closed; the app then reads a disconnect.
- h11 frames a request that carries both `Content-Length` and `Transfer-Encoding` by the latter, and keeps the
  connection. A proxy in front that frames it by `Content-Length` then sees one request where we see two: the
  rest of the body is taken for a request of its own (request smuggling). RFC 9112 §6.3 lets a server reject
  such a request and says to close the connection after it: it gets a 400 problem and the connection is closed
  before anything after its head is read.

The limits are the constants below, each with its reason; REALIGN_HEADER_TIMEOUT_SECONDS overrides the header
timeout (tests use a short one). service.web.server.uvicorn_options passes them to every launch of the service.
"""

from __future__ import annotations

import asyncio
import contextlib
from http import HTTPStatus
from typing import Any

import h11
import msgspec
from uvicorn.config import Config
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState

from service.settings import DEFAULT_PUBLIC_URL
from service.web.problem_types import BY_SLUG, type_uri
from service.web.problems import PROBLEM_MEDIA_TYPE, Problem
from service.web.transport import BODY_TIMED_OUT_STATE_KEY

# A request head (request line and headers) larger than this is refused. Ours are an API key, a few standard
# headers and query strings of at most a few hundred bytes; 16 KiB (h11's own default, said here on purpose) leaves
# room for proxies' additions while bounding what one connection makes the server buffer before it can parse.
MAX_REQUEST_HEAD_BYTES = 16 * 1024
# An idle keep-alive connection is closed after this long. Clients that reuse connections send their next request
# within milliseconds; holding idle sockets longer only costs descriptors. A proxy that reuses upstream
# connections must close them sooner than this (e.g. nginx `keepalive_timeout 4s` in its upstream block).
KEEP_ALIVE_SECONDS = 5
# The whole request head must arrive within this long of the connection opening or of the previous response.
# A real client sends its head in one write, well under a second even on a slow mobile link; 10 s allows for
# a TLS-terminating proxy and bad networks while bounding how long a slowloris connection can hold a socket.
HEADER_TIMEOUT_SECONDS = 10.0
# The whole body must arrive within this many header timeouts of its head (30 s by default): the largest body the
# service takes (1 MiB) at 35 KB/s, where ours are a few KB. A header timeout of 1 s (tests) gives 3 s.
BODY_TIMEOUTS_PER_HEAD = 3


class _Connection(h11.Connection):
    """h11's server side, refusing a request with both Content-Length and Transfer-Encoding, and telling the
    protocol when a request head is complete."""

    def __init__(self, protocol: HardenedH11Protocol, max_incomplete_event_size: int) -> None:
        super().__init__(h11.SERVER, max_incomplete_event_size=max_incomplete_event_size)
        self._protocol = protocol

    def next_event(self) -> Any:
        event = super().next_event()
        if isinstance(event, h11.Request):
            self._protocol.head_received()
            names = {name.lower() for name, _ in event.headers}
            if b"content-length" in names and b"transfer-encoding" in names:
                # uvicorn answers a RemoteProtocolError with a 400 (send_400_response) and closes the connection.
                raise h11.RemoteProtocolError("Content-Length and Transfer-Encoding together", error_status_hint=400)
            if b"transfer-encoding" in names or any(
                name.lower() == b"content-length" and value.strip() != b"0" for name, value in event.headers
            ):
                self._protocol.await_body()
        elif isinstance(event, h11.EndOfMessage):
            self._protocol.body_received()
        return event


class HardenedH11Protocol(H11Protocol):
    """Pass as uvicorn's `http` (service.web.server.uvicorn_options does)."""

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
        *,
        header_timeout: float = HEADER_TIMEOUT_SECONDS,
        public_url: str = DEFAULT_PUBLIC_URL,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        size = config.h11_max_incomplete_event_size
        self.conn = _Connection(self, size if size is not None else MAX_REQUEST_HEAD_BYTES)
        self.header_timeout = header_timeout
        self.public_url = public_url
        self._head_deadline: asyncio.TimerHandle | None = None
        self._body_deadline: asyncio.TimerHandle | None = None

    def _await_head(self) -> None:
        self.head_received()
        self._head_deadline = self.loop.call_later(self.header_timeout, self._head_timed_out)

    def head_received(self) -> None:
        if self._head_deadline is not None:
            self._head_deadline.cancel()
            self._head_deadline = None

    def _head_timed_out(self) -> None:
        # Closed without an answer, as uvicorn closes an idle keep-alive connection: no request was made, and h11
        # cannot send a response before one (a client that wanted one retries on a new connection).
        self._head_deadline = None
        if not self.transport.is_closing():
            self.logger.debug("Request head not complete within %s s; closing the connection.", self.header_timeout)
            self.transport.close()

    def await_body(self) -> None:
        self._body_deadline = self.loop.call_later(self.header_timeout * BODY_TIMEOUTS_PER_HEAD, self._body_timed_out)

    def body_received(self) -> None:
        if self._body_deadline is not None:
            self._body_deadline.cancel()
            self._body_deadline = None

    def _body_timed_out(self) -> None:
        self._body_deadline = None
        if self.transport.is_closing():
            return
        seconds = self.header_timeout * BODY_TIMEOUTS_PER_HEAD
        self.logger.debug("Request body not complete within %s s; closing the connection.", seconds)
        cycle = self.cycle
        if cycle is not None and not cycle.response_started:
            # Should h11 allow no answer in this state, closing is answer enough.
            with contextlib.suppress(h11.LocalProtocolError):
                self._send_problem(408, "request-timeout", "The request body did not arrive in time; send it again.")
        if cycle is not None:
            cycle.scope["state"][BODY_TIMED_OUT_STATE_KEY] = True
            # What connection_lost will say, said now: the app's next receive is a disconnect, and whatever it
            # sends is dropped (this answer is the request's).
            cycle.disconnected = True
            cycle.message_event.set()
        self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._await_head()

    def connection_lost(self, exc: Exception | None) -> None:
        self.head_received()
        self.body_received()
        super().connection_lost(exc)

    def on_response_complete(self) -> None:
        # The request is answered: what follows is the next request's head, under its own deadline. Armed before
        # uvicorn goes on to a request already buffered (pipelining), whose head cancels it at once.
        self.body_received()
        if not self.transport.is_closing():
            self._await_head()
        super().on_response_complete()

    def send_400_response(self, msg: str) -> None:
        """uvicorn's answer to a request h11 cannot accept (or we refuse), as a problem document like every 4xx."""
        self._send_problem(400, "invalid-request", msg)
        self.transport.close()

    def _send_problem(self, status: int, kind: str, detail: str) -> None:
        """A problem document, straight to the connection, announcing that it will close."""
        problem = Problem(type=type_uri(self.public_url, kind), title=BY_SLUG[kind].title, status=status, detail=detail)
        body = msgspec.json.encode(problem)
        headers = [
            (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
        ]
        reason = HTTPStatus(status).phrase.encode()
        for event in (h11.Response(status_code=status, headers=headers, reason=reason), h11.Data(data=body)):
            self.transport.write(self.conn.send(event) or b"")
        self.transport.write(self.conn.send(h11.EndOfMessage()) or b"")
