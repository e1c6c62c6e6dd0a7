"""The operator dashboard in headless Chromium against the real service (uvicorn, PostgreSQL).

It loads, draws its charts from live data (the numbers the page shows and charts equal the GraphQL API's own
answer, which includes the records created here), and explains itself when a key cannot open it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from playwright.async_api import Browser, Page

from devkit.keys import make_key
from devkit.personas import DESK_WORKER, UPPER_CROSSED
from service.clients.scopes import ALL_SCOPES
from service.settings import Settings

TOTALS = "{ stats(from: $from, to: $to, bucket: week) { totals { assessments referrals programs } } }"


async def open_dashboard(browser: Browser, server: str, key: str) -> Page:
    page = await browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    await page.goto(f"{server}/dashboard")
    await page.fill("#key", key)
    await page.click("#load")
    await page.wait_for_selector("body[data-state=loaded], body[data-state=refused], body[data-state=error]")
    assert not errors, errors
    return page


async def seed(server: str, key: str) -> None:
    referred = {**DESK_WORKER, "red_flags": {**DESK_WORKER["red_flags"], "constant_night_pain": True}}
    async with httpx.AsyncClient(base_url=server, headers={"Authorization": f"Bearer {key}"}) as http:
        ids = []
        for body in (DESK_WORKER, UPPER_CROSSED, referred):
            response = await http.post("/v1/assessments", json=body)
            assert response.status_code == 201, response.text
            ids.append(response.json()["id"])
        program = await http.post("/v1/programs", json={"assessment_id": ids[0]})
        assert program.status_code == 201, program.text


async def api_totals(server: str, key: str) -> dict[str, Any]:
    today = datetime.now(UTC).date()
    variables = {"from": str(today - timedelta(weeks=12)), "to": str(today + timedelta(days=1))}
    query = f"query ($from: Date!, $to: Date!) {TOTALS}"
    async with httpx.AsyncClient(base_url=server, headers={"Authorization": f"Bearer {key}"}) as http:
        response = await http.post("/graphql", json={"query": query, "variables": variables})
    totals: dict[str, Any] = response.json()["data"]["stats"]["totals"]
    return totals


async def test_the_dashboard_draws_live_numbers(browser: Browser, live_server: str, settings: Settings) -> None:
    app_key = await make_key(settings, "dashboard-app", list(ALL_SCOPES))
    operator_key = await make_key(settings, "dashboard-operator", ["stats:read"], internal=True)
    await seed(live_server, app_key)
    expected = await api_totals(live_server, operator_key)
    assert expected["assessments"] >= 3 and expected["referrals"] >= 1 and expected["programs"] >= 1

    page = await open_dashboard(browser, live_server, operator_key)
    assert await page.get_attribute("body", "data-state") == "loaded", await page.text_content("#message")
    assert await page.text_content("#total-assessments") == str(expected["assessments"])
    assert await page.text_content("#total-programs") == str(expected["programs"])
    rate = 100 * expected["referrals"] / expected["assessments"]
    assert await page.text_content("#referral-rate") == f"{rate:.1f} %"

    # The charts hold the same numbers: the status bars add up to every assessment, one dataset per status.
    status = await page.evaluate(
        "() => Chart.getChart('chart-status').data.datasets.map(d => [d.label, d.data.reduce((a, b) => a + b, 0)])"
    )
    assert dict(status)["refer"] == expected["referrals"]
    assert sum(count for _, count in status) == expected["assessments"]
    reasons = await page.evaluate("() => Chart.getChart('chart-referral-reasons').data.labels")
    assert "constant_night_pain" in reasons
    patterns = await page.evaluate("() => Chart.getChart('chart-patterns').data.datasets.map(d => d.label)")
    assert {"lower_crossed_syndrome", "upper_crossed_syndrome"} <= set(patterns)
    phases = await page.locator("#top-exercises h3").all_text_contents()
    assert phases == ["release", "lengthen", "strengthen", "integrate"]
    assert await page.locator("#top-exercises li").count() > 0
    clients = await page.locator("#clients tbody td:first-child").all_text_contents()
    assert "dashboard-app" in clients  # the operator sees every client
    await page.screenshot(path=".data/dashboard.png", full_page=True)


async def test_a_key_without_stats_read_gets_a_clear_message(
    browser: Browser, live_server: str, settings: Settings
) -> None:
    key = await make_key(settings, "dashboard-no-stats", ["assessments:read", "assessments:write"], internal=True)
    page = await open_dashboard(browser, live_server, key)
    assert await page.get_attribute("body", "data-state") == "refused"
    message = await page.text_content("#message") or ""
    assert "stats:read" in message
    assert await page.is_hidden("#content")


async def test_a_client_key_is_not_an_operator_key(browser: Browser, live_server: str, settings: Settings) -> None:
    key = await make_key(settings, "dashboard-plain-client", ["stats:read"])
    page = await open_dashboard(browser, live_server, key)
    assert await page.get_attribute("body", "data-state") == "refused"
    assert "operator key" in (await page.text_content("#message") or "")


async def test_an_invalid_key_is_named_as_such(browser: Browser, live_server: str) -> None:
    page = await open_dashboard(browser, live_server, "rl_live_not_a_real_key")
    assert "not valid" in (await page.text_content("#message") or "")


async def test_the_page_loads_nothing_from_elsewhere(browser: Browser, live_server: str) -> None:
    page = await browser.new_page()
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(httpx.URL(request.url).host))
    response = await page.goto(f"{live_server}/dashboard")
    assert response is not None and response.ok
    assert "script-src 'self'" in (response.headers.get("content-security-policy") or "")
    await page.wait_for_load_state("networkidle")
    assert await page.evaluate("() => typeof Chart") == "function"
    assert hosts == {"127.0.0.1"}
