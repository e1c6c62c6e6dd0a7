"""What the assessment needs to know of the catalogue: the muscle tree and the condition slugs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from service.catalog.records import CatalogData


@dataclass(frozen=True)
class Anatomy:
    parents: Mapping[str, str | None]
    """Every muscle, part, group and region slug, with its parent (None for the body regions at the top)."""
    conditions: frozenset[str] = frozenset()
    _ancestors: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_catalog(cls, data: CatalogData) -> Anatomy:
        return cls(
            parents={m.slug: m.parent for m in data.muscles}, conditions=frozenset(c.slug for c in data.conditions)
        )

    @property
    def muscles(self) -> frozenset[str]:
        return frozenset(self.parents)

    def is_region(self, slug: str) -> bool:
        """A body region (`neck`, `trunk`): a node of the tree, but no muscle anyone could find tender."""
        return slug in self.parents and self.parents[slug] is None

    def ancestors(self, slug: str) -> tuple[str, ...]:
        """The groups above `slug`, nearest first, without the body region at the top."""
        found = self._ancestors.get(slug)
        if found is None:
            chain: list[str] = []
            parent = self.parents.get(slug)
            while parent is not None and self.parents.get(parent) is not None:
                chain.append(parent)
                parent = self.parents.get(parent)
            found = self._ancestors[slug] = tuple(chain)
        return found
