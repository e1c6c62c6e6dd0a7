"""Every problem type the service answers with (#17 item 8), in one registry: each `type` is an absolute URI under the
service's public URL (REALIGN_PUBLIC_URL) that the service itself resolves to a page saying what the problem means
and what to do (service.docs.problem_pages), and the registry is listed in the OpenAPI contract (`publish`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final

from litestar.openapi.spec import OpenAPI, OpenAPIFormat, OpenAPIType, Schema

PATH: Final = "/problems"
# RFC 9457 §4.2.1: a problem with no meaning beyond its status. Only for a status no entry below covers.
ABOUT_BLANK: Final = "about:blank"


@dataclass(frozen=True)
class ProblemType:
    slug: str
    status: int
    title: str
    meaning: str  # when it is answered and what the caller should do, in plain words


PROBLEM_TYPES: Final[tuple[ProblemType, ...]] = (
    ProblemType(
        "invalid-request",
        400,
        "The request is invalid",
        "A parameter, header or body field is wrong: `errors` names each offending field with what is wrong. "
        "Fix those fields and send the request again; nothing was changed.",
    ),
    ProblemType(
        "unauthorized",
        401,
        "Authentication is required",
        "The operation needs an API key, or the key sent is malformed, unknown or revoked. Send a valid key as "
        "`Authorization: Bearer <key>`; `WWW-Authenticate` says which case it is.",
    ),
    ProblemType(
        "forbidden",
        403,
        "Not allowed",
        "The key is valid but its client lacks the scope the operation needs (named in `errors` and in "
        "`WWW-Authenticate`). Ask for a key with that scope.",
    ),
    ProblemType(
        "not-found",
        404,
        "Not found",
        "No such resource, or one that belongs to another client (the two are never told apart). Check the id or slug.",
    ),
    ProblemType(
        "method-not-allowed",
        405,
        "Method not allowed",
        "The path exists but does not serve this method; `Allow` lists those it serves.",
    ),
    ProblemType(
        "not-acceptable",
        406,
        "Not acceptable",
        "The `Accept` header rules out every media type the operation answers with (JSON, or problem+json).",
    ),
    ProblemType(
        "request-timeout",
        408,
        "Request timeout",
        "The request body did not arrive within the server's limit (30 s after the request's head by default), so the "
        "connection was closed and nothing was changed. Send the request again.",
    ),
    ProblemType(
        "conflict",
        409,
        "Conflict",
        "The request collides with the current state of the resource; retry after `Retry-After` seconds.",
    ),
    ProblemType(
        "idempotency-key-in-flight",
        409,
        "Request in flight",
        "A request with this `Idempotency-Key` is still being processed. Retry after `Retry-After` seconds: the "
        "retry gets the first request's answer.",
    ),
    ProblemType(
        "program-paused",
        409,
        "Program paused",
        "A check-in or outcome measure led to a decision that the person should see a clinician (the program's "
        "`paused` says whom and how soon), so the program takes no more check-ins. After that visit, assess the "
        "person again and generate a new program from the new assessment.",
    ),
    ProblemType(
        "gone",
        410,
        "Gone",
        "The resource existed but is no longer served.",
    ),
    ProblemType(
        "program-retired",
        410,
        "Program retired",
        "The program was generated in a shape this API no longer serves. Generate a new one from its assessment "
        "(`detail` names it) with `POST /v1/programs`.",
    ),
    ProblemType(
        "payload-too-large",
        413,
        "Request body too large",
        "The body is larger than the service accepts (1 MiB by default). Send a smaller one.",
    ),
    ProblemType(
        "unsupported-media-type",
        415,
        "Unsupported media type",
        "The body's `Content-Type` is not one the operation reads; send `application/json`.",
    ),
    ProblemType(
        "unprocessable",
        422,
        "The request cannot be processed",
        "The request is well formed but what it refers to rules it out, e.g. a program for an assessment that is "
        "not one of yours; `errors` names the field.",
    ),
    ProblemType(
        "idempotency-key-reused",
        422,
        "Idempotency key reused",
        "This `Idempotency-Key` was already used with a different body. Use a new key for a new request; the same "
        "key only replays the same request.",
    ),
    ProblemType(
        "referral-required",
        422,
        "Referral required",
        "The assessment found red flags: the person must see a clinician before training, so no program is "
        "generated. `reasons` lists why. A program can be generated once a clinician's clearance is recorded in a "
        "new assessment.",
    ),
    ProblemType(
        "screening-incomplete",
        422,
        "Screening incomplete",
        "Screening questions that apply to this person are unanswered, so it is not known whether they may train. "
        "`errors` names each; `GET /v1/screening` lists the questions. Assess again with the answers.",
    ),
    ProblemType(
        "too-many-requests",
        429,
        "Too many requests",
        "The key (or, without a key, the IP address) is over its rate limit. Wait `Retry-After` seconds; "
        "`RateLimit` and `RateLimit-Policy` describe the quota.",
    ),
    ProblemType(
        "internal-error",
        500,
        "Internal server error",
        "A bug on our side, logged under the response's `X-Request-ID`: quote it when reporting the problem.",
    ),
    ProblemType(
        "unavailable",
        503,
        "Service unavailable",
        "The database is unreachable or did not answer in time. Retry after `Retry-After` seconds.",
    ),
)

BY_SLUG: Final = {problem.slug: problem for problem in PROBLEM_TYPES}
# The type of a status when nothing more specific is said: the first entry with that status.
BY_STATUS: Final = {problem.status: problem for problem in reversed(PROBLEM_TYPES)}


def type_uri(public_url: str, slug: str) -> str:
    """The absolute `type` of the problem `slug` on a service reached at `public_url`; about:blank for a slug the
    registry does not list (a bug, which tests/contract/test_problem_types.py looks for)."""
    return f"{public_url}{PATH}/{slug}" if slug in BY_SLUG else ABOUT_BLANK


def publish(document: OpenAPI, public_url: str) -> None:
    """List the registry in the contract: the Problem schema's `type` admits exactly its URIs (under any public URL,
    since each deployment has its own) and its description is the registry as a table."""
    problem: Any = ((document.components.schemas if document.components else None) or {}).get("Problem")
    if problem is None or not problem.properties:
        return
    slugs = "|".join(re.escape(p.slug) for p in PROBLEM_TYPES)
    rows = "\n".join(f"| `{p.slug}` | {p.status} | {p.title} | {p.meaning} |" for p in PROBLEM_TYPES)
    problem.properties["type"] = Schema(
        type=OpenAPIType.STRING,
        format=OpenAPIFormat.URI,
        pattern=f"^(https?://[^/]+(/[^?#]*)?{PATH}/({slugs})|{ABOUT_BLANK})$",
        examples=[type_uri(public_url, "invalid-request")],
        description=f"What kind of problem this is: an absolute URI `<public URL>{PATH}/<slug>` whose page (served "
        f"by the service, listed at `{PATH}`) says what it means and what to do; `{ABOUT_BLANK}` for a status with "
        "no entry.\n\n| slug | status | title | meaning |\n| --- | --- | --- | --- |\n" + rows,
    )
