"""The slugs the catalogue's filters accept, published as enums in the OpenAPI document.

They come from the curated data files, so a generated client knows every muscle, equipment and condition slug,
and a slug outside them is a 400 rather than a silent empty list.
"""

from __future__ import annotations

from dataclasses import dataclass

from service.catalog.records import CatalogData

MUSCLE_VIEWS = ("flat", "tree")
"""`GET /v1/muscles?view=`: every node in tree order, page by page, or the regions with their whole subtree."""


@dataclass(frozen=True)
class Vocabulary:
    muscles: tuple[str, ...]
    equipment: tuple[str, ...]
    conditions: tuple[str, ...]
    tender_spots: tuple[str, ...]
    """The muscles, parts, groups and fascia a person can find tender: every node of the tree but the body regions."""

    @classmethod
    def from_catalog(cls, data: CatalogData) -> Vocabulary:
        return cls(
            muscles=tuple(m.slug for m in data.muscles),
            equipment=tuple(e.slug for e in data.equipment),
            conditions=tuple(c.slug for c in data.conditions),
            tender_spots=tuple(m.slug for m in data.muscles if m.parent is not None),
        )
