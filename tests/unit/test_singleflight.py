"""SingleFlight shares work in flight among overlapping callers only; LruCache keeps the most recently used."""

from __future__ import annotations

import asyncio
import gc
from typing import Any

import pytest

from service.lib.singleflight import LruCache, SingleFlight


class _Counted:
    """A computation that counts its runs and ends when told to (so callers can be made to overlap)."""

    def __init__(self, value: int = 42, error: Exception | None = None) -> None:
        self.runs = 0
        self.release = asyncio.Event()
        self._value = value
        self._error = error

    async def __call__(self) -> int:
        self.runs += 1
        await self.release.wait()
        if self._error is not None:
            raise self._error
        return self._value


async def test_concurrent_callers_of_one_key_share_one_call() -> None:
    flights: SingleFlight[str, int] = SingleFlight()
    make, other = _Counted(1), _Counted(2)
    callers = [asyncio.ensure_future(flights.run("a", make)) for _ in range(5)]
    elsewhere = asyncio.ensure_future(flights.run("b", other))
    await asyncio.sleep(0)
    assert flights.running("a") is not None
    make.release.set()
    other.release.set()
    assert await asyncio.gather(*callers) == [1] * 5 and await elsewhere == 2
    assert make.runs == 1 and other.runs == 1
    assert flights.running("a") is None

    # Only overlapping callers share: one that comes after the call ended runs it anew.
    assert await flights.run("a", make) == 1
    assert make.runs == 2


async def test_a_cancelled_caller_does_not_cancel_the_call_for_the_others() -> None:
    flights: SingleFlight[str, int] = SingleFlight()
    make = _Counted()
    first = asyncio.ensure_future(flights.run("a", make))
    second = asyncio.ensure_future(flights.run("a", make))
    await asyncio.sleep(0)
    first.cancel()
    await asyncio.sleep(0)
    make.release.set()
    assert await second == 42
    assert first.cancelled() and make.runs == 1


async def test_a_call_whose_callers_all_went_away_still_ends_quietly() -> None:
    flights: SingleFlight[str, int] = SingleFlight()
    make = _Counted(error=OSError("unreachable"))
    caller = asyncio.ensure_future(flights.run("a", make))
    await asyncio.sleep(0)
    flight = flights.running("a")
    assert flight is not None
    caller.cancel()
    make.release.set()
    loop = asyncio.get_running_loop()
    reported: list[dict[str, Any]] = []
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _, context: reported.append(context))
    try:
        await asyncio.wait([flight])
        await asyncio.sleep(0)  # its done callbacks run
        assert flights.running("a") is None
        del caller, flight
        gc.collect()  # an exception never retrieved is reported when its task is collected
    finally:
        loop.set_exception_handler(previous)
    assert make.runs == 1 and reported == []


async def test_an_exception_reaches_every_waiter_and_the_next_call_runs_anew() -> None:
    flights: SingleFlight[str, int] = SingleFlight()
    failing = _Counted(error=OSError("connection refused"))
    callers = [asyncio.ensure_future(flights.run("a", failing)) for _ in range(3)]
    await asyncio.sleep(0)
    failing.release.set()
    results = await asyncio.gather(*callers, return_exceptions=True)
    assert all(isinstance(r, OSError) for r in results) and failing.runs == 1

    succeeding = _Counted(7)
    succeeding.release.set()
    assert await flights.run("a", succeeding) == 7 and succeeding.runs == 1


async def test_a_waiter_reads_the_outcome_without_taking_part() -> None:
    flights: SingleFlight[str, int] = SingleFlight()
    failing = _Counted(error=OSError("down"))
    caller = asyncio.ensure_future(flights.run("a", failing))
    await asyncio.sleep(0)
    flight = flights.running("a")
    assert flight is not None
    failing.release.set()
    await asyncio.wait([flight])  # neither raises nor cancels anything
    assert isinstance(flight.exception(), OSError)
    with pytest.raises(OSError):
        await caller


async def test_a_claimed_key_is_waited_for_until_released() -> None:
    flights: SingleFlight[str, None] = SingleFlight()
    claimed = flights.claim("a")
    assert claimed is not None and flights.running("a") is claimed
    assert flights.claim("a") is None  # another caller does its own work, unnoted
    flights.release("a", None)  # what that caller passes back: nothing happens
    assert flights.running("a") is claimed

    waiter = asyncio.ensure_future(asyncio.wait([claimed]))
    await asyncio.sleep(0)
    assert not waiter.done()
    flights.release("a", claimed)
    await waiter
    assert flights.running("a") is None and flights.claim("a") is not None


def test_lru_evicts_the_least_recently_used() -> None:
    cache: LruCache[str, int] = LruCache(max_entries=3)
    for key, value in [("a", 1), ("b", 2), ("c", 3)]:
        cache.put(key, value)
    assert cache.get("a") == 1  # used: now the most recent
    cache.put("d", 4)
    assert cache.get("b") is None and len(cache) == 3
    cache.put("c", 30)  # put again: used too
    cache.put("e", 5)
    assert cache.get("a") is None
    assert [cache.get(k) for k in "cde"] == [30, 4, 5]
    cache.clear()
    assert len(cache) == 0 and cache.get("c") is None
