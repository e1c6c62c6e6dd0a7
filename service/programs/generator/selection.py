"""Selection: the exercise for a target, its alternatives and an easier start, and what was left out and why."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from service.catalog.enums import Phase
from service.programs.catalog_index import LEVEL_RANK, CatalogIndex, ExerciseEntry
from service.programs.generator.person import Person
from service.programs.generator.restrictions import broken
from service.programs.rules import Restriction

# Beyond the preferred exercises, at most this many catalogue candidates are examined per target. The index
# orders them curated first, easiest first, so the answer is found long before; the cap keeps a target's cost
# flat however many imported or synthetic exercises share its muscle.
SCAN_LIMIT = 400
ALTERNATIVES = 3


@dataclass(frozen=True)
class Choice:
    """The exercise for a target, an easier one to start with, and the alternatives."""

    exercise: ExerciseEntry
    start_with: ExerciseEntry | None
    alternatives: list[str]


@dataclass
class Selector:
    """Picks exercises for targets and remembers what it left out and why.

    An exercise is usable when the person has its equipment, it is not excluded (by the caller, a clearance or a
    pattern's avoid list), not contraindicated by an active condition, breaks none of the person's movement
    restrictions (positions, demands, spinal load), and is within the person's level (one level above is allowed
    with a usable regression to start with). Imported records carry no contraindications or movement attributes,
    so they are used only for a person with no condition or restriction to judge, and only in the phases the
    ruleset trusts their metadata for (`imported_phases`).
    """

    catalog: CatalogIndex
    person: Person
    avoid: dict[str, str]
    equipment_order: tuple[str, ...]
    imported_phases: frozenset[str]
    used: set[str] = field(default_factory=set)
    exclusions: dict[str, str] = field(default_factory=dict)

    def _refusal(self, entry: ExerciseEntry) -> str | None:
        """Why a usable-looking exercise is left out, for the program's `excluded` list; None if it is not."""
        if entry.slug in self.person.excluded:
            return self.person.excluded[entry.slug]
        if entry.slug in self.avoid:
            return self.avoid[entry.slug]
        for condition in self.person.conditions:
            if condition in entry.contraindications:
                return f"Contraindicated with {condition.replace('_', ' ')}: {entry.contraindications[condition]}"
        if (restriction := broken(entry, self.person.restrictions)) is not None:
            return " ".join(restriction.note.split())
        return None

    def _fits(self, entry: ExerciseEntry, *, record: bool = True) -> bool:
        """Usable at all, ignoring level: equipment, source, exclusions, contraindications, spinal load."""
        if not entry.equipment <= self.person.equipment:
            return False
        if not entry.curated and (self.person.conditions or self.person.restrictions):
            return False
        refusal = self._refusal(entry)
        if refusal is not None:
            if record:
                self.exclusions.setdefault(entry.slug, refusal)
            return False
        return True

    def _start(self, entry: ExerciseEntry, phase: Phase) -> tuple[bool, ExerciseEntry | None]:
        """(usable, regression to start with) for the person's level.

        Release and stretches one level up need no regression (their level says how uncomfortable, not how
        hard to learn); strengthening and integration one level up start with a regression of the person's level.
        """
        gap = LEVEL_RANK[entry.level] - LEVEL_RANK[self.person.level]
        if gap <= 0 or (gap == 1 and phase in (Phase.release, Phase.lengthen)):
            return True, None
        if gap > 1:
            return False, None
        for slug in entry.regressions:
            easier = self.catalog.exercises.get(slug)
            if (
                easier is not None
                and easier.slug not in self.used
                and LEVEL_RANK[easier.level] <= LEVEL_RANK[self.person.level]
                and self._fits(easier, record=False)
            ):
                return True, easier
        return False, None

    def _candidates(
        self, phase: Phase, muscles: Iterable[str], prefer: Iterable[str], *, curated_only: bool = False
    ) -> Iterator[ExerciseEntry]:
        listed = self._listed(phase, muscles, prefer, curated_only=curated_only)
        return self._regressions_first(listed) if self.person.instead else listed

    def _regressions_first(self, entries: Iterator[ExerciseEntry]) -> Iterator[ExerciseEntry]:
        """A regressed exercise's regressions (`Person.instead`) in its place, before it (it is excluded)."""
        seen: set[str] = set()
        for entry in entries:
            for slug in self.person.instead.get(entry.slug, ()):
                easier = self.catalog.exercises.get(slug)
                if easier is not None and slug not in seen:
                    seen.add(slug)
                    yield easier
            if entry.slug not in seen:
                seen.add(entry.slug)
                yield entry

    def _listed(
        self, phase: Phase, muscles: Iterable[str], prefer: Iterable[str], *, curated_only: bool = False
    ) -> Iterator[ExerciseEntry]:
        """The ruleset's preferred exercises, then the catalogue's of the phase for the muscles.

        The index lists curated exercises first, so when only curated ones can be used (a person with a condition
        to judge) a muscle's list is read only up to its first imported record: the cost of a target then does not
        grow with the number of imported exercises.
        """
        curated_only = curated_only or bool(self.person.conditions) or phase.value not in self.imported_phases
        seen: set[str] = set()
        for slug in prefer:
            entry = self.catalog.exercises.get(slug)
            if entry is not None and slug not in seen:
                seen.add(slug)
                yield entry
        for muscle in muscles:
            for entry in self.catalog.candidates(phase.value, muscle)[:SCAN_LIMIT]:
                if curated_only and not entry.curated:
                    break
                if entry.slug not in seen:
                    seen.add(entry.slug)
                    yield entry

    def choose(
        self,
        phase: Phase,
        muscles: list[str],
        prefer: Iterable[str] = (),
        modalities: frozenset[str] | None = None,
        *,
        one_side_first: bool = False,
    ) -> Choice | None:
        """The first usable candidate, its regression to start with, and alternatives. With `one_side_first` (an
        asymmetry in the target's muscles), exercises done one side at a time come first, so that the weaker side
        can get its extra set (CLINICAL.md §2)."""
        picked: tuple[ExerciseEntry, ExerciseEntry | None] | None = None
        alternatives: list[str] = []
        candidates: Iterable[ExerciseEntry] = self._candidates(phase, muscles, prefer)
        if one_side_first:
            candidates = sorted(candidates, key=lambda entry: not entry.dose.per_side)  # stable: order kept within
        for entry in candidates:
            # No phase check: the index's candidates are of the phase, and a preferred exercise was named for this
            # role by the ruleset, whatever phases its record lists.
            if modalities is not None and entry.modality not in modalities:
                continue
            if entry.slug in self.used or not self._fits(entry):
                continue
            usable, start = self._start(entry, phase)
            if not usable:
                continue
            if picked is None:
                picked = (entry, start)
            elif start is None:
                alternatives.append(entry.slug)
                if len(alternatives) == ALTERNATIVES:
                    break
        if picked is None:
            return None
        entry, start = picked
        self.used.add(entry.slug)
        if start is not None:
            self.used.add(start.slug)
            alternatives = [slug for slug in alternatives if slug != start.slug]
        return Choice(entry, start, alternatives)

    def why_not(self, entry: ExerciseEntry) -> str:
        """In plain words, why a usable-looking exercise was not the one prescribed."""
        missing = sorted(entry.equipment - self.person.equipment)
        if missing:
            return f"it needs {', '.join(m.replace('_', ' ') for m in missing)}, which is not in your equipment."
        refusal = self._refusal(entry)
        if refusal is not None:
            return refusal if refusal.endswith(".") else f"{refusal}."
        if entry.slug in self.used:
            return "it already serves another part of your program."
        return f"it is {entry.level}-level, above your level for now."

    def missing_equipment(self, phase: Phase, muscles: list[str], prefer: Iterable[str]) -> list[str]:
        """What a gap asks for: the fewest, then the most commonly owned, pieces of equipment that would make an
        otherwise usable exercise for the target possible (a band before a cable machine)."""
        options = [
            sorted(entry.equipment - self.person.equipment)
            for entry in self._candidates(phase, muscles, prefer, curated_only=True)
            # `curated` for the preferred ones, which the ruleset names whatever their source.
            if entry.curated and self._refusal(entry) is None and entry.equipment - self.person.equipment
        ]
        if not options:
            return []
        rank = {slug: i for i, slug in enumerate(self.equipment_order)}
        return min(options, key=lambda need: (len(need), max(rank.get(n, len(rank)) for n in need), need))

    def restricted_by(self, phase: Phase, muscles: list[str], prefer: Iterable[str]) -> Restriction | None:
        """The restriction that left out an exercise that would otherwise serve the target, if any: what a gap
        says when the person's restrictions, not their equipment, leave it unserved."""
        for entry in self._candidates(phase, muscles, prefer, curated_only=True):
            if entry.curated and entry.equipment <= self.person.equipment:
                restriction = broken(entry, self.person.restrictions)
                if restriction is not None:
                    return restriction
        return None
