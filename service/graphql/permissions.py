"""Per-field access rules: the same scopes as REST, checked on each field that needs them."""

from __future__ import annotations

from typing import Any

from strawberry.permission import BasePermission

from service.clients.scopes import Scope
from service.graphql.context import Info


def _missing_scope(info: Info, scope: Scope) -> tuple[str, dict[str, Any]] | None:
    """Why the caller may not use `scope`, with the error's extensions; None when it may."""
    principal = info.context.principal
    if principal is None:
        return "This field needs an API key: `Authorization: Bearer <key>`.", {"code": "UNAUTHENTICATED", "status": 401}
    if not principal.has(scope.value):
        return f"This key's client lacks the '{scope.value}' scope.", {"code": "FORBIDDEN", "status": 403}
    return None


class CatalogReadable(BasePermission):
    """Public unless the catalogue is private (REALIGN_PUBLIC_CATALOG=false)."""

    message = "The catalogue is private: a key with the 'catalog:read' scope is needed."
    error_extensions = {"code": "FORBIDDEN", "status": 403}

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        if info.context.public_catalog:
            return True
        return self._allowed(info, Scope.catalog_read)

    def _allowed(self, info: Info, scope: Scope) -> bool:
        refusal = _missing_scope(info, scope)
        if refusal:
            self.message, self.error_extensions = refusal
        return refusal is None


def requires(scope: Scope) -> type[BasePermission]:
    """A permission class demanding `scope` (for the tenant-owned fields of later domains)."""

    class RequiresScope(CatalogReadable):
        message = f"Requires the '{scope.value}' scope."

        def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
            return self._allowed(info, scope)

    return RequiresScope
