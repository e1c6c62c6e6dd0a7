"""What a REST request may carry, checked in one place before any handler runs (issue 17, item 9).

- A query parameter the route does not declare is a 400 naming it (and the closest declared name): a misspelt
  filter (`?musle=glutes`) used to be ignored, answering the unfiltered list as if it had been applied.
- A body sent to a route that reads one must be JSON (`application/json` or a `+json` type): anything else is a
  415, where it used to be decoded as JSON whatever it claimed to be.

What a route declares is read from Litestar's own model of each handler's parameters (its signature and its
dependencies'), once, when the app is built (`learn`): a parameter added to a handler is known here with no list
to keep. Only the documented REST operations are checked; GraphQL, the docs pages and the probes read what they
read themselves.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from litestar import Litestar
from litestar.routes import HTTPRoute
from litestar.types import ASGIApp, Receive, Scope, Send

from service.lib.errors import Invalid
from service.web.problems import ProblemError, problem_spec

# Declared by every operation that reads a body (the 400 of an unknown parameter is every operation's 400).
UNSUPPORTED_MEDIA_TYPE = problem_spec("The body is not declared as JSON: send `Content-Type: application/json`.")


@dataclass(frozen=True)
class Declared:
    """What one REST handler reads from a request."""

    query: frozenset[str]
    reads_body: bool


def _is_json(content_type: str) -> bool:
    media_type = content_type.partition(";")[0].strip().lower()
    return media_type == "application/json" or (media_type.startswith("application/") and media_type.endswith("+json"))


def unknown_parameter(name: str, known: frozenset[str]) -> tuple[str, str]:
    """The field error of an undeclared query parameter, suggesting the closest declared name if one is close."""
    close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
    hint = f"; did you mean `{close[0]}`?" if close else ""
    listed = ", ".join(f"`{k}`" for k in sorted(known)) or "none"
    return name, f"unknown query parameter{hint} (this operation takes: {listed})"


class StrictRequests:
    """App-level middleware (it runs after routing: `scope["route_handler"]` is set). `learn` must be given the
    app once it is built."""

    def __init__(self) -> None:
        self._declared: dict[int, Declared] = {}

    def learn(self, app: Litestar) -> None:
        for route in app.routes:
            if not isinstance(route, HTTPRoute):
                continue
            for handler, model in route.route_handler_map.values():
                if not handler.resolve_include_in_schema():
                    continue
                self._declared[id(handler)] = Declared(
                    query=frozenset(p.field_alias for p in model.expected_query_params),
                    reads_body="data" in model.expected_reserved_kwargs,
                )

    def __call__(self, app: ASGIApp) -> ASGIApp:
        declared = self._declared

        async def checked(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] == "http":
                expected = declared.get(id(scope.get("route_handler")))
                if expected is not None:
                    check(scope, expected)
            await app(scope, receive, send)

        return checked


def check(scope: Scope, expected: Declared) -> None:
    query = scope.get("query_string", b"")
    if query:
        names = {name for name, _ in parse_qsl(query.decode("latin-1"), keep_blank_values=True)}
        unknown = sorted(names - expected.query)
        if unknown:
            raise Invalid([unknown_parameter(name, expected.query) for name in unknown])
    if expected.reads_body:
        headers: Any = scope.get("headers", ())
        content_type = next((v.decode("latin-1") for k, v in headers if k.lower() == b"content-type"), None)
        if content_type is None:
            sends_body = any(
                (k.lower() == b"content-length" and v.strip() != b"0") or k.lower() == b"transfer-encoding"
                for k, v in headers
            )
            if sends_body:
                raise ProblemError(415, "Send the body as JSON with `Content-Type: application/json`.")
        elif not _is_json(content_type):
            raise ProblemError(
                415, f"The body must be JSON (`Content-Type: application/json`), not `{content_type.strip()[:100]}`."
            )
