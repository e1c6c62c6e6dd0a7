"""Domain errors: what went wrong, in the domain's words and with no HTTP in it.

Services raise these; each front door maps them once: REST to RFC 9457 problems (service.web.problems), GraphQL
to errors with the same message, type and field errors (service.graphql.errors). So a service never names a
status code and a resolver never branches on one.
"""

from __future__ import annotations

from typing import Annotated

import msgspec
from msgspec import Meta


class FieldError(msgspec.Struct):
    """One offending field of a request and what is wrong with it."""

    field: Annotated[
        str,
        Meta(
            description="Where: a parameter or header name, or a body field's dotted path (`pain.intensity`, "
            "`tests.straight_leg_raise_deg.left`; list items by index)."
        ),
    ]
    message: Annotated[str, Meta(description="What is wrong with it, in plain words.")]


class DomainError(Exception):
    """Base of the errors a domain raises on purpose; `detail` is the sentence shown to the caller."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(DomainError):
    """No such resource, or one the caller may not see (never said apart: existence elsewhere is not revealed)."""


class Invalid(DomainError):
    """The request is wrong in itself; `errors` names every offending field, all at once."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.errors = [FieldError(field=field, message=message) for field, message in problems]
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in self.errors))

    @classmethod
    def field(cls, field: str, message: str) -> Invalid:
        return cls([(field, message)])


class Conflict(DomainError):
    """The request collides with one still being processed; `retry_after` (seconds) says when to try again."""

    def __init__(self, detail: str, *, kind: str, title: str, retry_after: int | None = None) -> None:
        super().__init__(detail)
        self.kind, self.title, self.retry_after = kind, title, retry_after


class Unprocessable(DomainError):
    """Well formed, but what it refers to rules it out (a key reused with another body, an unknown assessment)."""

    def __init__(
        self, detail: str, *, kind: str | None = None, title: str | None = None, errors: list[FieldError] | None = None
    ) -> None:
        super().__init__(detail)
        self.kind, self.title, self.errors = kind, title, errors


class Retired(DomainError):
    """The resource exists but in a shape this API no longer serves; `detail` says what to do instead."""


class ReferralRequired(DomainError):
    """The person must see a clinician before training; `reasons` are the red-flag codes that say why."""

    def __init__(self, detail: str, reasons: list[str]) -> None:
        super().__init__(detail)
        self.reasons = reasons
