"""The garbage collector of a server worker, set once its app is built.

A request's garbage is freed by reference counting; the cyclic collector only has to find cycles, yet with
CPython's defaults (a young collection every 700 net container allocations) it ran about once per generated program
and, every ten of those, went through the older generations, where a worker's ~166,000 long-lived objects (the
catalogue and its index, the rules, Litestar's and SQLAlchemy's structures) sit. Measured with `gc.callbacks` in both
bench workers under `POST /v1/programs` load (2026-12-05): 3.0-3.5 s of 17-18 s of worker time in the collector,
most of it in 20-24 full collections.

So, once the app is built: what startup made is collected and frozen (`gc.freeze`: the collector no longer walks
it), and collections run less often. Measured alternating with the write ceiling (three 6 s rounds each, the median
ratio): `POST /v1/programs` 0.099 → 0.109-0.112, `POST /v1/assessments` 0.336 → 0.375, check-ins 0.297 →
0.32-0.35; the collector switched off entirely did no better on programs (0.113) and worse on assessments (0.357).
The bench's ceiling app is built the same way, so a ratio compares like with like. Tails, alternated with the code
before (six 8 s runs each): `POST /v1/assessments` p99 147-173 → 57-111 ms (the full collections had paused a
worker for ~100 ms at a time); a cached `GET /v1/exercises?limit=20` p99 8-23 → 9-35 ms, within this machine's noise.
"""

from __future__ import annotations

import gc

# A young collection every 20,000 net container allocations (a few requests' worth), the middle generation after 20
# of those, the oldest after 20 of those (and, as always, only once its pending objects are a quarter of it).
THRESHOLDS = (20_000, 20, 20)


def settle() -> None:
    """Collect and freeze what startup made, then collect less often (see the module's docstring). For a server
    worker's process, after its app is built: the collector never looks at a frozen object again (a cycle among
    frozen objects is never freed), so this is not for a process that builds app after app (the tests)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
