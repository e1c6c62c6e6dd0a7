"""The scopes a key can carry."""

from __future__ import annotations

from enum import StrEnum


class Scope(StrEnum):
    catalog_read = "catalog:read"
    assessments_read = "assessments:read"
    assessments_write = "assessments:write"
    programs_read = "programs:read"
    programs_write = "programs:write"
    stats_read = "stats:read"


ALL_SCOPES = tuple(scope.value for scope in Scope)
