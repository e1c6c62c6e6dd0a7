"""Finding F2 (issue 12): X-Forwarded-For chooses the rate-limit bucket only when the peer is a trusted proxy.

Through the real launch path (`python -m service serve`, uvicorn on loopback), with a per-IP quota of 2 and the
counters in the process (no Redis, so no counts left over from another test)."""

from __future__ import annotations

import httpx
import pytest

from service.settings import Settings, trusted_proxies
from tests.conftest import server_process

LIMITED = {"REALIGN_ANONYMOUS_RATE_LIMIT": "2/3600", "REDIS_URL": ""}


def _statuses(base: str, forwarded_for: list[str | None]) -> list[int]:
    statuses = []
    for value in forwarded_for:
        headers = {"X-Forwarded-For": value} if value is not None else {}
        statuses.append(httpx.get(f"{base}/v1/patterns", headers=headers).status_code)
    return statuses


def test_f2_spoofed_forwarded_for_does_not_escape_the_per_ip_limit(settings: Settings) -> None:
    env = {**LIMITED, "REALIGN_TRUSTED_PROXIES": ""}
    with server_process(["service", "serve"], settings, env) as base:
        # Every request comes from 127.0.0.1, which is no trusted proxy: one bucket whatever the headers claim.
        spoofed: list[str | None] = ["203.0.113.1", "203.0.113.2", "203.0.113.3", "198.51.100.7, 203.0.113.4"]
        assert _statuses(base, spoofed) == [200, 200, 429, 429]
        forwarded = httpx.get(f"{base}/v1/patterns", headers={"Forwarded": "for=203.0.113.9"})
        assert forwarded.status_code == 429


def test_f2_a_trusted_proxy_gets_one_bucket_per_forwarded_client(settings: Settings) -> None:
    env = {**LIMITED, "REALIGN_TRUSTED_PROXIES": "127.0.0.1"}
    with server_process(["service", "serve"], settings, env) as base:
        assert _statuses(base, ["203.0.113.1", "203.0.113.2", "203.0.113.3"]) == [200, 200, 200]
        # Each forwarded client still has its own quota, and the proxy's own requests have theirs.
        assert _statuses(base, ["203.0.113.1", "203.0.113.1"]) == [200, 429]
        # A chain: the rightmost address not itself a trusted proxy is the client.
        assert _statuses(base, ["203.0.113.1, 203.0.113.2"]) == [200]
        assert _statuses(base, [None, None, None]) == [200, 200, 429]


def test_f2_trusted_proxies_are_ip_addresses_or_networks() -> None:
    assert trusted_proxies("") == ()
    assert trusted_proxies(" 10.0.0.1, 10.1.0.0/16 ,::1,") == ("10.0.0.1", "10.1.0.0/16", "::1")
    with pytest.raises(ValueError, match=r"proxy\.internal"):
        trusted_proxies("proxy.internal")
    env = {"DATABASE_URL": "postgresql://x/y", "REALIGN_TRUSTED_PROXIES": "192.168.0.0/24"}
    assert Settings.from_env(env).trusted_proxies == ("192.168.0.0/24",)
    assert Settings.from_env({"DATABASE_URL": "postgresql://x/y"}).trusted_proxies == ()
