"""The ceiling for `make bench`: a Litestar handler returning precomputed bytes, nothing else.

Run by the same server with the same worker count as the service, so that the ratio to it measures what the
service's own work costs. BENCH_CEILING_BYTES sets the body size (the size of the measured list response).
"""

from __future__ import annotations

import os

from litestar import Litestar, Response, get


def app() -> Litestar:
    body = b"x" * int(os.environ.get("BENCH_CEILING_BYTES", "20000"))

    @get("/ceiling")
    async def ceiling() -> Response[bytes]:
        return Response(body, media_type="application/json")

    return Litestar([ceiling], logging_config=None)
