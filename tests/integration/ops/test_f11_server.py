"""Finding F11 (issue 12), the server's part: no `server` header, no request smuggling with Content-Length and
Transfer-Encoding together, and a deadline for the request head. Raw sockets against `python -m service serve`
on loopback, with a header timeout of 1 s."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest

from service.settings import Settings
from tests.conftest import server_process


@pytest.fixture(scope="module")
def server(settings: Settings) -> Iterator[str]:
    with server_process(["service", "serve"], settings, {"REALIGN_HEADER_TIMEOUT_SECONDS": "1"}) as base:
        yield base


def _connect(base: str) -> socket.socket:
    url = urlsplit(base)
    return socket.create_connection((url.hostname, url.port), timeout=15)


def _read_until_closed(sock: socket.socket) -> bytes:
    received = b""
    while chunk := sock.recv(65536):
        received += chunk
    return received


def _closed_by_server(sock: socket.socket) -> bool:
    """Whether the server closed the connection: end of stream, or a reset, before the socket's timeout."""
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


def test_f11_responses_carry_no_server_header(server: str) -> None:
    for path in ("/healthz", "/v1/patterns", "/no-such-path"):
        assert "server" not in httpx.get(f"{server}{path}").headers


def test_f11_content_length_with_transfer_encoding_is_refused_not_split_in_two(server: str) -> None:
    # Framed by Transfer-Encoding, the body ends at `0\r\n\r\n` and a GET follows; framed by Content-Length (as
    # a proxy in front may do), the GET is part of the body. Either way it must not be answered as a request.
    smuggled = b"GET /v1/patterns HTTP/1.1\r\nHost: realign\r\nConnection: close\r\n\r\n"
    head = b"POST /v1/assessments HTTP/1.1\r\nHost: realign\r\nTransfer-Encoding: chunked\r\n"
    request = head + b"Content-Length: %d\r\n\r\n0\r\n\r\n" % (5 + len(smuggled)) + smuggled
    with _connect(server) as sock:
        sock.sendall(request)
        answer = _read_until_closed(sock)
    assert answer.count(b"HTTP/1.1 ") == 1, answer
    status_line, _, rest = answer.partition(b"\r\n")
    assert status_line.startswith(b"HTTP/1.1 400"), answer
    headers = rest.split(b"\r\n\r\n", 1)[0].lower()
    assert b"content-type: application/problem+json" in headers and b"connection: close" in headers
    assert b'"status":400' in answer and b"server:" not in headers


def test_f11_a_head_dribbled_slowly_is_cut_off(server: str) -> None:
    with _connect(server) as sock:
        sock.settimeout(0.25)
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: realign\r\n")
        closed = False
        give_up = time.monotonic() + 15  # far beyond the 1 s deadline: only a server that never cuts off fails
        while not closed and time.monotonic() < give_up:
            try:
                sock.sendall(b"X-Slow: a\r\n")  # a header line every quarter second, never the blank line
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            closed = _closed_by_server(sock)
    assert closed, "the server kept a connection whose request head never completed"


def test_f11_a_silent_connection_is_cut_off(server: str) -> None:
    with _connect(server) as sock:
        assert _closed_by_server(sock), "the server kept a connection that sent nothing for 15 s"


def test_f11_requests_on_a_kept_alive_connection_are_still_answered(server: str) -> None:
    with _connect(server) as sock:
        for connection in (b"keep-alive", b"close"):
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: realign\r\nConnection: " + connection + b"\r\n\r\n")
            answer = b""
            while b'{"status":"ok"}' not in answer:
                chunk = sock.recv(65536)
                assert chunk, answer
                answer += chunk
            assert answer.startswith(b"HTTP/1.1 200"), answer
