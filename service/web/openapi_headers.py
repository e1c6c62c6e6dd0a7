"""The headers of the contract (#17 item 7), declared once as components and referenced from each response that sends
them, by rule rather than route by route: the rules follow what the service does (service.app.add_response_headers,
service.clients.auth.admit_scope, service.catalog.cache, service.idempotency.header), and
tests/contract/test_declared_headers.py checks them against real responses."""

from __future__ import annotations

import re
from typing import Final

from litestar.enums import ParamType
from litestar.openapi.spec import (
    Components,
    OpenAPI,
    OpenAPIFormat,
    OpenAPIHeader,
    OpenAPIType,
    Operation,
    Parameter,
    Reference,
    Schema,
)

_STRING = OpenAPIType.STRING

HEADERS: Final[dict[str, OpenAPIHeader]] = {
    "X-Request-ID": OpenAPIHeader(
        schema=Schema(type=_STRING, pattern=r"^[A-Za-z0-9._:-]{1,128}$"),
        description="The id of this request in the service's logs: the caller's own `X-Request-ID` when it sent a "
        "token of 1-128 letters, digits and `._:-`, else a new random one. Quote it when reporting a problem.",
        required=True,
    ),
    "RateLimit-Policy": OpenAPIHeader(
        schema=Schema(type=_STRING, examples=['"per-key";q=600;w=60']),
        description="The quota this request was counted against (IETF draft RateLimit header fields): `per-key` "
        "with a key, `per-ip` without; `q` requests per window of `w` seconds.",
    ),
    "RateLimit": OpenAPIHeader(
        schema=Schema(type=_STRING, examples=['"per-key";r=599;t=42']),
        description="What is left of that quota: `r` requests remain for the next `t` seconds.",
    ),
    "Retry-After": OpenAPIHeader(
        schema=Schema(type=OpenAPIType.INTEGER, minimum=1),
        description="Seconds to wait before sending the request again.",
        required=True,
    ),
    "WWW-Authenticate": OpenAPIHeader(
        schema=Schema(type=_STRING, examples=['Bearer realm="realign", error="invalid_token"']),
        description="The Bearer challenge (RFC 6750): `invalid_token` for a key that is malformed, unknown or "
        "revoked, `insufficient_scope` with the `scope` needed.",
        required=True,
    ),
    "ETag": OpenAPIHeader(
        schema=Schema(type=_STRING, pattern=r'^(W/)?"[^"]*"$', examples=['W/"3f1c9a0e5b7d2f48"']),
        description="Validator of this representation; send it back in `If-None-Match` to get a 304 while it "
        "holds. Weak (`W/`) when the request accepts gzip, since the compressed and plain bodies share it.",
        required=True,
    ),
    "Cache-Control": OpenAPIHeader(
        schema=Schema(type=_STRING, examples=["public, max-age=60"]),
        description="Catalogue reads may be reused by any cache for `max-age` seconds; revalidate with "
        "`If-None-Match` after that.",
        required=True,
    ),
    "Cache-Control-No-Store": OpenAPIHeader(
        schema=Schema(type=_STRING, const="no-store"),
        description="A client's own data: no cache, shared or private, may keep a copy.",
        required=True,
    ),
    "Location": OpenAPIHeader(
        schema=Schema(type=_STRING, format=OpenAPIFormat.URI_REFERENCE, examples=["/v1/assessments/{id}"]),
        description="The path of the created resource.",
        required=True,
    ),
    "Idempotent-Replayed": OpenAPIHeader(
        schema=Schema(type=_STRING, const="true"),
        description="Present on a replay: this is the stored answer to an earlier request with the same "
        "`Idempotency-Key` and body; nothing was created this time.",
    ),
}

IF_NONE_MATCH: Final = Parameter(
    name="If-None-Match",
    param_in=ParamType.HEADER,
    schema=Schema(type=_STRING, examples=['W/"3f1c9a0e5b7d2f48"']),
    description="The `ETag` of a representation already held (several comma-separated, or `*`): a 304 with no "
    "body while one still matches (weak comparison).",
    required=False,
)


def _ref(component: str) -> Reference:
    return Reference(ref=f"#/components/headers/{component}")


def _headers_of(
    path: str, status: str, statuses: set[str], private_paths: re.Pattern[str]
) -> dict[str, OpenAPIHeader | Reference]:
    """Header name → component, for the response `status` of an operation on `path` answering `statuses`."""
    headers: dict[str, OpenAPIHeader | Reference] = {"X-Request-ID": _ref("X-Request-ID")}
    if "429" in statuses:  # a rate-limited operation: every counted request carries its quota
        headers |= {"RateLimit-Policy": _ref("RateLimit-Policy"), "RateLimit": _ref("RateLimit")}
    if status in {"409", "429", "503"}:
        headers["Retry-After"] = _ref("Retry-After")
    if status in {"401", "403"}:
        headers["WWW-Authenticate"] = _ref("WWW-Authenticate")
    if "304" in statuses and status in {"200", "304"}:
        headers |= {"ETag": _ref("ETag"), "Cache-Control": _ref("Cache-Control")}
    if private_paths.match(path):
        headers["Cache-Control"] = _ref("Cache-Control-No-Store")
    if status == "201":
        headers |= {"Location": _ref("Location"), "Idempotent-Replayed": _ref("Idempotent-Replayed")}
    return headers


def declare_headers(document: OpenAPI, *, private_paths: re.Pattern[str]) -> None:
    """Add the header components and reference them from every response; conditional GETs (those declaring a
    304) take the `If-None-Match` parameter. `private_paths` are those answered with `Cache-Control: no-store`."""
    components = document.components = document.components or Components()
    components.headers = {**(components.headers or {}), **HEADERS}
    for path, item in (document.paths or {}).items():
        for operation in (item.get, item.post, item.put, item.patch, item.delete):
            if not isinstance(operation, Operation) or not operation.responses:
                continue
            statuses = set(operation.responses)
            if "304" in statuses:  # inline, as every other parameter is: readers of the document look them up by name
                operation.parameters = [*(operation.parameters or []), IF_NONE_MATCH]
            for status, response in operation.responses.items():
                if isinstance(response, Reference):
                    continue
                response.headers = _headers_of(path, status, statuses, private_paths)
