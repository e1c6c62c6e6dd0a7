"""Multi-worker listeners: one SO_REUSEPORT socket per worker, with Nagle off on every connection."""

from __future__ import annotations

import asyncio
import io
import json
import os
import pickle
import socket
import subprocess
import sys
from multiprocessing.reduction import ForkingPickler

from service.web import heap
from service.web.server import bind_reuseport


def _sent_to_a_worker(sock: socket.socket) -> socket.socket:
    """What a spawned worker gets when uvicorn's supervisor hands it the listener."""
    buffer = io.BytesIO()
    ForkingPickler(buffer, pickle.HIGHEST_PROTOCOL).dump(sock)
    return pickle.loads(buffer.getvalue())


def test_each_worker_binds_its_own_listener_on_the_same_port() -> None:
    parent = bind_reuseport("127.0.0.1", 0)
    worker = _sent_to_a_worker(parent)
    try:
        assert worker.fileno() != parent.fileno()
        assert worker.getsockname() == parent.getsockname()
        assert worker.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT) == 1
        assert worker.proto == socket.IPPROTO_TCP
    finally:
        worker.close()
        parent.close()


async def test_connections_accepted_by_a_worker_have_nagle_off() -> None:
    parent = bind_reuseport("127.0.0.1", 0)
    worker = _sent_to_a_worker(parent)
    accepted: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    class Probe(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            sock = transport.get_extra_info("socket")
            accepted.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            transport.close()

    server = await asyncio.get_running_loop().create_server(Probe, sock=worker)
    try:
        _, writer = await asyncio.open_connection(*worker.getsockname()[:2])
        assert await asyncio.wait_for(accepted, 5) != 0
        writer.close()
    finally:
        server.close()
        await server.wait_closed()
        parent.close()


def test_a_worker_freezes_what_its_app_was_built_from_and_collects_less_often() -> None:
    """service.web.heap: in a fresh process, as a server worker builds the app from the factory it is given. (In a
    process of its own: the collector never looks at a frozen object again, so the test process must not freeze
    its heap.)"""
    probe = (
        "import gc, json; from service.asgi import app; app(); "
        "print(json.dumps([gc.get_threshold(), gc.get_freeze_count(), len(gc.get_objects())]))"
    )
    env = {**os.environ, "REALIGN_KEY_PEPPER": "test", "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    thresholds, frozen, tracked = json.loads(done.stdout)
    assert tuple(thresholds) == heap.THRESHOLDS
    # The app's catalogue, rules and framework are frozen; what the collector still walks is next to nothing.
    assert frozen > 50_000 and tracked < 1_000, done.stdout
