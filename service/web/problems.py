"""RFC 9457 problem responses: every error leaves the service as `application/problem+json`."""

from __future__ import annotations

import logging
from datetime import datetime
from http import HTTPStatus
from typing import Annotated, Any, TypeVar

import asyncpg
import msgspec
from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi.datastructures import ResponseSpec
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from sqlalchemy.exc import DBAPIError

from service.db.errors import DATABASE_UNAVAILABLE, database_unavailable
from service.lib.errors import (
    Conflict,
    DomainError,
    FieldError,
    Invalid,
    NotFound,
    ReferralRequired,
    Retired,
    Unprocessable,
)
from service.lib.instants import check_instant
from service.runtime import runtime_of
from service.web.field_errors import every_error, located, plain
from service.web.observability import assign_request_id
from service.web.problem_types import BY_STATUS, type_uri

T = TypeVar("T")

PROBLEM_MEDIA_TYPE = "application/problem+json"
# Problem types beyond the one per status (the `kind` of a ProblemError, a slug of service.web.problem_types).
REFERRAL_REQUIRED = "referral-required"

logger = logging.getLogger("service.web.problems")


class Problem(msgspec.Struct, omit_defaults=True):
    """An RFC 9457 problem document. `errors` lists each offending field of a validation failure."""

    type: str  # described, with the registry of types, in the contract by service.web.problem_types.publish
    title: Annotated[str, msgspec.Meta(description="The problem type's title, the same for every occurrence.")]
    status: Annotated[int, msgspec.Meta(description="The HTTP status code of the response.")]
    detail: Annotated[str, msgspec.Meta(description="What went wrong this time, in plain words.")]
    instance: Annotated[str | None, msgspec.Meta(description="The path of the request that failed.")] = None
    errors: Annotated[
        list[FieldError] | None,
        msgspec.Meta(description="Every offending field, all at once (validation failures and some 403 and 422)."),
    ] = None
    reasons: Annotated[
        list[str] | None,
        msgspec.Meta(
            description="Only in `referral-required` problems: why the person must see a clinician first "
            "(the assessment's referral reasons, red-flag codes)."
        ),
    ] = None


class ProblemError(HTTPException):
    """Raise from anywhere in a request to answer with a problem document."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        kind: str | None = None,
        title: str | None = None,
        errors: list[FieldError] | None = None,
        headers: dict[str, str] | None = None,
        reasons: list[str] | None = None,
    ) -> None:
        super().__init__(detail=detail, status_code=status, headers=headers)
        default_kind, default_title = _default_of(status)
        self.kind = kind or default_kind
        self.title = title or default_title
        self.errors = errors
        self.reasons = reasons


def _default_of(status: int) -> tuple[str, str]:
    """The slug and title of a status's own problem type; none (so about:blank) and the status phrase without one."""
    known = BY_STATUS.get(status)
    if known:
        return known.slug, known.title
    try:
        return "", HTTPStatus(status).phrase
    except ValueError:  # a status outside the standard's list
        return "", "Error"


def _type(request: Request, slug: str) -> str:
    return type_uri(runtime_of(request).settings.public_url, slug)


def problem_of(exc: DomainError) -> ProblemError:
    """A domain error as the problem document REST answers (GraphQL words its errors from the same)."""
    if isinstance(exc, Invalid):
        return ProblemError(400, exc.detail, errors=exc.errors)
    if isinstance(exc, NotFound):
        return ProblemError(404, exc.detail)
    if isinstance(exc, Conflict):
        headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after is not None else None
        return ProblemError(409, exc.detail, kind=exc.kind, title=exc.title, headers=headers)
    if isinstance(exc, Retired):
        return ProblemError(410, exc.detail, kind="program-retired", title="Program retired")
    if isinstance(exc, ReferralRequired):
        return ProblemError(422, exc.detail, kind=REFERRAL_REQUIRED, title="Referral required", reasons=exc.reasons)
    if isinstance(exc, Unprocessable):
        return ProblemError(422, exc.detail, kind=exc.kind, title=exc.title, errors=exc.errors)
    raise TypeError(f"no problem for {type(exc).__name__}")  # a new DomainError needs its mapping here


def parse_instant(field: str, value: str | None) -> datetime | None:
    """A strict RFC 3339 date-time with an offset (None when absent); anything else is a 400 naming `field`."""
    if value is None:
        return None
    try:
        instant = msgspec.convert(value, datetime)
    except msgspec.ValidationError:
        instant = None
    if instant is None or instant.tzinfo is None:
        raise Invalid.field(field, "must be an RFC 3339 date-time with an offset, e.g. 2026-01-01T00:00:00Z")
    return check_instant(field, instant)


def _response(request: Request, problem: Problem, headers: dict[str, str] | None = None) -> Response[Problem]:
    return Response(
        content=problem,
        status_code=problem.status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=headers,
    )


def domain_error_handler(request: Request, exc: DomainError) -> Response[Problem]:
    return problem_error_handler(request, problem_of(exc))


def problem_error_handler(request: Request, exc: ProblemError) -> Response[Problem]:
    problem = Problem(
        type=_type(request, exc.kind),
        title=exc.title,
        status=exc.status_code,
        detail=exc.detail,
        instance=request.url.path,
        errors=exc.errors,
        reasons=exc.reasons,
    )
    return _response(request, problem, exc.headers)


def validation_error_handler(request: Request, exc: ValidationException) -> Response[Problem]:
    """Litestar's own parameter and body validation, reshaped into per-field errors."""
    errors: list[FieldError] = []
    extra: Any = exc.extra
    if isinstance(extra, list):
        for item in extra:
            if isinstance(item, dict):
                said = str(item.get("message", "invalid value"))
                field = str(item.get("key") or item.get("source") or "body")
                if field in {"data", "body"}:
                    field = located(said) or field
                errors.append(FieldError(field=field, message=plain(said)))
    detail = "; ".join(f"{e.field}: {e.message}" for e in errors) or str(exc.detail)
    problem = Problem(
        type=_type(request, "invalid-request"),
        title="The request is invalid",
        status=400,
        detail=detail,
        instance=request.url.path,
        errors=errors or None,
    )
    return _response(request, problem)


def http_error_handler(request: Request, exc: HTTPException) -> Response[Problem]:
    kind, title = _default_of(exc.status_code)
    detail = exc.detail if exc.detail and exc.detail != title else title + "."
    problem = Problem(
        type=_type(request, kind),
        title=title,
        status=exc.status_code,
        detail=detail,
        instance=request.url.path,
    )
    return _response(request, problem, dict(exc.headers) if exc.headers else None)


def internal_error_handler(request: Request, exc: Exception) -> Response[Problem]:
    assign_request_id(request.scope)  # handlers run outside the route middleware: log under the request's id
    logger.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    problem = Problem(
        type=_type(request, "internal-error"),
        title="Internal server error",
        status=HTTP_500_INTERNAL_SERVER_ERROR,
        detail="An unexpected error occurred; it has been logged.",
        instance=request.url.path,
    )
    return _response(request, problem)


def database_unavailable_handler(request: Request, exc: Exception) -> Response[Problem]:
    """The database is down, unreachable or too slow: a fast, retryable 503 instead of a 500."""
    if not database_unavailable(exc):
        return internal_error_handler(request, exc)
    assign_request_id(request.scope)
    logger.warning("database unavailable on %s %s: %s", request.method, request.url.path, type(exc).__name__)
    problem = Problem(
        type=_type(request, "unavailable"),
        title="Service unavailable",
        status=503,
        detail="The database is unavailable or did not answer in time; retry shortly.",
        instance=request.url.path,
    )
    return _response(request, problem, {"Retry-After": "2"})


EXCEPTION_HANDLERS: dict[Any, Any] = {
    ProblemError: problem_error_handler,
    DomainError: domain_error_handler,
    ValidationException: validation_error_handler,
    HTTPException: http_error_handler,
    # DBAPIError and PostgresError: whatever wraps a lost connection or a cancelled statement; the handler answers
    # anything else as the internal error it is.
    **dict.fromkeys((*DATABASE_UNAVAILABLE, DBAPIError, asyncpg.PostgresError), database_unavailable_handler),
    Exception: internal_error_handler,
}


def problem_spec(description: str) -> ResponseSpec:
    """OpenAPI declaration of a problem response."""
    return ResponseSpec(
        data_container=Problem,
        description=description,
        media_type=PROBLEM_MEDIA_TYPE,
        generate_examples=False,
    )


__all__ = ["PROBLEM_MEDIA_TYPE", "FieldError", "MediaType", "Problem", "ProblemError", "problem_spec"]


TOO_MANY_REQUESTS = problem_spec(
    "Over the rate limit: `Retry-After`, `RateLimit-Policy` and `RateLimit` say when to come back."
)


def _integral_float_as_int(text: str) -> float | int:
    value = float(text)
    return int(value) if value.is_integer() else value


# JSON Schema counts 1.0 as an integer (OpenAPI 3.1), so the bodies accept it where they say `integer`: the decoder
# turns every integral float into an int as it reads it (a hook on float tokens only, not a walk of the document).
_BODY_DECODER = msgspec.json.Decoder(float_hook=_integral_float_as_int)


def decode_strictly(body: bytes, type_: type[T]) -> T:
    """Decode a JSON body with no type coercion (Litestar's own parsing turns 0 into false and "1" into 1):
    a wrongly typed field is a 400 naming it. The one conversion is JSON Schema's own: 4.0 is the integer 4."""
    try:
        raw = _BODY_DECODER.decode(body)
    except msgspec.DecodeError as exc:
        raise Invalid.field("body", plain(str(exc))) from None
    try:
        return msgspec.convert(raw, type_)
    except msgspec.ValidationError:
        raise Invalid(every_error(raw, type_)) from None


SERVICE_UNAVAILABLE = problem_spec("The database is unreachable; retry after `Retry-After` seconds.")
