"""ASGI entry point for servers that import the app: `uvicorn --factory service.asgi:app`."""

from __future__ import annotations

from litestar import Litestar

from service.app import create_app
from service.settings import Settings
from service.web import heap
from service.web.observability import configure_logging


def app() -> Litestar:
    configure_logging()  # each worker process configures its own logging
    built = create_app(Settings.from_env())
    heap.settle()  # each worker process builds one app: what it made is kept for the process's life
    return built
