"""A million assessments for the stats row of `make bench`, seeded in SQL (seconds, not an hour of POSTs).

The bench's stats client gets BENCH_STATS_ROWS assessments (default 1,000,000) spread over the past year, with the
statuses, patterns, referral reasons and muscle findings of three realistic results; the activity counters are then
rebuilt from the table (`rebuild_activity_counts()`, the migration's backfill). A second run finds the rows there
and keeps them.
"""

from __future__ import annotations

import json
import os

import asyncpg

ROWS = int(os.environ.get("BENCH_STATS_ROWS", "1000000"))


def _result(status: str, patterns: list[str], reasons: list[str], over: list[str], under: list[str]) -> str:
    finding = [{"muscle": m, "reasons": []} for m in over]
    return json.dumps(
        {
            "status": status,
            "referral": {"reasons": reasons, "message": "see a clinician"} if reasons else None,
            "patterns": [{"slug": p, "name": p, "score": 1.0, "evidence": []} for p in patterns],
            "overactive": finding,
            "underactive": [{"muscle": m, "reasons": []} for m in under],
            "trigger_points": [],
            "ruleset_version": "2026.11.1",
        }
    )


RESULTS = [
    ("ok", ["lower_crossed_syndrome"], [], ["hamstrings", "hip_flexors", "erector_spinae"], ["gluteus_maximus"]),
    ("ok", ["upper_crossed_syndrome"], [], ["upper_trapezius", "pectoralis_minor"], ["deep_cervical_flexors"]),
    ("refer", [], ["constant_night_pain"], [], []),
]


async def seed(database_url: str, client: str) -> int:
    """Ensure the (existing) client holds ROWS assessments; return how many it holds."""
    connection = await asyncpg.connect(database_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        client_id = await connection.fetchval("SELECT id FROM api_clients WHERE name = $1", client)
        have = await connection.fetchval("SELECT count(*) FROM assessments WHERE client_id = $1", client_id)
        if have >= ROWS:
            return int(have)
        async with connection.transaction():
            # Counting row by row through the trigger would be a million upserts; rebuild them in one pass instead.
            await connection.execute("ALTER TABLE assessments DISABLE TRIGGER count_assessments")
            for i, (status, patterns, reasons, over, under) in enumerate(RESULTS):
                await connection.execute(
                    """
                    INSERT INTO assessments
                        (id, client_id, subject_ref, status, ruleset_version, pattern_slugs, overactive_muscles,
                         underactive_muscles, referral_reasons, input, result, created_at)
                    SELECT gen_random_uuid(), $1, NULL, $2, '2026.11.1', $3::text[], $6::text[], $7::text[],
                           $8::text[], '{}'::json, $4::json,
                           now() - (n % 365) * interval '1 day' - (n % 86400) * interval '1 second'
                    FROM generate_series(1, $5) AS n
                    """,
                    client_id,
                    status,
                    patterns,
                    _result(status, patterns, reasons, over, under),
                    (ROWS - have) // len(RESULTS) + (1 if i < (ROWS - have) % len(RESULTS) else 0),
                    over,
                    under,
                    reasons,
                )
            await connection.execute("ALTER TABLE assessments ENABLE TRIGGER count_assessments")
            await connection.execute("SELECT rebuild_activity_counts()")
        await connection.execute("ANALYZE assessments")
        await connection.execute("ANALYZE activity_counts")
        return int(await connection.fetchval("SELECT count(*) FROM assessments WHERE client_id = $1", client_id))
    finally:
        await connection.close()
