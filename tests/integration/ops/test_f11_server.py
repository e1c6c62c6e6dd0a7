"""Finding F11 (issue 12), the server's part: no `server` header, no request smuggling with Content-Length and
Transfer-Encoding together, and deadlines for the request head and body. Raw sockets against `python -m service
serve` on loopback, with a header timeout of 1 s (so a body timeout of 3 s)."""

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
    env = {"REALIGN_HEADER_TIMEOUT_SECONDS": "1", "REALIGN_METRICS_TOKEN": METRICS_TOKEN}
    with server_process(["service", "serve"], settings, env) as base:
        yield base


METRICS_TOKEN = "f11-metrics"


def _requests_counted(server: str, method: str, path: str) -> dict[str, float]:
    """The request counter of one operation by status, from /metrics."""
    text = httpx.get(f"{server}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}).text
    counted: dict[str, float] = {}
    for line in text.splitlines():
        if line.startswith("realign_requests_total{") and f'method="{method}"' in line and f'path="{path}"' in line:
            status = line.split('status_code="')[1].split('"')[0]
            counted[status] = float(line.rsplit(" ", 1)[1])
    return counted


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


@pytest.mark.parametrize(
    "head",
    [
        b"POST /graphql HTTP/1.1\r\nHost: realign\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{",
        b"POST /v1/assessments HTTP/1.1\r\nHost: realign\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n1\r\n{\r\n",
    ],
)
def test_a_body_dribbled_slowly_is_cut_off_with_a_408(server: str, head: bytes) -> None:
    """Anonymous, and a byte of body every quarter second: before, the connection was held for as long as the client
    liked (the head deadline stops at the head)."""
    chunked = b"chunked" in head
    answer = b""
    with _connect(server) as sock:
        sock.settimeout(0.25)
        sock.sendall(head)
        closed = False
        give_up = time.monotonic() + 15  # far beyond the 3 s deadline: only a server that never cuts off fails
        while not closed and time.monotonic() < give_up:
            try:
                sock.sendall(b"1\r\n \r\n" if chunked else b" ")
            except (BrokenPipeError, ConnectionResetError):
                break
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                continue
            except ConnectionResetError:
                break
            answer += chunk
            closed = not chunk
    assert time.monotonic() < give_up, "the server kept a connection whose request body never completed"
    status_line, _, rest = answer.partition(b"\r\n")
    assert status_line.startswith(b"HTTP/1.1 408"), answer
    headers, _, body = rest.partition(b"\r\n\r\n")
    assert b"content-type: application/problem+json" in headers.lower() and b"connection: close" in headers.lower()
    assert b'"status":408' in body and b"/problems/request-timeout" in body
    # Counted as what it got, not as a 500 of a handler that found no body.
    path = head.split(b" ")[1].decode()
    counted = _requests_counted(server, "POST", path)
    assert counted.get("408", 0) >= 1 and "500" not in counted, counted


def test_a_client_leaving_before_its_body_is_complete_is_counted_as_499_not_500(server: str) -> None:
    before = _requests_counted(server, "POST", "/v1/programs")
    with _connect(server) as sock:
        sock.sendall(b"POST /v1/programs HTTP/1.1\r\nHost: realign\r\nContent-Type: application/json\r\n")
        sock.sendall(b"Content-Length: 500\r\n\r\n{")
        time.sleep(0.3)
    deadline = time.monotonic() + 10
    while (counted := _requests_counted(server, "POST", "/v1/programs")).get("499", 0) <= before.get("499", 0):
        assert time.monotonic() < deadline, counted
        time.sleep(0.1)
    assert "500" not in counted, counted


def test_a_body_sent_in_parts_within_its_deadline_is_answered(server: str) -> None:
    body = b'{"query": "{ patterns { slug } }"}'
    head = b"POST /graphql HTTP/1.1\r\nHost: realign\r\nContent-Type: application/json\r\nConnection: close\r\n"
    with _connect(server) as sock:
        sock.sendall(head + b"Content-Length: %d\r\n\r\n" % len(body))
        for part in (body[:10], body[10:]):
            time.sleep(0.8)  # 1.6 s in all: past the 1 s head deadline, within the 3 s body one
            sock.sendall(part)
        answer = _read_until_closed(sock)
    assert answer.startswith(b"HTTP/1.1 200"), answer
    assert b"lower_crossed_syndrome" in answer


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
