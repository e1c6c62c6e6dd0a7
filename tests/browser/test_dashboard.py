"""The operator dashboard in headless Chromium against the real service (uvicorn, PostgreSQL).

It loads, draws its charts from live data (the numbers the page shows and charts equal the GraphQL API's own
answer, which includes the records created here: assessments and a program through the API, check-ins, a decision
and outcome measures through the ORM, as their write paths will store them), and explains itself when a key cannot
open it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import msgspec
from playwright.async_api import Browser, Page
from sqlalchemy.ext.asyncio import AsyncEngine

from devkit.keys import make_key
from devkit.personas import DESK_WORKER, UPPER_CROSSED
from service.checkins.models import CheckIn, ProgramDecision
from service.clients.scopes import ALL_SCOPES
from service.db.engine import create_session_factory
from service.db.tenancy import tenant_session
from service.outcomes import schemas as outcome_schemas
from service.outcomes.models import Outcome
from service.outcomes.rules import load_outcome_rules
from service.outcomes.scoring import score
from service.settings import Settings

TOTALS = """{ stats(from: $from, to: $to, bucket: week) {
  series { adherence { rate } }
  totals { assessments referrals programs checkIns
           adherence { programWeeks rate }
           outcomeChanges { measure followUps mcidReached mcidReachedRate } } } }"""


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


async def seed(server: str, key: str, engine: AsyncEngine) -> None:
    referred = {**DESK_WORKER, "red_flags": {**DESK_WORKER["red_flags"], "constant_night_pain": True}}
    starts = datetime.now(UTC).date() - timedelta(days=21)  # weeks 1 and 2 are over
    async with httpx.AsyncClient(base_url=server, headers={"Authorization": f"Bearer {key}"}) as http:
        ids = []
        for body in (DESK_WORKER, UPPER_CROSSED, referred):
            response = await http.post("/v1/assessments", json=body)
            assert response.status_code == 201, response.text
            ids.append(response.json()["id"])
        program = await http.post(
            "/v1/programs", json={"assessment_id": ids[0], "starts_on": str(starts), "sessions_per_week": 3}
        )
        assert program.status_code == 201, program.text
        tenant = (await http.get("/v1/me")).json()["client"]["id"]
    program_id, assessment_id = program.json()["id"], ids[0]
    # Week 1: three sessions of three; week 2: one session and a routine. NPRS 6 → 3 (the MCID), ODI 40 → 36 (not).
    days = [(0, "session"), (2, "session"), (4, "session"), (7, "session"), (8, "routine")]
    rows: list[Any] = [
        CheckIn(
            program_id=program_id,
            revision=1,
            date=starts + timedelta(days=d),
            kind=kind,
            input={"date": str(starts + timedelta(days=d)), "kind": kind, "pain_before": 2, "pain_during": 2},
        )
        for d, kind in days
    ]
    rows.append(ProgramDecision(program_id=program_id, made_on=starts + timedelta(days=7), kind="hold", decision={}))
    rules = load_outcome_rules()
    taken = [
        (0, {"measure": "nprs", "value": 6}),
        (14, {"measure": "nprs", "value": 3}),
        (0, {"measure": "odi", "answers": [2] * 10}),
        (14, {"measure": "odi", "answers": [2] * 8 + [1, 1]}),
    ]
    for d, body in taken:
        answers: outcome_schemas.OutcomeInput = msgspec.convert(body, outcome_schemas.OutcomeInput)  # type: ignore[arg-type]
        scored = score(answers, rules)
        rows.append(
            Outcome(
                assessment_id=assessment_id,
                measure=body["measure"],
                taken_on=starts + timedelta(days=d),
                ruleset_version=scored.ruleset_version,
                answers=msgspec.to_builtins(answers),
                score=msgspec.to_builtins(scored),
            )
        )
    async with tenant_session(create_session_factory(engine), tenant) as session, session.begin():
        session.add_all(rows)


async def api_totals(server: str, key: str) -> dict[str, Any]:
    today = datetime.now(UTC).date()
    variables = {"from": str(today - timedelta(weeks=12)), "to": str(today + timedelta(days=1))}
    query = f"query ($from: Date!, $to: Date!) {TOTALS}"
    async with httpx.AsyncClient(base_url=server, headers={"Authorization": f"Bearer {key}"}) as http:
        response = await http.post("/graphql", json={"query": query, "variables": variables})
    stats: dict[str, Any] = response.json()["data"]["stats"]
    return {**stats["totals"], "series": stats["series"]}


async def test_the_dashboard_draws_live_numbers(
    browser: Browser, live_server: str, settings: Settings, engine: AsyncEngine
) -> None:
    app_key = await make_key(settings, "dashboard-app", list(ALL_SCOPES))
    operator_key = await make_key(settings, "dashboard-operator", ["stats:read"], internal=True)
    await seed(live_server, app_key, engine)
    expected = await api_totals(live_server, operator_key)
    assert expected["assessments"] >= 3 and expected["referrals"] >= 1 and expected["programs"] >= 1
    assert expected["checkIns"] >= 5 and expected["adherence"]["programWeeks"] >= 2

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

    # Adherence per week and the share of follow-ups that reached the MCID, per measure: the API's numbers.
    assert await page.text_content("#total-check-ins") == str(expected["checkIns"])
    assert await page.text_content("#adherence") == f"{100 * expected['adherence']['rate']:.1f} %"
    adherence = await page.evaluate("() => Chart.getChart('chart-adherence').data.datasets[0].data")
    rates = [p["adherence"]["rate"] for p in expected["series"]]
    assert [r for r in adherence if r is not None] == [r for r in rates if r is not None] != []
    mcid = await page.evaluate("() => Chart.getChart('chart-mcid').data.datasets[0].data")
    assert mcid == [m["mcidReachedRate"] for m in expected["outcomeChanges"]]
    labels = await page.evaluate("() => Chart.getChart('chart-mcid').data.labels")
    reached = {m["measure"]: m for m in expected["outcomeChanges"]}
    assert labels[0] == f"nprs ({reached['nprs']['mcidReached']} of {reached['nprs']['followUps']})"
    assert reached["nprs"]["mcidReached"] >= 1 and reached["odi"]["followUps"] >= 1
    drawn = await page.evaluate(
        "() => ['chart-adherence', 'chart-mcid'].map(id => Chart.getChart(id).getDatasetMeta(0).data.length)"
    )
    assert drawn[0] == len(rates) and drawn[1] == 4  # a point per bucket, a bar per measure
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
