"""Issue 18: 1,000 synthetic people through 12 weeks of check-ins (seeded, devkit/simulation.py): every decision
and revision runs without error, every kind of decision happens, and the same seed gives the same population."""

from __future__ import annotations

from devkit.simulation import SEED, WEEKS, simulate


def test_a_thousand_people_through_twelve_weeks() -> None:
    summary = simulate(1000, SEED)
    print("\n".join(summary.lines()))  # what `make bench` prints too
    assert summary.programs == 1000
    assert all(summary.ever[kind] > 0 for kind in ("progress", "regress", "simplify", "refer")), summary.ever
    assert set(summary.referred_by) == {"red flag", "pain rising", "no change by week 6"}
    assert summary.completed + sum(summary.referred_by.values()) == summary.programs
    assert sum(summary.decisions.values()) <= summary.programs * WEEKS


def test_the_same_seed_gives_the_same_population() -> None:
    assert simulate(60, SEED) == simulate(60, SEED)
    assert simulate(60, SEED) != simulate(60, SEED + 1)
