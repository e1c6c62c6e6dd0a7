"""Per-process sharing of work in flight, and a bounded LRU map: what the catalogue, GraphQL and key caches share.

`SingleFlight` lets concurrent callers of one key share one computation, so that a cold (or just emptied) cache is
not a stampede on the database: the catalogue cache's version check and builds, and the key lookups, go through it;
the GraphQL cache marks an execution in flight so that identical requests wait for it and then look again.
`LruCache` is the bounded map of answers behind the catalogue and GraphQL caches.
"""

from __future__ import annotations

import asyncio
import functools
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class SingleFlight(Generic[K, V]):
    """At most one computation of a key at a time; callers that overlap with it share it.

    Only overlapping callers share: the entry is removed the moment the computation ends, so a caller that arrives
    after that starts a new one (a key lookup that starts after a revocation committed sees the revocation)."""

    def __init__(self) -> None:
        self._flights: dict[K, asyncio.Future[V]] = {}

    def running(self, key: K) -> asyncio.Future[V] | None:
        """The computation of `key` in progress, if any.

        For callers that wait for it (`asyncio.wait`) without taking part: its outcome is theirs to read or ignore,
        and their going away does not cancel it."""
        flight = self._flights.get(key)
        return None if flight is None or flight.done() else flight

    async def run(self, key: K, make: Callable[[], Awaitable[V]]) -> V:
        """The result of `make()`, or of the computation of `key` already in progress: one computation for all.

        The computation runs as its own task and each caller awaits it through `asyncio.shield`, so a caller that
        goes away (a client disconnecting) does not cancel it for the others. Its exception reaches every caller
        that shares it; the next call after it ended starts anew."""
        flight = self.running(key)
        if flight is None:
            flight = asyncio.ensure_future(make())
            self._flights[key] = flight
            flight.add_done_callback(functools.partial(self._ended, key))
        return await asyncio.shield(flight)

    def _ended(self, key: K, flight: asyncio.Future[V]) -> None:
        if self._flights.get(key) is flight:
            del self._flights[key]
        if not flight.cancelled():
            flight.exception()  # retrieved here: every caller re-raises it (shield retrieves it for one gone)

    def claim(self: SingleFlight[K, None], key: K) -> asyncio.Future[None] | None:
        """Note that the caller computes `key` itself, in its own task, unless a computation of it is in progress
        (then None); pass the result to `release` when done.

        For work that cannot be handed over (a GraphQL execution answers its own client): others can only wait for
        it with `running` and then look again (for the answer it may have kept). It has no value to share, hence
        only for `SingleFlight[K, None]`."""
        if self.running(key) is not None:
            return None
        flight = self._flights[key] = asyncio.get_running_loop().create_future()
        return flight

    def release(self: SingleFlight[K, None], key: K, flight: asyncio.Future[None] | None) -> None:
        """End what `claim` started (nothing when it returned None): whoever waits for it goes on."""
        if flight is None:
            return
        if self._flights.get(key) is flight:
            del self._flights[key]
        flight.set_result(None)


class LruCache(Generic[K, V]):
    """A map of at most `max_entries` entries; past that, the least recently used one goes (a memory bound)."""

    def __init__(self, max_entries: int) -> None:
        self._entries: OrderedDict[K, V] = OrderedDict()
        self._max_entries = max_entries

    def get(self, key: K) -> V | None:
        value = self._entries.get(key)
        if value is not None:
            self._entries.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        self._entries[key] = value
        self._entries.move_to_end(key)
        if len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
