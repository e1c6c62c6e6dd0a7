"""Conditional GETs for the read-mostly catalogue: a strong ETag over the body, and 304 when it matches."""

from __future__ import annotations

import hashlib
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.datastructures import ResponseHeader

CACHE_HEADERS = [
    ResponseHeader(
        name="ETag",
        description="Validator of this representation; send it back in `If-None-Match`.",
        documentation_only=True,
    ),
    ResponseHeader(
        name="Cache-Control",
        description="How long clients may reuse it.",
        documentation_only=True,
    ),
]


def _matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    candidates = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in candidates or etag in candidates


def cached_json(request: Request[Any, Any, Any], payload: Any, *, max_age: int) -> Response[Any]:
    body = msgspec.json.encode(payload)
    etag = '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'
    headers = {"ETag": etag, "Cache-Control": f"public, max-age={max_age}"}
    if _matches(request.headers.get("if-none-match"), etag):
        return Response(content=b"", status_code=304, headers=headers)
    return Response(content=body, media_type="application/json", headers=headers)
