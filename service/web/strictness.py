"""What a REST request may carry, checked in one place before any handler runs (issue 17, item 9).

- A query parameter the route does not declare is a 400 naming it (and the closest declared name): a misspelt
  filter (`?musle=glutes`) used to be ignored, answering the unfiltered list as if it had been applied.
- A body sent to a route that reads one must be JSON (`application/json` or a `+json` type): anything else is a
  415, where it used to be decoded as JSON whatever it claimed to be.
- An `Accept` header that rules out JSON and problem+json alike is a 406 (the problem registry listed the type, but
  `Accept: text/csv` got JSON with a 200). Operations that answer 204 send no representation, so they take any.

What a route declares is read from Litestar's own model of each handler's parameters (its signature and its
dependencies'), once, when the app is built (`learn`): a parameter added to a handler is known here with no list
to keep. Only the documented REST operations are checked; GraphQL, the docs pages and the probes read what they
read themselves.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import parse_qsl

from litestar import Litestar
from litestar.openapi.spec import OpenAPI, OpenAPIResponse, Operation, Reference
from litestar.openapi.spec import OpenAPIMediaType as MediaTypeObject
from litestar.routes import HTTPRoute
from litestar.status_codes import HTTP_204_NO_CONTENT
from litestar.types import ASGIApp, Receive, Scope, Send

from service.lib.errors import Invalid
from service.web.problems import PROBLEM_MEDIA_TYPE, ProblemError, problem_spec
from service.web.transport import q_weight

# Declared by every operation that reads a body (the 400 of an unknown parameter is every operation's 400).
UNSUPPORTED_MEDIA_TYPE = problem_spec("The body is not declared as JSON: send `Content-Type: application/json`.")
# What every documented operation answers with: its content, or a problem.
ANSWERS: Final = ("application/json", PROBLEM_MEDIA_TYPE)
NOT_ACCEPTABLE: Final = (
    "The `Accept` header rules out `application/json` and `application/problem+json`, the only media types this "
    "operation answers with."
)


@dataclass(frozen=True)
class Declared:
    """What one REST handler reads from a request."""

    query: frozenset[str]
    reads_body: bool
    answers_content: bool


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
                    answers_content=handler.status_code != HTTP_204_NO_CONTENT,
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


def _weight(media_range: str) -> tuple[str, float] | None:
    """A media range of an `Accept` header as its type and weight; None when it is no `type/subtype`."""
    media_type, *params = media_range.split(";")
    media_type = media_type.strip().lower()
    main, slash, sub = media_type.partition("/")
    if not (slash and main and sub):
        return None
    return media_type, q_weight(params)


def accepts_json(accept: str) -> bool:
    """Whether an `Accept` header admits what the API answers with (RFC 9110 §12.5.1): each of ANSWERS is weighed by
    the most specific range that matches it (`application/json`, then `application/*`, then `*/*`) and admitted with
    a weight above 0. A header with no valid range at all is ignored, as if absent. Litestar's `Accept.best_match`
    ignores weights, so it takes `*/*;q=0` or `application/json;q=0` for a yes."""
    ranges = [r for item in accept.split(",") if (r := _weight(item)) is not None]
    if not ranges:
        return True
    for answer in ANSWERS:
        main = answer.partition("/")[0]
        specific = {answer: 3, f"{main}/*": 2, "*/*": 1}
        matching = [(specific[media_type], weight) for media_type, weight in ranges if media_type in specific]
        if matching and max(matching)[1] > 0:
            return True
    return False


def declare_not_acceptable(document: OpenAPI) -> None:
    """The 406 of `check` on every operation that answers with content (all but the 204s)."""
    for path_item in (document.paths or {}).values():
        for operation in (path_item.get, path_item.post, path_item.put, path_item.patch, path_item.delete):
            if not isinstance(operation, Operation) or operation.responses is None:
                continue
            if str(HTTP_204_NO_CONTENT) in operation.responses:
                continue
            operation.responses["406"] = OpenAPIResponse(
                description=NOT_ACCEPTABLE,
                content={PROBLEM_MEDIA_TYPE: MediaTypeObject(schema=Reference(ref="#/components/schemas/Problem"))},
            )


def check(scope: Scope, expected: Declared) -> None:
    headers: Any = scope.get("headers", ())
    if expected.answers_content:
        accept = next((v.decode("latin-1") for k, v in headers if k.lower() == b"accept"), None)
        if accept and not accepts_json(accept):
            raise ProblemError(406, f"{NOT_ACCEPTABLE} The request sent `Accept: {accept.strip()[:100]}`.")
    query = scope.get("query_string", b"")
    if query:
        names = {name for name, _ in parse_qsl(query.decode("latin-1"), keep_blank_values=True)}
        unknown = sorted(names - expected.query)
        if unknown:
            raise Invalid([unknown_parameter(name, expected.query) for name in unknown])
    if expected.reads_body:
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
