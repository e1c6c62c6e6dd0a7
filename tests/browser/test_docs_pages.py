"""The API reference (/docs → /schema) and GraphiQL (/graphql) in headless Chromium with every other host unreachable.

Each page must render from the service alone (scripts, styles and fonts vendored and served by the service, #17)
under its content security policy: the reference lists the operations, GraphiQL shows its editor and answers a
query. Any request to another host is aborted and fails the test, as does any error the page reports.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from playwright.async_api import Browser, BrowserContext, Page, Route

# Collects the page's content-security-policy violations (the init script runs outside the page's policy).
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sample}`.trim());
});
"""
# Scalar's bundle probes `Function("")` once (zod's eval feature test, caught, with a fallback): the page works
# without eval, as the policy wants; the probe is the one violation allowed (service/docs/pages.py).
EVAL_PROBE = "script-src eval"


@dataclass
class Offline:
    """A browser context where any request to another host is aborted and recorded, as on an air-gapped network."""

    origin: str
    context: BrowserContext
    blocked: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    async def route(self, route: Route) -> None:
        url = urlsplit(route.request.url)
        if url.scheme in ("data", "blob") or url.netloc == self.origin:
            await route.continue_()
        else:
            self.blocked.append(route.request.url)
            await route.abort("internetdisconnected")

    async def open(self, url: str) -> Page:
        page = await self.context.new_page()
        page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        page.on("console", lambda m: self.errors.append(f"console: {m.text}") if m.type == "error" else None)
        await page.add_init_script(RECORD_VIOLATIONS)
        response = await page.goto(url)
        assert response is not None and response.ok, response
        return page

    async def assert_self_contained(self, page: Page) -> None:
        violations = [v for v in await page.evaluate("window.__violations") if v != EVAL_PROBE]
        assert self.blocked == [], f"requests to other hosts: {self.blocked}"
        assert violations == [], f"content security policy violations: {violations}"
        assert self.errors == [], self.errors


@pytest.fixture
async def offline(browser: Browser, live_server: str) -> AsyncIterator[Offline]:
    context = await browser.new_context()
    state = Offline(urlsplit(live_server).netloc, context)
    await context.route("**/*", state.route)
    try:
        yield state
    finally:
        await context.close()


async def text_appears(page: Page, text: str) -> None:
    await page.wait_for_function("(text) => document.body.innerText.includes(text)", arg=text, timeout=30_000)


async def test_the_api_reference_renders_without_other_hosts(offline: Offline, live_server: str) -> None:
    page = await offline.open(f"{live_server}/docs")
    assert page.url == f"{live_server}/schema"
    # The operations are listed: the catalogue's in the open first group, the others by their tags and summaries.
    for text in ("Realign API", "List and search exercises", "assessments", "programs"):
        await text_appears(page, text)
    await page.get_by_text("programs", exact=True).first.click()
    await text_appears(page, "Generate a corrective program from an assessment")
    await page.get_by_text("assessments", exact=True).first.click()
    await text_appears(page, "Assess a person")
    # Scalar's stylesheet, which it injects as a <style> element, was let through by the policy and applied.
    assert await page.evaluate("() => document.getElementById('scalar-style')?.sheet?.cssRules.length > 0")
    await offline.assert_self_contained(page)


async def test_graphiql_renders_and_answers_without_other_hosts(offline: Offline, live_server: str) -> None:
    page = await offline.open(f"{live_server}/graphql")
    await page.wait_for_selector(".graphiql-container .graphiql-query-editor .CodeMirror", timeout=30_000)
    # The vendored stylesheet is applied: GraphiQL's editor sits in a flex layout filling the window.
    assert await page.evaluate("() => getComputedStyle(document.querySelector('.graphiql-container')).display") == (
        "flex"
    )
    # The example query reads the public catalogue: run it and see the answer.
    await page.click(".graphiql-execute-button")
    await page.wait_for_function(
        "() => document.querySelector('.graphiql-response')?.innerText.includes('\"slug\"')", timeout=30_000
    )
    answer = await page.inner_text(".graphiql-response")
    assert '"equipment"' in answer and '"errors"' not in answer
    await offline.assert_self_contained(page)
