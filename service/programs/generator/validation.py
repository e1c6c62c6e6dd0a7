"""The request's slugs checked against the catalogue, before anything is generated."""

from __future__ import annotations

from service.programs.catalog_index import CatalogIndex
from service.programs.schemas import ProgramRequest


def validate_request(request: ProgramRequest, catalog: CatalogIndex) -> list[tuple[str, str]]:
    """(field, message) for every slug of the request the catalogue does not know."""
    problems: list[tuple[str, str]] = []
    checks = (
        ("available_equipment", request.available_equipment or [], catalog.equipment, "equipment"),
        ("exclude_exercises", request.exclude_exercises, catalog.exercises, "exercise"),
        ("conditions", request.conditions, catalog.conditions, "condition"),
    )
    for name, values, known, kind in checks:
        problems.extend(
            (f"{name}[{i}]", f"unknown {kind} slug '{value}'") for i, value in enumerate(values) if value not in known
        )
    return problems
