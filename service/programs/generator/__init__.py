"""The program generator: a pure function of an assessment, the request, the catalogue index and the ruleset.

No I/O, no clock, no randomness; every choice goes through ordered lists, so the same inputs give the same
program item for item. The steps, one module each:

1. targets: each phase's areas and slots, from the detected patterns' rules (rules.yaml), the trigger points,
   and muscle findings no detected pattern explains; a phase nothing calls for gets the baseline upkeep
   (`targets`, over the person read from the request and the assessment in `person`);
2. selection: for each target, the first exercise that passes every check (see `selection.Selector`; the
   movement restrictions of the person's conditions and irritability are in `restrictions`), its alternatives,
   and an easier start (a beginner's regression, or a static stretch while pain is severe) (`selection`, `items`);
3. dose: the exercise's dose by modality, level, the week's stage and irritability, and the weaker side of an
   asymmetry (`dosing`);
4. schedule: every week's sessions filled phase by phase within `session_minutes`, least-practised item first,
   then the week's training volume governed (at most +20 %, a lighter fourth week) (`schedule`).

`program.generate` runs them in turn and lists the findings no item serves in `unaddressed`; `text` writes the
rationales and safety notes (each restriction's own note); `validation` checks the request's slugs before any of it.
"""

from service.programs.generator.program import ReferralRequired, generate
from service.programs.generator.validation import validate_request

__all__ = ["ReferralRequired", "generate", "validate_request"]
