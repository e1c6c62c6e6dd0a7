"""Findings F2 and F11 (issue 12): every way the service is served runs uvicorn with the same settings: the
hardened h11 protocol and its limits, no `server` header, and uvicorn's own proxy-header handling off."""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from service import __main__ as cli
from service.web import server
from service.web.server_protocol import KEEP_ALIVE_SECONDS, MAX_REQUEST_HEAD_BYTES, HardenedH11Protocol


def _check(options: dict[str, Any], header_timeout: float, public_url: str = "http://localhost:8000") -> None:
    assert options["proxy_headers"] is False and options["server_header"] is False
    assert options["timeout_keep_alive"] == KEEP_ALIVE_SECONDS
    assert options["h11_max_incomplete_event_size"] == MAX_REQUEST_HEAD_BYTES
    protocol = options["http"]
    assert isinstance(protocol, functools.partial) and protocol.func is HardenedH11Protocol
    # public_url: the problem type of the protocol's own 400s is absolute under it (service.web.problem_types).
    assert protocol.keywords == {"header_timeout": header_timeout, "public_url": public_url}


@pytest.fixture
def launched(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, Any]]]:
    import uvicorn

    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: calls.append(options))
    monkeypatch.setenv("DATABASE_URL", "postgresql://127.0.0.1/unused")
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield calls
    root.handlers[:], root.level = handlers, level  # _serve configures the process's logging


def test_f11_python_m_service_serve_and_run(launched: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REALIGN_HEADER_TIMEOUT_SECONDS", "2.5")
    monkeypatch.setenv("REALIGN_PUBLIC_URL", "https://api.example.com/")
    cli._serve("127.0.0.1", 0)
    _check(launched[-1], 2.5, "https://api.example.com")


def test_f11_python_m_service_server(launched: list[dict[str, Any]]) -> None:
    server.main(["service.asgi:app", "--port", "0"])
    _check(launched[-1], 10.0)


def test_f11_the_header_timeout_setting() -> None:
    from service.settings import Settings

    url = {"DATABASE_URL": "postgresql://x/y"}
    assert Settings.from_env(url).header_timeout_seconds is None
    assert Settings.from_env({**url, "REALIGN_HEADER_TIMEOUT_SECONDS": "0.5"}).header_timeout_seconds == 0.5
