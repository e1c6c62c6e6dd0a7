"""`make bench-generator`: the program generator alone (no database, no HTTP) as the catalogue grows.

`generate(assessment, request, catalog, rules)` is a pure function of a `CatalogIndex`. In production the index is
built once per catalogue version and shared by every request, so the two costs are measured apart:

- index build: `CatalogIndex.build` once per catalogue size (what a seed or an import costs, once);
- generation: one program per call, warmed up, then repeated (at least MIN_CALLS calls and MIN_SECONDS seconds
  per case); median and p95 in milliseconds from time.perf_counter_ns.

Catalogues: the curated one (148 exercises), and the same grown with seeded synthetic exercises (non-curated,
`source="synthetic"`, phases, modality, muscles, equipment, level, spinal load, contraindications and dose drawn
like real records) to 1k, 10k and 100k in total; each larger catalogue extends the smaller one. Several cases
per size, so that more than one path is timed: the desk worker (low-back pain, so only curated exercises are
eligible) with a full gym and at home with nothing, and the same person without pain (synthetic exercises are
eligible), with a full gym and at home.

The issue's target: the 100k case within 2x of the 1k case. Generation must look candidates up in the index,
never rescan the catalogue per item. Figures are printed and written to .data/bench-generator.json.

Last, the longest event-loop stall while the largest index builds: inline, and in a thread as the service's index
cache does it (service/programs/index_cache.py), with a 1 ms ticker standing in for the worker's other requests.
"""

from __future__ import annotations

import asyncio
import copy
import json
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from devkit.personas import DESK_WORKER  # noqa: E402
from devkit.programs import ASSESSMENT_ID, CATALOG, RULES, STARTS_ON, assessment_of  # noqa: E402
from service.assessments.schemas import Assessment  # noqa: E402
from service.catalog.records import CatalogData, DoseRecord  # noqa: E402
from service.programs.catalog_index import CatalogIndex, ExerciseEntry  # noqa: E402
from service.programs.generator import generate  # noqa: E402
from service.programs.schemas import ProgramBody, ProgramRequest  # noqa: E402

DATA = ROOT / ".data"
SEED = 20261124
SIZES = (None, 1_000, 10_000, 100_000)  # None: the curated catalogue as it is
WARMUP = 20
MIN_CALLS = int(os.environ.get("BENCH_GENERATOR_CALLS", "200"))
MIN_SECONDS = float(os.environ.get("BENCH_GENERATOR_SECONDS", "2"))

# The curated catalogue's phase mix, and the modalities each phase's exercises have.
PHASE_WEIGHTS = {"release": 24, "lengthen": 38, "strengthen": 64, "integrate": 24}
MODALITIES = {
    "release": ["self_myofascial_release"],
    "lengthen": ["static_stretch", "dynamic_stretch", "mobility"],
    "strengthen": ["activation", "strength"],
    "integrate": ["strength"],
}
LEVELS = {"beginner": 6, "intermediate": 3, "advanced": 1}
SPINAL_LOADS = {"none": 5, "low": 3, "moderate": 1, "high": 1}


@dataclass
class Row:
    size: int
    case: str
    index_build_ms: float
    calls: int
    median_ms: float
    p95_ms: float
    synthetic_in_program: int  # synthetic slugs among the program's items, regressions and alternatives
    ratio_to_1k: float | None = None


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def synthetic_exercises(count: int, catalog: CatalogData, seed: int = SEED) -> list[ExerciseEntry]:
    """`count` seeded synthetic exercises; the first n are the same whatever `count` is."""
    rng = random.Random(seed)
    muscles = [m.slug for m in catalog.muscles if m.parent is not None]  # body regions are not trained as such
    equipment = [e.slug for e in catalog.equipment if e.slug != "bodyweight"]
    conditions = [c.slug for c in catalog.conditions]
    entries = []
    for i in range(count):
        phase = _pick(rng, PHASE_WEIGHTS)
        modality = rng.choice(MODALITIES[phase])
        phases = {phase}
        if modality == "strength" and rng.random() < 0.3:
            phases |= {"strengthen", "integrate"}
        if modality == "self_myofascial_release":
            dose = DoseRecord(sets=1, duration_seconds=rng.choice((45, 60, 90)), per_side=rng.random() < 0.5)
        elif modality == "static_stretch":
            dose = DoseRecord(sets=rng.randint(1, 3), hold_seconds=rng.choice((20, 30, 45)), per_side=True)
        else:
            dose = DoseRecord(sets=rng.randint(2, 4), reps=rng.randint(6, 15), rest_seconds=rng.choice((30, 60, 90)))
        gear = ["bodyweight"] if rng.random() < 0.3 else rng.sample(equipment, rng.randint(1, 2))
        contraindicated = rng.sample(conditions, rng.randint(1, 3)) if rng.random() < 0.25 else []
        entries.append(
            ExerciseEntry(
                slug=f"synthetic_{i:06d}",
                name=f"Synthetic exercise {i}",
                modality=modality,
                phases=frozenset(phases),
                primary_muscles=tuple(rng.sample(muscles, rng.randint(1, 3))),
                equipment=frozenset(gear),
                level=_pick(rng, LEVELS),
                spinal_load=_pick(rng, SPINAL_LOADS),
                contraindications={c: "synthetic contraindication" for c in contraindicated},
                dose=dose,
                source="synthetic",
            )
        )
    return entries


def cases() -> dict[str, tuple[Assessment, ProgramRequest]]:
    no_pain = copy.deepcopy(DESK_WORKER)
    del no_pain["pain"]
    gym = ProgramRequest(assessment_id=ASSESSMENT_ID, starts_on=STARTS_ON)
    home = ProgramRequest(assessment_id=ASSESSMENT_ID, available_equipment=[], session_minutes=20, starts_on=STARTS_ON)
    return {
        "desk worker, full gym": (assessment_of(DESK_WORKER), gym),
        "desk worker, home, 20 min": (assessment_of(DESK_WORKER), home),
        "no pain, full gym": (assessment_of(no_pain), gym),
        "no pain, home, 20 min": (assessment_of(no_pain), home),
    }


def synthetic_count(program: ProgramBody) -> int:
    slugs = []
    for phase in program.phases:
        for item in phase.items:
            slugs += [item.exercise.slug, *item.alternatives]
            if item.start_with is not None:
                slugs.append(item.start_with.exercise.slug)
    return sum(slug.startswith("synthetic_") for slug in slugs)


def time_generate(assessment: Assessment, request: ProgramRequest, index: CatalogIndex, rules: Any) -> list[float]:
    for _ in range(WARMUP):
        generate(assessment, request, index, rules)
    samples: list[float] = []
    deadline = time.perf_counter_ns() + int(MIN_SECONDS * 1e9)
    while len(samples) < MIN_CALLS or time.perf_counter_ns() < deadline:
        start = time.perf_counter_ns()
        generate(assessment, request, index, rules)
        samples.append((time.perf_counter_ns() - start) / 1e6)
    return samples


async def longest_stall_ms(build: Callable[[], Awaitable[object]]) -> float:
    """The longest gap between the ticks of a 1 ms ticker while `build` runs on the same event loop."""
    gaps: list[float] = []
    building = True

    async def tick() -> None:
        last = time.perf_counter()
        while building:
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    ticker = asyncio.create_task(tick())
    await asyncio.sleep(0.01)
    await build()
    building = False
    await ticker
    return max(gaps) * 1000


def main() -> None:
    catalog, rules = CATALOG, RULES
    curated = [ExerciseEntry.from_record(e) for e in catalog.exercises]
    synthetic = synthetic_exercises(max(s for s in SIZES if s) - len(curated), catalog)
    programs = cases()
    rows: list[Row] = []
    for size in SIZES:
        entries = curated + synthetic[: (size or len(curated)) - len(curated)]
        start = time.perf_counter_ns()
        index = CatalogIndex.from_catalog(catalog, entries)
        build_ms = (time.perf_counter_ns() - start) / 1e6
        for name, (assessment, request) in programs.items():
            samples = time_generate(assessment, request, index, rules)
            synth = synthetic_count(generate(assessment, request, index, rules))
            p95 = statistics.quantiles(samples, n=20)[18]
            rows.append(Row(len(entries), name, build_ms, len(samples), statistics.median(samples), p95, synth))
            print(f"  {len(entries):>7} {name}: {rows[-1].median_ms:.3f} ms median", file=sys.stderr)
    base = {row.case: row.median_ms for row in rows if row.size == 1_000}
    for row in rows:
        row.ratio_to_1k = round(row.median_ms / base[row.case], 3)

    print(f"\nPython {platform.python_version()}, seed {SEED}, >= {MIN_CALLS} calls and {MIN_SECONDS:g} s per case\n")
    print(f"{'size':>7} {'case':26} {'index build ms':>14} {'median ms':>10} {'p95 ms':>8} {'ratio':>6} {'synth':>5}")
    for row in rows:
        print(
            f"{row.size:>7} {row.case:26} {row.index_build_ms:14.1f} {row.median_ms:10.3f} {row.p95_ms:8.3f} "
            f"{row.ratio_to_1k:6.2f} {row.synthetic_in_program:5d}"
        )
    largest = [row for row in rows if row.size == max(r.size for r in rows)]
    worst = max(largest, key=lambda row: row.ratio_to_1k or 0.0)
    within = all((row.ratio_to_1k or 0.0) <= 2.0 for row in largest)
    verdict = "within" if within else "NOT within"
    print(f"\n100k median {verdict} 2x of the 1k median (worst: {worst.case}, {worst.ratio_to_1k:.2f}x)")

    async def inline() -> None:
        CatalogIndex.from_catalog(catalog, entries)

    async def threaded() -> None:
        await asyncio.to_thread(CatalogIndex.from_catalog, catalog, entries)

    stalls = {"inline": asyncio.run(longest_stall_ms(inline)), "thread": asyncio.run(longest_stall_ms(threaded))}
    print(
        f"event loop stalled while the {len(entries):,}-exercise index builds: {stalls['inline']:.0f} ms inline, "
        f"{stalls['thread']:.0f} ms in a thread (the service's way)"
    )
    DATA.mkdir(exist_ok=True)
    report = {
        "python": platform.python_version(),
        "seed": SEED,
        "min_calls": MIN_CALLS,
        "min_seconds": MIN_SECONDS,
        "target": "100k median within 2x of the 1k median",
        "within_target": within,
        "rows": [asdict(row) for row in rows],
        "index_build_loop_stall_ms": stalls,
    }
    (DATA / "bench-generator.json").write_text(json.dumps(report, indent=2) + "\n")
    print(f"written to {DATA / 'bench-generator.json'}")


if __name__ == "__main__":
    main()
