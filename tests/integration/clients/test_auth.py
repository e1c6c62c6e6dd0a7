"""Keys over real HTTP: created by the CLI, checked on every request, revoked at once."""

from __future__ import annotations

import asyncio
import contextlib
import io
import os

import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from devkit.keys import make_key
from service.__main__ import main as cli
from service.app import create_app
from service.settings import Settings

Client = AsyncTestClient[Litestar]


def _cli(*args: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        cli(list(args))
    return out.getvalue()


@pytest.fixture
def cli_environment(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("REALIGN_KEY_PEPPER", settings.key_pepper)


def test_cli_key_works_at_once_and_revocation_is_immediate(cli_environment: None, live_server: str) -> None:
    assert "created client cli-app" in _cli("clients", "create", "cli-app", "--scope", "catalog:read")
    output = _cli("keys", "create", "cli-app").strip().splitlines()
    key = output[-1]
    headers = {"Authorization": f"Bearer {key}"}
    me = httpx.get(f"{live_server}/v1/me", headers=headers)
    assert me.status_code == 200, me.text
    assert me.json()["client"]["name"] == "cli-app" and me.json()["scopes"] == ["catalog:read"]
    listing = _cli("keys", "list", "cli-app")
    key_id = me.json()["key"]["id"]
    assert key_id in listing and key not in listing and "active" in listing

    _cli("keys", "revoke", key_id)
    revoked = httpx.get(f"{live_server}/v1/me", headers=headers)
    assert revoked.status_code == 401
    assert revoked.headers["www-authenticate"].startswith("Bearer")
    assert "revoked" in _cli("keys", "list", "cli-app")
    assert "cli-app" in _cli("clients", "list")


def test_cli_rejects_unknown_scope_and_client(cli_environment: None) -> None:
    with pytest.raises(SystemExit):
        _cli("clients", "create", "bad", "--scope", "root")
    with pytest.raises(SystemExit, match="no client"):
        _cli("keys", "create", "nobody-has-this-name")


def test_disabling_a_client_stops_its_keys(cli_environment: None, settings: Settings, live_server: str) -> None:
    key = asyncio.run(make_key(settings, "to-disable", ["catalog:read"]))
    headers = {"Authorization": f"Bearer {key}"}
    assert httpx.get(f"{live_server}/v1/me", headers=headers).status_code == 200
    _cli("clients", "disable", "to-disable")
    assert httpx.get(f"{live_server}/v1/me", headers=headers).status_code == 401
    _cli("clients", "enable", "to-disable")
    assert httpx.get(f"{live_server}/v1/me", headers=headers).status_code == 200


@pytest.mark.parametrize(
    ("authorization", "challenge_error"),
    [
        (None, False),
        ("Basic dXNlcjpwYXNz", True),
        ("Bearer", True),
        ("Bearer rl_live_nottherightshape", True),
        ("Bearer rl_live_" + "A" * 36, True),
    ],
)
async def test_bad_or_missing_key_is_401_with_challenge(
    client: Client, authorization: str | None, challenge_error: bool
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = await client.get("/v1/me", headers=headers)
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    challenge = response.headers["www-authenticate"]
    assert challenge.startswith('Bearer realm="realign"')
    assert ('error="invalid_token"' in challenge) is challenge_error


async def test_public_catalogue_still_rejects_a_bad_key(client: Client, full_access_key: str) -> None:
    assert (await client.get("/v1/equipment")).status_code == 200
    ok = await client.get("/v1/equipment", headers={"Authorization": f"Bearer {full_access_key}"})
    assert ok.status_code == 200
    bad = await client.get("/v1/equipment", headers={"Authorization": "Bearer rl_live_" + "B" * 36})
    assert bad.status_code == 401


async def test_private_catalogue_needs_catalog_read(settings: Settings) -> None:
    private = Settings(**{**settings.__dict__, "public_catalog": False})
    reader = await make_key(settings, "catalogue-reader", ["catalog:read"])
    other = await make_key(settings, "stats-only", ["stats:read"])
    async with AsyncTestClient(app=create_app(private)) as client:
        assert (await client.get("/v1/exercises")).status_code == 401
        forbidden = await client.get("/v1/exercises", headers={"Authorization": f"Bearer {other}"})
        assert forbidden.status_code == 403 and "catalog:read" in forbidden.json()["detail"]
        assert forbidden.headers["www-authenticate"].endswith('scope="catalog:read"')
        allowed = await client.get("/v1/exercises", headers={"Authorization": f"Bearer {reader}"})
        assert allowed.status_code == 200
        query = {"query": "{ equipment { slug } }"}
        anonymous = (await client.post("/graphql", json=query)).json()
        assert anonymous["data"] is None and "key" in anonymous["errors"][0]["message"]
        denied = (await client.post("/graphql", json=query, headers={"Authorization": f"Bearer {other}"})).json()
        assert "catalog:read" in denied["errors"][0]["message"]
        granted = (await client.post("/graphql", json=query, headers={"Authorization": f"Bearer {reader}"})).json()
        assert granted["data"]["equipment"]


async def test_graphql_with_a_bad_key_is_401(client: Client) -> None:
    response = await client.post(
        "/graphql", json={"query": "{ equipment { slug } }"}, headers={"Authorization": "Bearer nope"}
    )
    assert response.status_code == 401


async def test_last_used_is_recorded(client: Client, settings: Settings) -> None:
    key = await make_key(settings, "usage-tracked", ["catalog:read"])
    me = (await client.get("/v1/me", headers={"Authorization": f"Bearer {key}"})).json()
    output = await asyncio.to_thread(
        lambda: _run_cli_in_env(settings, "keys", "list", "usage-tracked"),
    )
    line = next(line for line in output.splitlines() if me["key"]["id"] in line)
    assert "never" not in line


def _run_cli_in_env(settings: Settings, *args: str) -> str:
    saved = {k: os.environ.get(k) for k in ("DATABASE_URL", "REALIGN_KEY_PEPPER")}
    os.environ.update(DATABASE_URL=settings.database_url, REALIGN_KEY_PEPPER=settings.key_pepper)
    try:
        return _cli(*args)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


async def test_security_headers_and_body_limit(client: Client) -> None:
    response = await client.get("/v1/equipment")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    too_big = await client.post(
        "/graphql", content=b"{" + b" " * (1024 * 1024 + 10) + b"}", headers={"Content-Type": "application/json"}
    )
    assert too_big.status_code == 413


async def test_options_lists_every_method_of_the_path(client: Client) -> None:
    # Litestar 2 would list only one handler's methods (litestar#4169); the app lists the path's.
    for path, expected in (
        ("/v1/assessments/00000000-0000-0000-0000-000000000000", {"GET", "HEAD", "DELETE", "OPTIONS"}),
        ("/v1/programs", {"GET", "HEAD", "POST", "OPTIONS"}),
    ):
        response = await client.options(path)
        assert set(response.headers["allow"].split(", ")) == expected, (path, response.headers)


async def test_keys_never_reach_the_logs(
    client: Client, full_access_key: str, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    with caplog.at_level(logging.DEBUG):
        await client.get("/v1/me", headers={"Authorization": f"Bearer {full_access_key}"})
        await client.get("/v1/me", headers={"Authorization": "Bearer rl_live_" + "C" * 36})
        await client.post(
            "/graphql", json={"query": "{ nope }"}, headers={"Authorization": f"Bearer {full_access_key}"}
        )
    assert caplog.records, "nothing was logged, so the test proves nothing"
    assert full_access_key not in caplog.text and "rl_live_" + "C" * 36 not in caplog.text


async def test_introspection_can_be_switched_off(settings: Settings) -> None:
    closed = Settings(**{**settings.__dict__, "graphql_introspection": False})
    query = {"query": "{ __schema { queryType { name } } }"}
    async with AsyncTestClient(app=create_app(closed)) as client:
        body = (await client.post("/graphql", json=query)).json()
        assert body["data"] is None and "introspection" in body["errors"][0]["message"].lower()
        assert (await client.post("/graphql", json={"query": "{ patterns { slug } }"})).json()["data"]["patterns"]
    async with AsyncTestClient(app=create_app(settings)) as client:
        assert (await client.post("/graphql", json=query)).json()["data"]["__schema"]["queryType"]["name"] == "Query"
