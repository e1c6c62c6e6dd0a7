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
    days = request.days or []
    problems.extend((f"days[{i}]", f"'{day}' is listed twice") for i, day in enumerate(days) if day in days[:i])
    if request.days and request.sessions_per_week is not None and request.sessions_per_week != len(request.days):
        problems.append(
            ("days", f"names {len(request.days)} days but sessions_per_week is {request.sessions_per_week}")
        )
    return problems
