"""Finding F9 (issue 12): /metrics is off the public surface: absent without REALIGN_METRICS_TOKEN, behind it
with one."""

from __future__ import annotations

from dataclasses import replace

from litestar.testing import AsyncTestClient

from service.app import create_app
from service.settings import Settings


async def test_f9_metrics_are_not_served_without_a_token(settings: Settings) -> None:
    async with AsyncTestClient(app=create_app(replace(settings, metrics_token=None))) as client:
        metrics = await client.get("/metrics")
        absent = await client.get("/no-such-path")
        with_a_guess = await client.get("/metrics", headers={"Authorization": "Bearer "})
        # Other methods too: a 405 naming the route's methods would tell that it exists.
        other_methods = [(await client.request(method, "/metrics")).status_code for method in ("HEAD", "OPTIONS")]
    assert metrics.status_code == 404 and with_a_guess.status_code == 404 and other_methods == [404, 404]
    assert metrics.headers["content-type"].startswith("application/problem+json")
    # Answered exactly as a path that does not exist.
    assert {**metrics.json(), "instance": None} == {**absent.json(), "instance": None}
    assert "realign_" not in metrics.text


async def test_f9_metrics_need_the_bearer_token(settings: Settings) -> None:
    token = "f9-scraper-token"
    async with AsyncTestClient(app=create_app(replace(settings, metrics_token=token))) as client:
        missing = await client.get("/metrics")
        wrong = await client.get("/metrics", headers={"Authorization": "Bearer f9-scraper-tokem"})
        other_scheme = await client.get("/metrics", headers={"Authorization": f"Basic {token}"})
        right = await client.get("/metrics", headers={"Authorization": f"Bearer {token}"})
    for refused in (missing, wrong, other_scheme):
        assert refused.status_code == 401
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert refused.json()["status"] == 401
        assert refused.headers["www-authenticate"].startswith("Bearer ")
        assert "realign_" not in refused.text
    assert missing.headers["www-authenticate"] == 'Bearer realm="metrics"'
    assert 'error="invalid_token"' in wrong.headers["www-authenticate"]
    assert right.status_code == 200 and "realign_db_pool_connections_in_use" in right.text


def test_f9_the_token_comes_from_the_environment() -> None:
    url = {"DATABASE_URL": "postgresql://x/y"}
    assert Settings.from_env(url).metrics_token is None
    assert Settings.from_env({**url, "REALIGN_METRICS_TOKEN": ""}).metrics_token is None
    assert Settings.from_env({**url, "REALIGN_METRICS_TOKEN": "s3cret"}).metrics_token == "s3cret"
