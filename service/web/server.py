"""Running the app under uvicorn with several worker processes, each with its own listening socket.

uvicorn's own multi-worker mode binds one socket in the parent and hands it to every worker. Two things go wrong
with it on Linux, both measured with `make bench`:

- That socket is made with `socket.socket(family)`, so its `proto` is 0, and asyncio only turns Nagle's algorithm
  off (TCP_NODELAY) for sockets whose `proto` is IPPROTO_TCP. Every connection kept Nagle on: a response written
  as two segments (the head, then the body) waited for the client's delayed ACK, about 40 ms, and the server
  answered ~700 requests/s whatever the handler did.
- All workers wait on the one queue and whichever wakes first accepts every pending connection (asyncio accepts
  up to `backlog` per wake-up), so a burst of keep-alive connections often lands on a single worker while the
  others idle: throughput flipped between one worker's and two workers' from run to run.

Here every worker binds its own socket with SO_REUSEPORT (and proto IPPROTO_TCP, so asyncio sets TCP_NODELAY), and
the kernel spreads new connections over the workers' sockets. The parent keeps one bound, non-listening socket of
the group so that the port stays reserved while workers restart. uvicorn's supervisor (health checks, restarts,
signals) is used as it is: the listener is simply re-bound in each worker when it is unpickled there.
"""

from __future__ import annotations

import functools
import logging
import os
import shutil
import socket
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from service.settings import DEFAULT_PUBLIC_URL

logger = logging.getLogger("uvicorn.error")


def _bind(family: int, address: tuple[Any, ...]) -> socket.socket:
    sock = _ReusePortListener(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(address)
    sock.set_inheritable(True)
    return sock


class _ReusePortListener(socket.socket):
    """A TCP socket bound with SO_REUSEPORT that binds anew (same address) in each process it is sent to."""

    def __reduce_ex__(self, protocol: Any) -> Any:
        return _bind, (self.family, self.getsockname())


def bind_reuseport(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    return _bind(family, (host, port))


@contextmanager
def metrics_directory(workers: int) -> Iterator[str | None]:
    """PROMETHEUS_MULTIPROC_DIR for a server of `workers` processes, so that /metrics adds up every worker's.

    When it is set, its files of an earlier run are removed first (prometheus-client requires a clean directory per
    run); when it is unset and there are several workers, a fresh temporary directory is made for this run and
    removed after it. Set before the workers start: prometheus-client reads it when a worker imports it."""
    given = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if given:
        Path(given).mkdir(parents=True, exist_ok=True)
        for stale in Path(given).glob("*.db"):
            stale.unlink()
        yield given
        return
    if workers <= 1:
        yield None
        return
    made = tempfile.mkdtemp(prefix="realign-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = made
    try:
        yield made
    finally:
        os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)
        shutil.rmtree(made, ignore_errors=True)


def uvicorn_options(
    header_timeout_seconds: float | None = None, public_url: str = DEFAULT_PUBLIC_URL
) -> dict[str, Any]:
    """The uvicorn settings of every launch of the service: `serve` below (`make serve`, `make run`, the bench
    server) and the tests' live server, so that each behaves as production does. The limits and why they are what
    they are: service.web.server_protocol."""
    from service.web.server_protocol import (
        HEADER_TIMEOUT_SECONDS,
        KEEP_ALIVE_SECONDS,
        MAX_REQUEST_HEAD_BYTES,
        HardenedH11Protocol,
    )

    timeout = HEADER_TIMEOUT_SECONDS if header_timeout_seconds is None else header_timeout_seconds
    return {
        # A partial, not a subclass made here: uvicorn pickles its config into each worker process.
        "http": functools.partial(HardenedH11Protocol, header_timeout=timeout, public_url=public_url),
        "h11_max_incomplete_event_size": MAX_REQUEST_HEAD_BYTES,
        "timeout_keep_alive": KEEP_ALIVE_SECONDS,
        # X-Forwarded-For is the app's to trust, from REALIGN_TRUSTED_PROXIES (service.app says why).
        "proxy_headers": False,
        # `server: uvicorn` tells a scanner which server (and which advisories) to try; clients need nothing of it.
        "server_header": False,
    }


def serve(
    app: str,
    *,
    host: str,
    port: int,
    workers: int,
    header_timeout_seconds: float | None = None,
    public_url: str = DEFAULT_PUBLIC_URL,
    **config: Any,
) -> None:
    """`uvicorn.run(app, host=…, port=…, workers=…, **config)`, with one SO_REUSEPORT listener per worker and the
    service's uvicorn settings (`uvicorn_options`)."""
    import uvicorn
    from uvicorn.config import STARTUP_FAILURE
    from uvicorn.supervisors import Multiprocess

    config = {**uvicorn_options(header_timeout_seconds, public_url), **config}
    if workers <= 1 or not hasattr(socket, "SO_REUSEPORT"):
        uvicorn.run(app, host=host, port=port, workers=workers, **config)
        return
    uv_config = uvicorn.Config(app, host=host, port=port, workers=workers, **config)
    try:
        listener = bind_reuseport(host, port)
    except OSError as exc:
        logger.error(exc)
        sys.exit(STARTUP_FAILURE)
    bound_host, bound_port = listener.getsockname()[:2]
    logger.info("Uvicorn running on http://%s:%d with %d workers (SO_REUSEPORT)", bound_host, bound_port, workers)
    try:
        Multiprocess(uv_config, sockets=[listener]).run()
    except KeyboardInterrupt:  # pragma: no cover
        pass
    finally:
        listener.close()


def main(argv: list[str] | None = None) -> None:
    """`python -m service.web.server MODULE:FACTORY --port N [--host H] [--workers N]` (the factory builds the app),
    served as `make serve` serves the service (used by `make bench` for the service and its ceiling alike)."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m service.web.server")
    parser.add_argument("app")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args(argv)
    with metrics_directory(args.workers):
        serve(
            args.app,
            host=args.host,
            port=args.port,
            workers=args.workers,
            factory=True,
            access_log=False,
            log_level="warning",
        )


if __name__ == "__main__":
    main()
